/* SPDX-License-Identifier: MIT */
/*
 * The reset recovery state machine. Detection only records the reset; all
 * heavy work happens in rb_recovery_recover(), never in the detecting stack.
 */
#include <stdlib.h>

#include "vmplane/clock.h"
#include "vmplane/rb-recovery.h"
#include "log.h"

#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)

struct rb_recovery {
	struct rb_recovery_config config;
	struct rb_recovery_hooks hooks;
	void *data;
	struct rb_registry *registry;
	struct rb_log log;

	enum rb_state state;
	enum rb_reset_status status;
	/* First detection of the reset being recovered. */
	uint64_t recovery_start_ns;
	uint64_t wait_start_ns;
	/* A reset reported while REBUILDING, handled when the rebuild ends. */
	enum rb_reset_status rebuild_reset;
	bool in_recover;

	/* Ring of the last reset_budget + 1 detection times. */
	uint64_t *reset_times;
	unsigned int n_reset_times;
	unsigned int reset_times_head;

	/* Safe mode's probing: the delay before the next probe, the first
	 * delay of the next episode, and since when the GPU is usable (0:
	 * not usable at the last probe). */
	uint64_t safe_delay_ns;
	uint64_t safe_next_first_ns;
	uint64_t safe_usable_since_ns;

	struct rb_counters counters;
};

static uint64_t
monotonic_ns(void *data)
{
	return vmplane_now_ns();
}

static uint64_t
now_ns(const struct rb_recovery *rec)
{
	return rec->hooks.now_ns(rec->data);
}

void
rb_recovery_config_init(struct rb_recovery_config *config)
{
	config->wait_budget_ns = 2 * NS_PER_S;
	config->poll_interval_ns = 5 * NS_PER_MS;
	config->reset_budget = 3;
	config->reset_window_ns = 60 * NS_PER_S;
	config->safe_retry_ns = 1 * NS_PER_S;
	config->safe_retry_max_ns = 60 * NS_PER_S;
	config->safe_quiet_ns = 10 * NS_PER_S;
}

struct rb_recovery *
rb_recovery_create(const struct rb_recovery_config *config,
		   const struct rb_recovery_hooks *hooks, void *data,
		   struct rb_registry *registry, const struct rb_log *log)
{
	struct rb_recovery *rec;

	if (!hooks || !hooks->query_status || !hooks->recreate_context)
		return NULL;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	if (config)
		rec->config = *config;
	else
		rb_recovery_config_init(&rec->config);
	rec->hooks = *hooks;
	if (!rec->hooks.now_ns)
		rec->hooks.now_ns = monotonic_ns;
	rec->data = data;
	rec->registry = registry;
	if (log)
		rec->log = *log;
	rec->reset_times = calloc(rec->config.reset_budget + 1,
				  sizeof(uint64_t));
	if (!rec->reset_times) {
		free(rec);
		return NULL;
	}
	rec->state = RB_STATE_RUNNING;
	if (!rec->config.safe_retry_ns)
		rec->config.safe_retry_ns = NS_PER_MS;
	if (rec->config.safe_retry_max_ns < rec->config.safe_retry_ns)
		rec->config.safe_retry_max_ns = rec->config.safe_retry_ns;
	rec->safe_next_first_ns = rec->config.safe_retry_ns;
	return rec;
}

void
rb_recovery_destroy(struct rb_recovery *rec)
{
	if (!rec)
		return;
	free(rec->reset_times);
	free(rec);
}

static void
set_state(struct rb_recovery *rec, enum rb_state state)
{
	enum rb_state old = rec->state;

	if (old == state)
		return;
	rec->state = state;
	rec->counters.safe_mode = state == RB_STATE_SAFE_MODE;
	if (rec->hooks.state_changed)
		rec->hooks.state_changed(rec->data, old, state, rec->status);
}

/* Only the last reset_budget + 1 times can decide the budget. */
static void
record_reset_time(struct rb_recovery *rec, uint64_t now)
{
	unsigned int cap = rec->config.reset_budget + 1;

	rec->reset_times[rec->reset_times_head] = now;
	rec->reset_times_head = (rec->reset_times_head + 1) % cap;
	if (rec->n_reset_times < cap)
		rec->n_reset_times++;
}

static unsigned int
resets_in_window(const struct rb_recovery *rec)
{
	uint64_t now = now_ns(rec);
	unsigned int inside = 0;

	for (unsigned int i = 0; i < rec->n_reset_times; i++) {
		if (now - rec->reset_times[i] < rec->config.reset_window_ns)
			inside++;
	}
	return inside;
}

static void
enter_lost(struct rb_recovery *rec, enum rb_reset_status status)
{
	uint64_t now = now_ns(rec);

	if (status == RB_RESET_NONE)
		status = RB_RESET_UNKNOWN;
	rec->counters.resets++;
	if (status == RB_RESET_GUILTY)
		rec->counters.guilty++;
	else if (status == RB_RESET_INNOCENT)
		rec->counters.innocent++;
	else
		rec->counters.unknown++;
	rec->counters.last_status = status;
	rec->status = status;
	record_reset_time(rec, now);
	/* A reset during a rebuild continues the same recovery. */
	if (rec->state == RB_STATE_RUNNING)
		rec->recovery_start_ns = now;
	rb_log_emit(&rec->log, RB_LOG_WARNING,
		    "GPU reset detected (status %s, reset #%llu); "
		    "GL work stopped until recovery",
		    rb_reset_status_name(status),
		    (unsigned long long)rec->counters.resets);
	set_state(rec, RB_STATE_LOST);
}

