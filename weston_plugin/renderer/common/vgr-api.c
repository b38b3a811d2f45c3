/* SPDX-License-Identifier: MIT */
/*
 * vmplane_renderer_v1: what the vmplane Weston module may ask of the
 * renderer, registered in libweston's plugin registry. Built into either
 * front end: "vgr.h" is the one on the include path (weston10/, weston14/),
 * and the plugin registry is the same in libweston 10 and 14.
 */
#include <libweston/libweston.h>
#include <libweston/plugin-registry.h>

#include "vgr.h"
#include "vmplane-renderer-api.h"

/* The API outlives the renderer inside the registry; check it is ours. */
static struct vgr_renderer *
renderer_of(struct weston_compositor *ec)
{
	struct vgr_renderer *gr = vgr_get(ec);

	if (!gr || vgr_fe(gr)->base.repaint_output != vgr_repaint_output)
		return NULL;
	return gr;
}

static void
add_reset_listener(struct weston_compositor *ec, struct wl_listener *listener)
{
	struct vgr_renderer *gr = renderer_of(ec);

	if (gr)
		vgr_reset_add_listener(gr, listener);
	else
		wl_list_init(&listener->link);
}

static void
get_counters(struct weston_compositor *ec, struct rb_counters *out)
{
	struct vgr_renderer *gr = renderer_of(ec);

	if (gr)
		vgr_reset_get_counters(gr, out);
	else
		*out = (struct rb_counters){ .last_status = RB_RESET_NONE };
}

static bool
enable_fault_injection(struct weston_compositor *ec)
{
	struct vgr_renderer *gr = renderer_of(ec);

	return gr && rb_fault_injector_enable(gr->ctx);
}

static enum vmp_inject_result
inject_reset(struct weston_compositor *ec, enum rb_reset_status status)
{
	struct vgr_renderer *gr = renderer_of(ec);
	enum vmp_inject_result r;

	if (!gr)
		return VMP_INJECT_UNAVAILABLE;
	r = vgr_reset_inject(gr, status);
	if (r != VMP_INJECT_OK)
		return r;
	/* Detection happens where it would for a real reset: when the repaint
	 * loop starts, or at the next repaint of a running one. */
	weston_compositor_schedule_repaint(ec);
	return VMP_INJECT_OK;
}

static void
get_frame_counters(struct weston_compositor *ec, uint64_t *drawn,
		   uint64_t *undrawn)
{
	struct vgr_renderer *gr = renderer_of(ec);

	*drawn = gr ? gr->frames_drawn : 0;
	*undrawn = gr ? gr->frames_undrawn : 0;
}

static void
add_destroy_listener(struct weston_compositor *ec, struct wl_listener *listener)
{
	struct vgr_renderer *gr = renderer_of(ec);

	if (gr)
		wl_signal_add(&vgr_fe(gr)->destroy_signal, listener);
	else
		wl_list_init(&listener->link);
}

static const struct vmp_renderer_api api = {
	.add_reset_listener = add_reset_listener,
	.get_counters = get_counters,
	.enable_fault_injection = enable_fault_injection,
	.inject_reset = inject_reset,
	.get_frame_counters = get_frame_counters,
	.add_destroy_listener = add_destroy_listener,
};

bool
vgr_api_register(struct vgr_renderer *gr)
{
	return weston_plugin_api_register(vgr_fe(gr)->compositor,
					  VMP_RENDERER_API_NAME,
					  &api, sizeof(api)) == 0;
}
