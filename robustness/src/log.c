/* SPDX-License-Identifier: MIT */
/*
 * rb_log_emit(): the library's only way out for a message, through the
 * caller's callback (dropped when there is none).
 */
#include <stdarg.h>
#include <stddef.h>

#include "log.h"

void
rb_log_emit(const struct rb_log *log, enum rb_log_level level,
	    const char *fmt, ...)
{
	va_list args;

	if (!log || !log->func)
		return;
	va_start(args, fmt);
	log->func(log->data, level, fmt, args);
	va_end(args);
}
