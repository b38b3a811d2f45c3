/* The compositor set-up that the clients on Weston's test harness start
 * from (tests/weston, tests/qemu_ui_wayland, tests/qemu_e2e, bench). */
#ifndef VMPLANE_HARNESS_SETUP_H
#define VMPLANE_HARNESS_SETUP_H

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

/* Harness defaults, then `renderer` on a width x height headless output
 * with the test desktop shell; callers adjust the rest. */
static inline void
vmp_setup_headless(struct compositor_setup *setup, const char *testset,
		   enum renderer_type renderer, int width, int height)
{
	compositor_setup_defaults_(setup, testset);
	setup->renderer = renderer;
	setup->width = width;
	setup->height = height;
	setup->shell = SHELL_TEST_DESKTOP;
}

/* The same, named after the test program (THIS_TEST_NAME). */
#define VMP_SETUP_HEADLESS(setup, renderer, width, height) \
	vmp_setup_headless(setup, THIS_TEST_NAME, renderer, width, height)

/* Declares the fixture of a test that runs once, with `renderer` on a
 * width x height output. */
#define VMP_FIXTURE(renderer, width, height) \
	static enum test_result_code \
	vmp_fixture_setup(struct weston_test_harness *harness) \
	{ \
		struct compositor_setup setup; \
		VMP_SETUP_HEADLESS(&setup, renderer, width, height); \
		return weston_test_harness_execute_as_client(harness, &setup); \
	} \
	DECLARE_FIXTURE_SETUP(vmp_fixture_setup)

/* A fixture argument that picks the renderer. */
struct vmp_renderer_arg {
	struct fixture_metadata meta;
	enum renderer_type renderer;
};

/* Declares the fixture of a test that runs once with pixman and once with
 * GL on a width x height output, with the harness plugin's log scope. */
#define VMP_FIXTURE_PIXMAN_AND_GL(width, height) \
	static const struct vmp_renderer_arg vmp_renderer_args[] = { \
		{ .renderer = RENDERER_PIXMAN, .meta.name = "pixman" }, \
		{ .renderer = RENDERER_GL, .meta.name = "GL" }, \
	}; \
	static enum test_result_code \
	vmp_fixture_setup(struct weston_test_harness *harness, \
			  const struct vmp_renderer_arg *arg) \
	{ \
		struct compositor_setup setup; \
		VMP_SETUP_HEADLESS(&setup, arg->renderer, width, height); \
		setup.logging_scopes = "log,test-harness-plugin"; \
		return weston_test_harness_execute_as_client(harness, &setup); \
	} \
	DECLARE_FIXTURE_SETUP_WITH_ARG(vmp_fixture_setup, vmp_renderer_args, meta)

#endif
