/* SPDX-License-Identifier: MIT */
/*
 * The Weston 14 front end's version guard: it accepts exactly the 14.0.x
 * releases abi/weston14.h was checked for. weston_version() and
 * weston_log() are this test's own, so the check runs without a compositor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vgr-version.h"

static int fake_major, fake_minor, fake_micro;
static char last_log[512];

void weston_version(int *major, int *minor, int *micro);
int weston_log(const char *fmt, ...);

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

static int checks, failures;

static void
expect(int major, int minor, int micro, bool accepted)
{
	bool got;

	fake_major = major;
	fake_minor = minor;
	fake_micro = micro;
	last_log[0] = '\0';
	got = vgr_version_check();
	checks++;
	if (got != accepted ||
	    (!accepted && !strstr(last_log, "refusing libweston")) ||
	    (accepted && last_log[0])) {
		failures++;
		printf("not ok %d - %d.%d.%d %s\n", checks, major, minor, micro,
		       accepted ? "accepted" : "refused with a log line");
	} else {
		printf("ok %d - %d.%d.%d %s\n", checks, major, minor, micro,
		       accepted ? "accepted" : "refused");
	}
}

int
main(void)
{
	expect(14, 0, 0, true);
	expect(14, 0, 2, true);
	expect(14, 0, 3, true);
	expect(14, 0, 4, false);
	expect(14, 1, 0, false);
	expect(13, 0, 0, false);
	expect(15, 0, 0, false);
	expect(10, 0, 1, false);
	printf("1..%d\n", checks);
	return failures ? 1 : 0;
}
