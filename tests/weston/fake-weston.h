/* SPDX-License-Identifier: MIT */
/* weston_version() and weston_log() for the version-guard tests: they give
 * the version a test sets and keep the last line logged (fake-weston.c). */
#ifndef VMPLANE_TESTS_FAKE_WESTON_H
#define VMPLANE_TESTS_FAKE_WESTON_H

void fake_weston_set_version(int major, int minor, int micro);
/* The last line given to weston_log(); "" after fake_weston_clear_log(). */
const char *fake_weston_last_log(void);
void fake_weston_clear_log(void);

#endif
