/* SPDX-License-Identifier: MIT */
/* EGL display, config and context setup, on robustness/'s EGL helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgr-core.h"

#ifndef EGL_PLATFORM_SURFACELESS_MESA
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#endif

static bool
platform_supported(const char *client_exts, EGLenum platform)
{
	switch (platform) {
	case EGL_PLATFORM_GBM_KHR:
		return rb_egl_list_has_extension(client_exts,
						 "EGL_KHR_platform_gbm") ||
		       rb_egl_list_has_extension(client_exts,
						 "EGL_MESA_platform_gbm");
	case EGL_PLATFORM_WAYLAND_KHR:
		return rb_egl_list_has_extension(client_exts,
						 "EGL_KHR_platform_wayland") ||
		       rb_egl_list_has_extension(client_exts,
						 "EGL_EXT_platform_wayland");
	case EGL_PLATFORM_X11_KHR:
		return rb_egl_list_has_extension(client_exts,
						 "EGL_KHR_platform_x11") ||
		       rb_egl_list_has_extension(client_exts,
						 "EGL_EXT_platform_x11");
	case EGL_PLATFORM_SURFACELESS_MESA:
		return rb_egl_list_has_extension(client_exts,
						 "EGL_MESA_platform_surfaceless");
	default:
		return false;
	}
}

/* An initialized display, or EGL_NO_DISPLAY. */
static EGLDisplay
get_display(EGLenum platform, void *native)
{
	const char *client_exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	EGLDisplay display;

	if (platform &&
	    rb_egl_list_has_extension(client_exts, "EGL_EXT_platform_base")) {
		if (!platform_supported(client_exts, platform)) {
			vgr_log("vgr: EGL platform 0x%04x not supported\n",
				platform);
			return EGL_NO_DISPLAY;
		}
		return rb_egl_get_platform_display(platform, native, NULL);
	}
	/* Without platform_base only the implementation's default works. */
	if (platform == EGL_PLATFORM_SURFACELESS_MESA)
		return EGL_NO_DISPLAY;
	display = eglGetDisplay((EGLNativeDisplayType)native);
	if (display != EGL_NO_DISPLAY && !eglInitialize(display, NULL, NULL))
		return EGL_NO_DISPLAY;
	return display;
}

static bool
config_matches(struct vgr_renderer *gr, EGLConfig config,
	       const struct vgr_config_format *format)
{
	EGLint r, g, b, a;

	eglGetConfigAttrib(gr->display, config, EGL_RED_SIZE, &r);
	eglGetConfigAttrib(gr->display, config, EGL_GREEN_SIZE, &g);
	eglGetConfigAttrib(gr->display, config, EGL_BLUE_SIZE, &b);
	eglGetConfigAttrib(gr->display, config, EGL_ALPHA_SIZE, &a);
	return r == format->r && g == format->g &&
	       b == format->b && a == format->a;
}

bool
vgr_egl_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		      const struct vgr_config_format *formats, unsigned count,
		      EGLConfig *out)
{
	EGLint attribs[] = {
		EGL_SURFACE_TYPE, surface_type,
		EGL_RED_SIZE, 1,
		EGL_GREEN_SIZE, 1,
		EGL_BLUE_SIZE, 1,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
		EGL_NONE
	};
	EGLConfig configs[256];
	EGLint n = 0;
	unsigned f;
	EGLint i;

	if (gr->platform == EGL_PLATFORM_GBM_KHR) {
		EGLint visuals[32];
		unsigned v;

		/* GBM surfaces are allocated in exactly the config's visual
		 * fourcc; a fourcc is an ASCII word, so it fits an EGLint. */
		for (v = 0; v < count && v < ARRAY_LENGTH(visuals); v++)
			visuals[v] = (EGLint)formats[v].fourcc;
		if (v > 0 &&
		    rb_egl_choose_config(gr->display, attribs, visuals, v, out))
			return true;
		vgr_log("vgr: no EGL config for surface type 0x%x matches "
			"the requested formats\n", surface_type);
		return false;
	}
	if (!eglChooseConfig(gr->display, attribs, configs,
			     ARRAY_LENGTH(configs), &n) || n == 0) {
		vgr_log("vgr: no EGL config for surface type 0x%x\n",
			surface_type);
		return false;
	}

	/* The caller lists formats in order of preference. */
	for (f = 0; f < count; f++) {
		for (i = 0; i < n; i++) {
			if (config_matches(gr, configs[i], &formats[f])) {
				*out = configs[i];
				return true;
			}
		}
	}
	vgr_log("vgr: no EGL config matches the requested formats\n");
	return false;
}

void
vgr_rb_log(void *data, enum rb_log_level level, const char *fmt,
		 va_list args)
{
	static const char *const prefix[] = {
		[RB_LOG_ERROR] = "error: ",
		[RB_LOG_WARNING] = "warning: ",
		[RB_LOG_INFO] = "",
		[RB_LOG_DEBUG] = "",
	};
	char *msg = NULL;

	if (vasprintf(&msg, fmt, args) < 0)
		return;
	vgr_log("vgr: %s%s\n", prefix[level], msg);
	free(msg);
}

