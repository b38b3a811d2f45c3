/* SPDX-License-Identifier: MIT */
/* A rig client's window and its time-limited event loop (rig-toplevel.h). */
#include "rig-toplevel.h"

#include <poll.h>
#include <stdlib.h>

#include "vmplane/clock.h"

static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { .ping = wm_ping };

static void xdg_configure(void *data, struct xdg_surface *surface, uint32_t serial)
{
	struct rig_toplevel *t = data;
	xdg_surface_ack_configure(surface, serial);
	t->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = { .configure = xdg_configure };

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t w, int32_t h,
	struct wl_array *states)
{
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

struct rig_toplevel *rig_toplevel_create(struct wl_compositor *compositor,
	struct xdg_wm_base *wm_base, const char *title)
{
	struct rig_toplevel *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
	t->surface = wl_compositor_create_surface(compositor);
	t->xdg_surface = xdg_wm_base_get_xdg_surface(wm_base, t->surface);
	xdg_surface_add_listener(t->xdg_surface, &xdg_surface_listener, t);
	t->toplevel = xdg_surface_get_toplevel(t->xdg_surface);
	xdg_toplevel_add_listener(t->toplevel, &toplevel_listener, t);
	xdg_toplevel_set_title(t->toplevel, title);
	wl_surface_commit(t->surface);
	return t;
}

void rig_toplevel_destroy(struct rig_toplevel *t)
{
	if (!t)
		return;
	if (t->toplevel)
		xdg_toplevel_destroy(t->toplevel);
	if (t->xdg_surface)
		xdg_surface_destroy(t->xdg_surface);
	if (t->surface)
		wl_surface_destroy(t->surface);
	free(t);
}

/* Until *flag or the deadline: 1 flag set, 0 time up, -1 connection error. */
static int dispatch(struct wl_display *display, const bool *flag, int timeout_ms)
{
	int64_t deadline = (int64_t)vmplane_now_ns() + (int64_t)timeout_ms * 1000000;
	while (!*flag) {
		if (wl_display_flush(display) < 0)
			return -1;
		int64_t left = (deadline - (int64_t)vmplane_now_ns()) / 1000000;
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = wl_display_get_fd(display), .events = POLLIN };
		int n = poll(&pfd, 1, (int)left);
		if (n > 0 && wl_display_dispatch(display) < 0)
			return -1;
		if (n == 0 && wl_display_dispatch_pending(display) < 0)
			return -1;
	}
	return 1;
}

bool rig_dispatch_until(struct wl_display *display, bool *flag, int timeout_ms)
{
	return dispatch(display, flag, timeout_ms) == 1;
}

bool rig_dispatch_for(struct wl_display *display, int ms)
{
	bool never = false;
	return dispatch(display, &never, ms) == 0;
}
