/* SPDX-License-Identifier: MIT */
/* Module entry point: gl_renderer_interface for libweston 14. */
#include <drm_fourcc.h>
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
				opts->egl_surface_type, opts->formats,
				opts->formats_count);
	if (!fe)
		return -1;
	gr = &fe->gr;

	fe->base.resize_output = vgr_resize_output;
	fe->base.fill_buffer_info = vgr_fill_buffer_info;
	fe->base.buffer_init = vgr_buffer_init;
	fe->base.type = WESTON_RENDERER_GL;

	ec->renderer = &fe->base;
	ec->capabilities |= WESTON_CAP_ROTATION_ANY | WESTON_CAP_VIEW_CLIP_MASK;
	/* As stock: acquire fences waited for on the GPU (or held back
	 * without blocking, ../common/vgr-acquire.c), release fences from
	 * the frame's end; the backend then offers explicit sync. */
	if (gr->has_native_fence && gr->has_wait_sync)
		ec->capabilities |= WESTON_CAP_EXPLICIT_SYNC;
	ec->read_format = pixel_format_get_info(gr->has_bgra_read ?
						DRM_FORMAT_ARGB8888 :
						DRM_FORMAT_ABGR8888);

	vgr_shm_register_formats(gr);

	if (gr->has_dmabuf_import || gr->force_cpu_dmabuf) {
		fe->base.import_dmabuf = vgr_import_dmabuf;
		fe->base.get_supported_formats = vgr_get_supported_formats;
	}

	if (!vgr_api_register(gr))
		weston_log("vgr: could not register %s\n", VMP_RENDERER_API_NAME);

	weston_log("vgr: vmplane GL renderer ready on libweston 14 (GLES %d, %s)\n",
		   gr->gl_major,
		   rb_context_is_robust(gr->ctx) ? "GPU reset recovery" :
		   "no GPU reset recovery");
	return 0;
}

WL_EXPORT struct gl_renderer_interface gl_renderer_interface = {
	.display_create = display_create,
	.output_window_create = vgr_output_window_create,
	.output_fbo_create = vgr_output_fbo_create,
	.output_destroy = vgr_output_destroy,
	.output_set_border = vgr_output_set_border,
	.create_fence_fd = vgr_create_fence_fd,
	.create_fbo = vgr_create_fbo,
};
