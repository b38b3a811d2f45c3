/* SPDX-License-Identifier: MIT */
/*
 * Past the reset budget (VMPLANE_RESET_BUDGET=2 for this test) the
 * renderer enters its safe mode: clients get a degraded event, stay
 * connected, and their commits are still accepted, released and answered
 * with frame callbacks, so none of them blocks.
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
	struct buffer *next;
	uint32_t undrawn;
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

	buffer_destroy(client->surface->buffer);
	client->surface->buffer = next;
	reset_watch_fini(&w);
	client_destroy(client);
}
