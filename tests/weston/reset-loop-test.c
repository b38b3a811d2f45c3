/* SPDX-License-Identifier: MIT */
/*
 * Repeated GPU resets: the reset and recovered events arrive in order on a
 * protocol client while a plain client stays connected, and many resets in
 * a row (100 by default, RESET_LOOP_COUNT to change) leave every
 * screenshot identical to the first one, without growing the heap. No
 * reset, on an idle desktop or during an animation, makes the backend
 * complete a frame that the renderer could not draw.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"
#include "reset-scene.h"


static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	return reset_run_compositor(harness, THIS_TEST_NAME, VMPLANE_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

TEST(protocol_client_sees_reset_then_recovered)
{
	struct client *plain = create_client_and_test_surface(200, 150, 40, 30);
	struct client *client = create_client();
	struct reset_watch w;
	int i;

	reset_watch_init(&w, client);
	i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	assert(w.n_log == i + 2);
	assert(w.log[i].kind == RESET_LOG_RESET);
	assert(w.log[i].arg == VMPLANE_RESET_NOTIFIER_V1_STATUS_GUILTY);
	assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
	assert(w.log[i + 1].serial == w.log[i].serial);

	i = reset_inject_and_wait(&w, VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT);
	assert(w.log[i].kind == RESET_LOG_RESET);
	assert(w.log[i].arg == VMPLANE_RESET_NOTIFIER_V1_STATUS_INNOCENT);
	assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
	/* Each reset has its own serial. */
	assert(w.log[i].serial != w.log[0].serial);

	/* The plain client knows nothing of this and is still served. */
	assert(reset_client_alive(plain));
	move_client(plain, 210, 160);
	assert(reset_client_alive(plain));

	reset_watch_fini(&w);
	client_destroy(client);
	client_destroy(plain);
}

/* The output now is exactly @first; on failure both go to PNGs named
 * after @name. */
static void
expect_screen_unchanged(struct client *client, struct buffer *first,
			const char *name, int n)
{
	struct buffer *shot = capture_screenshot_of_output(client);
	char path[64];

	if (!reset_images_identical(first->image, shot->image)) {
		fprintf(stderr, "screenshot after reset %d differs\n", n + 1);
		snprintf(path, sizeof(path), "%s-first.png", name);
		write_image_as_png(first->image, path);
		snprintf(path, sizeof(path), "%s-bad.png", name);
		write_image_as_png(shot->image, path);
		assert(!"screen changed");
	}
	buffer_destroy(shot);
}

static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

TEST(many_resets_leave_every_screenshot_identical)
{
	struct client *client = create_client();
	const char *env = getenv("RESET_LOOP_COUNT");
	int count = env ? atoi(env) : 100;
	struct reset_scene *scene;
	struct reset_watch w;
	struct buffer *first;
	size_t heap_warm = 0, heap_end;
	int n, i;

	assert(count > 0);
	reset_watch_init(&w, client);
	scene = reset_scene_create(client, 20, 40);
	first = capture_screenshot_of_output(client);

	for (n = 0; n < count; n++) {
		i = reset_inject_and_wait(&w, n % 2 ? VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT
						     : VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
		assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
		expect_screen_unchanged(client, first, "reset-loop", n);
		/* Keep the event log short; only order matters here. */
		w.n_log = 0;
		assert(reset_client_alive(client));
		if (n == count / 10)
			heap_warm = heap_in_use();
	}
	heap_end = heap_in_use();
	/* Whatever one recovery allocates, it frees (ASan/valgrind runs see
	 * the details; this bounds the drift in plain runs). */
	if (heap_warm == 0 && heap_end == 0)
		fprintf(stderr, "%d resets: malloc is not glibc's here (valgrind?), "
			"no heap figures; the tool checks leaks\n", count);
	else
		fprintf(stderr, "%d resets: heap %zu -> %zu bytes after warm-up\n",
			count, heap_warm, heap_end);
	if (count >= 50)
		assert(heap_end <= heap_warm + 512 * 1024);

	reset_get_counters(&w);
	assert(w.counters[0] >= (uint32_t)count);
	assert(w.counters[1] >= (uint32_t)count);
	assert(w.counters[4] == 0);
	/* Each recovery ends in a drawn frame; none was presented undrawn. */
	assert(w.frames_drawn >= (uint32_t)count);
	assert(w.frames_undrawn == 0);

	buffer_destroy(first);
	reset_scene_destroy(scene);
	reset_watch_fini(&w);
	client_destroy(client);
}

/* Resets land while the repaint loop runs, at a different point of the
 * frame each time: the repaint that finds the reset is failed (not
 * completed with nothing drawn) and the desktop comes back exactly. */
TEST(resets_during_an_animation_leave_no_undrawn_frame)
{
	struct client *client = create_client_and_test_surface(60, 50, 64, 48);
	struct reset_scene *scene;
	struct reset_watch w;
	struct buffer *first;
	int done = 0;
	int n, f, i;

	reset_watch_init(&w, client);
	scene = reset_scene_create(client, 20, 40);
	reset_commit_again(client->surface, &done);
	frame_callback_wait(client, &done);
	first = capture_screenshot_of_output(client);

	for (n = 0; n < 24; n++) {
		/* The same pixels on every frame: only the timing moves. */
		for (f = 0; f < n % 4; f++) {
			reset_commit_again(client->surface, &done);
			frame_callback_wait(client, &done);
		}
		reset_commit_again(client->surface, &done);
		if (n % 3)
			usleep((n % 3) * 5000);
		i = reset_inject_and_wait(&w, n % 2 ? VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT
						     : VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
		assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
		frame_callback_wait(client, &done);
		expect_screen_unchanged(client, first, "reset-animation", n);
		w.n_log = 0;
	}
	reset_get_counters(&w);
	assert(w.counters[4] == 0);
	assert(w.frames_undrawn == 0);

	buffer_destroy(first);
	reset_scene_destroy(scene);
	reset_watch_fini(&w);
	client_destroy(client);
}
