/* SPDX-License-Identifier: MIT */
/* The core's log: forwards to the caller's callback; the core never prints. */
#include <stdarg.h>

#include "log.h"

void
vmpd_log_emit(const struct vmpd_log *log, enum vmpd_log_level level,
	      const char *fmt, ...)
{
	va_list args;
	if (!log || !log->func)
		return;
	va_start(args, fmt);
	log->func(log->data, level, fmt, args);
	va_end(args);
}
