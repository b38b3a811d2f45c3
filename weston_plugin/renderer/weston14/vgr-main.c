/* SPDX-License-Identifier: MIT */
/* Module entry point: gl_renderer_interface for libweston 14. */
#include <stdlib.h>
#include <string.h>
#include <drm_fourcc.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane-renderer-api.h"


static void
renderer_destroy(struct weston_compositor *ec)
{
	struct vgr_renderer *gr = vgr_get(ec);
	struct vgr_frontend *fe = vgr_fe(gr);

	/* Surface states, and the module's reset listener, detach
	 * themselves on this signal. */
	wl_signal_emit(&fe->destroy_signal, gr);

	vgr_make_current(gr, EGL_NO_SURFACE);
	vgr_programs_destroy(gr);
	vgr_lut_texture_destroy(gr);
	vgr_dmabuf_fini(gr);
	vgr_egl_fini(gr);

	ec->renderer = NULL;
	free(fe);
}

static bool
egl_init(struct vgr_renderer *gr,
	 const struct gl_renderer_display_options *opts)
{
	struct vgr_config_format *formats;
	unsigned i;
	bool ok;

	formats = calloc(opts->formats_count + 1, sizeof *formats);
	if (!formats)
		return false;
	for (i = 0; i < opts->formats_count; i++) {
		const struct pixel_format_info *info = opts->formats[i];

		formats[i] = (struct vgr_config_format){
			info->format, info->bits.r, info->bits.g,
			info->bits.b, info->bits.a,
		};
	}
	ok = vgr_egl_init(gr, opts->egl_platform, opts->egl_native_display,
			  opts->egl_surface_type, formats, opts->formats_count);
	free(formats);
	return ok;
}

static int
display_create(struct weston_compositor *ec,
	       const struct gl_renderer_display_options *opts)
{
	struct vgr_frontend *fe;
	struct vgr_renderer *gr;

	if (!vgr_version_check())
		return -1;

	fe = calloc(1, sizeof *fe);
	if (!fe)
		return -1;
	gr = &fe->gr;
	fe->compositor = ec;
	gr->display = EGL_NO_DISPLAY;
	gr->dummy_surface = EGL_NO_SURFACE;
	wl_list_init(&fe->surfaces);
	wl_signal_init(&fe->destroy_signal);
	weston_drm_format_array_init(&fe->dmabuf_formats);
	gr->force_cpu_dmabuf = getenv("VMPLANE_DMABUF_CPU_FALLBACK") &&
		strcmp(getenv("VMPLANE_DMABUF_CPU_FALLBACK"), "1") == 0;

	fe->base.read_pixels = vgr_read_pixels;
	fe->base.repaint_output = vgr_repaint_output;
	fe->base.resize_output = vgr_resize_output;
	fe->base.flush_damage = vgr_flush_damage;
	fe->base.attach = vgr_attach;
	fe->base.destroy = renderer_destroy;
	fe->base.fill_buffer_info = vgr_fill_buffer_info;
	fe->base.buffer_init = vgr_buffer_init;
	fe->base.type = WESTON_RENDERER_GL;

	if (!egl_init(gr, opts))
		goto fail;
	if (!vgr_gl_init(gr))
		goto fail_egl;

	ec->renderer = &fe->base;
	ec->capabilities |= WESTON_CAP_ROTATION_ANY | WESTON_CAP_VIEW_CLIP_MASK;
	/* Acquire fences are honoured (vgr-dmabuf.c); buffers are released
	 * without a fence, which the protocol allows. */
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

fail_egl:
	vgr_egl_fini(gr);
fail:
	weston_drm_format_array_fini(&fe->dmabuf_formats);
	free(fe);
	return -1;
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
