/* SPDX-License-Identifier: MIT */
/*
 * Past the reset budget (VMPLANE_RESET_BUDGET=2 for this test) the
 * renderer enters its safe mode: clients get a degraded event, stay
 * connected, and their commits are still accepted, released and answered
 * with frame callbacks, so none of them blocks. Screenshots are answered
 * at once (blank) and injections are refused with the reason. The quiet
 * period that would leave safe mode is set beyond the test's length.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	return reset_run_compositor(harness, THIS_TEST_NAME, VMPLANE_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

static void
handle_counters(void *data, struct vmplane_debug_v1 *d, uint32_t resets,
		uint32_t recoveries, uint32_t rebuilt, uint32_t usec,
		uint32_t safe_mode)
{
}

static void
handle_frames(void *data, struct vmplane_debug_v1 *d, uint32_t drawn,
	      uint32_t undrawn)
{
}

static void
handle_refused(void *data, struct vmplane_debug_v1 *d, uint32_t reason,
	       const char *message)
{
	*(int *)data = (int)reason;
	fprintf(stderr, "refused: %s\n", message);
}

static const struct vmplane_debug_v1_listener debug_v3_listener = {
	.counters = handle_counters,
	.frames = handle_frames,
	.refused = handle_refused,
};

static bool
image_blank(pixman_image_t *image)
{
	int w = pixman_image_get_width(image), h = pixman_image_get_height(image);
	int stride = pixman_image_get_stride(image) / 4;
	uint32_t *p = pixman_image_get_data(image);

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			if (p[y * stride + x] != 0)
				return false;
	return true;
}

static void
handle_release(void *data, struct wl_buffer *buffer)
{
	*(int *)data = 1;
}

static const struct wl_buffer_listener release_listener = {
	.release = handle_release,
};

TEST(budget_exceeded_enters_safe_mode_and_keeps_clients)
{
	struct client *client = create_client_and_test_surface(10, 10, 40, 40);
	struct reset_watch w;
	struct buffer *next, *shot;
	struct vmplane_debug_v1 *debug3;
	uint32_t undrawn;
	int refused = -1, n_log;
	int i, done = 0, released = 0;

	assert(getenv("VMPLANE_RESET_BUDGET") &&
	       strcmp(getenv("VMPLANE_RESET_BUDGET"), "2") == 0);
	reset_watch_init(&w, client);

	for (int n = 0; n < 2; n++) {
		i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
		assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
	}
	i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	assert(w.log[i].kind == RESET_LOG_RESET);
	assert(w.log[i + 1].kind == RESET_LOG_DEGRADED);
	assert(w.log[i + 1].serial == w.log[i].serial);

	reset_get_counters(&w);
	assert(w.counters[4] == 1);
	assert(reset_client_alive(client));
	undrawn = w.frames_undrawn;

	/* Commits still go through: the old buffer is released and the
	 * frame callback fires. */
	wl_buffer_add_listener(client->surface->buffer->proxy, &release_listener,
			       &released);
	next = create_shm_buffer_a8r8g8b8(client, 40, 40);
	wl_surface_attach(client->surface->wl_surface, next->proxy, 0, 0);
	wl_surface_damage(client->surface->wl_surface, 0, 0, 40, 40);
	frame_callback_set(client->surface->wl_surface, &done);
	wl_surface_commit(client->surface->wl_surface);
	frame_callback_wait(client, &done);
	client_roundtrip(client);
	assert(released);
	assert(reset_client_alive(client));
	/* Safe mode draws nothing, and says so for the frame it skipped. */
	reset_get_counters(&w);
	assert(w.frames_undrawn > undrawn);

	/* A screenshot is answered at once (the output's frame signal still
	 * fires), blank: the context with the last frame is gone. */
	shot = capture_screenshot_of_output(client);
	assert(image_blank(shot->image));
	buffer_destroy(shot);

	/* An injection is refused with the reason, on version 3 at once;
	 * no reset event follows. */
	debug3 = bind_to_singleton_global(client, &vmplane_debug_v1_interface, 3);
	vmplane_debug_v1_add_listener(debug3, &debug_v3_listener, &refused);
	n_log = w.n_log;
	vmplane_debug_v1_inject_reset(debug3, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	client_roundtrip(client);
	assert(refused == VMPLANE_DEBUG_V1_REFUSAL_SAFE_MODE);
	assert(w.n_log == n_log);
	/* Version 2 objects keep their old behaviour: no refused event. */
	vmplane_debug_v1_inject_reset(w.debug, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	assert(reset_client_alive(client));
	reset_get_counters(&w);
	assert(w.counters[4] == 1);
	vmplane_debug_v1_destroy(debug3);

	buffer_destroy(client->surface->buffer);
	client->surface->buffer = next;
	reset_watch_fini(&w);
	client_destroy(client);
}
