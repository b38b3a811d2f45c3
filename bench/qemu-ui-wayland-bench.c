/* SPDX-License-Identifier: MIT */
/*
 * The display core's per-frame cost for a 1920x1080 guest, against the
 * scripted compositor (so only the core is measured):
 *   2d-damage  10% of the screen changes per frame (a moving band)
 *   2d-full    the whole frame is damaged: the baseline a path without
 *              damage tracking would pay every frame
 *   dmabuf     guest dma-bufs flipped on the zero-copy path
 *   fallback   the same dma-bufs when the compositor refuses them
 * Prints bytes the core copied per frame (its own instrumentation). Under
 * callgrind, collection is limited to the core's entry points
 * (see qemu-ui-wayland-bench.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake-compositor.h"
#include "fourcc.h"
#include "producer.h"

#define GW 1920
#define GH 1080

static bool released(struct producer *p)
{
	return !p->blocked;
}

static void frame(struct producer *p, const struct vmpd_rect *damage)
{
	if (vmpd_head_update(p->head, damage, -1) != VMPD_OK) {
		fprintf(stderr, "update failed\n");
		exit(1);
	}
	if (!producer_wait(p, released, 2000)) {
		fprintf(stderr, "frame never released\n");
		exit(1);
	}
}

static int guest_dmabuf(uint32_t seed)
{
	int fd = memfd_create("bench-guest", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)GW * GH * 4) != 0)
		exit(1);
	uint32_t *px = mmap(NULL, (size_t)GW * GH * 4, PROT_WRITE, MAP_SHARED, fd, 0);
	for (size_t i = 0; i < (size_t)GW * GH; i++)
		px[i] = seed * 0x010101u + (uint32_t)i;
	munmap(px, (size_t)GW * GH * 4);
	return fd;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "2d-damage";
	int frames = argc > 2 ? atoi(argv[2]) : 120;
	bool dmabuf_mode = strcmp(mode, "dmabuf") == 0 || strcmp(mode, "fallback") == 0;
	static const struct fake_format formats[] = {
		{ VMPD_FOURCC_XRGB8888, VMPD_MOD_LINEAR, true },
	};
	struct fake_config cfg = {
		.dmabuf_version = 4, .formats = formats, .n_formats = 1, .zero_copy = true,
		.fail_imports = strcmp(mode, "fallback") == 0,
	};
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	struct producer p;
	if (!fc || !producer_init(&p, NULL, fake_compositor_socket(fc), GW, GH, 500, 0, 0)) {
		fprintf(stderr, "cannot start (XDG_RUNTIME_DIR?)\n");
		return 1;
	}
	int bufs[2] = { -1, -1 };
	if (dmabuf_mode) {
		bufs[0] = guest_dmabuf(1);
		bufs[1] = guest_dmabuf(2);
	} else {
		producer_fill(&p, 1);
		if (vmpd_head_set_surface(p.head, GW, GH, GW * 4, VMPD_FOURCC_XRGB8888, p.pixels) !=
				VMPD_OK)
			return 1;
	}
	/* Warm-up: first frames fill every buffer once; steady state is what counts. */
	struct vmpd_stats before, after;
	for (int i = 0; i < frames + 4; i++) {
		if (i == 4)
			vmpd_head_get_stats(p.head, &before);
		if (dmabuf_mode) {
			struct vmpd_dmabuf d = {
				.n_planes = 1, .fd = { bufs[i & 1], -1, -1, -1 }, .stride = { GW * 4 },
				.fourcc = VMPD_FOURCC_XRGB8888, .modifier = VMPD_MOD_INVALID,
				.width = GW, .height = GH, .src = { 0, 0, GW, GH },
			};
			if (vmpd_head_set_dmabuf(p.head, &d) != VMPD_OK)
				return 1;
			frame(&p, NULL);
		} else if (strcmp(mode, "2d-full") == 0) {
			p.pixels[(size_t)(i % GH) * GW] ^= 0xffffff;
			frame(&p, NULL);
		} else {
			/* A band of 10% of the rows, moving down each frame. */
			struct vmpd_rect band = { 0, (uint32_t)(i * (GH / 10)) % GH, GW, GH / 10 };
			for (uint32_t y = band.y; y < band.y + band.height; y++)
				p.pixels[(size_t)y * GW + (uint32_t)i % GW] ^= 0xffffff;
			frame(&p, &band);
		}
	}
	vmpd_head_get_stats(p.head, &after);
	double bytes = (double)(after.bytes_copied - before.bytes_copied) / frames;
	double copies = (double)(after.copies - before.copies) / frames;
	printf("mode %s frames %d bytes_per_frame %.0f copies_per_frame %.2f zero_copy_frames %llu\n",
		mode, frames, bytes, copies,
		(unsigned long long)(after.frames_zero_copy - before.frames_zero_copy));
	producer_fini(&p);
	fake_compositor_stop(fc);
	for (int i = 0; i < 2; i++)
		if (bufs[i] >= 0)
			close(bufs[i]);
	return 0;
}
