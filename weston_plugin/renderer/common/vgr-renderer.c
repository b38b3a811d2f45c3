/* SPDX-License-Identifier: MIT */
/* The renderer's front-end state, its creation and destruction, as both
 * front ends do it; each front end's vgr-main.c adds its version's parts. */
#include <stdlib.h>
#include <string.h>
#include <libweston/libweston.h>

#include "vgr.h"

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

static struct vgr_frontend *
frontend_create(struct weston_compositor *ec)
{
	struct vgr_frontend *fe;
	struct vgr_renderer *gr;

	fe = calloc(1, sizeof *fe);
	if (!fe)
		return NULL;
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
	fe->base.destroy = renderer_destroy;
	return fe;
}

static void
frontend_free(struct vgr_frontend *fe)
{
	weston_drm_format_array_fini(&fe->dmabuf_formats);
	free(fe);
}

/* A vgr_config_format per entry of an option struct's format list, and
 * one spare; NULL on allocation failure. */
static struct vgr_config_format *
config_formats_new(const vgr_gl_format *formats, unsigned count)
{
	struct vgr_config_format *out;
	unsigned i;

	out = calloc(count + 1, sizeof *out);
	if (!out)
		return NULL;
	for (i = 0; i < count; i++)
		vgr_config_format_of(formats[i], &out[i]);
	return out;
}

bool
vgr_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		  const vgr_gl_format *formats, unsigned count, EGLConfig *out)
{
	struct vgr_config_format *config_formats;
	bool ok;

	config_formats = config_formats_new(formats, count);
	if (!config_formats)
		return false;
	ok = vgr_egl_choose_config(gr, surface_type, config_formats, count, out);
	free(config_formats);
	return ok;
}

struct vgr_frontend *
vgr_display_create(struct weston_compositor *ec, EGLenum platform,
		   void *native_display, EGLint surface_type,
		   const vgr_gl_format *formats, unsigned count)
{
	struct vgr_frontend *fe;
	struct vgr_config_format *config_formats;
	bool ok;

	if (!vgr_version_check())
		return NULL;

	fe = frontend_create(ec);
	if (!fe)
		return NULL;

	config_formats = config_formats_new(formats, count);
	ok = config_formats &&
	     vgr_egl_init(&fe->gr, platform, native_display, surface_type,
			  config_formats, count);
	free(config_formats);
	if (!ok)
		goto fail;
	if (!vgr_gl_init(&fe->gr))
		goto fail_egl;
	return fe;

fail_egl:
	vgr_egl_fini(&fe->gr);
fail:
	frontend_free(fe);
	return NULL;
}
