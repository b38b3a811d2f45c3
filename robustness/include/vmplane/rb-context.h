/* SPDX-License-Identifier: MIT */
/*
 * Public API of the robust EGL context: creation through the robustness
 * fallback chain, re-creation after a reset, and the per-repaint reset query.
 */
#ifndef VMPLANE_RB_CONTEXT_H
#define VMPLANE_RB_CONTEXT_H

#include <stdbool.h>
#include <epoxy/egl.h>

#include "vmplane/rb-log.h"
#include "vmplane/rb-status.h"

/*
 * Robust EGL context creation and reset detection.
 *
 * rb_context_create() asks for an OpenGL ES context (version 3, falling back
 * to 2) with the lose-context-on-reset notification strategy and robust
 * buffer access, trying in order:
 *   1. EGL_EXT_create_context_robustness, robust access + strategy
 *   2. EGL_EXT_create_context_robustness, strategy only
 *   3. EGL 1.5 core attributes, robust access + strategy
 *   4. EGL 1.5 core attributes, strategy only
 *   5. a plain context, with exactly one RB_LOG_WARNING.
 * A context created with a share context uses the share context's strategy
 * (EGL requires every context of a share group to agree) and never warns.
 *
 * With `desktop` set it asks for a desktop OpenGL core-profile context of
 * at least gl_major.gl_minor instead (eglBindAPI(EGL_OPENGL_API),
 * EGL_KHR_create_context's version and profile attributes), through the
 * same chain minus the EXT attempts, which that extension defines for
 * OpenGL ES only: robust access and strategy through EGL 1.5's attributes
 * (or EGL_KHR_create_context's flag on EGL 1.4), then the strategy alone,
 * then a plain context. Every call that makes one of these contexts
 * current binds its API first: eglGetCurrentContext() answers for the
 * bound API only.
 *
 * After the first MakeCurrent (done at creation when the display supports
 * EGL_KHR_surfaceless_context, otherwise lazily in rb_context_make_current)
 * the reset query is resolved (ES 3.2 core, then GL_KHR_robustness, then
 * GL_EXT_robustness) and GL_RESET_NOTIFICATION_STRATEGY is read back. The
 * context counts as robust only if both succeed. Creation restores whatever
 * context was current before.
 */

struct rb_context;

struct rb_context_options {
	EGLDisplay display;
	/* EGL_NO_CONFIG_KHR for a configless context. */
	EGLConfig config;
	/* Preferred ES major version: 0 or 3 = try 3 then 2; 2 = only 2. */
	int gles_major;
	/* Optional; the new context joins its share group. */
	struct rb_context *share;
	/* Extra attribute pairs appended to every attempt (e.g. priority);
	 * EGL_NONE terminated, may be NULL. */
	const EGLint *extra_attribs;
	/* Skip every robustness attempt (no warning is logged). */
	bool disable_robustness;
	/* Desktop OpenGL, core profile, at least gl_major.gl_minor (then
	 * gles_major is unused); a share context must agree. */
	bool desktop;
	int gl_major, gl_minor;
	struct rb_log log;
};

struct rb_context *rb_context_create(const struct rb_context_options *options);
/* Releases the context if current and destroys it. Accepts NULL. */
void rb_context_destroy(struct rb_context *ctx);

/*
 * Destroys the EGL context and creates a new one with the same options and
 * the same strategy (the first step of a recovery). The new context is left
 * current without surfaces when EGL_KHR_surfaceless_context is available;
 * make it current on your surfaces with rb_context_make_current(). Any
 * pending injected or reported reset is cleared. A shared context must be
 * re-created after the context it shares with.
 */
bool rb_context_recreate(struct rb_context *ctx);

/* EGL_NO_CONTEXT after an injected reset, until rb_context_recreate(). */
EGLContext rb_context_get_egl_context(const struct rb_context *ctx);
EGLDisplay rb_context_get_display(const struct rb_context *ctx);
/* 2 or 3; 0 for a desktop OpenGL context. */
int rb_context_get_gles_major(const struct rb_context *ctx);
/* Desktop OpenGL (core profile) rather than OpenGL ES. */
bool rb_context_is_desktop(const struct rb_context *ctx);
/* A lose-context-on-reset strategy was created and verified. */
bool rb_context_is_robust(const struct rb_context *ctx);
/* Robust buffer access was granted (attempts 1 or 3 above). */
bool rb_context_has_robust_access(const struct rb_context *ctx);
/* GL_RESET_NOTIFICATION_STRATEGY as read back (0 if never verified). */
EGLint rb_context_get_reset_strategy(const struct rb_context *ctx);

/*
 * eglMakeCurrent with this context. A failure (EGL_CONTEXT_LOST, a
 * destroyed context, ...) is recorded as an UNKNOWN reset that the next
 * rb_context_query_status() returns, and false is returned.
 */
bool rb_context_make_current(struct rb_context *ctx,
			     EGLSurface draw, EGLSurface read);

/*
 * Records a reset the caller observed itself (a failed eglSwapBuffers,
 * EGL_CONTEXT_LOST from any call). The next query returns it.
 */
void rb_context_report_reset(struct rb_context *ctx,
			     enum rb_reset_status status);

/*
 * Drains glGetError (the context must be current), setting *had_error
 * (if not NULL) when there was any error. GL_CONTEXT_LOST among them is
 * recorded as an UNKNOWN reset and false is returned.
 */
bool rb_context_check_gl_errors(struct rb_context *ctx, bool *had_error);

/*
 * The reset status, cheap enough for every repaint: a reported or injected
 * status first, otherwise the GL reset query of the current context (which
 * must be this one). Always RB_RESET_NONE for a non-robust context unless a
 * reset was reported or injected.
 */
enum rb_reset_status rb_context_query_status(struct rb_context *ctx);

#endif
