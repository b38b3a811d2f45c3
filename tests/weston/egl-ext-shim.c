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

#define EXPORT __attribute__((visibility("default")))

typedef void *(*dlsym_func_t)(void *, const char *);
typedef const char *(*query_string_func_t)(EGLDisplay, EGLint);
typedef void *(*proc_address_func_t)(const char *);

EXPORT void *dlsym(void *handle, const char *name);

/* dlsym itself is interposed (libepoxy resolves entry points with it on a
 * library handle), so the real one comes through dlvsym. */
static void *
real_dlsym(void *handle, const char *name)
{
	static const char *const versions[] = {
		"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.0",
	};
	static dlsym_func_t real;

	for (size_t i = 0; !real && i < sizeof(versions) / sizeof(versions[0]); i++)
		real = (dlsym_func_t)dlvsym(RTLD_NEXT, "dlsym", versions[i]);
	return real ? real(handle, name) : NULL;
}

static void *
real_egl(const char *name)
{
	static void *egl;

	if (!egl)
		egl = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_LOCAL);
	return egl ? real_dlsym(egl, name) : NULL;
}

EXPORT const char *
eglQueryString(EGLDisplay dpy, EGLint name)
{
	/* One display per process in the tests: one cached answer. */
	static char list[8192];
	query_string_func_t real =
		(query_string_func_t)real_egl("eglQueryString");
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
		(proc_address_func_t)real_egl("eglGetProcAddress");

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
	return real_dlsym(handle, name);
}
