/* SPDX-License-Identifier: MIT */
/* reset-shim.so: a test library, preloaded below the renderer and libepoxy,
 * whose EGL and GL entry points report a GPU reset when the test arms them.
 * It destroys nothing: the renderer's recovery rebuilds for real. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <EGL/egl.h>

#include "reset-shim.h"

/* The few GL names needed, without a GLES development package. */
typedef unsigned int GLenum;
#define GL_APIENTRY
#define GL_NO_ERROR 0
#define GL_CONTEXT_LOST 0x0507

#define EXPORT __attribute__((visibility("default")))

typedef void *(*dlsym_func_t)(void *, const char *);
typedef EGLBoolean (*make_current_func_t)(EGLDisplay, EGLSurface, EGLSurface,
					  EGLContext);
typedef EGLBoolean (*swap_func_t)(EGLDisplay, EGLSurface);
typedef EGLint (*egl_error_func_t)(void);
typedef GLenum (*gl_enum_func_t)(void);
typedef void *(*proc_address_func_t)(const char *);

/* Resolved by name (see reset-shim.h for the types). */
EXPORT void vmplane_reset_shim_arm(enum reset_shim_fault fault, unsigned int count,
			   uint32_t status);
EXPORT unsigned int vmplane_reset_shim_pending(enum reset_shim_fault fault);
EXPORT unsigned int vmplane_reset_shim_fired(enum reset_shim_fault fault);
EXPORT GLenum GL_APIENTRY glGetError(void);
EXPORT GLenum GL_APIENTRY glGetGraphicsResetStatus(void);
EXPORT GLenum GL_APIENTRY glGetGraphicsResetStatusEXT(void);
EXPORT GLenum GL_APIENTRY glGetGraphicsResetStatusKHR(void);

static atomic_uint armed[RESET_SHIM_N_FAULTS];
static atomic_uint fired[RESET_SHIM_N_FAULTS];
static atomic_uint armed_status;
/* An EGL error is per thread, as the driver's is. */
static _Thread_local EGLint egl_error;

EXPORT void
vmplane_reset_shim_arm(enum reset_shim_fault fault, unsigned int count, uint32_t status)
{
	if ((unsigned int)fault >= RESET_SHIM_N_FAULTS)
		return;
	if (fault == RESET_SHIM_STATUS)
		atomic_store(&armed_status, status);
	atomic_store(&armed[fault], count);
}

EXPORT unsigned int
vmplane_reset_shim_pending(enum reset_shim_fault fault)
{
	return (unsigned int)fault < RESET_SHIM_N_FAULTS ?
	       atomic_load(&armed[fault]) : 0;
}

EXPORT unsigned int
vmplane_reset_shim_fired(enum reset_shim_fault fault)
{
	return (unsigned int)fault < RESET_SHIM_N_FAULTS ?
	       atomic_load(&fired[fault]) : 0;
}

/* Takes one armed call, if any. */
static bool
take(enum reset_shim_fault fault)
{
	unsigned int n = atomic_load(&armed[fault]);

	while (n > 0) {
		if (atomic_compare_exchange_weak(&armed[fault], &n, n - 1)) {
			atomic_fetch_add(&fired[fault], 1);
			return true;
		}
	}
	return false;
}

/* dlsym itself is interposed (libepoxy resolves every entry point with it
 * on a library handle, which a preload alone would not reach), so the real
 * one comes through dlvsym. */
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
library(const char *soname)
{
	/* Already loaded by whoever uses it; loading it here is harmless. */
	return dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
}

static void *
real_egl(const char *name)
{
	static void *egl;

	if (!egl)
		egl = library("libEGL.so.1");
	return egl ? real_dlsym(egl, name) : NULL;
}

static void *
real_gl(const char *name)
{
	static void *gles;
	proc_address_func_t get_proc;
	void *f = NULL;

	if (!gles)
		gles = library("libGLESv2.so.2");
	if (gles)
		f = real_dlsym(gles, name);
	if (f)
		return f;
	/* Extension entry points come from EGL only. */
	get_proc = (proc_address_func_t)real_egl("eglGetProcAddress");
	return get_proc ? get_proc(name) : NULL;
}

