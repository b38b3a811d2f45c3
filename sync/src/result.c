/* Names of the sync library's results. */
#include "vmplane/sync_result.h"

const char *vsync_result_str(enum vsync_result result)
{
	switch (result) {
	case VSYNC_OK: return "ok";
	case VSYNC_TIMEOUT: return "timeout";
	case VSYNC_UNSUPPORTED: return "unsupported";
	case VSYNC_INVALID: return "invalid argument";
	case VSYNC_ERROR: return "error";
	}
	return "unknown result";
}
