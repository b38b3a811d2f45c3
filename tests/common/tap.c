/* SPDX-License-Identifier: MIT */
/* TAP reporting for the C tests (see tap.h). */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned tap_points, tap_failures;

static void
tap_vprint(bool ok, const char *fmt, va_list ap)
{
	printf("%sok %u - ", ok ? "" : "not ", ++tap_points);
	vprintf(fmt, ap);
	putchar('\n');
}

static void
tap_done(bool ok, bool fatal, const char *file, int line)
{
	if (!ok) {
		tap_failures++;
		printf("# failed at %s:%d\n", file, line);
	}
	/* Flushed each time: a crash after a check still shows the check. */
	fflush(stdout);
	if (!ok && fatal)
		exit(tap_finish());
}

bool
tap_check(bool ok, bool fatal, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vprint(ok, fmt, ap);
	va_end(ap);
	tap_done(ok, fatal, file, line);
	return ok;
}

bool
tap_check_eq(bool is_signed, unsigned long long got, unsigned long long want,
	     const char *got_name, const char *want_name, bool fatal,
	     const char *file, int line, const char *fmt, ...)
{
	bool ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vprint(ok, fmt, ap);
	va_end(ap);
	if (!ok && got_name && want_name)
		printf("# got %s, want %s\n", got_name, want_name);
	else if (!ok && is_signed)
		printf("# got %lld, want %lld\n", (long long)got, (long long)want);
	else if (!ok)
		printf("# got %llu (%#llx), want %llu (%#llx)\n", got, got, want, want);
	tap_done(ok, fatal, file, line);
	return ok;
}

void
tap_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	/* After checks the skip is one more point; on its own, the plan says it. */
	if (tap_points)
		printf("ok %u # SKIP ", ++tap_points);
	else
		fputs("1..0 # SKIP ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (tap_points)
		exit(tap_finish());
	fflush(stdout);
	exit(0);
}

int
tap_finish(void)
{
	if (tap_points == 0) {
		/* Nothing was checked: report that as the one failed point. */
		printf("not ok 1 - the program made no check\n");
		tap_points = tap_failures = 1;
	}
	printf("1..%u\n", tap_points);
	if (tap_failures)
		printf("# %u of %u checks failed\n", tap_failures, tap_points);
	fflush(stdout);
	return tap_failures ? 1 : 0;
}
