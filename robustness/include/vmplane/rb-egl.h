/* SPDX-License-Identifier: MIT */
/*
 * EGL display helpers shared by the renderer and the QEMU display: exact
 * extension lookup, platform display, config choice by native visual.
 */
#ifndef VMPLANE_RB_EGL_H
#define VMPLANE_RB_EGL_H

#include <stdbool.h>
#include <stddef.h>
#include <epoxy/egl.h>

/*
 * Small EGL display helpers shared by the renderer and the QEMU display.
 */

/* Exact token match in eglQueryString(EXTENSIONS); EGL_NO_DISPLAY checks
 * client extensions. */
bool rb_egl_has_extension(EGLDisplay display, const char *name);

/* The same match in any space-separated extension list: an EGL device's,
 * or GL_EXTENSIONS. False for a NULL list. */
bool rb_egl_list_has_extension(const char *list, const char *name);

/*
 * A platform display (EGL_PLATFORM_SURFACELESS_MESA, EGL_PLATFORM_GBM_KHR,
 * ...) through EGL_EXT_platform_base, initialized. Returns
 * EGL_NO_DISPLAY if the platform is missing or initialization failed.
 */
EGLDisplay rb_egl_get_platform_display(EGLenum platform, void *native,
				       const EGLint *attribs);

/*
 * The first config matching attribs whose EGL_NATIVE_VISUAL_ID is one of
 * visual_ids (tried in the order given); with n_visual_ids == 0 the first
 * match. False if none.
 */
bool rb_egl_choose_config(EGLDisplay display, const EGLint *attribs,
			  const EGLint *visual_ids, size_t n_visual_ids,
			  EGLConfig *out);

#endif
