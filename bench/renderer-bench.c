/*
 * Renderer throughput: 32 overlapping ARGB surfaces on a 1920x1080 headless
 * output, 8 of them redrawn and damaged every frame. Prints frames per
 * second for whichever gl-renderer.so WESTON_MODULE_MAP selects;
 * bench/renderer-bench.sh runs it for ours and for stock Weston's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#define OUT_W 1920
#define OUT_H 1080
#define N_SURF 32
#define SURF_W 640
#define SURF_H 480
#define DAMAGED_PER_FRAME 8
#define WARMUP 10
#define FRAMES 150

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	struct compositor_setup setup;

	compositor_setup_defaults(&setup);
	setup.renderer = RENDERER_GL;
	setup.width = OUT_W;
	setup.height = OUT_H;
	setup.shell = SHELL_TEST_DESKTOP;
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

static void
paint(struct buffer *buf, int frame, int idx)
{
	uint32_t *pix = pixman_image_get_data(buf->image);
	int stride = pixman_image_get_stride(buf->image) / 4;
	/* Translucent premultiplied colour that changes every frame. */
	uint32_t a = 0xa0, c = (uint32_t)(frame * 7 + idx * 31) & 0x9f;
	uint32_t v = a << 24 | c << 16 | (0x9f - c) << 8 | (c / 2);

	for (int y = 0; y < SURF_H; y++)
		for (int x = 0; x < SURF_W; x++)
			pix[y * stride + x] = v;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(overlapping_argb_surfaces)
{
	struct client *client = create_client();
	struct surface *surf[N_SURF];
	double t0 = 0;
	int i, f;

	for (i = 0; i < N_SURF; i++) {
		int done = 0;

		surf[i] = create_test_surface(client);
		surf[i]->width = SURF_W;
		surf[i]->height = SURF_H;
		surf[i]->buffer = create_shm_buffer_a8r8g8b8(client, SURF_W, SURF_H);
		paint(surf[i]->buffer, 0, i);
		weston_test_move_surface(client->test->weston_test,
					 surf[i]->wl_surface,
					 (i % 8) * 180, (i / 8) * 150);
		wl_surface_attach(surf[i]->wl_surface, surf[i]->buffer->proxy, 0, 0);
		wl_surface_damage(surf[i]->wl_surface, 0, 0, SURF_W, SURF_H);
		frame_callback_set(surf[i]->wl_surface, &done);
		wl_surface_commit(surf[i]->wl_surface);
		frame_callback_wait(client, &done);
	}

	for (f = 0; f < WARMUP + FRAMES; f++) {
		int done = 0;

		if (f == WARMUP)
			t0 = now();
		for (i = 0; i < DAMAGED_PER_FRAME; i++) {
			struct surface *s = surf[(f * DAMAGED_PER_FRAME + i) % N_SURF];

			paint(s->buffer, f, i);
			wl_surface_attach(s->wl_surface, s->buffer->proxy, 0, 0);
			wl_surface_damage(s->wl_surface, 0, 0, SURF_W, SURF_H);
			if (i == DAMAGED_PER_FRAME - 1)
				frame_callback_set(s->wl_surface, &done);
			wl_surface_commit(s->wl_surface);
		}
		frame_callback_wait(client, &done);
	}
	printf("renderer-bench fps: %.2f\n", FRAMES / (now() - t0));
	client_destroy(client);
}
