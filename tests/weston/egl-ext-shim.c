/* SPDX-License-Identifier: MIT */
/* egl-ext-shim.so: a test library, preloaded below the renderer and
 * libepoxy, that appends $VMPLANE_SHIM_EGL_EXTENSIONS to every display's
 * EGL_EXTENSIONS. Only the list changes: calls into a faked extension reach
 * the driver, which refuses them, as the renderer must cope with. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <EGL/egl.h>

#include "shim-dlsym.h"

#define EXPORT __attribute__((visibility("default")))

typedef const char *(*query_string_func_t)(EGLDisplay, EGLint);
typedef void *(*proc_address_func_t)(const char *);

EXPORT void *dlsym(void *handle, const char *name);

EXPORT const char *
eglQueryString(EGLDisplay dpy, EGLint name)
{
	/* One display per process in the tests: one cached answer. */
	static char list[8192];
	query_string_func_t real =
		(query_string_func_t)shim_real_egl("eglQueryString");
	const char *extra = getenv("VMPLANE_SHIM_EGL_EXTENSIONS");
	const char *s = real ? real(dpy, name) : NULL;

	if (!s || name != EGL_EXTENSIONS || dpy == EGL_NO_DISPLAY || !extra)
		return s;
	if (snprintf(list, sizeof(list), "%s %s", s, extra) >= (int)sizeof(list))
		return s;
	return list;
}

EXPORT __eglMustCastToProperFunctionPointerType
eglGetProcAddress(const char *name)
{
	proc_address_func_t real =
		(proc_address_func_t)shim_real_egl("eglGetProcAddress");

	if (name && strcmp(name, "eglQueryString") == 0)
		return (__eglMustCastToProperFunctionPointerType)eglQueryString;
	return real ? (__eglMustCastToProperFunctionPointerType)real(name) : NULL;
}

EXPORT void *
dlsym(void *handle, const char *name)
{
	if (strcmp(name, "eglQueryString") == 0)
		return (void *)eglQueryString;
	if (strcmp(name, "eglGetProcAddress") == 0)
		return (void *)eglGetProcAddress;
	return shim_real_dlsym(handle, name);
}
