/* Check reporting and small helpers shared by every program run in the rig. */
#ifndef RIG_CHECK_H
#define RIG_CHECK_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Tiny check reporter for the programs that run inside the rig: each check
 * prints "ok"/"not ok" and failures are counted for the exit status.
 */
bool rig_check(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print a diagnostic line ("# ...") that is not a check. */
void rig_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 0 when every check passed, 1 otherwise; prints a summary line. */
int rig_finish(const char *name);

/* Monotonic time in nanoseconds. */
int64_t rig_now_ns(void);

/*
 * Open the DRM primary node (/dev/dri/cardN) whose driver is `driver`.
 * Returns the fd or -1.
 */
int rig_open_card(const char *driver);

#endif
