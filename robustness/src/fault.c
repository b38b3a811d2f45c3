/* SPDX-License-Identifier: MIT */
/*
 * The test-only reset injector; without -Dfault_injection=true it compiles
 * to stubs that refuse every request.
 */
#include "vmplane/rb-fault.h"
#include "context-private.h"
#include "log.h"

#ifdef RB_FAULT_INJECTION

bool
rb_fault_injector_available(void)
{
	return true;
}

bool
rb_fault_injector_enable(struct rb_context *ctx)
{
	if (!ctx)
		return false;
	if (!ctx->fault_enabled)
		rb_log_emit(&ctx->log, RB_LOG_WARNING,
			    "GPU reset fault injection enabled (testing only)");
	ctx->fault_enabled = true;
	return true;
}

bool
rb_fault_inject_reset(struct rb_context *ctx, enum rb_reset_status status,
		      unsigned int busy_polls)
{
	if (!ctx || !ctx->fault_enabled || status == RB_RESET_NONE ||
	    (unsigned int)status > RB_RESET_UNKNOWN)
		return false;
	/* What a real loss leaves behind: no usable context, GL calls fall
	 * into the no-op dispatch. */
	if (ctx->egl != EGL_NO_CONTEXT) {
		rb_context_bind_api(ctx);
		if (eglGetCurrentContext() == ctx->egl)
			eglMakeCurrent(ctx->display, EGL_NO_SURFACE,
				       EGL_NO_SURFACE, EGL_NO_CONTEXT);
		eglDestroyContext(ctx->display, ctx->egl);
		ctx->egl = EGL_NO_CONTEXT;
	}
	ctx->fault_destroyed = true;
	ctx->fault_status = status;
	ctx->fault_remaining = busy_polls + 1;
	rb_log_emit(&ctx->log, RB_LOG_INFO,
		    "fault injector: context destroyed, reporting a %s reset",
		    rb_reset_status_name(status));
	return true;
}

#else

bool
rb_fault_injector_available(void)
{
	return false;
}

bool
rb_fault_injector_enable(struct rb_context *ctx)
{
	return false;
}

bool
rb_fault_inject_reset(struct rb_context *ctx, enum rb_reset_status status,
		      unsigned int busy_polls)
{
	return false;
}

#endif

bool
rb_fault_injector_is_enabled(const struct rb_context *ctx)
{
	return ctx && ctx->fault_enabled;
}