enum rb_check_result
rb_recovery_check(struct rb_recovery *rec)
{
	enum rb_reset_status status;

	switch (rec->state) {
	case RB_STATE_RUNNING:
		status = rec->hooks.query_status(rec->data);
		if (status == RB_RESET_NONE)
			return RB_CHECK_OK;
		enter_lost(rec, status);
		return RB_CHECK_SCHEDULE_RECOVERY;
	case RB_STATE_SAFE_MODE:
		return RB_CHECK_SAFE_MODE;
	case RB_STATE_LOST:
	case RB_STATE_WAITING:
	case RB_STATE_REBUILDING:
		break;
	}
	return RB_CHECK_SKIP;
}

enum rb_check_result
rb_recovery_report_reset(struct rb_recovery *rec, enum rb_reset_status status)
{
	if (status == RB_RESET_NONE)
		status = RB_RESET_UNKNOWN;
	switch (rec->state) {
	case RB_STATE_RUNNING:
		enter_lost(rec, status);
		return RB_CHECK_SCHEDULE_RECOVERY;
	case RB_STATE_REBUILDING:
		if (rec->rebuild_reset == RB_RESET_NONE)
			rec->rebuild_reset = status;
		return RB_CHECK_SKIP;
	case RB_STATE_SAFE_MODE:
		return RB_CHECK_SAFE_MODE;
	case RB_STATE_LOST:
	case RB_STATE_WAITING:
		break;
	}
	return RB_CHECK_SKIP;
}

static enum rb_recover_result
enter_safe_mode(struct rb_recovery *rec, const char *why)
{
	/* Handles die with the context; nothing may touch them any more. */
	rb_registry_forget_all(rec->registry);
	/* Backoff across episodes: a GPU that fails again soon after safe
	 * mode was left is probed less often. */
	rec->safe_delay_ns = rec->safe_next_first_ns;
	rec->safe_next_first_ns = rec->safe_delay_ns * 2;
	if (rec->safe_next_first_ns > rec->config.safe_retry_max_ns)
		rec->safe_next_first_ns = rec->config.safe_retry_max_ns;
	rec->safe_usable_since_ns = 0;
	rb_log_emit(&rec->log, RB_LOG_ERROR,
		    "GPU reset recovery gave up (%s): entering safe mode. "
		    "GPU rendering stopped, the last frame stays on screen, "
		    "clients stay connected; the GPU is probed again in "
		    "%.3f s", why, (double)rec->safe_delay_ns / (double)NS_PER_S);
	set_state(rec, RB_STATE_SAFE_MODE);
	return RB_RECOVER_SAFE_MODE;
}

static enum rb_recover_result
rebuild(struct rb_recovery *rec)
{
	struct rb_rebuild_result result = { 0 };
	enum rb_reset_status status;
	uint64_t now;

	set_state(rec, RB_STATE_REBUILDING);
	rec->rebuild_reset = RB_RESET_NONE;
	rb_registry_forget_all(rec->registry);
	if (!rec->hooks.recreate_context(rec->data)) {
		rec->counters.failed_recoveries++;
		return enter_safe_mode(rec, "the GL context could not be re-created");
	}
	rb_registry_rebuild_all(rec->registry, &result);
	rec->counters.resources_rebuilt += result.rebuilt;
	rec->counters.resources_failed += result.failed;
	rec->counters.last_rebuilt = result.rebuilt;

	status = rec->rebuild_reset;
	if (status == RB_RESET_NONE)
		status = rec->hooks.query_status(rec->data);
	rec->rebuild_reset = RB_RESET_NONE;
	if (status != RB_RESET_NONE) {
		rec->counters.failed_recoveries++;
		enter_lost(rec, status);
		return RB_RECOVER_RETRY;
	}

	now = now_ns(rec);
	rec->counters.recoveries++;
	rec->counters.last_recovery_ns = now - rec->recovery_start_ns;
	rec->status = RB_RESET_NONE;
	rb_log_emit(&rec->log, RB_LOG_INFO,
		    "GPU reset recovered in %.3f ms: %u resources rebuilt, "
		    "%u failed",
		    (double)rec->counters.last_recovery_ns / (double)NS_PER_MS,
		    result.rebuilt, result.failed);
	set_state(rec, RB_STATE_RUNNING);
	if (rec->hooks.damage_all)
		rec->hooks.damage_all(rec->data);
	return RB_RECOVER_DONE;
}

