/* SPDX-License-Identifier: MIT */
/* The real dlsym and EGL entry points for the preloaded test shims (shim-dlsym.h). */
#include <dlfcn.h>
#include <stddef.h>

#include "shim-dlsym.h"

typedef void *(*dlsym_func_t)(void *, const char *);

/* dlsym itself is interposed (libepoxy resolves every entry point with it
 * on a library handle, which a preload alone would not reach), so the real
 * one comes through dlvsym. */
void *
shim_real_dlsym(void *handle, const char *name)
{
	static const char *const versions[] = {
		"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.0",
	};
	static dlsym_func_t real;

	for (size_t i = 0; !real && i < sizeof(versions) / sizeof(versions[0]); i++)
		real = (dlsym_func_t)dlvsym(RTLD_NEXT, "dlsym", versions[i]);
	return real ? real(handle, name) : NULL;
}

void *
shim_real_egl(const char *name)
{
	static void *egl;

	/* Already loaded by whoever uses it; loading it here is harmless. */
	if (!egl)
		egl = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_LOCAL);
	return egl ? shim_real_dlsym(egl, name) : NULL;
}
