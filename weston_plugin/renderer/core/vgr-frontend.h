/* SPDX-License-Identifier: MIT */
/*
 * What the core asks of the Weston-version front end it is linked with.
 * Each front end (weston10/, weston14/) defines these once.
 */
#ifndef VMPLANE_VGR_FRONTEND_H
#define VMPLANE_VGR_FRONTEND_H

#include <stdarg.h>
#include <wayland-server-core.h>

struct vgr_renderer;

/* One line to the compositor's log. */
void vgr_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vgr_logv(const char *fmt, va_list args);
/* The compositor's event loop, for the recovery's idle and timers. */
struct wl_event_loop *vgr_frontend_event_loop(struct vgr_renderer *gr);
/* After a rebuild: every output repaints in full (views, solid colours
 * and outputs are the compositor's own state). */
void vgr_frontend_damage_all(struct vgr_renderer *gr);
/* Runs the draws of every output's next full repaint clipped to one
 * pixel, so the driver compiles its pipelines ahead of that frame. */
void vgr_frontend_warm_up(struct vgr_renderer *gr);

#endif