EXPORT EGLBoolean
eglMakeCurrent(EGLDisplay dpy, EGLSurface draw, EGLSurface read,
	       EGLContext ctx)
{
	make_current_func_t real =
		(make_current_func_t)real_egl("eglMakeCurrent");

	/* Releasing a context cannot report its loss. */
	if (ctx != EGL_NO_CONTEXT && take(RESET_SHIM_MAKE_CURRENT)) {
		egl_error = EGL_CONTEXT_LOST;
		return EGL_FALSE;
	}
	egl_error = EGL_SUCCESS;
	return real ? real(dpy, draw, read, ctx) : EGL_FALSE;
}

EXPORT EGLBoolean
eglSwapBuffers(EGLDisplay dpy, EGLSurface surface)
{
	swap_func_t real = (swap_func_t)real_egl("eglSwapBuffers");

	if (take(RESET_SHIM_SWAP)) {
		egl_error = EGL_CONTEXT_LOST;
		return EGL_FALSE;
	}
	egl_error = EGL_SUCCESS;
	return real ? real(dpy, surface) : EGL_FALSE;
}

EXPORT EGLint
eglGetError(void)
{
	egl_error_func_t real = (egl_error_func_t)real_egl("eglGetError");
	EGLint error = egl_error;
	EGLint driver = real ? real() : EGL_SUCCESS;

	/* The driver's own error is read (and so cleared) either way. */
	egl_error = EGL_SUCCESS;
	return error != EGL_SUCCESS ? error : driver;
}

EXPORT GLenum GL_APIENTRY
glGetError(void)
{
	gl_enum_func_t real = (gl_enum_func_t)real_gl("glGetError");

	if (take(RESET_SHIM_GL_ERROR))
		return GL_CONTEXT_LOST;
	return real ? real() : GL_NO_ERROR;
}

static GLenum
reset_status(const char *name)
{
	gl_enum_func_t real;

	if (take(RESET_SHIM_STATUS))
		return (GLenum)atomic_load(&armed_status);
	real = (gl_enum_func_t)real_gl(name);
	return real ? real() : GL_NO_ERROR;
}

EXPORT GLenum GL_APIENTRY
glGetGraphicsResetStatus(void)
{
	return reset_status("glGetGraphicsResetStatus");
}

EXPORT GLenum GL_APIENTRY
glGetGraphicsResetStatusEXT(void)
{
	return reset_status("glGetGraphicsResetStatusEXT");
}

EXPORT GLenum GL_APIENTRY
glGetGraphicsResetStatusKHR(void)
{
	return reset_status("glGetGraphicsResetStatusKHR");
}

static const struct {
	const char *name;
	void *func;
} wrapped[] = {
	{ "eglMakeCurrent", (void *)eglMakeCurrent },
	{ "eglSwapBuffers", (void *)eglSwapBuffers },
	{ "eglGetError", (void *)eglGetError },
	{ "eglGetProcAddress", (void *)eglGetProcAddress },
	{ "glGetError", (void *)glGetError },
	{ "glGetGraphicsResetStatus", (void *)glGetGraphicsResetStatus },
	{ "glGetGraphicsResetStatusEXT", (void *)glGetGraphicsResetStatusEXT },
	{ "glGetGraphicsResetStatusKHR", (void *)glGetGraphicsResetStatusKHR },
};

static void *
find_wrapped(const char *name)
{
	for (size_t i = 0; name && i < sizeof(wrapped) / sizeof(wrapped[0]); i++)
		if (strcmp(wrapped[i].name, name) == 0)
			return wrapped[i].func;
	return NULL;
}

EXPORT __eglMustCastToProperFunctionPointerType
eglGetProcAddress(const char *name)
{
	proc_address_func_t real =
		(proc_address_func_t)real_egl("eglGetProcAddress");
	void *f = find_wrapped(name);

	if (f)
		return (__eglMustCastToProperFunctionPointerType)f;
	return real ? (__eglMustCastToProperFunctionPointerType)real(name) : NULL;
}

EXPORT void *
dlsym(void *handle, const char *name)
{
	void *f = find_wrapped(name);

	return f ? f : real_dlsym(handle, name);
}
