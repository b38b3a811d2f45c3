/* SPDX-License-Identifier: MIT */
/*
 * Shared code of the GPU-reset tests on Weston's harness: robust context
 * probe, vmplane protocol clients, exact screenshot comparison.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness-setup.h"
#include "reset-common.h"
#include "reset-shim.h"
#include "vmplane/robustness.h"

#ifndef EGL_PLATFORM_SURFACELESS_MESA
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#endif

int
reset_probe_robust_context(void)
{
	int status = 0;
	pid_t pid;

	/* The child must not write out what the parent has buffered (TAP
	 * lines): valgrind's exit runs __libc_freeres, which flushes stdio
	 * even after _exit(). */
	fflush(stdout);
	fflush(stderr);
	pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rb_context_options opts = { 0 };
		struct rb_context *ctx;
		EGLDisplay dpy;
		int robust;

		dpy = rb_egl_get_platform_display(EGL_PLATFORM_SURFACELESS_MESA,
						  EGL_DEFAULT_DISPLAY, NULL);
		if (dpy == EGL_NO_DISPLAY)
			_exit(2);
		opts.display = dpy;
		opts.config = EGL_NO_CONFIG_KHR;
		ctx = rb_context_create(&opts);
		robust = ctx && rb_context_is_robust(ctx);
		rb_context_destroy(ctx);
		eglTerminate(dpy);
		_exit(robust ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -2;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 1;
	case 1:
		return 0;
	case 2:
		return -1;
	}
	/* E.g. valgrind's --error-exitcode after errors in the child. */
	fprintf(stderr, "robustness probe exited with status %d\n",
		WEXITSTATUS(status));
	return -2;
}

bool
reset_require_robust_context(void)
{
	const char *driver = getenv("GALLIUM_DRIVER");

	switch (reset_probe_robust_context()) {
	case 1:
		return true;
	case 0:
		fprintf(stderr, "skip: this driver has no robust context "
			"(GALLIUM_DRIVER=%s); GPU resets cannot be detected\n",
			driver ? driver : "");
		return false;
	case -1:
		fprintf(stderr, "skip: no surfaceless EGL display\n");
		return false;
	}
	fprintf(stderr, "skip: the robustness probe process failed "
		"(GALLIUM_DRIVER=%s; see its output above)\n",
		driver ? driver : "");
	return false;
}

static void
handle_reset(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	     uint32_t status)
{
	struct reset_watch *w = data;

	assert(w->n_log < RESET_LOG_MAX);
	w->log[w->n_log++] = (struct reset_log_entry){ RESET_LOG_RESET, serial, status };
}

static void
handle_recovered(void *data, struct vmplane_reset_notifier_v1 *n,
		 uint32_t serial, uint32_t usec)
{
	struct reset_watch *w = data;

	assert(w->n_log < RESET_LOG_MAX);
	w->log[w->n_log++] = (struct reset_log_entry){ RESET_LOG_RECOVERED, serial, usec };
}

static void
handle_degraded(void *data, struct vmplane_reset_notifier_v1 *n,
		uint32_t serial)
{
	struct reset_watch *w = data;

	assert(w->n_log < RESET_LOG_MAX);
	w->log[w->n_log++] = (struct reset_log_entry){ RESET_LOG_DEGRADED, serial, 0 };
}

static const struct vmplane_reset_notifier_v1_listener notifier_listener = {
	.reset = handle_reset,
	.recovered = handle_recovered,
	.degraded = handle_degraded,
};

static void
handle_counters(void *data, struct vmplane_debug_v1 *d, uint32_t resets,
		uint32_t recoveries, uint32_t rebuilt, uint32_t usec,
		uint32_t safe_mode)
{
	struct reset_watch *w = data;

	w->have_counters = true;
	w->counters[0] = resets;
	w->counters[1] = recoveries;
	w->counters[2] = rebuilt;
	w->counters[3] = usec;
	w->counters[4] = safe_mode;
}

static void
handle_frames(void *data, struct vmplane_debug_v1 *d, uint32_t drawn,
	      uint32_t undrawn)
{
	struct reset_watch *w = data;

	w->have_frames = true;
	w->frames_drawn = drawn;
	w->frames_undrawn = undrawn;
}

static const struct vmplane_debug_v1_listener debug_listener = {
	.counters = handle_counters,
	.frames = handle_frames,
};

bool
reset_shim_loaded(void)
{
	return dlsym(RTLD_DEFAULT, RESET_SHIM_ARM) != NULL;
}

void
reset_shim_arm(enum reset_shim_fault fault, unsigned int count, uint32_t status)
{
	reset_shim_arm_func_t arm =
		(reset_shim_arm_func_t)dlsym(RTLD_DEFAULT, RESET_SHIM_ARM);

	assert(arm);
	arm(fault, count, status);
}

unsigned int
reset_shim_pending(enum reset_shim_fault fault)
{
	reset_shim_pending_func_t pending =
		(reset_shim_pending_func_t)dlsym(RTLD_DEFAULT, RESET_SHIM_PENDING);

	assert(pending);
	return pending(fault);
}

unsigned int
reset_shim_fired(enum reset_shim_fault fault)
{
	reset_shim_fired_func_t fired =
		(reset_shim_fired_func_t)dlsym(RTLD_DEFAULT, RESET_SHIM_FIRED);

	assert(fired);
	return fired(fault);
}

/* Any repaint runs detection: a screenshot asks for one without a commit. */
static void
repaint_once(struct client *client)
{
	buffer_destroy(capture_screenshot_of_output(client));
}

