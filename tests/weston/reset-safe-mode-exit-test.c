/* SPDX-License-Identifier: MIT */
/*
 * Safe mode is left on its own: with VMPLANE_RESET_BUDGET=2 the third reset
 * enters it, and once the driver has answered NO_ERROR for the quiet period
 * (VMPLANE_SAFE_QUIET_MS=300, probed every VMPLANE_SAFE_RETRY_MS=50) the
 * renderer recovers: clients see a reset and its recovered event, the
 * counters leave safe mode, the screen is drawn as before, and resets are
 * recovered again.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	return reset_run_compositor(harness, THIS_TEST_NAME, VMPLANE_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(safe_mode_is_left_when_the_gpu_stays_usable)
{
	struct client *client = create_client_and_test_surface(10, 10, 40, 40);
	struct buffer *before, *after;
	struct reset_watch w;
	double start;
	int i, n_log;

	assert(getenv("VMPLANE_SAFE_QUIET_MS") &&
	       strcmp(getenv("VMPLANE_SAFE_QUIET_MS"), "300") == 0);
	reset_watch_init(&w, client);
	before = capture_screenshot_of_output(client);

	for (int n = 0; n < 2; n++) {
		i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
		assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
	}
	i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	assert(w.log[i + 1].kind == RESET_LOG_DEGRADED);
	n_log = w.n_log;
	start = now_s();

	/* A reset event, then its recovered event, within a bounded time. */
	while (w.n_log < n_log + 2) {
		assert(now_s() - start < 20.0);
		reset_get_counters(&w);
		if (w.n_log < n_log + 2)
			usleep(10 * 1000);
	}
	fprintf(stderr, "left safe mode after %.3f s\n", now_s() - start);
	assert(now_s() - start >= 0.3);
	assert(w.log[n_log].kind == RESET_LOG_RESET);
	assert(w.log[n_log].serial > w.log[i].serial);
	assert(w.log[n_log + 1].kind == RESET_LOG_RECOVERED);
	assert(w.log[n_log + 1].serial == w.log[n_log].serial);

	reset_get_counters(&w);
	assert(w.counters[4] == 0);
	after = capture_screenshot_of_output(client);
	assert(reset_images_identical(before->image, after->image));
	buffer_destroy(after);

	/* A fresh budget: resets are recovered again. */
	i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT);
	assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
	after = capture_screenshot_of_output(client);
	assert(reset_images_identical(before->image, after->image));
	buffer_destroy(after);

	buffer_destroy(before);
	reset_watch_fini(&w);
	client_destroy(client);
}
