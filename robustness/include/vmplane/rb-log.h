/* SPDX-License-Identifier: MIT */
/*
 * Log levels and the callback type through which the robustness library
 * reports; the library itself never prints.
 */
#ifndef VMPLANE_RB_LOG_H
#define VMPLANE_RB_LOG_H

#include <stdarg.h>

/*
 * Logging for the robustness library. The library never prints by itself:
 * every message goes to the callback the caller supplies (a Weston log
 * scope, QEMU's error_report, a test counter). A NULL callback drops them.
 */

enum rb_log_level {
	RB_LOG_ERROR,
	RB_LOG_WARNING,
	RB_LOG_INFO,
	RB_LOG_DEBUG,
};

typedef void (*rb_log_func_t)(void *data, enum rb_log_level level,
			      const char *fmt, va_list args);

struct rb_log {
	rb_log_func_t func;
	void *data;
};

#endif
