/* SPDX-License-Identifier: MIT */
/* Module entry point: gl_renderer_interface for libweston 10. */
#include <stdlib.h>
#include <string.h>
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
	bool ok;

	formats = calloc(opts->drm_formats_count + 1, sizeof *formats);
	if (!formats)
		return false;
	vgr_config_formats(opts->drm_formats, opts->drm_formats_count,
			   formats);
	ok = vgr_egl_init(gr, opts->egl_platform, opts->egl_native_display,
			  opts->egl_surface_type, formats,
			  opts->drm_formats_count);
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
	fe->base.flush_damage = vgr_flush_damage;
	fe->base.attach = vgr_attach;
	fe->base.surface_set_color = vgr_surface_set_color;
	fe->base.destroy = renderer_destroy;
	fe->base.surface_get_content_size = vgr_surface_get_content_size;
	fe->base.surface_copy_content = vgr_surface_copy_content;

	if (!egl_init(gr, opts))
		goto fail;
	if (!vgr_gl_init(gr))
		goto fail_egl;

	ec->renderer = &fe->base;
	ec->capabilities |= WESTON_CAP_ROTATION_ANY | WESTON_CAP_CAPTURE_YFLIP |
			    WESTON_CAP_VIEW_CLIP_MASK;
	if (gr->has_color_ops)
		ec->capabilities |= WESTON_CAP_COLOR_OPS;
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
	.output_pbuffer_create = vgr_output_pbuffer_create,
	.output_destroy = vgr_output_destroy,
	.output_set_border = vgr_output_set_border,
	.create_fence_fd = vgr_create_fence_fd,
};
