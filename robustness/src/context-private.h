/* SPDX-License-Identifier: MIT */
/*
 * The layout of struct rb_context, private to robustness/src: shared by
 * context.c and the fault injector, which destroys the EGL context itself.
 */
#ifndef RB_SRC_CONTEXT_PRIVATE_H
#define RB_SRC_CONTEXT_PRIVATE_H

#include <epoxy/gl.h>

#include "vmplane/rb-context.h"

typedef GLenum (*rb_reset_query_func_t)(void);

struct rb_context {
	EGLDisplay display;
	EGLConfig config;
	int gles_major_pref;
	struct rb_context *share;
	EGLint *extra_attribs;
	bool disable_robustness;
	bool desktop;
	int gl_major, gl_minor;
	struct rb_log log;

	EGLContext egl;
	int gles_major;
	/* Index into the attempt table; fixed after the first creation. */
	int attempt;
	bool verified;
	bool robust;
	EGLint strategy;
	rb_reset_query_func_t query;

	enum rb_reset_status reported;

	bool fault_enabled;
	/* The injector destroyed the context; no GL query is possible. */
	bool fault_destroyed;
	enum rb_reset_status fault_status;
	unsigned int fault_remaining;
};

/* eglGetCurrentContext() and a release act on the bound API only. */
static inline void
rb_context_bind_api(const struct rb_context *ctx)
{
	eglBindAPI(ctx->desktop ? EGL_OPENGL_API : EGL_OPENGL_ES_API);
}

#endif
