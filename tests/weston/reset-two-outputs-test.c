/* SPDX-License-Identifier: MIT */
/*
 * GPU resets with two outputs: every output's repaint during a recovery is
 * failed and restarted (none completed undrawn), Weston's repaint state
 * stays consistent (a wrong one asserts in weston_output_finish_frame), and
 * both outputs come back exactly, idle and while a client on each animates.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	return reset_run_compositor(harness, THIS_TEST_NAME,
				    VMPLANE_MODULE_PATH "," SECOND_HEAD_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

struct shots {
	struct buffer *of[2];
};

static void
capture_both(struct client *client, struct output **outputs, struct shots *s)
{
	for (int i = 0; i < 2; i++) {
		client->output = outputs[i];
		s->of[i] = capture_screenshot_of_output(client);
	}
}

static void
shots_fini(struct shots *s)
{
	for (int i = 0; i < 2; i++)
		buffer_destroy(s->of[i]);
}

static struct surface *
square(struct client *client, int x, int y, uint32_t argb)
{
	struct surface *s = create_test_surface(client);
	pixman_color_t c = {
		.alpha = (argb >> 24) * 0x101, .red = ((argb >> 16) & 0xff) * 0x101,
		.green = ((argb >> 8) & 0xff) * 0x101, .blue = (argb & 0xff) * 0x101,
	};
	pixman_image_t *solid = pixman_image_create_solid_fill(&c);
	int done;

	s->width = 80;
	s->height = 60;
	s->buffer = create_shm_buffer_a8r8g8b8(client, 80, 60);
	pixman_image_composite32(PIXMAN_OP_SRC, solid, NULL, s->buffer->image,
				 0, 0, 0, 0, 0, 0, 80, 60);
	pixman_image_unref(solid);
	weston_test_move_surface(client->test->weston_test, s->wl_surface, x, y);
	wl_surface_attach(s->wl_surface, s->buffer->proxy, 0, 0);
	wl_surface_damage(s->wl_surface, 0, 0, 80, 60);
	frame_callback_set(s->wl_surface, &done);
	wl_surface_commit(s->wl_surface);
	frame_callback_wait(client, &done);
	return s;
}

TEST(resets_restore_both_outputs)
{
	struct client *client = create_client();
	struct output *outputs[2] = { NULL, NULL };
	struct output *o;
	struct surface *left, *right;
	struct reset_watch w;
	struct shots first, shot;
	int done[2] = { 0, 0 };
	int n = 0, i;

	wl_list_for_each(o, &client->output_list, link) {
		assert(n < 2);
		outputs[n++] = o;
	}
	assert(n == 2);
	/* Left to right, whatever order the registry gave. */
	if (outputs[0]->x > outputs[1]->x) {
		o = outputs[0];
		outputs[0] = outputs[1];
		outputs[1] = o;
	}
	assert(outputs[1]->x == outputs[0]->x + outputs[0]->width);

	reset_watch_init(&w, client);
	left = square(client, 40, 50, 0xff2080c0);
	right = square(client, outputs[1]->x + 120, 90, 0xa0c04020);
	capture_both(client, outputs, &first);

	for (int r = 0; r < 20; r++) {
		bool animate = r % 2;

		if (animate) {
			reset_commit_again(left, &done[0]);
			reset_commit_again(right, &done[1]);
			usleep((r % 5) * 3000);
		}
		i = reset_inject_and_wait(&w, r % 2 ? VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT
						     : VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
		assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
		if (animate) {
			frame_callback_wait(client, &done[0]);
			frame_callback_wait(client, &done[1]);
		}
		capture_both(client, outputs, &shot);
		for (int k = 0; k < 2; k++) {
			if (!reset_images_identical(first.of[k]->image,
						    shot.of[k]->image)) {
				fprintf(stderr, "output %d differs after reset %d\n",
					k, r + 1);
				write_image_as_png(first.of[k]->image,
						   "reset-two-outputs-first.png");
				write_image_as_png(shot.of[k]->image,
						   "reset-two-outputs-bad.png");
				assert(!"screen changed");
			}
		}
		shots_fini(&shot);
		w.n_log = 0;
	}
	reset_get_counters(&w);
	assert(w.counters[1] >= 20);
	assert(w.counters[4] == 0);
	assert(w.frames_undrawn == 0);

	shots_fini(&first);
	surface_destroy(left);
	surface_destroy(right);
	reset_watch_fini(&w);
	client_destroy(client);
}
