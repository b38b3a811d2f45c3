/* EGL display, config and context setup. */
#include <string.h>
#include <libweston/libweston.h>

#include "vgr.h"

#ifndef EGL_PLATFORM_SURFACELESS_MESA
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#endif

bool
vgr_egl_has_ext(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	if (!list)
		return false;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

static bool
platform_supported(const char *client_exts, EGLenum platform)
{
	switch (platform) {
	case EGL_PLATFORM_GBM_KHR:
		return vgr_egl_has_ext(client_exts, "EGL_KHR_platform_gbm") ||
		       vgr_egl_has_ext(client_exts, "EGL_MESA_platform_gbm");
	case EGL_PLATFORM_WAYLAND_KHR:
		return vgr_egl_has_ext(client_exts, "EGL_KHR_platform_wayland") ||
		       vgr_egl_has_ext(client_exts, "EGL_EXT_platform_wayland");
	case EGL_PLATFORM_X11_KHR:
		return vgr_egl_has_ext(client_exts, "EGL_KHR_platform_x11") ||
		       vgr_egl_has_ext(client_exts, "EGL_EXT_platform_x11");
	case EGL_PLATFORM_SURFACELESS_MESA:
		return vgr_egl_has_ext(client_exts, "EGL_MESA_platform_surfaceless");
	default:
		return false;
	}
}

static EGLDisplay
get_display(EGLenum platform, void *native)
{
	const char *client_exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);

	if (platform && vgr_egl_has_ext(client_exts, "EGL_EXT_platform_base")) {
		if (!platform_supported(client_exts, platform)) {
			weston_log("vgr: EGL platform 0x%04x not supported\n",
				   platform);
			return EGL_NO_DISPLAY;
		}
		return eglGetPlatformDisplayEXT(platform, native, NULL);
	}
	/* Without platform_base only the implementation's default works. */
	if (platform == EGL_PLATFORM_SURFACELESS_MESA)
		return EGL_NO_DISPLAY;
	return eglGetDisplay((EGLNativeDisplayType)native);
}

static bool
config_matches(struct vgr_renderer *gr, EGLConfig config, uint32_t format)
{
	const struct pixel_format_info *info;
	EGLint r, g, b, a, visual;

	if (gr->platform == EGL_PLATFORM_GBM_KHR) {
		/* GBM surfaces are allocated in exactly this fourcc. */
		if (!eglGetConfigAttrib(gr->display, config,
					EGL_NATIVE_VISUAL_ID, &visual))
			return false;
		return (uint32_t)visual == format;
	}

	info = pixel_format_get_info(format);
	if (!info)
		return false;
	eglGetConfigAttrib(gr->display, config, EGL_RED_SIZE, &r);
	eglGetConfigAttrib(gr->display, config, EGL_GREEN_SIZE, &g);
	eglGetConfigAttrib(gr->display, config, EGL_BLUE_SIZE, &b);
	eglGetConfigAttrib(gr->display, config, EGL_ALPHA_SIZE, &a);
	return r == info->bits.r && g == info->bits.g &&
	       b == info->bits.b && a == info->bits.a;
}

bool
vgr_egl_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		      const uint32_t *formats, unsigned count, EGLConfig *out)
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

	if (!eglChooseConfig(gr->display, attribs, configs,
			     ARRAY_LENGTH(configs), &n) || n == 0) {
		weston_log("vgr: no EGL config for surface type 0x%x\n",
			   surface_type);
		return false;
	}

	/* The caller lists formats in order of preference. */
	for (f = 0; f < count; f++) {
		for (i = 0; i < n; i++) {
			if (config_matches(gr, configs[i], formats[f])) {
				*out = configs[i];
				return true;
			}
		}
	}
	weston_log("vgr: no EGL config matches the requested formats\n");
	return false;
}

static bool
create_context(struct vgr_renderer *gr)
{
	static const int versions[] = { 3, 2 };
	EGLint attribs[] = {
		EGL_CONTEXT_CLIENT_VERSION, 0,
		EGL_NONE
	};
	size_t i;

	for (i = 0; i < ARRAY_LENGTH(versions); i++) {
		attribs[1] = versions[i];
		gr->context = eglCreateContext(gr->display, gr->context_config,
					       EGL_NO_CONTEXT, attribs);
		if (gr->context != EGL_NO_CONTEXT)
			return true;
	}
	weston_log("vgr: failed to create a GLES context (0x%x)\n",
		   eglGetError());
	return false;
}

