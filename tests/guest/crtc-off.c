/* SPDX-License-Identifier: MIT */
/*
 * Guest tool of the Linux test guest: turns off the CRTC that drives
 * connector N (1-based, as in Virtual-N) of /dev/dri/card0 for HOLD
 * seconds, as a display server would; on exit fbcon's emulation lights it
 * again. Prints "CRTC OFF <n>" when off and "CRTC BACK <n>" at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

static int
fail(const char *what)
{
	printf("CRTC FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	int hold = argc > 2 ? atoi(argv[2]) : 10;
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open");
	drmModeRes *res = drmModeGetResources(fd);
	if (!res || n < 1 || n > res->count_connectors)
		return fail("no such connector");
	drmModeConnector *conn = drmModeGetConnector(fd,
						     res->connectors[n - 1]);
	drmModeEncoder *enc = conn && conn->encoder_id
				      ? drmModeGetEncoder(fd, conn->encoder_id)
				      : NULL;
	if (!enc || !enc->crtc_id)
		return fail("connector drives no crtc");
	/* Another client (cursor-set) may be ending: wait to be master. */
	for (int i = 0; i < 100 && drmSetMaster(fd); i++)
		usleep(100 * 1000);
	if (drmModeSetCrtc(fd, enc->crtc_id, 0, 0, 0, NULL, 0, NULL))
		return fail("set crtc");
	printf("CRTC OFF %d\n", n);
	fflush(stdout);
	sleep((unsigned)hold);
	printf("CRTC BACK %d\n", n);
	return 0;
}
