/* SPDX-License-Identifier: MIT */
/*
 * EGL display helpers (rb-egl.h): extension token match, platform display,
 * config choice.
 */
#include <string.h>

#include "vmplane/rb-egl.h"

bool
rb_egl_has_extension(EGLDisplay display, const char *name)
{
	return rb_egl_list_has_extension(eglQueryString(display, EGL_EXTENSIONS),
					 name);
}

bool
rb_egl_list_has_extension(const char *list, const char *name)
{
	size_t len;

	if (!list || !name || !*name)
		return false;
	len = strlen(name);
	/* Tokens are space separated; a prefix of a longer one must not match. */
	for (const char *p = list; (p = strstr(p, name)); p += len) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return true;
	}
	return false;
}

EGLDisplay
rb_egl_get_platform_display(EGLenum platform, void *native,
			    const EGLint *attribs)
{
	EGLDisplay display = EGL_NO_DISPLAY;
	EGLint major, minor;

	if (rb_egl_has_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_base"))
		display = eglGetPlatformDisplayEXT(platform, native, attribs);
	if (display == EGL_NO_DISPLAY)
		return EGL_NO_DISPLAY;
	if (!eglInitialize(display, &major, &minor))
		return EGL_NO_DISPLAY;
	return display;
}

bool
rb_egl_choose_config(EGLDisplay display, const EGLint *attribs,
		     const EGLint *visual_ids, size_t n_visual_ids,
		     EGLConfig *out)
{
	EGLConfig configs[256];
	EGLint count = 0;

	if (!eglChooseConfig(display, attribs, configs, 256, &count) ||
	    count < 1)
		return false;
	if (n_visual_ids == 0) {
		*out = configs[0];
		return true;
	}
	for (size_t v = 0; v < n_visual_ids; v++) {
		for (EGLint i = 0; i < count; i++) {
			EGLint id = 0;

			if (eglGetConfigAttrib(display, configs[i],
					       EGL_NATIVE_VISUAL_ID, &id) &&
			    id == visual_ids[v]) {
				*out = configs[i];
				return true;
			}
		}
	}
	return false;
}