static enum rb_recover_result
step(struct rb_recovery *rec)
{
	enum rb_reset_status status;
	uint64_t waited;

	switch (rec->state) {
	case RB_STATE_RUNNING:
		return RB_RECOVER_IDLE;
	case RB_STATE_SAFE_MODE:
		return RB_RECOVER_SAFE_MODE;
	case RB_STATE_REBUILDING:
		/* Only reachable re-entrantly, which recover() refuses. */
		return RB_RECOVER_RETRY;
	case RB_STATE_LOST:
		if (resets_in_window(rec) > rec->config.reset_budget)
			return enter_safe_mode(rec, "reset budget exceeded");
		rec->wait_start_ns = now_ns(rec);
		set_state(rec, RB_STATE_WAITING);
		/* fall through */
	case RB_STATE_WAITING:
		break;
	}

	status = rec->hooks.query_status(rec->data);
	if (status != RB_RESET_NONE) {
		waited = now_ns(rec) - rec->wait_start_ns;
		if (waited < rec->config.wait_budget_ns)
			return RB_RECOVER_RETRY;
		rb_log_emit(&rec->log, RB_LOG_WARNING,
			    "reset still reported (%s) after %.0f ms; "
			    "re-creating the context anyway",
			    rb_reset_status_name(status),
			    (double)waited / (double)NS_PER_MS);
	}
	return rebuild(rec);
}

enum rb_recover_result
rb_recovery_recover(struct rb_recovery *rec)
{
	enum rb_recover_result result;

	if (rec->in_recover)
		return RB_RECOVER_RETRY;
	rec->in_recover = true;
	result = step(rec);
	rec->in_recover = false;
	return result;
}

bool
rb_recovery_leave_safe_mode(struct rb_recovery *rec)
{
	if (rec->state != RB_STATE_SAFE_MODE)
		return false;
	rec->n_reset_times = 0;
	rec->reset_times_head = 0;
	rec->status = RB_RESET_UNKNOWN;
	rec->recovery_start_ns = now_ns(rec);
	rb_log_emit(&rec->log, RB_LOG_INFO,
		    "leaving safe mode: trying a full recovery");
	set_state(rec, RB_STATE_LOST);
	return true;
}

enum rb_safe_poll_result
rb_recovery_safe_mode_poll(struct rb_recovery *rec)
{
	enum rb_reset_status status;
	uint64_t now, usable;

	if (rec->state != RB_STATE_SAFE_MODE)
		return RB_SAFE_POLL_IDLE;
	status = rec->hooks.query_status(rec->data);
	now = now_ns(rec);
	if (status != RB_RESET_NONE) {
		rec->safe_usable_since_ns = 0;
		rec->safe_delay_ns *= 2;
		if (rec->safe_delay_ns > rec->config.safe_retry_max_ns)
			rec->safe_delay_ns = rec->config.safe_retry_max_ns;
		rb_log_emit(&rec->log, RB_LOG_INFO,
			    "safe mode: the driver still reports a reset (%s); "
			    "next probe in %.3f s",
			    rb_reset_status_name(status),
			    (double)rec->safe_delay_ns / (double)NS_PER_S);
		return RB_SAFE_POLL_STAY;
	}
	if (!rec->safe_usable_since_ns) {
		rec->safe_usable_since_ns = now;
		rb_log_emit(&rec->log, RB_LOG_INFO,
			    "safe mode: the GPU answers again; leaving safe "
			    "mode if it stays quiet for %.3f s",
			    (double)rec->config.safe_quiet_ns / (double)NS_PER_S);
	}
	usable = now - rec->safe_usable_since_ns;
	if (usable < rec->config.safe_quiet_ns) {
		/* Probe again at the first delay, or when the period ends. */
		rec->safe_delay_ns = rec->config.safe_retry_ns;
		if (rec->safe_delay_ns > rec->config.safe_quiet_ns - usable)
			rec->safe_delay_ns = rec->config.safe_quiet_ns - usable;
		return RB_SAFE_POLL_STAY;
	}
	rb_log_emit(&rec->log, RB_LOG_INFO,
		    "safe mode: the GPU stayed usable for %.3f s",
		    (double)usable / (double)NS_PER_S);
	rb_recovery_leave_safe_mode(rec);
	return RB_SAFE_POLL_LEAVE;
}

uint64_t
rb_recovery_safe_mode_delay_ns(const struct rb_recovery *rec)
{
	return rec->safe_delay_ns;
}

enum rb_state
rb_recovery_get_state(const struct rb_recovery *rec)
{
	return rec->state;
}

uint64_t
rb_recovery_retry_delay_ns(const struct rb_recovery *rec)
{
	return rec->config.poll_interval_ns;
}

void
rb_recovery_get_counters(const struct rb_recovery *rec,
			 struct rb_counters *out)
{
	*out = rec->counters;
}

const char *
rb_state_name(enum rb_state state)
{
	switch (state) {
	case RB_STATE_RUNNING:
		return "running";
	case RB_STATE_LOST:
		return "lost";
	case RB_STATE_WAITING:
		return "waiting";
	case RB_STATE_REBUILDING:
		return "rebuilding";
	case RB_STATE_SAFE_MODE:
		return "safe-mode";
	}
	return "invalid";
}
