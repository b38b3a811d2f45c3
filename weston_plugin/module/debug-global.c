/* SPDX-License-Identifier: MIT */
/*
 * The vmplane_debug_v1 global (reset injection, counters): created only
 * when Weston runs with --debug, and checked again on every bind.
 */
#include <stdlib.h>
#include <wayland-server.h>
#include <libweston/libweston.h>
#include <libweston/weston-log.h>

#include "vmplane-module.h"
#include "vmplane-debug-v1-server-protocol.h"

struct vmp_debug_global {
	struct vmp_module *module;
	struct wl_global *global;
};

static uint32_t
clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void
handle_destroy(struct wl_client *client, struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

/* Logs a refused injection and, from version 3, tells the client why. */
static void
refuse(struct wl_resource *resource, enum vmp_inject_result result)
{
	uint32_t reason;
	const char *why;

	switch (result) {
	case VMP_INJECT_OK:
		return;
	case VMP_INJECT_SAFE_MODE:
		reason = VMPLANE_DEBUG_V1_REFUSAL_SAFE_MODE;
		why = "the renderer is in safe mode (it gave up on the GPU)";
		break;
	case VMP_INJECT_RECOVERING:
		reason = VMPLANE_DEBUG_V1_REFUSAL_RECOVERING;
		why = "a recovery from an earlier reset is still running";
		break;
	default:
		reason = VMPLANE_DEBUG_V1_REFUSAL_UNAVAILABLE;
		why = "the renderer has no fault injector or no reset recovery";
		break;
	}
	weston_log("vmplane: reset injection refused: %s\n", why);
	if (wl_resource_get_version(resource) >= VMPLANE_DEBUG_V1_REFUSED_SINCE_VERSION)
		vmplane_debug_v1_send_refused(resource, reason, why);
}

static void
handle_inject_reset(struct wl_client *client, struct wl_resource *resource,
		    uint32_t status)
{
	struct vmp_debug_global *debug = wl_resource_get_user_data(resource);
	enum rb_reset_status rb;

	switch (status) {
	case VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY:
		rb = RB_RESET_GUILTY;
		break;
	case VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT:
		rb = RB_RESET_INNOCENT;
		break;
	case VMPLANE_DEBUG_V1_RESET_STATUS_UNKNOWN:
		rb = RB_RESET_UNKNOWN;
		break;
	default:
		wl_resource_post_error(resource, VMPLANE_DEBUG_V1_ERROR_BAD_STATUS,
				       "unknown reset status %u", status);
		return;
	}
	if (!debug) {
		refuse(resource, VMP_INJECT_UNAVAILABLE);
		return;
	}
	refuse(resource, debug->module->api->inject_reset(debug->module->compositor, rb));
}

static void
handle_get_counters(struct wl_client *client, struct wl_resource *resource)
{
	struct vmp_debug_global *debug = wl_resource_get_user_data(resource);
	struct rb_counters c = { 0 };
	uint64_t usec;

	if (debug)
		debug->module->api->get_counters(debug->module->compositor, &c);
	usec = c.last_recovery_ns / 1000;
	vmplane_debug_v1_send_counters(resource, clamp_u32(c.resets),
				       clamp_u32(c.recoveries), c.last_rebuilt,
				       clamp_u32(usec), c.safe_mode ? 1 : 0);
	if (wl_resource_get_version(resource) >= VMPLANE_DEBUG_V1_FRAMES_SINCE_VERSION) {
		uint64_t drawn = 0, undrawn = 0;

		if (debug)
			debug->module->api->get_frame_counters(debug->module->compositor,
							       &drawn, &undrawn);
		vmplane_debug_v1_send_frames(resource, clamp_u32(drawn),
					     clamp_u32(undrawn));
	}
}

static const struct vmplane_debug_v1_interface debug_impl = {
	.destroy = handle_destroy,
	.inject_reset = handle_inject_reset,
	.get_counters = handle_get_counters,
};

static void
bind_debug(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
	struct vmp_debug_global *debug = data;
	struct wl_resource *resource;

	resource = wl_resource_create(client, &vmplane_debug_v1_interface, version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	/* Belt and braces: the global only exists with the debug protocol on. */
	if (!weston_compositor_is_debug_protocol_enabled(debug->module->compositor)) {
		wl_resource_post_error(resource, VMPLANE_DEBUG_V1_ERROR_NOT_ALLOWED,
				       "vmplane debugging needs weston --debug");
		return;
	}
	wl_resource_set_implementation(resource, &debug_impl, debug, NULL);
}

struct vmp_debug_global *
vmp_debug_global_create(struct vmp_module *module)
{
	struct vmp_debug_global *debug;

	if (!weston_compositor_is_debug_protocol_enabled(module->compositor))
		return NULL;
	debug = calloc(1, sizeof(*debug));
	if (!debug)
		return NULL;
	debug->module = module;
	debug->global = wl_global_create(module->compositor->wl_display,
					 &vmplane_debug_v1_interface, 3, debug, bind_debug);
	if (!debug->global) {
		free(debug);
		return NULL;
	}
	return debug;
}

void
vmp_debug_global_destroy(struct vmp_debug_global *debug)
{
	if (!debug)
		return;
	wl_global_destroy(debug->global);
	free(debug);
}
