/* SPDX-License-Identifier: MIT */
/* vmplane's Weston module: the reset-notification global for clients, the
 * debug global for tests, and the `vmplane` log scope. */
#ifndef VMPLANE_MODULE_H
#define VMPLANE_MODULE_H

#include <stdbool.h>
#include <wayland-server-core.h>

#include "vmplane-renderer-api.h"

struct weston_compositor;
struct weston_log_scope;

struct vmp_module {
	struct weston_compositor *compositor;
	const struct vmp_renderer_api *api;
	struct weston_log_scope *scope;
	struct wl_listener reset_listener;
	struct wl_listener renderer_destroy_listener;
	struct wl_listener destroy_listener;
	struct vmp_reset_notifier *notifier;
	struct vmp_debug_global *debug;
};

/* Every client bound to vmplane_reset_notifier_v1. */
struct vmp_reset_notifier *vmp_reset_notifier_create(struct wl_display *display);
void vmp_reset_notifier_destroy(struct vmp_reset_notifier *notifier);
void vmp_reset_notifier_send(struct vmp_reset_notifier *notifier,
			     const struct vmp_reset_event *event);

/* vmplane_debug_v1; only created when the debug protocol is on. */
struct vmp_debug_global *vmp_debug_global_create(struct vmp_module *module);
void vmp_debug_global_destroy(struct vmp_debug_global *debug);

#endif
