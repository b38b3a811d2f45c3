/* SPDX-License-Identifier: MIT */
/* The contract between vmplane's renderer and vmplane's Weston module.
 *
 * The renderer registers this vtable with weston_plugin_api_register() when
 * it creates its display; the module looks it up with weston_plugin_api_get()
 * after the backend (and so the renderer) is up. No private globals cross
 * the boundary. */
#ifndef VMPLANE_RENDERER_API_H
#define VMPLANE_RENDERER_API_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "vmplane/rb-recovery.h"

struct weston_compositor;

#define VMP_RENDERER_API_NAME "vmplane_renderer_v1"

enum vmp_reset_event_kind {
	/* The context was lost; nothing is drawn until recovery ends. */
	VMP_RESET_EVENT_LOST,
	/* Everything was rebuilt and the next frame is good. */
	VMP_RESET_EVENT_RECOVERED,
	/* The reset budget ran out; the renderer is in its safe mode. */
	VMP_RESET_EVENT_DEGRADED,
};

/* The data of the signal that add_reset_listener() subscribes to. */
struct vmp_reset_event {
	enum vmp_reset_event_kind kind;
	/* Pairs a LOST event with its RECOVERED or DEGRADED event. */
	uint32_t serial;
	enum rb_reset_status status;
	/* RECOVERED only: detection to the first good frame. */
	uint64_t duration_ns;
	/* RECOVERED only: GL objects rebuilt. */
	unsigned int rebuilt;
	/* RECOVERED only, where the time went (sums to duration_ns):
	 * detection to the rebuild's start (waiting for the driver), the
	 * rebuild itself, the rebuild's end to the first repaint, and that
	 * repaint until its frame was finished. */
	uint64_t wait_ns, rebuild_ns, schedule_ns, frame_ns;
	/* RECOVERED only: pipeline warm-up, part of schedule_ns. */
	uint64_t warm_up_ns;
	/* LOST only: injection to detection; 0 for a reset not injected. */
	uint64_t detect_ns;
};

enum vmp_inject_result {
	VMP_INJECT_OK,
	/* The renderer gave up on the GPU (safe mode). */
	VMP_INJECT_SAFE_MODE,
	/* A recovery is running. */
	VMP_INJECT_RECOVERING,
	/* No armed fault injector, or no reset recovery at all. */
	VMP_INJECT_UNAVAILABLE,
};

struct vmp_renderer_api {
	/* Subscribes to reset events; remove the listener's link to stop,
	 * at the latest when the renderer's destroy signal fires. */
	void (*add_reset_listener)(struct weston_compositor *compositor,
				   struct wl_listener *listener);

	void (*get_counters)(struct weston_compositor *compositor,
			     struct rb_counters *out);

	/* Arms the fault injector. Only the module calls it, and only when
	 * the compositor runs with its debug protocol on. */
	bool (*enable_fault_injection)(struct weston_compositor *compositor);

	/* Simulates a reset with the given status; anything but
	 * VMP_INJECT_OK says why it was not. */
	enum vmp_inject_result (*inject_reset)(struct weston_compositor *compositor,
					       enum rb_reset_status status);

	/* Output repaints drawn, and those the backend completed with
	 * nothing drawn because the GPU was lost or in safe mode. */
	void (*get_frame_counters)(struct weston_compositor *compositor,
				   uint64_t *drawn, uint64_t *undrawn);

	/* Subscribes to the renderer's destruction (the signal's data is
	 * the renderer's own). Each listener then removes itself and every
	 * listener it added through this API; the renderer unlinks none. */
	void (*add_destroy_listener)(struct weston_compositor *compositor,
				     struct wl_listener *listener);
};

#endif
