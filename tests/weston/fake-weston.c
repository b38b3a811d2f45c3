/* SPDX-License-Identifier: MIT */
/* The version-guard tests' weston_version() and weston_log(), exported so
 * that they interpose on libweston's for a dlopen'ed renderer too. */
#include <stdarg.h>
#include <stdio.h>

#include "fake-weston.h"

#define FAKE_EXPORT __attribute__((visibility("default")))

FAKE_EXPORT void weston_version(int *major, int *minor, int *micro);
FAKE_EXPORT int weston_log(const char *fmt, ...);

static int fake_major, fake_minor, fake_micro;
static char last_log[512];

void
fake_weston_set_version(int major, int minor, int micro)
{
	fake_major = major;
	fake_minor = minor;
	fake_micro = micro;
}

const char *
fake_weston_last_log(void)
{
	return last_log;
}

void
fake_weston_clear_log(void)
{
	last_log[0] = '\0';
}

void
weston_version(int *major, int *minor, int *micro)
{
	*major = fake_major;
	*minor = fake_minor;
	*micro = fake_micro;
}

int
weston_log(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(last_log, sizeof last_log, fmt, ap);
	va_end(ap);
	return n;
}
