/* SPDX-License-Identifier: MIT */
/*
 * Robust EGL contexts and reset detection: outside the tests, the only place
 * vmplane creates an EGL context, trying the most robust attributes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmplane/rb-egl.h"
#include "context-private.h"
#include "log.h"

#ifndef EGL_CONTEXT_OPENGL_ROBUST_ACCESS
#define EGL_CONTEXT_OPENGL_ROBUST_ACCESS 0x31B2
#endif
#ifndef EGL_CONTEXT_OPENGL_RESET_NOTIFICATION_STRATEGY
#define EGL_CONTEXT_OPENGL_RESET_NOTIFICATION_STRATEGY 0x31BD
#endif
#ifndef EGL_LOSE_CONTEXT_ON_RESET
#define EGL_LOSE_CONTEXT_ON_RESET 0x31BF
#endif
#ifndef EGL_CONTEXT_MINOR_VERSION_KHR
#define EGL_CONTEXT_MINOR_VERSION_KHR 0x30FB
#endif
#ifndef EGL_CONTEXT_FLAGS_KHR
#define EGL_CONTEXT_FLAGS_KHR 0x30FC
#endif
#ifndef EGL_CONTEXT_OPENGL_PROFILE_MASK_KHR
#define EGL_CONTEXT_OPENGL_PROFILE_MASK_KHR 0x30FD
#endif
#ifndef EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT_KHR
#define EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT_KHR 0x00000001
#endif
#ifndef EGL_CONTEXT_OPENGL_ROBUST_ACCESS_BIT_KHR
#define EGL_CONTEXT_OPENGL_ROBUST_ACCESS_BIT_KHR 0x00000004
#endif

enum attempt_api {
	API_EXT,
	API_CORE,
	API_PLAIN,
};

struct attempt {
	enum attempt_api api;
	bool robust_access;
	const char *what;
};

/* Most robust first; the plain context is the last resort. */
static const struct attempt attempts[] = {
	{ API_EXT, true, "EGL_EXT_create_context_robustness, robust access" },
	{ API_EXT, false, "EGL_EXT_create_context_robustness" },
	{ API_CORE, true, "EGL 1.5 robustness, robust access" },
	{ API_CORE, false, "EGL 1.5 robustness" },
	{ API_PLAIN, false, "plain" },
};
#define N_ATTEMPTS (int)(sizeof(attempts) / sizeof(attempts[0]))
#define PLAIN_ATTEMPT (N_ATTEMPTS - 1)

static const char *
egl_error_name(EGLint error)
{
	switch (error) {
	case EGL_SUCCESS: return "EGL_SUCCESS";
	case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
	case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
	case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
	case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
	case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
	case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
	case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
	case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
	case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
	}
	return "EGL error";
}

