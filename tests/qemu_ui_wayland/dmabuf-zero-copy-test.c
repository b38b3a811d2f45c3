/* SPDX-License-Identifier: MIT */
/*
 * The real dma-buf path: guest memory exported by /dev/udmabuf is handed to
 * the compositor as a linux-dmabuf wl_buffer, never copied by the core.
 * Needs /dev/udmabuf and a compositor that imports dma-bufs (the GL
 * renderer on a render node); skipped with the reason otherwise. Runs in
 * the real-kernel rig.
 */
#include "config.h"

#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
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
#define BUF_H 128
#define BORDER 2
#define FRAME_ARGB 0xff303030u
#define BACKGROUND 0xff29527au

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	struct compositor_setup setup;

	if (access("/dev/udmabuf", R_OK | W_OK) != 0) {
		fprintf(stderr, "SKIP: no /dev/udmabuf: no kernel dma-buf exporter on this machine\n");
		return RESULT_SKIP;
	}
	if (access("/dev/dri/renderD128", R_OK | W_OK) != 0) {
		fprintf(stderr, "SKIP: no render node: the compositor cannot import dma-bufs\n");
		return RESULT_SKIP;
	}
	VMP_SETUP_HEADLESS(&setup, RENDERER_GL, OUT_W, OUT_H);
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

struct guest_buffer {
	int memfd, dmabuf;
	uint32_t *pixels;
	size_t size;
};

/* Guest RAM is a sealed memfd; udmabuf turns a range of it into a dma-buf. */
static bool guest_buffer_create(struct guest_buffer *g, uint32_t seed)
{
	g->size = (size_t)BUF_W * BUF_H * 4;
	g->memfd = memfd_create("guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert(g->memfd >= 0 && ftruncate(g->memfd, (off_t)g->size) == 0);
	assert(fcntl(g->memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	g->pixels = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	assert(g->pixels != MAP_FAILED);
	for (uint32_t y = 0; y < BUF_H; y++)
		for (uint32_t x = 0; x < BUF_W; x++)
			g->pixels[y * BUF_W + x] = producer_pattern(x, y, seed);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	assert(dev >= 0);
	struct udmabuf_create c = { .memfd = (uint32_t)g->memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 0, .size = g->size };
	g->dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	return g->dmabuf >= 0;
}

static void guest_buffer_destroy(struct guest_buffer *g)
{
	munmap(g->pixels, g->size);
	close(g->dmabuf);
	close(g->memfd);
}

static struct vmpd_dmabuf describe(const struct guest_buffer *g, bool y0_top)
{
	return (struct vmpd_dmabuf){
		.n_planes = 1, .fd = { g->dmabuf, -1, -1, -1 }, .stride = { BUF_W * 4 },
		.fourcc = VMPD_FOURCC_XRGB8888, .modifier = VMPD_MOD_INVALID,
		.width = BUF_W, .height = BUF_H, .src = { 0, 0, BUF_W, BUF_H }, .y0_top = y0_top,
	};
}

struct expect {
	uint32_t seed;
	bool flipped;
};

static uint32_t expected(int x, int y, void *data)
{
	const struct expect *e = data;
	if (x >= BUF_W + 2 * BORDER || y >= BUF_H + 2 * BORDER)
		return BACKGROUND;
	int sx = x - BORDER, sy = y - BORDER;
	if (sx < 0 || sy < 0 || sx >= BUF_W || sy >= BUF_H)
		return FRAME_ARGB;
	if (e->flipped)
		sy = BUF_H - 1 - sy;
	return producer_pattern((uint32_t)sx, (uint32_t)sy, e->seed);
}

static void check_screen(struct client *client, const struct expect *e, const char *what)
{
	struct buffer *shot = capture_screenshot_of_output(client);
	struct shot_report report;
	bool ok = shot_matches(shot->image, expected, (void *)e, 0, BACKGROUND, 1, &report);
	shot_report_print(what, &report);
	assert(ok);
	buffer_destroy(shot);
}

TEST(udmabuf_scanout_is_zero_copy_and_oriented)
{
	struct producer p;
	struct client *client = create_client();
	struct guest_buffer a, b;
	struct vmpd_stats st;

	assert(producer_init(&p, client->wl_display, NULL, 1, 1, 500, 0, 0));
	assert(vmpd_display_dmabuf_version(p.display) >= 3);
	assert(guest_buffer_create(&a, 7) && guest_buffer_create(&b, 8));

	struct vmpd_dmabuf d = describe(&a, false);
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	assert(producer_flush(&p));
	struct expect e = { .seed = 7 };
	check_screen(client, &e, "udmabuf");

	d = describe(&b, true);
	assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	assert(producer_flush(&p));
	e = (struct expect){ .seed = 8, .flipped = true };
	check_screen(client, &e, "udmabuf-y0-top");

	for (int i = 0; i < 6; i++) {
		d = describe(i & 1 ? &b : &a, true);
		assert(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
		assert(producer_flush(&p));
	}
	vmpd_head_get_stats(p.head, &st);
	testlog("imports %llu hits %llu bytes copied %llu scanout tranche %d\n",
		(unsigned long long)st.dmabuf_imports, (unsigned long long)st.dmabuf_cache_hits,
		(unsigned long long)st.bytes_copied, st.scanout_tranche);
	assert(!st.fallback);
	assert(st.bytes_copied == 0);
	/* a was first imported upright: its y0_top twin is one more import. */
	assert(st.dmabuf_cache_hits == 5);
	assert(st.dmabuf_imports == 3);
	producer_fini(&p);
	guest_buffer_destroy(&a);
	guest_buffer_destroy(&b);
	client_destroy(client);
}
