/* SPDX-License-Identifier: MIT */
/*
 * The dma-buf path when the compositor cannot import (here: no
 * linux-dmabuf at all, as on Mesa's surfaceless EGL): the core maps the
 * buffer and shows it through the shm path, cropped to the scanout
 * rectangle and flipped for y0_top, and counts the copies. A memfd stands
 * in for the guest's udmabuf.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"

#include "core.h"
#include "fourcc.h"
#include "producer.h"
#include "shot-compare.h"

#define OUT_W 320
#define OUT_H 240
#define BUF_W 256
#define BUF_H 160
#define BORDER 2
#define FRAME_ARGB 0xff303030u
#define BACKGROUND 0xff29527au

VMP_FIXTURE(RENDERER_PIXMAN, OUT_W, OUT_H);

struct fake_dmabuf {
	int fd;
	uint32_t *pixels;
	size_t size;
};

static void fake_create(struct fake_dmabuf *f, uint32_t seed)
{
	f->size = (size_t)BUF_W * BUF_H * 4;
	f->fd = memfd_create("fake-udmabuf", MFD_CLOEXEC);
	assert(f->fd >= 0 && ftruncate(f->fd, (off_t)f->size) == 0);
	f->pixels = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	assert(f->pixels != MAP_FAILED);
	for (uint32_t y = 0; y < BUF_H; y++)
		for (uint32_t x = 0; x < BUF_W; x++)
			f->pixels[y * BUF_W + x] = producer_pattern(x, y, seed);
}

static void fake_destroy(struct fake_dmabuf *f)
{
	munmap(f->pixels, f->size);
	close(f->fd);
}

static struct vmpd_dmabuf describe(const struct fake_dmabuf *f, struct vmpd_rect src,
	bool y0_top)
{
	return (struct vmpd_dmabuf){
		.n_planes = 1, .fd = { f->fd, -1, -1, -1 }, .stride = { BUF_W * 4 },
		.fourcc = VMPD_FOURCC_XRGB8888, .modifier = VMPD_MOD_INVALID,
		.width = BUF_W, .height = BUF_H, .src = src, .y0_top = y0_top,
	};
}

struct expect {
	struct vmpd_rect src;
	uint32_t seed;
	bool flipped;
};

static uint32_t expected(int x, int y, void *data)
{
	const struct expect *e = data;
	int w = (int)e->src.width, h = (int)e->src.height;
	if (x >= w + 2 * BORDER || y >= h + 2 * BORDER)
		return BACKGROUND;
	int sx = x - BORDER, sy = y - BORDER;
	if (sx < 0 || sy < 0 || sx >= w || sy >= h)
		return FRAME_ARGB;
	if (e->flipped)
		sy = h - 1 - sy;
	return producer_pattern(e->src.x + (uint32_t)sx, e->src.y + (uint32_t)sy, e->seed);
}

static void check_screen(struct client *client, const struct expect *e, const char *what)
{
	struct buffer *shot = capture_screenshot_of_output(client);
	struct shot_report report;
	bool ok = shot_matches(shot->image, expected, (void *)e, 0, BACKGROUND, 1, &report);
	shot_report_print(what, &report);
	if (!ok)
		write_image_as_png(shot->image, "qemu-ui-wayland-dmabuf-fallback-failed.png");
	assert(ok);
	buffer_destroy(shot);
}

TEST(fallback_crops_flips_and_counts)
{
	struct producer p;
	struct client *client = create_client();
	struct fake_dmabuf a, b;
	struct vmpd_stats st;

	assert(producer_init(&p, client->wl_display, NULL, 1, 1, 500, 0, 0));
	assert(vmpd_display_dmabuf_version(p.display) == 0);
	fake_create(&a, 5);
	fake_create(&b, 6);

	/* A scanout rectangle inside a larger backing buffer. */
	struct vmpd_rect src = { 24, 10, 200, 120 };
	struct vmpd_dmabuf d = describe(&a, src, false);
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	assert(producer_flush(&p));
	struct expect e = { .src = src, .seed = 5 };
	check_screen(client, &e, "crop");
	vmpd_head_get_stats(p.head, &st);
	assert(st.fallback);
	assert(st.copies == 1);
	assert(st.bytes_copied == (uint64_t)src.width * src.height * 4);

	/* y0_top: the guest's row 0 is the bottom of the picture. */
	d = describe(&b, src, true);
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	assert(producer_flush(&p));
	e = (struct expect){ .src = src, .seed = 6, .flipped = true };
	check_screen(client, &e, "y0_top");

	/* Flipping back and forth reuses both cached mappings. */
	for (int i = 0; i < 4; i++) {
		d = describe(i & 1 ? &b : &a, src, i & 1);
		assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
		assert(producer_flush(&p));
	}
	vmpd_head_get_stats(p.head, &st);
	testlog("cache hits %llu\n", (unsigned long long)st.dmabuf_cache_hits);
	assert(st.dmabuf_cache_hits == 4);
	e = (struct expect){ .src = src, .seed = 6, .flipped = true };
	check_screen(client, &e, "flip");

	/* The guest pans: same buffer, another scanout rectangle of the same size. */
	struct vmpd_rect panned = { 40, 30, 200, 120 };
	d = describe(&a, panned, false);
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	assert(producer_flush(&p));
	vmpd_head_get_stats(p.head, &st);
	assert(st.dmabuf_cache_hits == 5);
	e = (struct expect){ .src = panned, .seed = 5 };
	check_screen(client, &e, "panned");

	/* Bad descriptions are refused and leave the current frame alone. */
	d = describe(&a, (struct vmpd_rect){ 200, 0, 100, 10 }, false);
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_ERR_RECT);
	d = describe(&a, src, false);
	d.fd[0] = -1;
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_ERR_BAD_FD);
	d = describe(&a, src, false);
	d.stride[0] = 16;
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_ERR_STRIDE);
	check_screen(client, &e, "after-bad");

	producer_fini(&p);
	fake_destroy(&a);
	fake_destroy(&b);
	client_destroy(client);
}
