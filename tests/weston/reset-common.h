/* SPDX-License-Identifier: MIT */
/* Shared pieces of the GPU-reset tests: the vmplane protocols on a harness
 * client, exact screenshot comparison, and the robustness probe. */
#ifndef VMPLANE_TESTS_RESET_COMMON_H
#define VMPLANE_TESTS_RESET_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <pixman.h>

#include "weston-test-client-helper.h"
#include "vmplane-debug-v1-client-protocol.h"
#include "vmplane-reset-v1-client-protocol.h"
#include "reset-shim.h"

#define RESET_LOG_MAX 512

enum reset_log_kind {
	RESET_LOG_RESET,
	RESET_LOG_RECOVERED,
	RESET_LOG_DEGRADED,
};

struct reset_log_entry {
	enum reset_log_kind kind;
	uint32_t serial;
	uint32_t arg;	/* status for reset, duration (usec) for recovered */
};

struct reset_watch {
	struct client *client;
	struct vmplane_reset_notifier_v1 *notifier;
	struct vmplane_debug_v1 *debug;
	struct reset_log_entry log[RESET_LOG_MAX];
	int n_log;
	bool have_counters;
	uint32_t counters[5];	/* resets, recoveries, rebuilt, usec, safe */
	bool have_frames;
	uint32_t frames_drawn, frames_undrawn;
};

/*
 * Decided in a child process, so no EGL state leaks into the compositor:
 * 1 when the driver GALLIUM_DRIVER selects gives a robust context, 0 when
 * not, -1 when no EGL display at all, -2 when the probe process failed.
 */
int reset_probe_robust_context(void);
/* The probe, with the reason printed as a skip line when it is not 1. */
bool reset_require_robust_context(void);

/* The fixture most reset tests share: headless GL at 320x240, the test
 * shell and vmplane's module; a skip without a robust context. */
enum test_result_code reset_run_compositor(struct weston_test_harness *harness,
					   const char *testset_name,
					   const char *module_path);

/* Binds both vmplane globals on the client. */
void reset_watch_init(struct reset_watch *w, struct client *client);
void reset_watch_fini(struct reset_watch *w);

/* Whether w->log has a recovered or degraded event at index `first` or later. */
bool reset_recovery_ended(const struct reset_watch *w, int first);
/* Injects a reset and dispatches until its recovered (or degraded) event;
 * returns the index of the reset event in w->log. */
int reset_inject_and_wait(struct reset_watch *w,
			  enum vmplane_debug_v1_reset_status status);
/* Over reset-shim.so (LD_PRELOAD, the *-shim tests) the reset comes from
 * the driver's own answers instead of the injector, which that renderer
 * build lacks: reset_watch_init() then asserts an injection does nothing,
 * and reset_inject_and_wait() arms the shim's reset status and asks for a
 * repaint. */
bool reset_shim_loaded(void);
/* The shim's controls (reset-shim.h); only when it is loaded. */
void reset_shim_arm(enum reset_shim_fault fault, unsigned int count,
		    uint32_t status);
unsigned int reset_shim_pending(enum reset_shim_fault fault);
unsigned int reset_shim_fired(enum reset_shim_fault fault);
/* The GL reset status for a protocol one. */
uint32_t reset_gl_status(enum vmplane_debug_v1_reset_status status);

/* Commits @s's buffer again, fully damaged, with a frame callback that
 * sets *done: one frame of an animation whose pixels do not change. */
void reset_commit_again(struct surface *s, int *done);

/* Fills counters and frames_drawn/frames_undrawn. */
void reset_get_counters(struct reset_watch *w);

/* Every pixel equal; prints the first difference. */
bool reset_images_identical(pixman_image_t *a, pixman_image_t *b);

/* The client's connection is intact: a roundtrip works, no error. */
bool reset_client_alive(struct client *client);

#endif
