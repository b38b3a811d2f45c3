/* SPDX-License-Identifier: MIT */
/* The result type of every fallible call in the sync library. */
#ifndef VMPLANE_SYNC_RESULT_H
#define VMPLANE_SYNC_RESULT_H

#include <stdint.h>

/*
 * Result of every fallible call in the sync library. Callers can test
 * `== VMSYNC_OK`; the other values tell apart why it did not succeed.
 */
enum vmsync_result {
	VMSYNC_OK = 0, /* done, or the fence is signalled */
	VMSYNC_TIMEOUT, /* the fence did not signal within the timeout */
	VMSYNC_UNSUPPORTED, /* kernel, driver or EGL lacks the feature */
	VMSYNC_INVALID, /* bad argument (negative fd, NULL, not a fence) */
	VMSYNC_ERROR, /* the system or driver call failed; errno is set */
};

/* Timeout value meaning "wait until signalled". Only honoured where asked. */
#define VMSYNC_WAIT_FOREVER ((int64_t)-1)

/* Static, human-readable name of a result ("ok", "timeout", ...). */
const char *vmsync_result_str(enum vmsync_result result);

#endif
