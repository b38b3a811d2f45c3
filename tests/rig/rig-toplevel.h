/* SPDX-License-Identifier: MIT */
/* A rig client's window: one xdg toplevel, and dispatching with a time limit. */
#ifndef RIG_TOPLEVEL_H
#define RIG_TOPLEVEL_H

#include <stdbool.h>
#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

struct rig_toplevel {
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	bool configured; /* the first configure was acked */
};

/*
 * A new surface made an xdg toplevel titled `title`, committed without a
 * buffer; the caller dispatches until `configured`. It answers the pings
 * of `wm_base`, so a client makes one per xdg_wm_base. NULL on failure.
 */
struct rig_toplevel *rig_toplevel_create(struct wl_compositor *compositor,
	struct xdg_wm_base *wm_base, const char *title);
void rig_toplevel_destroy(struct rig_toplevel *t);

/* Dispatches until *flag is set: false on timeout or a connection error. */
bool rig_dispatch_until(struct wl_display *display, bool *flag, int timeout_ms);
/* Dispatches for `ms` milliseconds: false on a connection error. */
bool rig_dispatch_for(struct wl_display *display, int ms);

#endif
