/* SPDX-License-Identifier: MIT */
/*
 * Compositor-side helper for the QEMU e2e test, loaded as an extra Weston
 * module. The test runs in the harness's client thread; what only the
 * compositor can do (focus and close the QEMU toplevel, ask whether it is
 * fullscreen, reap QEMU and report its exit status) goes through a pipe
 * and runs here, on the compositor's thread.
 *
 * $VMPLANE_E2E_CTL = "<command fd>,<reply fd>" for the test to use.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libweston/libweston.h>
#include <libweston-desktop/libweston-desktop.h>
#include <weston.h>

#include "e2e-control.h"

struct e2e_control {
	struct weston_compositor *compositor;
	struct wl_event_source *source;
	struct wl_listener destroy;
	int cmd_fd, reply_fd;
	struct weston_process proc;
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
	case E2E_PLACE:
		/* The shell placed it at random; the test wants a known spot. */
		if (view) {
			weston_view_set_position(view, msg.value >> 16, msg.value & 0xffff);
			weston_view_schedule_repaint(view);
		}
		reply(ctl, E2E_PLACE, view != NULL);
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
	close(ctl->cmd_fd);
	close(ctl->reply_fd);
	free(ctl);
}

WL_EXPORT int
wet_module_init(struct weston_compositor *compositor, int *argc, char *argv[])
{
	struct wl_event_loop *loop = wl_display_get_event_loop(compositor->wl_display);
	struct e2e_control *ctl = calloc(1, sizeof(*ctl));
	int cmd[2], rep[2];
	char env[64];

	if (!ctl || pipe2(cmd, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		free(ctl);
		return -1;
	}
	ctl->compositor = compositor;
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
