/*
 * Check reporting for the programs run inside the rig ("ok"/"not ok"
 * lines, failures counted for the exit status), plus clock and DRM lookup.
 */
#include "rig-check.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

static unsigned rig_checks, rig_failures;

bool rig_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	rig_checks++;
	if (!cond)
		rig_failures++;
	printf("%s ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

void rig_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int rig_finish(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, rig_checks, rig_failures);
	return rig_failures == 0 && rig_checks > 0 ? 0 : 1;
}

int64_t rig_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int rig_open_card(const char *driver)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		drmVersionPtr v = drmGetVersion(fd);
		bool match = v && strcmp(v->name, driver) == 0;
		drmFreeVersion(v);
		if (match)
			return fd;
		close(fd);
	}
	return -1;
}
