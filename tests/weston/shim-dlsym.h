/* SPDX-License-Identifier: MIT */
/* The real dlsym and EGL entry points, for preloaded test shims that interpose dlsym. */
#ifndef VMPLANE_SHIM_DLSYM_H
#define VMPLANE_SHIM_DLSYM_H

#define SHIM_HIDDEN __attribute__((visibility("hidden")))

/* libc's own dlsym(handle, name), whatever the shim's dlsym does. */
SHIM_HIDDEN void *shim_real_dlsym(void *handle, const char *name);
/* libEGL's own entry point `name`, past the shim's; NULL when absent. */
SHIM_HIDDEN void *shim_real_egl(const char *name);

#endif
