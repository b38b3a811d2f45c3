/* SPDX-License-Identifier: MIT */
/*
 * Public API of the GPU reset recovery state machine; pure logic, with time,
 * status and context re-creation supplied by the caller's hooks.
 */
#ifndef VMPLANE_RB_RECOVERY_H
#define VMPLANE_RB_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "vmplane/rb-log.h"
#include "vmplane/rb-registry.h"
#include "vmplane/rb-status.h"

/*
 * The reset recovery state machine. Pure logic: time, the status query and
 * the context re-creation come from hooks, so it runs under a fake clock in
 * unit tests and on a real rb_context in the renderer.
 *
 *   RUNNING --reset seen--> LOST --recover()--> WAITING --NO_ERROR or
 *   wait budget spent--> REBUILDING --> RUNNING
 *
 * Usage:
 *   - At the start of every output repaint call rb_recovery_check().
 *     RB_CHECK_OK: paint. RB_CHECK_SCHEDULE_RECOVERY: a reset was just
 *     detected; do not paint, schedule an idle callback that calls
 *     rb_recovery_recover(). RB_CHECK_SKIP / RB_CHECK_SAFE_MODE: do not
 *     touch GL.
 *   - A failed eglMakeCurrent/eglSwapBuffers or EGL_CONTEXT_LOST goes to
 *     rb_recovery_report_reset(), which answers the same way.
 *   - rb_recovery_recover() does all the heavy work, never inside the
 *     detection call stack: it polls the status until NO_ERROR (bounded by
 *     wait_budget_ns; RB_RECOVER_RETRY means call again after
 *     rb_recovery_retry_delay_ns()), then calls forget on every registered
 *     resource, re-creates the context, rebuilds the registry in dependency
 *     order and calls damage_all. RB_RECOVER_DONE: repaint everything.
 *   - A reset reported during the rebuild, or a status other than NO_ERROR
 *     right after it, counts as a new reset and the machine starts over.
 *   - Every reset is recorded; more than reset_budget resets inside
 *     reset_window_ns enter SAFE_MODE with one RB_LOG_ERROR line. If the
 *     context cannot be re-created, SAFE_MODE too.
 *
 * SAFE MODE (the choice made here): the compositor keeps running and keeps
 * every client connected; it stops all GPU work, leaves the last frame on
 * screen (nothing is presented any more) and keeps accepting and releasing
 * client buffers so clients never block. Registered resources are forgotten
 * (no GL calls) but stay registered, so rb_recovery_leave_safe_mode() (an
 * operator or debug request) can try a full recovery again.
 *
 * Leaving it on its own: call rb_recovery_safe_mode_poll() after each
 * rb_recovery_safe_mode_delay_ns(). It asks query_status; once the driver
 * has answered NO_ERROR at every poll for safe_quiet_ns it leaves safe mode
 * (SAFE_MODE -> LOST, as rb_recovery_leave_safe_mode()) and the caller runs
 * rb_recovery_recover(). While the reset is still reported the delay
 * doubles from safe_retry_ns up to safe_retry_max_ns, and each return to
 * safe mode starts from double the previous episode's first delay, so a
 * GPU that keeps failing is retried ever more rarely. Every probe outcome
 * is logged.
 *
 *   SAFE_MODE --NO_ERROR for safe_quiet_ns--> LOST --> ... --> RUNNING
 */

enum rb_state {
	RB_STATE_RUNNING,
	RB_STATE_LOST,
	RB_STATE_WAITING,
	RB_STATE_REBUILDING,
	RB_STATE_SAFE_MODE,
};

enum rb_check_result {
	RB_CHECK_OK,
	RB_CHECK_SCHEDULE_RECOVERY,
	RB_CHECK_SKIP,
	RB_CHECK_SAFE_MODE,
};

