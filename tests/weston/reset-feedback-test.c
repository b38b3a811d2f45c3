/* SPDX-License-Identifier: MIT */
/*
 * Presentation feedback across a GPU reset: a frame committed while the
 * recovery waits for the driver is refused by the repaint gate, and its
 * feedback must still end in a presented event once the recovery draws
 * again. (Weston aborted instead: the refused frame's feedback stayed on
 * the output and met the timestamp-less completion that restarts the
 * headless repaint loop.) Over reset-shim.so only: the driver reports the
 * reset for many polls, which keeps the recovery waiting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "presentation-time-client-protocol.h"
#include "reset-common.h"

/* Status polls answered with the reset: the detection, then the wait
 * (one poll per millisecond or so) while frames are committed. */
#define RESET_POLLS 200

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	if (!reset_shim_loaded()) {
		fprintf(stderr, "skip: reset-shim.so is not preloaded\n");
		return RESULT_SKIP;
	}
	return reset_run_compositor(harness, THIS_TEST_NAME, VMPLANE_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

struct feedback_state {
	struct wp_presentation *presentation;
	int presented, discarded;
};

static void
registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version)
{
	struct feedback_state *fs = data;

	if (strcmp(interface, wp_presentation_interface.name) == 0)
		fs->presentation = wl_registry_bind(registry, name,
						    &wp_presentation_interface, 1);
}

static void
registry_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	registry_global,
	registry_global_remove,
};

static void
feedback_sync_output(void *data, struct wp_presentation_feedback *fb,
		     struct wl_output *output)
{
}

static void
feedback_presented(void *data, struct wp_presentation_feedback *fb,
		   uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec,
		   uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
		   uint32_t flags)
{
	struct feedback_state *fs = data;

	fs->presented++;
	wp_presentation_feedback_destroy(fb);
}

static void
feedback_discarded(void *data, struct wp_presentation_feedback *fb)
{
	struct feedback_state *fs = data;

	fs->discarded++;
	wp_presentation_feedback_destroy(fb);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	feedback_sync_output,
	feedback_presented,
	feedback_discarded,
};

TEST(feedback_of_a_refused_frame_is_presented_after_recovery)
{
	struct client *client = create_client_and_test_surface(40, 30, 80, 60);
	struct feedback_state fs = { 0 };
	struct wl_registry *registry;
	struct wp_presentation_feedback *fb;
	struct reset_watch w;
	uint32_t undrawn;
	int first, done;

	registry = wl_display_get_registry(client->wl_display);
	wl_registry_add_listener(registry, &registry_listener, &fs);
	client_roundtrip(client);
	assert(fs.presentation);
	reset_watch_init(&w, client);
	reset_get_counters(&w);
	undrawn = w.frames_undrawn;
	first = w.n_log;

	/* The next repaint finds the reset; the recovery then waits while
	 * the driver keeps reporting it, refusing every repaint. */
	reset_shim_arm(RESET_SHIM_STATUS, RESET_POLLS, 0x8253);
	fb = wp_presentation_feedback(fs.presentation, client->surface->wl_surface);
	wp_presentation_feedback_add_listener(fb, &feedback_listener, &fs);
	reset_commit_again(client->surface, &done);
	frame_callback_wait(client, &done);
	/* A second frame, committed during the wait, is refused too. */
	fb = wp_presentation_feedback(fs.presentation, client->surface->wl_surface);
	wp_presentation_feedback_add_listener(fb, &feedback_listener, &fs);
	reset_commit_again(client->surface, &done);

	while (!reset_recovery_ended(&w, first) || fs.presented + fs.discarded < 2)
		assert(wl_display_dispatch(client->wl_display) >= 0);
	assert(reset_shim_pending(RESET_SHIM_STATUS) == 0);
	assert(w.log[first].kind == RESET_LOG_RESET);
	assert(w.log[first + 1].kind == RESET_LOG_RECOVERED);
	fprintf(stderr, "feedback: %d presented, %d discarded\n",
		fs.presented, fs.discarded);
	/* Both frames were shown: by the first frame the recovery drew. */
	assert(fs.presented == 2 && fs.discarded == 0);
	reset_get_counters(&w);
	assert(w.frames_undrawn == undrawn);
	assert(reset_client_alive(client));

	reset_watch_fini(&w);
	wp_presentation_destroy(fs.presentation);
	wl_registry_destroy(registry);
	client_destroy(client);
}
