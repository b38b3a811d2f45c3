/* Module entry point: gl_renderer_interface for libweston 10. */
#include <stdlib.h>
#include <string.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane-renderer-api.h"

static bool
gl_init(struct vgr_renderer *gr)
{
	const char *exts = (const char *)glGetString(GL_EXTENSIONS);

	gr->gl_major = epoxy_gl_version() / 10;
	weston_log("vgr: GL %s, renderer %s\n",
		   (const char *)glGetString(GL_VERSION),
		   (const char *)glGetString(GL_RENDERER));

	if (!rb_egl_list_has_extension(exts, "GL_EXT_texture_format_BGRA8888")) {
		weston_log("vgr: GL_EXT_texture_format_BGRA8888 is required\n");
		return false;
	}
	gr->has_unpack_subimage = gr->gl_major >= 3 ||
		rb_egl_list_has_extension(exts, "GL_EXT_unpack_subimage");
	if (!gr->has_unpack_subimage) {
		weston_log("vgr: GL_EXT_unpack_subimage is required on GLES2\n");
		return false;
	}
	gr->has_texture_rg = gr->gl_major >= 3 ||
		rb_egl_list_has_extension(exts, "GL_EXT_texture_rg");
	gr->has_external_image =
		rb_egl_list_has_extension(exts, "GL_OES_EGL_image_external");
	gr->has_bgra_read =
		rb_egl_list_has_extension(exts, "GL_EXT_read_format_bgra");
	gr->has_color_ops = gr->gl_major >= 3 &&
		(rb_egl_list_has_extension(exts, "GL_EXT_color_buffer_half_float") ||
		 rb_egl_list_has_extension(exts, "GL_EXT_color_buffer_float"));

	/* Mesa 22.3's software drivers crash sampling foreign dma-bufs. */
	if (strstr((const char *)glGetString(GL_RENDERER), "llvmpipe") ||
	    strstr((const char *)glGetString(GL_RENDERER), "softpipe")) {
		if (gr->has_dmabuf_import)
			weston_log("vgr: software GL: dma-bufs go through the CPU path\n");
		gr->force_cpu_dmabuf = true;
	}

	vgr_gl_defaults();
	return true;
}

void
vgr_gl_defaults(void)
{
	glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
	glPixelStorei(GL_PACK_ALIGNMENT, 1);
}

static void
renderer_destroy(struct weston_compositor *ec)
{
	struct vgr_renderer *gr = vgr_get(ec);

	/* Surface states, and the module's reset listener, detach
	 * themselves on this signal. */
	wl_signal_emit(&gr->destroy_signal, gr);

	vgr_make_current(gr, EGL_NO_SURFACE);
	vgr_programs_destroy(gr);
	vgr_lut_texture_destroy(gr);
	vgr_dmabuf_fini(gr);
	vgr_egl_fini(gr);

	ec->renderer = NULL;
	free(gr);
}

static int
display_create(struct weston_compositor *ec,
	       const struct gl_renderer_display_options *opts)
{
	struct vgr_renderer *gr;

	if (!vgr_version_check())
		return -1;

	gr = calloc(1, sizeof *gr);
	if (!gr)
		return -1;
	gr->compositor = ec;
	gr->display = EGL_NO_DISPLAY;
	gr->dummy_surface = EGL_NO_SURFACE;
	wl_list_init(&gr->surfaces);
	wl_signal_init(&gr->destroy_signal);
	weston_drm_format_array_init(&gr->dmabuf_formats);
	gr->force_cpu_dmabuf = getenv("VMPLANE_DMABUF_CPU_FALLBACK") &&
		strcmp(getenv("VMPLANE_DMABUF_CPU_FALLBACK"), "1") == 0;

	gr->base.read_pixels = vgr_read_pixels;
	gr->base.repaint_output = vgr_repaint_output;
	gr->base.flush_damage = vgr_flush_damage;
	gr->base.attach = vgr_attach;
	gr->base.surface_set_color = vgr_surface_set_color;
	gr->base.destroy = renderer_destroy;
	gr->base.surface_get_content_size = vgr_surface_get_content_size;

	if (!vgr_egl_init(gr, opts))
		goto fail;
	if (!gl_init(gr))
		goto fail_egl;

	ec->renderer = &gr->base;
	ec->capabilities |= WESTON_CAP_ROTATION_ANY | WESTON_CAP_CAPTURE_YFLIP |
			    WESTON_CAP_VIEW_CLIP_MASK;
	if (gr->has_color_ops)
		ec->capabilities |= WESTON_CAP_COLOR_OPS;
	ec->read_format = gr->has_bgra_read ? PIXMAN_a8r8g8b8 : PIXMAN_a8b8g8r8;

	vgr_shm_register_formats(gr);

	gr->base.import_dmabuf = vgr_import_dmabuf;
	gr->base.get_supported_formats = vgr_get_supported_formats;
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
	weston_drm_format_array_fini(&gr->dmabuf_formats);
	free(gr);
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
