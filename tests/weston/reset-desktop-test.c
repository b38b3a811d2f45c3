/* SPDX-License-Identifier: MIT */
/*
 * The desktop survives a GPU reset: with the real desktop shell (panel and
 * background drawn by its client) and with the test shell (a solid colour
 * background owned by the compositor), plus shm ARGB, shm YUV and a
 * subsurface tree, a screenshot after an injected reset and its recovery
 * equals the one before, pixel for pixel, with no client committing in
 * between. Guilty and innocent resets both recover.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"

#include "reset-common.h"
#include "reset-scene.h"

#define OUT_W 400
#define OUT_H 300
#define BACKGROUND 0xff204060u
#define PANEL 0xff806040u

struct setup_args {
	struct fixture_metadata meta;
	enum shell_type shell;
};

static const struct setup_args my_setup_args[] = {
	{ .shell = SHELL_DESKTOP, .meta.name = "desktop-shell" },
	{ .shell = SHELL_TEST_DESKTOP, .meta.name = "test-shell" },
};

static enum test_result_code
fixture_setup(struct weston_test_harness *harness, const struct setup_args *arg)
{
	struct compositor_setup setup;

	if (!reset_require_robust_context())
		return RESULT_SKIP;

	VMP_SETUP_HEADLESS(&setup, RENDERER_GL, OUT_W, OUT_H);
	setup.shell = arg->shell;
	setup.extra_module = VMPLANE_MODULE_PATH;
	setup.logging_scopes = "log,vmplane";
	/* A deterministic desktop: solid background, clock-less panel, no
	 * animations, no idle lock. */
	weston_ini_setup(&setup,
			 cfgln("[core]"),
			 cfgln("idle-time=0"),
			 cfgln("[shell]"),
			 cfgln("background-color=0x%08x", BACKGROUND),
			 cfgln("panel-color=0x%08x", PANEL),
			 cfgln("clock-format=none"),
			 cfgln("locking=false"),
			 cfgln("animation=none"),
			 cfgln("startup-animation=none"),
			 cfgln("close-animation=none"),
			 cfgln("focus-animation=none"));

	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP_WITH_ARG(fixture_setup, my_setup_args, meta);

static uint32_t
pixel(struct buffer *shot, int x, int y)
{
	uint32_t *p = pixman_image_get_data(shot->image);

	return p[y * pixman_image_get_stride(shot->image) / 4 + x];
}

/* The desktop shell's client draws on its own schedule: wait until its
 * background and panel are up and two shots agree. */
static struct buffer *
settled_screenshot(struct client *client, bool desktop)
{
	struct buffer *prev = NULL, *shot;
	struct timespec pause = { 0, 50 * 1000 * 1000 };

	for (int i = 0; i < 200; i++) {
		shot = capture_screenshot_of_output(client);
		if (prev && reset_images_identical(prev->image, shot->image) &&
		    (!desktop || (pixel(shot, OUT_W - 3, OUT_H - 3) == BACKGROUND &&
				  pixel(shot, OUT_W - 3, 3) == PANEL))) {
			buffer_destroy(prev);
			return shot;
		}
		if (prev)
			buffer_destroy(prev);
		prev = shot;
		nanosleep(&pause, NULL);
	}
	write_image_as_png(prev->image, "reset-desktop-never-settled.png");
	assert(!"the desktop never settled");
	return NULL;
}

static void
reset_restores_everything(enum vmplane_debug_v1_reset_status status,
			  uint32_t expected_status, const char *name)
{
	const struct setup_args *arg = &my_setup_args[get_test_fixture_index()];
	bool desktop = arg->shell == SHELL_DESKTOP;
	struct client *client = create_client();
	struct reset_scene *scene;
	struct reset_watch w;
	struct buffer *before, *after;
	uint32_t resets_before;
	char png[64];
	int i, px, py;

	reset_watch_init(&w, client);
	scene = reset_scene_create(client, 30, 60);
	before = settled_screenshot(client, desktop);
	reset_scene_probe_point(scene, &px, &py);
	/* The scene is really on screen, not just the background. */
	assert(pixel(before, px, py) != pixel(before, OUT_W - 3, OUT_H - 3));

	reset_get_counters(&w);
	resets_before = w.counters[0];

	i = reset_inject_and_wait(&w, status);
	assert(w.n_log == i + 2);
	assert(w.log[i].kind == RESET_LOG_RESET);
	assert(w.log[i].arg == expected_status);
	assert(w.log[i + 1].kind == RESET_LOG_RECOVERED);
	assert(w.log[i + 1].serial == w.log[i].serial);

	/* No commit since the first shot: all of it is restored by us. */
	after = capture_screenshot_of_output(client);
	if (!reset_images_identical(before->image, after->image)) {
		snprintf(png, sizeof png, "reset-%s-%s-before.png", name, arg->meta.name);
		write_image_as_png(before->image, png);
		snprintf(png, sizeof png, "reset-%s-%s-after.png", name, arg->meta.name);
		write_image_as_png(after->image, png);
		assert(!"the screen changed across the reset");
	}

	reset_get_counters(&w);
	assert(w.counters[0] == resets_before + 1);
	assert(w.counters[2] > 0);	/* GL objects were rebuilt */
	assert(w.counters[4] == 0);
	assert(reset_client_alive(client));
	fprintf(stderr, "%s reset on %s: recovered in %u us, %u objects rebuilt\n",
		name, arg->meta.name, w.log[i + 1].arg, w.counters[2]);

	buffer_destroy(before);
	buffer_destroy(after);
	reset_scene_destroy(scene);
	reset_watch_fini(&w);
	client_destroy(client);
}

TEST(guilty_reset_restores_the_desktop)
{
	reset_restores_everything(VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY,
				  VMPLANE_RESET_NOTIFIER_V1_STATUS_GUILTY, "guilty");
}

TEST(innocent_reset_restores_the_desktop)
{
	reset_restores_everything(VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT,
				  VMPLANE_RESET_NOTIFIER_V1_STATUS_INNOCENT, "innocent");
}

TEST(unknown_reset_restores_the_desktop)
{
	reset_restores_everything(VMPLANE_DEBUG_V1_RESET_STATUS_UNKNOWN,
				  VMPLANE_RESET_NOTIFIER_V1_STATUS_UNKNOWN, "unknown");
}
