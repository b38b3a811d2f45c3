/* SPDX-License-Identifier: MIT */
/*
 * Public API of the test-only reset injector: an injected reset really
 * destroys the EGL context, so detection and recovery see a true loss.
 */
#ifndef VMPLANE_RB_FAULT_H
#define VMPLANE_RB_FAULT_H

#include <stdbool.h>

#include "vmplane/rb-context.h"

/*
 * Test-only GPU reset injection, honest about what a reset does:
 * rb_fault_inject_reset() releases and really destroys the context's EGL
 * context (eglMakeCurrent(NO_CONTEXT) + eglDestroyContext), so any GL call
 * made afterwards lands in the driver's no-op dispatch exactly as on a lost
 * context. The next rb_context_query_status() returns the injected status,
 * busy_polls further queries return it again ("reset still in progress"),
 * then NO_ERROR; the normal detection and recovery code takes it from there.
 *
 * Compiled in only with -Dfault_injection=true and unreachable until the
 * caller enables it on a context (Weston: only under --debug or the test
 * harness). When compiled out, enable returns false.
 */

/* Whether the injector was compiled in. */
bool rb_fault_injector_available(void);
bool rb_fault_injector_enable(struct rb_context *ctx);
bool rb_fault_injector_is_enabled(const struct rb_context *ctx);

/* status must not be RB_RESET_NONE. False if not enabled. */
bool rb_fault_inject_reset(struct rb_context *ctx,
			   enum rb_reset_status status,
			   unsigned int busy_polls);

#endif
