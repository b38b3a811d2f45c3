/* SPDX-License-Identifier: MIT */
/* Internal logging entry point of the robustness library. */
#ifndef RB_SRC_LOG_H
#define RB_SRC_LOG_H

#include "vmplane/rb-log.h"

void rb_log_emit(const struct rb_log *log, enum rb_log_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
