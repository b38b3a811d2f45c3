/* SPDX-License-Identifier: MIT */
/*
 * The Weston 14 front end's version guard: it accepts exactly the 14.0.x
 * releases abi/weston14.h was checked for. weston_version() and
 * weston_log() are the test's own (../weston/fake-weston.c), so the check
 * runs without a compositor.
 */
#include <stdio.h>
#include <string.h>

#include "fake-weston.h"
#include "vgr-version.h"

static int checks, failures;

static void
expect(int major, int minor, int micro, bool accepted)
{
	bool got;

	fake_weston_set_version(major, minor, micro);
	fake_weston_clear_log();
	got = vgr_version_check();
	checks++;
	if (got != accepted ||
	    (!accepted && !strstr(fake_weston_last_log(), "refusing libweston")) ||
	    (accepted && fake_weston_last_log()[0])) {
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
