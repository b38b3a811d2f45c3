/* SPDX-License-Identifier: MIT */
/*
 * Compositor-side helper for the QEMU e2e test, loaded as an extra Weston
 * module. The test runs in the harness's client thread; what only the
 * compositor can do (focus and close the QEMU toplevel, ask whether it is
 * fullscreen, reap QEMU and report its exit status) goes through a pipe
 * and runs here, on the compositor's thread.
 *
 * $VMPLANE_E2E_CTL = "<command fd>,<reply fd>" for the test to use.
 * In a standalone Weston the test hands its pipes in instead (e2e-control.h)
 * and keys are typed on a seat of the module's own.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libweston/libweston.h>
#include <libweston-desktop/libweston-desktop.h>
#include <weston.h>

#include "e2e-control.h"

/*
 * Exported by libweston 10 but declared only in its private headers (as
 * its own test plugin uses them): a seat with a keyboard, and key events.
 */
void weston_seat_init(struct weston_seat *seat, struct weston_compositor *ec,
		      const char *seat_name);
void weston_seat_release(struct weston_seat *seat);
int weston_seat_init_keyboard(struct weston_seat *seat, struct xkb_keymap *keymap);
void notify_key(struct weston_seat *seat, const struct timespec *time, uint32_t key,
		enum wl_keyboard_key_state state, enum weston_key_state_update update_state);
/* The same for wheel events (libweston/backend.h in Weston 10's tree). */
void notify_axis(struct weston_seat *seat, const struct timespec *time,
		 struct weston_pointer_axis_event *event);
void notify_axis_source(struct weston_seat *seat, uint32_t source);
void notify_pointer_frame(struct weston_seat *seat);

struct e2e_control {
	struct weston_compositor *compositor;
	struct wl_event_source *source;
	struct wl_listener destroy;
	int cmd_fd, reply_fd;
	struct weston_process proc;
	bool has_seat;
	struct weston_seat seat;
};

static void
reply(struct e2e_control *ctl, char op, int32_t value)
{
	struct e2e_msg msg = { .op = op, .value = value };

	if (write(ctl->reply_fd, &msg, sizeof(msg)) != sizeof(msg))
		weston_log("e2e-control: reply lost\n");
}

static struct weston_desktop_surface *
find_toplevel(struct weston_compositor *compositor, struct weston_surface **out)
{
	struct weston_view *view;

	wl_list_for_each(view, &compositor->view_list, link) {
		struct weston_surface *main = weston_surface_get_main_surface(view->surface);

		if (!main->resource || !weston_surface_is_desktop_surface(main))
			continue;
		if (out)
			*out = main;
		return weston_surface_get_desktop_surface(main);
	}
	return NULL;
}

/* The index-th mapped toplevel in title order, with its main surface's view. */
static struct weston_desktop_surface *
nth_toplevel(struct weston_compositor *compositor, int index, struct weston_view **out)
{
	struct weston_desktop_surface *found[16];
	struct weston_view *views[16];
	struct weston_view *view;
	int n = 0;

	wl_list_for_each(view, &compositor->view_list, link) {
		struct weston_surface *s = view->surface;
		struct weston_desktop_surface *ds;
		int i;

		if (!s->resource || !weston_surface_is_desktop_surface(s) || n == 16)
			continue;
		ds = weston_surface_get_desktop_surface(s);
		for (i = 0; i < n && found[i] != ds; i++)
			;
		if (i < n)
			continue;
		/* Insertion by title: stacking order changes, titles do not. */
		for (i = n; i > 0; i--) {
			const char *a = weston_desktop_surface_get_title(found[i - 1]);
			const char *b = weston_desktop_surface_get_title(ds);

			if (strcmp(a ? a : "", b ? b : "") <= 0)
				break;
			found[i] = found[i - 1];
			views[i] = views[i - 1];
		}
		found[i] = ds;
		views[i] = view;
		n++;
	}
	if (index < 0)
		return (struct weston_desktop_surface *)(intptr_t)n;
	if (index >= n)
		return NULL;
	if (out)
		*out = views[index];
	return found[index];
}

static void
process_exited(struct weston_process *proc, int status)
{
	struct e2e_control *ctl = wl_container_of(proc, ctl, proc);

	reply(ctl, E2E_EXITED, status);
}

