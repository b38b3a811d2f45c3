/* SPDX-License-Identifier: MIT */
/* The core's log: every message goes to the vmpd_log the display was created with. */
#ifndef VMPD_LOG_H
#define VMPD_LOG_H

#include <vmplane/display.h>

void vmpd_log_emit(const struct vmpd_log *log, enum vmpd_log_level level,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
