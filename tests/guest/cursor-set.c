/* SPDX-License-Identifier: MIT */
/*
 * Guest tool of the Linux test guest: sets a hardware cursor on the first
 * connected CRTC of /dev/dri/card0 (virtio-gpu's cursor queue) and holds
 * it. The 64x64 image has a colour per quadrant (red, green / blue, white)
 * and its hotspot at (HOT_X, HOT_Y), so the host can check orientation
 * and hotspot. Prints "CURSOR SET crtc <id>" (then "CURSOR DONE" when it
 * lets go of the device) or "CURSOR FAIL <why>".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#define SIZE 64
#define HOT_X 5
#define HOT_Y 9

static int
fail(const char *what)
{
	printf("CURSOR FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	int hold = argc > 1 ? atoi(argv[1]) : 60;
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open");
	drmModeRes *res = drmModeGetResources(fd);
	if (!res || res->count_crtcs < 1)
		return fail("resources");
	/* The CRTC fbcon lights for the first connector. */
	uint32_t crtc = 0;
	for (int i = 0; i < res->count_crtcs && !crtc; i++) {
		drmModeCrtc *c = drmModeGetCrtc(fd, res->crtcs[i]);
		if (c && c->mode_valid)
			crtc = c->crtc_id;
		drmModeFreeCrtc(c);
	}
	if (!crtc)
		return fail("no active crtc");

	struct drm_mode_create_dumb create = { .width = SIZE,
					       .height = SIZE,
					       .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return fail("create dumb");
	struct drm_mode_map_dumb map = { .handle = create.handle };
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return fail("map dumb");
	uint32_t *px = mmap(NULL, create.size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, (off_t)map.offset);
	if (px == MAP_FAILED)
		return fail("mmap");
	static const uint32_t colours[4] = { 0xffff0000u, 0xff00ff00u,
					     0xff0000ffu, 0xffffffffu };
	for (int y = 0; y < SIZE; y++)
		for (int x = 0; x < SIZE; x++)
			px[y * (create.pitch / 4) + x] =
				colours[(y >= SIZE / 2) * 2 + (x >= SIZE / 2)];
	if (drmModeSetCursor2(fd, crtc, create.handle, SIZE, SIZE, HOT_X,
			      HOT_Y))
		return fail("set cursor");
	printf("CURSOR SET crtc %u\n", crtc);
	fflush(stdout);
	/* Closing the device would give the CRTC back to fbcon, cursor off. */
	sleep((unsigned)hold);
	printf("CURSOR DONE\n");
	return 0;
}
