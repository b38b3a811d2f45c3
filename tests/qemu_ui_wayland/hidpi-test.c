/* SPDX-License-Identifier: MIT */
/*
 * HiDPI (issue 16, item 2): on a headless output with scale 2, the display
 * core lays the guest out at half a surface unit per guest pixel, so each
 * guest pixel is exactly one output pixel (no upscale), on pixman and GL.
 * Relative motion and the cursor follow the same 1:1 mapping.
 */
#include "config.h"

#include <stdio.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"

#include "core.h"
#include "fourcc.h"
#include "producer.h"
#include "shot-compare.h"

/* Logical size; the framebuffer and the screenshot are twice that. */
#define OUT_W 320
#define OUT_H 240
#define SCALE 2
#define GUEST_W 200
#define GUEST_H 150
#define BORDER_PX (2 * SCALE)
#define FRAME_ARGB 0xff303030u
#define BACKGROUND 0xff29527au

static const struct vmp_renderer_arg renderers[] = {
	{ .renderer = RENDERER_PIXMAN, .meta.name = "pixman" },
	{ .renderer = RENDERER_GL, .meta.name = "GL" },
};

static enum test_result_code
fixture_setup(struct weston_test_harness *harness, const struct vmp_renderer_arg *arg)
{
	struct compositor_setup setup;

	VMP_SETUP_HEADLESS(&setup, arg->renderer, OUT_W, OUT_H);
	setup.scale = SCALE;
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP_WITH_ARG(fixture_setup, renderers, meta);

static uint32_t
expected(int x, int y, void *data)
{
	const uint32_t *seed = data;

	if (x >= GUEST_W + 2 * BORDER_PX || y >= GUEST_H + 2 * BORDER_PX)
		return BACKGROUND;
	int gx = x - BORDER_PX, gy = y - BORDER_PX;
	if (gx < 0 || gy < 0 || gx >= GUEST_W || gy >= GUEST_H)
		return FRAME_ARGB;
	return producer_pattern((uint32_t)gx, (uint32_t)gy, *seed);
}

static bool
scaled(struct producer *p)
{
	return p->head->scale == SCALE && p->head->dst_w == GUEST_W / SCALE;
}

TEST(guest_pixels_are_output_pixels_at_scale_2)
{
	struct client *client = create_client();
	struct producer p;
	struct shot_report report;
	uint32_t seed = 7;

	assert(client);
	assert(producer_init(&p, client->wl_display, NULL, GUEST_W, GUEST_H, 500, 0, 0));
	producer_fill(&p, seed);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
				     VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	assert(producer_flush(&p));
	/* The window learns its output's scale once it is on it. */
	assert(producer_wait(&p, scaled, 2000));
	assert(producer_flush(&p));
	testlog("scale %d: window %ux%u, guest area %ux%u surface units\n", p.head->scale,
		p.head->win_w, p.head->win_h, p.head->dst_w, p.head->dst_h);

	struct buffer *shot = capture_screenshot_of_output(client);
	assert(pixman_image_get_width(shot->image) == OUT_W * SCALE);
	bool ok = shot_matches(shot->image, expected, &seed, 0, BACKGROUND, 1, &report);
	shot_report_print("scale 2", &report);
	if (!ok)
		write_image_as_png(shot->image, "qemu-ui-wayland-hidpi-failed.png");
	buffer_destroy(shot);
	assert(ok);

	/* Global 40,30 is 38,28 into the guest area (2-unit border): guest pixel 76,56. */
	weston_test_move_pointer(client->test->weston_test, 0, 1, 0, 40, 30);
	client_roundtrip(client);
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 5);
	testlog("pointer at surface 40,30: guest %u,%u\n", p.abs_x, p.abs_y);
	assert(p.abs_x == (40 - BORDER_PX / SCALE) * SCALE);
	assert(p.abs_y == (30 - BORDER_PX / SCALE) * SCALE);
	producer_fini(&p);
	client_destroy(client);
}