static int
on_command(int fd, uint32_t mask, void *data)
{
	struct e2e_control *ctl = data;
	struct weston_desktop_surface *ds;
	struct weston_surface *surface = NULL;
	struct weston_seat *seat;
	struct weston_view *view = NULL;
	struct weston_geometry geo;
	struct e2e_msg msg;
	float fx = 0, fy = 0;
	int32_t moving = 0;

	if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
		return 0;
	ds = find_toplevel(ctl->compositor, &surface);
	if (surface) {
		struct weston_view *v;

		/* The one on screen: a surface given a new role may keep an old view. */
		wl_list_for_each(v, &ctl->compositor->view_list, link) {
			if (v->surface == surface) {
				view = v;
				break;
			}
		}
	}
	if (view)
		weston_view_to_global_float(view, 0, 0, &fx, &fy);
	switch (msg.op) {
	case E2E_WATCH:
		ctl->proc.pid = msg.value;
		ctl->proc.cleanup = process_exited;
		wet_watch_process(ctl->compositor, &ctl->proc);
		reply(ctl, E2E_WATCH, 1);
		break;
	case E2E_FIND:
		reply(ctl, E2E_FIND, ds != NULL);
		break;
	case E2E_FOCUS:
		if (ds) {
			wl_list_for_each(seat, &ctl->compositor->seat_list, link)
				if (weston_seat_get_keyboard(seat))
					weston_seat_set_keyboard_focus(seat, surface);
		}
		reply(ctl, E2E_FOCUS, ds != NULL);
		break;
	case E2E_FULLSCREEN:
		reply(ctl, E2E_FULLSCREEN, ds ? weston_desktop_surface_get_fullscreen(ds) : -1);
		break;
	case E2E_CLOSE:
		if (ds)
			weston_desktop_surface_close(ds);
		reply(ctl, E2E_CLOSE, ds != NULL);
		break;
	case E2E_KEY:
		if (ctl->has_seat) {
			struct timespec now;

			weston_compositor_get_time(&now);
			notify_key(&ctl->seat, &now, (uint32_t)msg.value,
				   WL_KEYBOARD_KEY_STATE_PRESSED, STATE_UPDATE_AUTOMATIC);
			notify_key(&ctl->seat, &now, (uint32_t)msg.value,
				   WL_KEYBOARD_KEY_STATE_RELEASED, STATE_UPDATE_AUTOMATIC);
		}
		reply(ctl, E2E_KEY, ctl->has_seat);
		break;
	case E2E_WHEEL: {
		/* Weston's test protocol sends no axis_discrete: a wheel's clicks come from here. */
		struct weston_pointer_axis_event ev = {
			.axis = (uint32_t)(msg.value >> 16) & 1,
			.has_discrete = true,
			.discrete = (int16_t)(msg.value & 0xffff),
		};
		struct timespec now;
		int32_t sent = 0;

		ev.value = 15.0 * ev.discrete;
		weston_compositor_get_time(&now);
		wl_list_for_each(seat, &ctl->compositor->seat_list, link) {
			struct weston_pointer *pointer = weston_seat_get_pointer(seat);

			if (!pointer || !pointer->focus || sent)
				continue;
			notify_axis_source(seat, WL_POINTER_AXIS_SOURCE_WHEEL);
			notify_axis(seat, &now, &ev);
			notify_pointer_frame(seat);
			sent = 1;
		}
		reply(ctl, E2E_WHEEL, sent);
		break;
	}
	case E2E_COUNT:
		reply(ctl, E2E_COUNT, (int32_t)(intptr_t)nth_toplevel(ctl->compositor, -1, NULL));
		break;
	case E2E_PLACE: {
		struct weston_view *nth_view = NULL;

		ds = nth_toplevel(ctl->compositor, (msg.value >> 28) & 7, &nth_view);
		if (ds) {
			/* Kept until the window maps again: shells place only new windows. */
			weston_view_set_position(nth_view, (msg.value >> 14) & 0x3fff,
						 msg.value & 0x3fff);
			weston_view_update_transform(nth_view);
			weston_compositor_schedule_repaint(ctl->compositor);
		}
		reply(ctl, E2E_PLACE, ds != NULL);
		break;
	}
	case E2E_ACTIVATE: {
		struct weston_view *nth_view = NULL;

		ds = nth_toplevel(ctl->compositor, msg.value, &nth_view);
		if (ds) {
			/* As the desktop shell's click-to-activate: Weston 10 locks only then. */
			wl_list_for_each(seat, &ctl->compositor->seat_list, link)
				weston_view_activate_input(nth_view, seat, WESTON_ACTIVATE_FLAG_CLICKED);
		}
		reply(ctl, E2E_ACTIVATE, ds != NULL);
		break;
	}
	case E2E_GRAB_TITLE: {
		const char *title;

		ds = nth_toplevel(ctl->compositor, msg.value, NULL);
		title = ds ? weston_desktop_surface_get_title(ds) : NULL;
		reply(ctl, E2E_GRAB_TITLE, ds ? title && strstr(title, "grabbed") : -1);
		break;
	}
	case E2E_RESIZE:
		ds = nth_toplevel(ctl->compositor, (msg.value >> 28) & 7, NULL);
		if (ds)
			weston_desktop_surface_set_size(ds, (msg.value >> 14) & 0x3fff,
							msg.value & 0x3fff);
		reply(ctl, E2E_RESIZE, ds != NULL);
		break;
	case E2E_VIEW_X:
		reply(ctl, E2E_VIEW_X, view ? (int32_t)fx : E2E_NONE);
		break;
	case E2E_VIEW_Y:
		reply(ctl, E2E_VIEW_Y, view ? (int32_t)fy : E2E_NONE);
		break;
	case E2E_GEOMETRY:
		if (!ds) {
			reply(ctl, E2E_GEOMETRY, E2E_NONE);
			break;
		}
		geo = weston_desktop_surface_get_geometry(ds);
		reply(ctl, E2E_GEOMETRY, msg.value == 0 ? geo.x : msg.value == 1 ? geo.y :
		      msg.value == 2 ? geo.width : geo.height);
		break;
	case E2E_PLACE_MAIN:
		/* The shell placed it at random; the test wants a known spot. */
		if (view) {
			weston_view_set_position(view, msg.value >> 16, msg.value & 0xffff);
			weston_view_schedule_repaint(view);
		}
		reply(ctl, E2E_PLACE_MAIN, view != NULL);
		break;
	case E2E_MOVING:
		wl_list_for_each(seat, &ctl->compositor->seat_list, link) {
			struct weston_pointer *pointer = weston_seat_get_pointer(seat);

			if (pointer && pointer->grab != &pointer->default_grab)
				moving = 1;
		}
		reply(ctl, E2E_MOVING, moving);
		break;
	default:
		reply(ctl, '?', 0);
	}
	return 0;
}