/* Over the shim, the renderer must be the build without the injector: an
 * injection request followed by a repaint starts no reset. */
static void
assert_no_injector(struct reset_watch *w)
{
	uint32_t resets;

	reset_get_counters(w);
	resets = w->counters[0];
	vmplane_debug_v1_inject_reset(w->debug,
				      VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	repaint_once(w->client);
	client_roundtrip(w->client);
	reset_get_counters(w);
	assert(w->counters[0] == resets);
	assert(w->n_log == 0);
}

void
reset_watch_init(struct reset_watch *w, struct client *client)
{
	memset(w, 0, sizeof(*w));
	w->client = client;
	w->notifier = bind_to_singleton_global(client,
		&vmplane_reset_notifier_v1_interface, 1);
	vmplane_reset_notifier_v1_add_listener(w->notifier, &notifier_listener, w);
	w->debug = bind_to_singleton_global(client, &vmplane_debug_v1_interface, 2);
	vmplane_debug_v1_add_listener(w->debug, &debug_listener, w);
	client_roundtrip(client);
	if (reset_shim_loaded())
		assert_no_injector(w);
}

void
reset_watch_fini(struct reset_watch *w)
{
	vmplane_debug_v1_destroy(w->debug);
	vmplane_reset_notifier_v1_destroy(w->notifier);
}

bool
reset_recovery_ended(const struct reset_watch *w, int first)
{
	for (int i = first; i < w->n_log; i++)
		if (w->log[i].kind != RESET_LOG_RESET)
			return true;
	return false;
}

int
reset_inject_and_wait(struct reset_watch *w,
		      enum vmplane_debug_v1_reset_status status)
{
	int first = w->n_log;
	bool shim = reset_shim_loaded();
	unsigned int fired = 0;

	if (shim) {
		/* The detection and one poll of the wait see the reset, as
		 * after a real one; then the driver says NO_ERROR. */
		fired = reset_shim_fired(RESET_SHIM_STATUS);
		reset_shim_arm(RESET_SHIM_STATUS, 2, reset_gl_status(status));
		repaint_once(w->client);
	} else {
		vmplane_debug_v1_inject_reset(w->debug, status);
	}
	/* Blocks until the compositor says something; meson's timeout
	 * bounds a recovery that never ends. */
	while (!reset_recovery_ended(w, first))
		assert(wl_display_dispatch(w->client->wl_display) >= 0);
	/* Recovery waited for the driver's NO_ERROR, not just detected. */
	if (shim)
		assert(reset_shim_fired(RESET_SHIM_STATUS) == fired + 2 &&
		       reset_shim_pending(RESET_SHIM_STATUS) == 0);
	return first;
}

uint32_t
reset_gl_status(enum vmplane_debug_v1_reset_status status)
{
	switch (status) {
	case VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY:
		return 0x8253;	/* GL_GUILTY_CONTEXT_RESET */
	case VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT:
		return 0x8254;	/* GL_INNOCENT_CONTEXT_RESET */
	default:
		break;
	}
	return 0x8255;		/* GL_UNKNOWN_CONTEXT_RESET */
}

void
reset_commit_again(struct surface *s, int *done)
{
	wl_surface_attach(s->wl_surface, s->buffer->proxy, 0, 0);
	wl_surface_damage(s->wl_surface, 0, 0, s->width, s->height);
	frame_callback_set(s->wl_surface, done);
	wl_surface_commit(s->wl_surface);
}

void
reset_get_counters(struct reset_watch *w)
{
	w->have_counters = false;
	w->have_frames = false;
	vmplane_debug_v1_get_counters(w->debug);
	while (!w->have_counters || !w->have_frames)
		assert(wl_display_dispatch(w->client->wl_display) >= 0);
}

bool
reset_images_identical(pixman_image_t *a, pixman_image_t *b)
{
	int w = pixman_image_get_width(a), h = pixman_image_get_height(a);
	int sa = pixman_image_get_stride(a) / 4, sb = pixman_image_get_stride(b) / 4;
	uint32_t *pa = pixman_image_get_data(a), *pb = pixman_image_get_data(b);
	int n = 0, x1 = w, y1 = h, x2 = -1, y2 = -1;

	if (w != pixman_image_get_width(b) || h != pixman_image_get_height(b)) {
		fprintf(stderr, "image sizes differ\n");
		return false;
	}
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			if (pa[y * sa + x] == pb[y * sb + x])
				continue;
			if (n++ == 0)
				fprintf(stderr, "first difference at %d,%d: "
					"0x%08x vs 0x%08x\n", x, y,
					pa[y * sa + x], pb[y * sb + x]);
			x1 = x < x1 ? x : x1;
			y1 = y < y1 ? y : y1;
			x2 = x > x2 ? x : x2;
			y2 = y > y2 ? y : y2;
		}
	}
	if (n)
		fprintf(stderr, "%d pixels differ, within %d,%d-%d,%d\n",
			n, x1, y1, x2, y2);
	return n == 0;
}

bool
reset_client_alive(struct client *client)
{
	return wl_display_roundtrip(client->wl_display) >= 0 &&
	       wl_display_get_error(client->wl_display) == 0;
}

enum test_result_code
reset_run_compositor(struct weston_test_harness *harness, const char *testset_name,
		     const char *module_path)
{
	struct compositor_setup setup;

	if (!reset_require_robust_context())
		return RESULT_SKIP;
	/* The test set's name is its socket's: each binary passes its own. */
	vmp_setup_headless(&setup, testset_name, RENDERER_GL, 320, 240);
	setup.extra_module = module_path;
	return weston_test_harness_execute_as_client(harness, &setup);
}