enum rb_recover_result {
	/* Back to RUNNING: damage everything and repaint. */
	RB_RECOVER_DONE,
	/* Call rb_recovery_recover() again after rb_recovery_retry_delay_ns(). */
	RB_RECOVER_RETRY,
	RB_RECOVER_SAFE_MODE,
	/* Nothing to recover (RUNNING). */
	RB_RECOVER_IDLE,
};

struct rb_recovery_hooks {
	/* Monotonic nanoseconds; NULL uses CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *data);
	/* Required: the current reset status (rb_context_query_status). */
	enum rb_reset_status (*query_status)(void *data);
	/* Required: destroy the old context, create a new one, make it
	 * current. Resources were already forgotten. */
	bool (*recreate_context)(void *data);
	/* Optional: after a successful rebuild, damage every output. */
	void (*damage_all)(void *data);
	/* Optional: every state change (e.g. protocol reset/recovered). */
	void (*state_changed)(void *data, enum rb_state old_state,
			      enum rb_state new_state,
			      enum rb_reset_status status);
};

struct rb_recovery_config {
	/* Poll for NO_ERROR at most this long (default 2 s). */
	uint64_t wait_budget_ns;
	/* Suggested delay between polls (default 5 ms). */
	uint64_t poll_interval_ns;
	/* Resets recovered per window before SAFE_MODE (default 3). */
	unsigned int reset_budget;
	/* Window of the reset budget (default 60 s). */
	uint64_t reset_window_ns;
	/* Safe mode's first probe delay (default 1 s), its cap (default
	 * 60 s), and how long the GPU must stay usable (default 10 s). */
	uint64_t safe_retry_ns;
	uint64_t safe_retry_max_ns;
	uint64_t safe_quiet_ns;
};

struct rb_counters {
	uint64_t resets;
	uint64_t guilty;
	uint64_t innocent;
	uint64_t unknown;
	uint64_t recoveries;
	uint64_t failed_recoveries;
	uint64_t resources_rebuilt;
	uint64_t resources_failed;
	/* Detection to RUNNING of the last successful recovery. */
	uint64_t last_recovery_ns;
	unsigned int last_rebuilt;
	enum rb_reset_status last_status;
	bool safe_mode;
};

struct rb_recovery;

void rb_recovery_config_init(struct rb_recovery_config *config);

/* config NULL = defaults; registry may be NULL; hooks are copied. */
struct rb_recovery *rb_recovery_create(const struct rb_recovery_config *config,
				       const struct rb_recovery_hooks *hooks,
				       void *data,
				       struct rb_registry *registry,
				       const struct rb_log *log);
void rb_recovery_destroy(struct rb_recovery *rec);

enum rb_check_result rb_recovery_check(struct rb_recovery *rec);
enum rb_check_result rb_recovery_report_reset(struct rb_recovery *rec,
					      enum rb_reset_status status);
enum rb_recover_result rb_recovery_recover(struct rb_recovery *rec);

/* SAFE_MODE -> LOST with a cleared reset history; then call recover(). */
bool rb_recovery_leave_safe_mode(struct rb_recovery *rec);

enum rb_safe_poll_result {
	/* Still in safe mode: poll again after rb_recovery_safe_mode_delay_ns(). */
	RB_SAFE_POLL_STAY,
	/* Left: the state is LOST, call rb_recovery_recover(). */
	RB_SAFE_POLL_LEAVE,
	/* Not in safe mode: nothing to do. */
	RB_SAFE_POLL_IDLE,
};

enum rb_safe_poll_result rb_recovery_safe_mode_poll(struct rb_recovery *rec);
uint64_t rb_recovery_safe_mode_delay_ns(const struct rb_recovery *rec);

enum rb_state rb_recovery_get_state(const struct rb_recovery *rec);
uint64_t rb_recovery_retry_delay_ns(const struct rb_recovery *rec);
void rb_recovery_get_counters(const struct rb_recovery *rec,
			      struct rb_counters *out);

const char *rb_state_name(enum rb_state state);

#endif
