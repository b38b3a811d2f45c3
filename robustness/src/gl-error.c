/* SPDX-License-Identifier: MIT */
/* GL_CONTEXT_LOST from glGetError: the GL side's own reset signal, turned
 * into a reported reset like a failed eglMakeCurrent. */
#include "context-private.h"
#include "log.h"

/* KHR_robustness: every command but a few raises it after a reset, so it
 * can sit behind other errors in the queue. */
#define MAX_ERRORS 8

bool
rb_context_check_gl_errors(struct rb_context *ctx, bool *had_error)
{
	bool lost = false;
	GLenum error;

	for (int i = 0; i < MAX_ERRORS; i++) {
		error = glGetError();
		if (error == GL_NO_ERROR)
			break;
		if (had_error)
			*had_error = true;
		if (error == GL_CONTEXT_LOST)
			lost = true;
	}
	if (!lost)
		return true;
	rb_log_emit(&ctx->log, RB_LOG_WARNING,
		    "GL_CONTEXT_LOST from glGetError: treated as a GPU reset");
	rb_context_report_reset(ctx, RB_RESET_UNKNOWN);
	return false;
}