bool
vgr_make_current(struct vgr_renderer *gr, EGLSurface surface)
{
	if (surface == EGL_NO_SURFACE)
		surface = gr->dummy_surface;
	if (eglGetCurrentContext() == gr->context &&
	    eglGetCurrentSurface(EGL_DRAW) == surface)
		return true;
	if (!eglMakeCurrent(gr->display, surface, surface, gr->context)) {
		weston_log("vgr: eglMakeCurrent failed (0x%x)\n", eglGetError());
		return false;
	}
	return true;
}

bool
vgr_egl_init(struct vgr_renderer *gr,
	     const struct gl_renderer_display_options *opts)
{
	const char *exts;
	EGLint major, minor;

	gr->platform = opts->egl_platform;
	gr->native_display = opts->egl_native_display;
	gr->surface_type = opts->egl_surface_type;
	gr->display = get_display(opts->egl_platform, opts->egl_native_display);
	if (gr->display == EGL_NO_DISPLAY) {
		weston_log("vgr: failed to get an EGL display\n");
		return false;
	}
	if (!eglInitialize(gr->display, &major, &minor)) {
		weston_log("vgr: eglInitialize failed (0x%x)\n", eglGetError());
		gr->display = EGL_NO_DISPLAY;
		return false;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		goto fail;

	exts = eglQueryString(gr->display, EGL_EXTENSIONS);
	weston_log("vgr: EGL %d.%d, vendor %s\n", major, minor,
		   eglQueryString(gr->display, EGL_VENDOR));
	gr->has_configless =
		vgr_egl_has_ext(exts, "EGL_KHR_no_config_context") ||
		vgr_egl_has_ext(exts, "EGL_MESA_configless_context");
	gr->has_surfaceless = vgr_egl_has_ext(exts, "EGL_KHR_surfaceless_context");
	gr->has_buffer_age = vgr_egl_has_ext(exts, "EGL_EXT_buffer_age");
	gr->has_dmabuf_import =
		vgr_egl_has_ext(exts, "EGL_EXT_image_dma_buf_import") &&
		vgr_egl_has_ext(exts, "EGL_KHR_image_base");
	gr->has_dmabuf_modifiers = gr->has_dmabuf_import &&
		vgr_egl_has_ext(exts, "EGL_EXT_image_dma_buf_import_modifiers");
	gr->has_native_fence = vgr_egl_has_ext(exts, "EGL_ANDROID_native_fence_sync");
	gr->has_wait_sync = vgr_egl_has_ext(exts, "EGL_KHR_wait_sync");

	if (gr->has_configless) {
		gr->context_config = EGL_NO_CONFIG_KHR;
	} else if (!vgr_egl_choose_config(gr, opts->egl_surface_type,
					  opts->drm_formats,
					  opts->drm_formats_count,
					  &gr->context_config)) {
		goto fail;
	}

	if (!create_context(gr))
		goto fail;

	if (!gr->has_surfaceless) {
		EGLConfig cfg = gr->context_config;

		if (cfg == EGL_NO_CONFIG_KHR &&
		    !vgr_egl_choose_config(gr, EGL_PBUFFER_BIT,
					   opts->drm_formats,
					   opts->drm_formats_count, &cfg))
			goto fail;
		gr->dummy_surface = vgr_egl_surface_create_pbuffer(gr, cfg, 10, 10);
		if (gr->dummy_surface == EGL_NO_SURFACE) {
			weston_log("vgr: no surfaceless context and no pbuffer\n");
			goto fail;
		}
	}
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
	vgr_egl_surface_destroy(gr, gr->dummy_surface);
	gr->dummy_surface = EGL_NO_SURFACE;
	if (gr->context != EGL_NO_CONTEXT)
		eglDestroyContext(gr->display, gr->context);
	gr->context = EGL_NO_CONTEXT;
	eglTerminate(gr->display);
	eglReleaseThread();
	gr->display = EGL_NO_DISPLAY;
}
