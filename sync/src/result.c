/* SPDX-License-Identifier: MIT */
/* Names of the sync library's results. */
#include "vmplane/sync_result.h"

const char *
vmsync_result_str(enum vmsync_result result)
{
	switch (result) {
	case VMSYNC_OK:
		return "ok";
	case VMSYNC_TIMEOUT:
		return "timeout";
	case VMSYNC_UNSUPPORTED:
		return "unsupported";
	case VMSYNC_INVALID:
		return "invalid argument";
	case VMSYNC_ERROR:
		return "error";
	}
	return "unknown result";
}
