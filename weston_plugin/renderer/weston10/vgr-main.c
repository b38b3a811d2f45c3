/* SPDX-License-Identifier: MIT */
/* Module entry point: gl_renderer_interface for libweston 10. */
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane-renderer-api.h"

static int
display_create(struct weston_compositor *ec,
	       const struct gl_renderer_display_options *opts)
{
	struct vgr_frontend *fe;
	struct vgr_renderer *gr;

	fe = vgr_display_create(ec, opts->egl_platform, opts->egl_native_display,
				opts->egl_surface_type, opts->drm_formats, opts->drm_formats_count);
	if (!fe)
		return -1;
	gr = &fe->gr;

	fe->base.surface_set_color = vgr_surface_set_color;
	fe->base.surface_get_content_size = vgr_surface_get_content_size;
	fe->base.surface_copy_content = vgr_surface_copy_content;

	ec->renderer = &fe->base;
	ec->capabilities |= WESTON_CAP_ROTATION_ANY | WESTON_CAP_CAPTURE_YFLIP |
			    WESTON_CAP_VIEW_CLIP_MASK;
	if (gr->has_color_ops)
		ec->capabilities |= WESTON_CAP_COLOR_OPS;
	/* As stock: acquire fences waited for on the GPU (or held back
	 * without blocking, ../common/vgr-acquire.c), release fences from
	 * the frame's end; the backend then offers explicit sync. */
	if (gr->has_native_fence && gr->has_wait_sync)
		ec->capabilities |= WESTON_CAP_EXPLICIT_SYNC;
	ec->read_format = gr->has_bgra_read ? PIXMAN_a8r8g8b8 : PIXMAN_a8b8g8r8;

	vgr_shm_register_formats(gr);

	fe->base.import_dmabuf = vgr_import_dmabuf;
	fe->base.get_supported_formats = vgr_get_supported_formats;
	if (!vgr_dmabuf_setup_feedback(gr))
		weston_log("vgr: no default dma-buf feedback\n");

	if (!vgr_api_register(gr))
		weston_log("vgr: could not register %s\n", VMP_RENDERER_API_NAME);

	weston_log("vgr: vmplane GL renderer ready (GLES %d%s, %s)\n",
		   gr->gl_major, gr->has_color_ops ? ", colour ops" : "",
		   rb_context_is_robust(gr->ctx) ? "GPU reset recovery" :
		   "no GPU reset recovery");
	return 0;
}

WL_EXPORT struct gl_renderer_interface gl_renderer_interface = {
	.display_create = display_create,
	.output_window_create = vgr_output_window_create,
	.output_pbuffer_create = vgr_output_pbuffer_create,
	.output_destroy = vgr_output_destroy,
	.output_set_border = vgr_output_set_border,
	.create_fence_fd = vgr_create_fence_fd,
};
