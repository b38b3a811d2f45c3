/* SPDX-License-Identifier: MIT */
/* Names of the reset statuses, for log lines. */
#include "vmplane/rb-status.h"

const char *
rb_reset_status_name(enum rb_reset_status status)
{
	switch (status) {
	case RB_RESET_NONE:
		return "none";
	case RB_RESET_GUILTY:
		return "guilty";
	case RB_RESET_INNOCENT:
		return "innocent";
	case RB_RESET_UNKNOWN:
		return "unknown";
	}
	return "invalid";
}
