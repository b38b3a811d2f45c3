/* SPDX-License-Identifier: MIT */
/*
 * Client-side decorations through libdecor: a title bar with move, resize,
 * maximise and close for compositors without xdg-decoration (Weston 10).
 * The head's parent surface is libdecor's content surface; the scanout
 * subsurface and libdecor's own decoration subsurfaces hang off it.
 */
#include "core.h"

#ifdef VMPD_HAVE_LIBDECOR

#include <errno.h>
#include <string.h>

#include <libdecor.h>

static void
context_error(struct libdecor *context, enum libdecor_error error,
	      const char *message)
{
	/* libdecor has no user data on its context: errors go nowhere else. */
	(void)context;
	(void)error;
	(void)message;
}

/* libdecor 0.1 takes its interfaces as non-const pointers. */
static struct libdecor_interface context_iface = {
	.error = context_error,
};

bool
vmpd_decor_init(struct vmpd_display *d)
{
	/*
	 * libdecor reads and dispatches the connection's default queue, so it
	 * may only be used on a connection nobody else shares.
	 */
	if (d->config.no_decorations || d->config.no_libdecor ||
	    d->conn.decoration_manager || !d->conn.own_wl)
		return false;
	d->libdecor = libdecor_new(d->conn.wl, &context_iface);
	if (!d->libdecor) {
		vmpd_log_emit(&d->log, VMPD_LOG_WARNING,
			      "vmplane display: libdecor is not usable; "
			      "windows get a plain border, no title bar");
		return false;
	}
	/*
	 * Its plugin binds its globals over two more round trips; a libdecor
	 * torn down before then destroys proxies it never made.
	 */
	if (wl_display_roundtrip(d->conn.wl) < 0 ||
	    wl_display_roundtrip(d->conn.wl) < 0) {
		/* Left behind: unref on a half set-up plugin would crash. */
		d->libdecor = NULL;
		return false;
	}
	/* Those reads may have queued events of the core's own queue. */
	wl_display_dispatch_queue_pending(d->conn.wl, d->conn.queue);
	return true;
}

void
vmpd_decor_fini(struct vmpd_display *d)
{
	if (!d->libdecor)
		return;
	libdecor_unref(d->libdecor);
	d->libdecor = NULL;
}

void
vmpd_decor_dispatch(struct vmpd_display *d)
{
	if (!d->libdecor || !d->conn.connected)
		return;
	/* The connection's reads fill this queue too; only dispatching is left. */
	if (wl_display_dispatch_pending(d->conn.wl) < 0)
		vmpd_connection_lost(&d->conn, strerror(errno));
}

static void
frame_configure(struct libdecor_frame *frame,
		struct libdecor_configuration *configuration, void *data)
{
	struct vmpd_head *head = data;
	enum libdecor_window_state state = LIBDECOR_WINDOW_STATE_NONE;
	int width = 0, height = 0;

	libdecor_configuration_get_window_state(configuration, &state);
	if (!libdecor_configuration_get_content_size(configuration, frame,
						     &width, &height))
		width = height = 0;
	vmpd_head_configure(head, width, height,
			    state & LIBDECOR_WINDOW_STATE_FULLSCREEN);
	head->configured = true;
	/* The parent's commit acks it (vmpd_decor_commit). */
	head->decor_configuration = configuration;
	vmpd_head_commit_parent(head);
	head->decor_configuration = NULL;
}

static void
frame_close(struct libdecor_frame *frame, void *data)
{
	struct vmpd_head *head = data;
	struct vmpd_display *d = head->display;

	if (d->cb.close)
		d->cb.close(d->data, head);
}

static void
frame_commit(struct libdecor_frame *frame, void *data)
{
	struct vmpd_head *head = data;

	/* The decorations are synchronised subsurfaces: they need our commit. */
	if (head->surface) {
		wl_surface_commit(head->surface);
		vmpd_connection_flush(&head->display->conn);
	}
}

static void
frame_dismiss_popup(struct libdecor_frame *frame, const char *seat_name,
		    void *data)
{
	/* The core has no popups. */
}

static struct libdecor_frame_interface frame_iface = {
	.configure = frame_configure,
	.close = frame_close,
	.commit = frame_commit,
	.dismiss_popup = frame_dismiss_popup,
};

bool
vmpd_decor_head_create(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;

	if (!d->libdecor)
		return false;
	head->frame = libdecor_decorate(d->libdecor, head->surface,
					&frame_iface, head);
	if (!head->frame)
		return false;
	libdecor_frame_set_title(head->frame, head->title);
	libdecor_frame_set_app_id(head->frame, head->app_id);
	libdecor_frame_set_capabilities(
		head->frame, LIBDECOR_ACTION_MOVE | LIBDECOR_ACTION_RESIZE |
				     LIBDECOR_ACTION_MINIMIZE |
				     LIBDECOR_ACTION_FULLSCREEN |
				     LIBDECOR_ACTION_CLOSE);
	if (head->want_fullscreen)
		libdecor_frame_set_fullscreen(head->frame, NULL);
	/* The initial commit; the window appears with the first frame. */
	libdecor_frame_map(head->frame);
	return true;
}

void
vmpd_decor_head_destroy(struct vmpd_head *head)
{
	if (!head->frame)
		return;
	libdecor_frame_unref(head->frame);
	head->frame = NULL;
	head->scanout_raised = false;
}

void
vmpd_decor_commit(struct vmpd_head *head)
{
	if (!head->frame)
		return;
	struct libdecor_state *state = libdecor_state_new((int)head->win_w,
							  (int)head->win_h);
	if (!state)
		return;
	/* Sets the window geometry around the content and redraws the frame. */
	libdecor_frame_commit(head->frame, state, head->decor_configuration);
	libdecor_state_free(state);
	/*
	 * libdecor made its decoration sub-surfaces in that commit, stacked
	 * above the scanout; the shadow's covers the guest's frame.
	 */
	if (!head->scanout_raised) {
		vmpd_head_raise_scanout(head);
		head->scanout_raised = true;
	}
}

void
vmpd_decor_set_title(struct vmpd_head *head, const char *title)
{
	if (head->frame)
		libdecor_frame_set_title(head->frame, title);
}

void
vmpd_decor_set_fullscreen(struct vmpd_head *head, bool fullscreen)
{
	if (!head->frame)
		return;
	if (fullscreen)
		libdecor_frame_set_fullscreen(head->frame, NULL);
	else
		libdecor_frame_unset_fullscreen(head->frame);
}

#else /* !VMPD_HAVE_LIBDECOR: built without libdecor, every window gets the border. */

bool
vmpd_decor_init(struct vmpd_display *d)
{
	return false;
}

void
vmpd_decor_fini(struct vmpd_display *d)
{
}

void
vmpd_decor_dispatch(struct vmpd_display *d)
{
}

bool
vmpd_decor_head_create(struct vmpd_head *head)
{
	return false;
}

void
vmpd_decor_head_destroy(struct vmpd_head *head)
{
}

void
vmpd_decor_commit(struct vmpd_head *head)
{
}

void
vmpd_decor_set_title(struct vmpd_head *head, const char *title)
{
}

void
vmpd_decor_set_fullscreen(struct vmpd_head *head, bool fullscreen)
{
}

#endif
