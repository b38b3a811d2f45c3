/* SPDX-License-Identifier: MIT */
/*
 * Resets signalled only by the driver's own answers (reset-shim.so below
 * the renderer built without the injector): a failed eglMakeCurrent with
 * EGL_CONTEXT_LOST, a failed eglSwapBuffers, GL_CONTEXT_LOST from
 * glGetError. Each is detected, recovered for real and leaves both outputs
 * as they were; two outputs, so every repaint switches surfaces and so
 * calls eglMakeCurrent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	if (!reset_shim_loaded()) {
		fprintf(stderr, "skip: reset-shim.so is not preloaded\n");
		return RESULT_SKIP;
	}
	return reset_run_compositor(harness, THIS_TEST_NAME,
				    VMPLANE_MODULE_PATH "," SECOND_HEAD_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

struct scene {
	struct client *client;
	struct output *outputs[2];
	struct surface *square;
	struct buffer *before[2];
	struct reset_watch w;
};

static void
capture(struct scene *s, struct buffer **shots)
{
	/* The second output first: the first one's surface is current after
	 * the square's frame, so the switch is what the first capture does. */
	for (int i = 1; i >= 0; i--) {
		s->client->output = s->outputs[i];
		shots[i] = capture_screenshot_of_output(s->client);
	}
}

static void
scene_init(struct scene *s)
{
	struct output *o;
	pixman_color_t c = { .alpha = 0xffff, .red = 0x2020, .green = 0x8080,
			     .blue = 0xc0c0 };
	pixman_image_t *solid = pixman_image_create_solid_fill(&c);
	int n = 0, done;

	s->client = create_client();
	wl_list_for_each(o, &s->client->output_list, link) {
		assert(n < 2);
		s->outputs[n++] = o;
	}
	assert(n == 2);
	reset_watch_init(&s->w, s->client);

	s->square = create_test_surface(s->client);
	s->square->width = 80;
	s->square->height = 60;
	s->square->buffer = create_shm_buffer_a8r8g8b8(s->client, 80, 60);
	pixman_image_composite32(PIXMAN_OP_SRC, solid, NULL,
				 s->square->buffer->image, 0, 0, 0, 0, 0, 0, 80, 60);
	pixman_image_unref(solid);
	weston_test_move_surface(s->client->test->weston_test,
				 s->square->wl_surface, 40, 50);
	reset_commit_again(s->square, &done);
	frame_callback_wait(s->client, &done);
	capture(s, s->before);
}

static void
scene_fini(struct scene *s)
{
	for (int i = 0; i < 2; i++)
		buffer_destroy(s->before[i]);
	surface_destroy(s->square);
	reset_watch_fini(&s->w);
	client_destroy(s->client);
}

/* Arms @fault once, repaints both outputs, and checks that exactly that
 * answer started one reset which recovered and restored both outputs. */
static void
driver_signal_recovers(enum reset_shim_fault fault, const char *name)
{
	struct scene s;
	struct buffer *after[2];
	unsigned int fired;
	uint32_t resets;
	int first;

	scene_init(&s);
	reset_get_counters(&s.w);
	resets = s.w.counters[0];
	first = s.w.n_log;
	fired = reset_shim_fired(fault);

	reset_shim_arm(fault, 1, 0);
	capture(&s, after);
	buffer_destroy(after[0]);
	buffer_destroy(after[1]);
	assert(reset_shim_fired(fault) == fired + 1);
	assert(reset_shim_pending(fault) == 0);

	while (s.w.n_log < first + 2)
		assert(wl_display_dispatch(s.client->wl_display) >= 0);
	assert(s.w.n_log == first + 2);
	assert(s.w.log[first].kind == RESET_LOG_RESET);
	assert(s.w.log[first].arg == VMPLANE_RESET_NOTIFIER_V1_STATUS_UNKNOWN);
	assert(s.w.log[first + 1].kind == RESET_LOG_RECOVERED);
	assert(s.w.log[first + 1].serial == s.w.log[first].serial);

	capture(&s, after);
	for (int i = 0; i < 2; i++) {
		if (!reset_images_identical(s.before[i]->image, after[i]->image)) {
			fprintf(stderr, "output %d changed across the %s reset\n",
				i, name);
			write_image_as_png(after[i]->image, "reset-shim-bad.png");
			assert(!"screen changed");
		}
		buffer_destroy(after[i]);
	}
	reset_get_counters(&s.w);
	assert(s.w.counters[0] == resets + 1);
	assert(s.w.counters[2] > 0);	/* GL objects were rebuilt */
	assert(s.w.counters[4] == 0);
	assert(s.w.frames_undrawn == 0);
	assert(reset_client_alive(s.client));
	fprintf(stderr, "%s: recovered in %u us\n", name, s.w.log[first + 1].arg);
	scene_fini(&s);
}

TEST(make_current_context_lost_recovers)
{
	driver_signal_recovers(RESET_SHIM_MAKE_CURRENT, "eglMakeCurrent");
}

TEST(failed_swap_recovers)
{
	driver_signal_recovers(RESET_SHIM_SWAP, "eglSwapBuffers");
}

TEST(gl_context_lost_error_recovers)
{
	driver_signal_recovers(RESET_SHIM_GL_ERROR, "glGetError");
}