static bool
create_context(struct vgr_renderer *gr)
{
	struct rb_context_options opts = {
		.display = gr->display,
		.config = gr->context_config,
		.gles_major = 0,
		.log = { .func = vgr_rb_log, .data = gr },
	};

	/* Robust when the driver offers it; plain with one warning if not. */
	gr->ctx = rb_context_create(&opts);
	if (!gr->ctx) {
		vgr_log("vgr: failed to create a GLES context (0x%x)\n",
			eglGetError());
		return false;
	}
	return true;
}

bool
vgr_gl_current(struct vgr_renderer *gr)
{
	EGLContext egl;

	if (!gr->ctx || !vgr_reset_gl_allowed(gr))
		return false;
	egl = rb_context_get_egl_context(gr->ctx);
	return egl != EGL_NO_CONTEXT && eglGetCurrentContext() == egl;
}

bool
vgr_make_current(struct vgr_renderer *gr, EGLSurface surface)
{
	EGLContext egl;

	if (!gr->ctx || !vgr_reset_gl_allowed(gr))
		return false;
	egl = rb_context_get_egl_context(gr->ctx);
	if (egl != EGL_NO_CONTEXT && eglGetCurrentContext() == egl) {
		/* Context-only work keeps whatever surface is bound: switching
		 * to no surface and back each frame makes NVIDIA's driver wait
		 * for the GPU on the output surface. */
		if (surface == EGL_NO_SURFACE ||
		    eglGetCurrentSurface(EGL_DRAW) == surface)
			return true;
	}
	if (surface == EGL_NO_SURFACE)
		surface = gr->dummy_surface;
	if (!rb_context_make_current(gr->ctx, surface, surface)) {
		/* A lost or destroyed context: detection takes it from here. */
		vgr_reset_check(gr);
		return false;
	}
	return true;
}

bool
vgr_egl_init(struct vgr_renderer *gr, EGLenum platform, void *native_display,
	     EGLint surface_type, const struct vgr_config_format *formats,
	     unsigned count)
{
	const char *exts, *version;
	int major = 0, minor = 0;

	gr->platform = platform;
	gr->native_display = native_display;
	gr->surface_type = surface_type;
	gr->display = get_display(platform, native_display);
	if (gr->display == EGL_NO_DISPLAY) {
		vgr_log("vgr: failed to get an EGL display (0x%x)\n",
			eglGetError());
		return false;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		goto fail;

	/* "<major>.<minor> <vendor's>", as eglInitialize reported it. */
	version = eglQueryString(gr->display, EGL_VERSION);
	if (version)
		sscanf(version, "%d.%d", &major, &minor);
	vgr_log("vgr: EGL %d.%d, vendor %s\n", major, minor,
		eglQueryString(gr->display, EGL_VENDOR));
	exts = eglQueryString(gr->display, EGL_EXTENSIONS);
	gr->has_configless =
		rb_egl_list_has_extension(exts, "EGL_KHR_no_config_context") ||
		rb_egl_list_has_extension(exts, "EGL_MESA_configless_context");
	gr->has_surfaceless =
		rb_egl_list_has_extension(exts, "EGL_KHR_surfaceless_context");
	gr->has_buffer_age =
		rb_egl_list_has_extension(exts, "EGL_EXT_buffer_age");
	gr->has_dmabuf_import =
		rb_egl_list_has_extension(exts, "EGL_EXT_image_dma_buf_import") &&
		rb_egl_list_has_extension(exts, "EGL_KHR_image_base");
	gr->has_dmabuf_modifiers = gr->has_dmabuf_import &&
		rb_egl_list_has_extension(exts, "EGL_EXT_image_dma_buf_import_modifiers");
	gr->has_native_fence =
		rb_egl_list_has_extension(exts, "EGL_ANDROID_native_fence_sync");
	gr->has_wait_sync =
		rb_egl_list_has_extension(exts, "EGL_KHR_wait_sync");

	if (gr->has_configless) {
		gr->context_config = EGL_NO_CONFIG_KHR;
	} else if (!vgr_egl_choose_config(gr, surface_type,
					  formats, count,
					  &gr->context_config)) {
		goto fail;
	}

	if (!create_context(gr))
		goto fail;

	if (!gr->has_surfaceless) {
		EGLConfig cfg = gr->context_config;

		if (cfg == EGL_NO_CONFIG_KHR &&
		    !vgr_egl_choose_config(gr, EGL_PBUFFER_BIT,
					   formats, count, &cfg))
			goto fail;
		gr->dummy_surface = vgr_egl_surface_create_pbuffer(gr, cfg, 10, 10);
		if (gr->dummy_surface == EGL_NO_SURFACE) {
			vgr_log("vgr: no surfaceless context and no pbuffer\n");
			goto fail;
		}
	}
	if (!vgr_reset_init(gr))
		goto fail;
	return vgr_make_current(gr, EGL_NO_SURFACE);

fail:
	vgr_egl_fini(gr);
	return false;
}

void
vgr_egl_fini(struct vgr_renderer *gr)
{
	if (gr->display == EGL_NO_DISPLAY)
		return;
	eglMakeCurrent(gr->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
		       EGL_NO_CONTEXT);
	vgr_reset_fini(gr);
	vgr_egl_surface_destroy(gr, gr->dummy_surface);
	gr->dummy_surface = EGL_NO_SURFACE;
	rb_context_destroy(gr->ctx);
	gr->ctx = NULL;
	eglTerminate(gr->display);
	eglReleaseThread();
	gr->display = EGL_NO_DISPLAY;
}
