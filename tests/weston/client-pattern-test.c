/* SPDX-License-Identifier: MIT */
/* A client surface with a known pattern, captured through the harness and
 * compared pixel by pixel, on every renderer fixture. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"

#include "pixel-check.h"

#define OUT_W 320
#define OUT_H 240
#define SURF_X 40
#define SURF_Y 30
#define SURF_W 64
#define SURF_H 48

/* The test shell paints (0.16, 0.32, 0.48); both renderers round it so. */
#define BACKGROUND 0xff29527au

VMP_FIXTURE_PIXMAN_AND_GL(OUT_W, OUT_H);

/* Every pixel differs from its neighbours in some channel, so an offset,
 * a flip or a swapped channel order all show up. */
static uint32_t
pattern(int x, int y)
{
	uint32_t r = (x * 4) & 0xff;
	uint32_t g = (y * 5) & 0xff;
	uint32_t b = ((x * y) ^ 0x5a) & 0xff;

	return 0xff000000u | r << 16 | g << 8 | b;
}

static uint32_t
expected_screen(int x, int y, void *data)
{
	(void)data;
	if (x >= SURF_X && x < SURF_X + SURF_W && y >= SURF_Y && y < SURF_Y + SURF_H)
		return pattern(x - SURF_X, y - SURF_Y);
	return BACKGROUND;
}

static struct client *
show_pattern(void)
{
	struct client *client;
	uint32_t *pix;
	int stride;

	client = create_client_and_test_surface(SURF_X, SURF_Y, SURF_W, SURF_H);
	assert(client);

	pix = pixman_image_get_data(client->surface->buffer->image);
	stride = pixman_image_get_stride(client->surface->buffer->image) / 4;
	for (int y = 0; y < SURF_H; y++)
		for (int x = 0; x < SURF_W; x++)
			pix[y * stride + x] = pattern(x, y);

	/* Re-attaching, damaging and committing waits for the frame. */
	move_client(client, SURF_X, SURF_Y);
	return client;
}

TEST(client_pattern_reaches_every_pixel)
{
	struct client *client = show_pattern();
	struct buffer *shot = capture_screenshot_of_output(client);
	struct vmp_pixel_report report;
	bool ok;

	assert(pixman_image_get_width(shot->image) == OUT_W);
	assert(pixman_image_get_height(shot->image) == OUT_H);

	ok = vmp_pixels_match(shot->image, expected_screen, NULL, 1, &report);
	vmp_pixel_report_print("client pattern", &report);
	if (!ok)
		write_image_as_png(shot->image, "client-pattern-failed.png");
	assert(ok);

	buffer_destroy(shot);
	client_destroy(client);
}

/* The comparison itself must notice a single wrong pixel, or the test
 * above could pass on anything. */
TEST(one_wrong_pixel_is_caught)
{
	struct client *client = show_pattern();
	struct buffer *shot = capture_screenshot_of_output(client);
	struct vmp_pixel_report report;
	uint32_t *pix = pixman_image_get_data(shot->image);
	int stride = pixman_image_get_stride(shot->image) / 4;
	int x = SURF_X + 17, y = SURF_Y + 11;

	pix[y * stride + x] ^= 0x00000040;
	assert(!vmp_pixels_match(shot->image, expected_screen, NULL, 1, &report));
	assert(report.mismatches == 1);
	assert(report.first_x == x && report.first_y == y);

	buffer_destroy(shot);
	client_destroy(client);
}