static bool
display_has_egl15(EGLDisplay display)
{
	const char *version = eglQueryString(display, EGL_VERSION);
	int major = 0, minor = 0;

	if (!version || sscanf(version, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 1 || (major == 1 && minor >= 5);
}

static bool
attempt_offered(const struct rb_context *ctx, int index)
{
	switch (attempts[index].api) {
	case API_EXT:
		/* Its attributes are for OpenGL ES contexts only (Mesa refuses them). */
		return !ctx->desktop &&
		       rb_egl_has_extension(ctx->display,
					    "EGL_EXT_create_context_robustness");
	case API_CORE:
		if (ctx->desktop && rb_egl_has_extension(ctx->display,
							 "EGL_KHR_create_context"))
			return true;
		return display_has_egl15(ctx->display);
	case API_PLAIN:
		break;
	}
	return true;
}

static EGLContext
try_create(struct rb_context *ctx, int index, int major, EGLint *error)
{
	const struct attempt *a = &attempts[index];
	EGLContext share = ctx->share ? ctx->share->egl : EGL_NO_CONTEXT;
	EGLint attribs[64];
	int n = 0;
	EGLContext egl;

	/* EGL_CONTEXT_CLIENT_VERSION is EGL_CONTEXT_MAJOR_VERSION_KHR. */
	attribs[n++] = EGL_CONTEXT_CLIENT_VERSION;
	attribs[n++] = major;
	if (ctx->desktop) {
		attribs[n++] = EGL_CONTEXT_MINOR_VERSION_KHR;
		attribs[n++] = ctx->gl_minor;
		attribs[n++] = EGL_CONTEXT_OPENGL_PROFILE_MASK_KHR;
		attribs[n++] = EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT_KHR;
	}
	if (a->api == API_CORE && ctx->desktop &&
	    !display_has_egl15(ctx->display)) {
		/* EGL 1.4 with EGL_KHR_create_context: the same, as a flag. */
		attribs[n++] = EGL_CONTEXT_OPENGL_RESET_NOTIFICATION_STRATEGY;
		attribs[n++] = EGL_LOSE_CONTEXT_ON_RESET;
		if (a->robust_access) {
			attribs[n++] = EGL_CONTEXT_FLAGS_KHR;
			attribs[n++] = EGL_CONTEXT_OPENGL_ROBUST_ACCESS_BIT_KHR;
		}
	} else if (a->api == API_EXT) {
		attribs[n++] = EGL_CONTEXT_OPENGL_RESET_NOTIFICATION_STRATEGY_EXT;
		attribs[n++] = EGL_LOSE_CONTEXT_ON_RESET_EXT;
		if (a->robust_access) {
			attribs[n++] = EGL_CONTEXT_OPENGL_ROBUST_ACCESS_EXT;
			attribs[n++] = EGL_TRUE;
		}
	} else if (a->api == API_CORE) {
		attribs[n++] = EGL_CONTEXT_OPENGL_RESET_NOTIFICATION_STRATEGY;
		attribs[n++] = EGL_LOSE_CONTEXT_ON_RESET;
		if (a->robust_access) {
			attribs[n++] = EGL_CONTEXT_OPENGL_ROBUST_ACCESS;
			attribs[n++] = EGL_TRUE;
		}
	}
	for (int i = 0; ctx->extra_attribs && ctx->extra_attribs[i] != EGL_NONE &&
	     n < 62; i += 2) {
		attribs[n++] = ctx->extra_attribs[i];
		attribs[n++] = ctx->extra_attribs[i + 1];
	}
	attribs[n] = EGL_NONE;

	egl = eglCreateContext(ctx->display, ctx->config, share, attribs);
	*error = egl == EGL_NO_CONTEXT ? eglGetError() : EGL_SUCCESS;
	return egl;
}

/* Tries the attempts from first to last, each at ES 3 then ES 2 (desktop: its version). */
static bool
create_egl_context(struct rb_context *ctx, int first, int last,
		   EGLint *first_error)
{
	int top = ctx->gles_major_pref == 2 ? 2 : 3, bottom = 2;

	*first_error = EGL_SUCCESS;
	if (ctx->desktop)
		top = bottom = ctx->gl_major;
	if (!eglBindAPI(ctx->desktop ? EGL_OPENGL_API : EGL_OPENGL_ES_API)) {
		*first_error = eglGetError();
		return false;
	}
	for (int i = first; i <= last; i++) {
		if (!attempt_offered(ctx, i))
			continue;
		for (int major = top; major >= bottom; major--) {
			EGLint error;

			ctx->egl = try_create(ctx, i, major, &error);
			if (ctx->egl != EGL_NO_CONTEXT) {
				ctx->attempt = i;
				ctx->gles_major = ctx->desktop ? 0 : major;
				return true;
			}
			if (*first_error == EGL_SUCCESS)
				*first_error = error;
		}
	}
	return false;
}

struct reset_query {
	int min_version;
	const char *extension;
	const char *name;
};

static rb_reset_query_func_t
resolve_query(bool desktop)
{
	static const struct reset_query es[] = {
		{ 32, NULL, "glGetGraphicsResetStatus" },
		{ 0, "GL_KHR_robustness", "glGetGraphicsResetStatusKHR" },
		{ 0, "GL_EXT_robustness", "glGetGraphicsResetStatusEXT" },
		{ 0, NULL, NULL },
	};
	/* Desktop: core in 4.5, and GL_KHR_robustness names it without a suffix there. */
	static const struct reset_query gl[] = {
		{ 45, NULL, "glGetGraphicsResetStatus" },
		{ 0, "GL_KHR_robustness", "glGetGraphicsResetStatus" },
		{ 0, "GL_ARB_robustness", "glGetGraphicsResetStatusARB" },
		{ 0, NULL, NULL },
	};
	const struct reset_query *queries = desktop ? gl : es;
	int version = epoxy_gl_version();

	for (size_t i = 0; queries[i].name; i++) {
		if (queries[i].extension &&
		    !epoxy_has_gl_extension(queries[i].extension))
			continue;
		if (!queries[i].extension && version < queries[i].min_version)
			continue;
		/* Mesa's entry points dispatch on the current context, so
		 * one pointer serves every context and a destroyed one. */
		rb_reset_query_func_t f =
			(rb_reset_query_func_t)eglGetProcAddress(queries[i].name);
		if (f)
			return f;
	}
	return NULL;
}

/* Needs the context current. */
static void
verify(struct rb_context *ctx)
{
	GLint strategy = 0;
	GLenum error;
	bool lost = false;

	if (ctx->verified)
		return;
	ctx->verified = true;
	ctx->robust = false;
	ctx->query = NULL;
	ctx->strategy = 0;
	if (ctx->attempt == PLAIN_ATTEMPT)
		return;

	ctx->query = resolve_query(ctx->desktop);
	if (ctx->query) {
		lost = !rb_context_check_gl_errors(ctx, NULL);
		glGetIntegerv(GL_RESET_NOTIFICATION_STRATEGY, &strategy);
		error = glGetError();
		if (error == GL_NO_ERROR)
			ctx->strategy = strategy;
		if (error == GL_CONTEXT_LOST) {
			rb_context_report_reset(ctx, RB_RESET_UNKNOWN);
			lost = true;
		}
	}
	if (lost) {
		/* Only a lose-context-on-reset context raises GL_CONTEXT_LOST;
		 * the reset is reported, and verified again after it. */
		ctx->strategy = GL_LOSE_CONTEXT_ON_RESET;
		ctx->robust = true;
		ctx->verified = false;
		return;
	}
	ctx->robust = ctx->query && ctx->strategy == GL_LOSE_CONTEXT_ON_RESET;
	if (!ctx->robust) {
		ctx->query = NULL;
		if (!ctx->share)
			rb_log_emit(&ctx->log, RB_LOG_WARNING,
				    "GPU reset recovery disabled: the context "
				    "(%s) has no usable reset query or strategy "
				    "(strategy 0x%x)", attempts[ctx->attempt].what,
				    (unsigned int)ctx->strategy);
	}
}

static bool
make_current_surfaceless(struct rb_context *ctx)
{
	if (!rb_egl_has_extension(ctx->display, "EGL_KHR_surfaceless_context"))
		return false;
	rb_context_bind_api(ctx);
	return eglMakeCurrent(ctx->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			      ctx->egl);
}

/* Verifies now when possible, leaving the caller's API and current context. */
static void
verify_now(struct rb_context *ctx, EGLenum prev_api)
{
	EGLDisplay prev_display;
	EGLContext prev;
	EGLSurface prev_draw, prev_read;
	bool same_api;

	eglBindAPI(prev_api);
	prev_display = eglGetCurrentDisplay();
	prev = eglGetCurrentContext();
	prev_draw = eglGetCurrentSurface(EGL_DRAW);
	prev_read = eglGetCurrentSurface(EGL_READ);
	same_api = prev_api == (ctx->desktop ? EGL_OPENGL_API : EGL_OPENGL_ES_API);
	if (make_current_surfaceless(ctx)) {
		verify(ctx);
		/*
		 * Release ours, then make the previous one current again:
		 * Mesa keeps one current context per thread, other EGLs one
		 * per API, and this is right for both.
		 */
		if (!same_api || prev == EGL_NO_CONTEXT)
			eglMakeCurrent(ctx->display, EGL_NO_SURFACE,
				       EGL_NO_SURFACE, EGL_NO_CONTEXT);
	}
	eglBindAPI(prev_api);
	if (prev != EGL_NO_CONTEXT)
		eglMakeCurrent(prev_display, prev_draw, prev_read, prev);
}

static EGLint *
copy_attribs(const EGLint *attribs)
{
	size_t n = 0;
	EGLint *copy;

	if (!attribs)
		return NULL;
	while (attribs[n] != EGL_NONE)
		n += 2;
	copy = calloc(n + 1, sizeof(EGLint));
	if (copy) {
		memcpy(copy, attribs, n * sizeof(EGLint));
		copy[n] = EGL_NONE;
	}
	return copy;
}

struct rb_context *
rb_context_create(const struct rb_context_options *options)
{
	struct rb_context *ctx;
	EGLint first_error;
	int first, last;
	EGLenum prev_api = eglQueryAPI();

	if (!options || options->display == EGL_NO_DISPLAY)
		return NULL;
	if (options->desktop && options->gl_major < 1) {
		rb_log_emit(&options->log, RB_LOG_ERROR,
			    "a desktop OpenGL context needs a version");
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->display = options->display;
	ctx->config = options->config;
	ctx->gles_major_pref = options->gles_major;
	ctx->share = options->share;
	ctx->disable_robustness = options->disable_robustness;
	ctx->desktop = options->desktop;
	ctx->gl_major = options->gl_major;
	ctx->gl_minor = options->gl_minor;
	ctx->log = options->log;
	ctx->egl = EGL_NO_CONTEXT;
	if (options->extra_attribs) {
		ctx->extra_attribs = copy_attribs(options->extra_attribs);
		if (!ctx->extra_attribs)
			goto err;
	}

	if (ctx->share && ctx->share->desktop != ctx->desktop) {
		rb_log_emit(&ctx->log, RB_LOG_ERROR,
			    "a share group has one client API (OpenGL or OpenGL ES)");
		goto err;
	}
	if (ctx->share) {
		/* EGL requires one strategy across a share group. */
		first = last = ctx->share->attempt;
	} else if (ctx->disable_robustness) {
		first = last = PLAIN_ATTEMPT;
	} else {
		first = 0;
		last = PLAIN_ATTEMPT;
	}
	if (!create_egl_context(ctx, first, last, &first_error)) {
		if (ctx->desktop)
			rb_log_emit(&ctx->log, RB_LOG_ERROR,
				    "could not create an OpenGL %d.%d core "
				    "context (%s)", ctx->gl_major, ctx->gl_minor,
				    egl_error_name(first_error == EGL_SUCCESS ?
						   eglGetError() : first_error));
		else
			rb_log_emit(&ctx->log, RB_LOG_ERROR,
				    "could not create a GLES context (%s)",
				    egl_error_name(first_error == EGL_SUCCESS ?
						   eglGetError() : first_error));
		eglBindAPI(prev_api);
		goto err;
	}
	if (ctx->attempt == PLAIN_ATTEMPT && !ctx->share &&
	    !ctx->disable_robustness)
		rb_log_emit(&ctx->log, RB_LOG_WARNING,
			    "GPU reset recovery disabled: the driver offers no "
			    "robust context (%s); using a plain %s %d context",
			    first_error == EGL_SUCCESS ?
			    "no robustness extension" :
			    egl_error_name(first_error),
			    ctx->desktop ? "OpenGL" : "GLES",
			    ctx->desktop ? ctx->gl_major : ctx->gles_major);
	else
		rb_log_emit(&ctx->log, RB_LOG_DEBUG,
			    "%s %d.%d context created (%s)",
			    ctx->desktop ? "OpenGL core" : "GLES",
			    ctx->desktop ? ctx->gl_major : ctx->gles_major,
			    ctx->desktop ? ctx->gl_minor : 0,
			    attempts[ctx->attempt].what);
	verify_now(ctx, prev_api);
	return ctx;

err:
	free(ctx->extra_attribs);
	free(ctx);
	return NULL;
}

static void
release_and_destroy(struct rb_context *ctx)
{
	if (ctx->egl == EGL_NO_CONTEXT)
		return;
	rb_context_bind_api(ctx);
	if (eglGetCurrentContext() == ctx->egl)
		eglMakeCurrent(ctx->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       EGL_NO_CONTEXT);
	eglDestroyContext(ctx->display, ctx->egl);
	ctx->egl = EGL_NO_CONTEXT;
}

void
rb_context_destroy(struct rb_context *ctx)
{
	if (!ctx)
		return;
	release_and_destroy(ctx);
	free(ctx->extra_attribs);
	free(ctx);
}

bool
rb_context_recreate(struct rb_context *ctx)
{
	EGLint error;

	release_and_destroy(ctx);
	ctx->reported = RB_RESET_NONE;
	ctx->fault_destroyed = false;
	ctx->fault_status = RB_RESET_NONE;
	ctx->fault_remaining = 0;
	ctx->verified = false;
	if (!create_egl_context(ctx, ctx->attempt, ctx->attempt, &error)) {
		rb_log_emit(&ctx->log, RB_LOG_ERROR,
			    "could not re-create the GLES context (%s)",
			    egl_error_name(error));
		return false;
	}
	if (make_current_surfaceless(ctx))
		verify(ctx);
	return true;
}

EGLContext
rb_context_get_egl_context(const struct rb_context *ctx)
{
	return ctx->egl;
}

EGLDisplay
rb_context_get_display(const struct rb_context *ctx)
{
	return ctx->display;
}

int
rb_context_get_gles_major(const struct rb_context *ctx)
{
	return ctx->gles_major;
}

bool
rb_context_is_desktop(const struct rb_context *ctx)
{
	return ctx->desktop;
}

bool
rb_context_is_robust(const struct rb_context *ctx)
{
	return ctx->robust;
}

bool
rb_context_has_robust_access(const struct rb_context *ctx)
{
	return ctx->robust && attempts[ctx->attempt].robust_access;
}

EGLint
rb_context_get_reset_strategy(const struct rb_context *ctx)
{
	return ctx->strategy;
}

bool
rb_context_make_current(struct rb_context *ctx, EGLSurface draw,
			EGLSurface read)
{
	if (ctx->egl == EGL_NO_CONTEXT) {
		/* The injector already holds the status to report. */
		if (!ctx->fault_destroyed && ctx->reported == RB_RESET_NONE)
			ctx->reported = RB_RESET_UNKNOWN;
		return false;
	}
	rb_context_bind_api(ctx);
	if (!eglMakeCurrent(ctx->display, draw, read, ctx->egl)) {
		EGLint error = eglGetError();

		rb_log_emit(&ctx->log, RB_LOG_WARNING,
			    "eglMakeCurrent failed (%s): treated as a GPU reset",
			    egl_error_name(error));
		if (ctx->reported == RB_RESET_NONE)
			ctx->reported = RB_RESET_UNKNOWN;
		return false;
	}
	verify(ctx);
	return true;
}

void
rb_context_report_reset(struct rb_context *ctx, enum rb_reset_status status)
{
	if (status == RB_RESET_NONE)
		status = RB_RESET_UNKNOWN;
	if (ctx->reported == RB_RESET_NONE)
		ctx->reported = status;
}

static enum rb_reset_status
from_gl(GLenum status)
{
	switch (status) {
	case GL_NO_ERROR:
		return RB_RESET_NONE;
	case GL_GUILTY_CONTEXT_RESET:
		return RB_RESET_GUILTY;
	case GL_INNOCENT_CONTEXT_RESET:
		return RB_RESET_INNOCENT;
	}
	return RB_RESET_UNKNOWN;
}

enum rb_reset_status
rb_context_query_status(struct rb_context *ctx)
{
	enum rb_reset_status status;

	if (ctx->fault_remaining > 0) {
		ctx->fault_remaining--;
		return ctx->fault_status;
	}
	if (ctx->reported != RB_RESET_NONE) {
		status = ctx->reported;
		ctx->reported = RB_RESET_NONE;
		return status;
	}
	/* No context (injected reset over) or another one current: the
	 * query would not be about this context. */
	if (!ctx->query || ctx->egl == EGL_NO_CONTEXT)
		return RB_RESET_NONE;
	rb_context_bind_api(ctx);
	if (eglGetCurrentContext() != ctx->egl)
		return RB_RESET_NONE;
	return from_gl(ctx->query());
}