static void
control_destroy(struct wl_listener *listener, void *data)
{
	struct e2e_control *ctl = wl_container_of(listener, ctl, destroy);

	wl_list_remove(&ctl->destroy.link);
	wl_event_source_remove(ctl->source);
	if (ctl->has_seat)
		weston_seat_release(&ctl->seat);
	close(ctl->cmd_fd);
	close(ctl->reply_fd);
	free(ctl);
}

WL_EXPORT int
wet_module_init(struct weston_compositor *compositor, int *argc, char *argv[])
{
	struct wl_event_loop *loop = wl_display_get_event_loop(compositor->wl_display);
	struct e2e_control *ctl = calloc(1, sizeof(*ctl));
	const char *fds = getenv("VMPLANE_E2E_CTL_FDS");
	int cmd[2], rep[2];
	char env[64];

	if (!ctl)
		return -1;
	ctl->compositor = compositor;
	if (fds) {
		if (sscanf(fds, "%d,%d", &ctl->cmd_fd, &ctl->reply_fd) != 2) {
			weston_log("e2e-control: bad VMPLANE_E2E_CTL_FDS '%s'\n", fds);
			free(ctl);
			return -1;
		}
		weston_seat_init(&ctl->seat, compositor, "e2e-seat");
		ctl->has_seat = weston_seat_init_keyboard(&ctl->seat, NULL) == 0;
		if (!ctl->has_seat)
			weston_seat_release(&ctl->seat);
		ctl->source = wl_event_loop_add_fd(loop, ctl->cmd_fd, WL_EVENT_READABLE,
						   on_command, ctl);
		ctl->destroy.notify = control_destroy;
		wl_signal_add(&compositor->destroy_signal, &ctl->destroy);
		return 0;
	}
	if (pipe2(cmd, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		free(ctl);
		return -1;
	}
	ctl->cmd_fd = cmd[0];
	ctl->reply_fd = rep[1];
	ctl->source = wl_event_loop_add_fd(loop, cmd[0], WL_EVENT_READABLE, on_command, ctl);
	ctl->destroy.notify = control_destroy;
	wl_signal_add(&compositor->destroy_signal, &ctl->destroy);
	/* Set before the harness starts the client thread, which reads it. */
	snprintf(env, sizeof(env), "%d,%d", cmd[1], rep[0]);
	setenv("VMPLANE_E2E_CTL", env, 1);
	return 0;
}
