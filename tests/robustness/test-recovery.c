/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the reset recovery state machine under a fake clock, a
 * scripted status query and a fake context.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmplane/rb-recovery.h"
#include "tap.h"

#define MS UINT64_C(1000000)
#define S UINT64_C(1000000000)

struct fake {
	uint64_t now;
	/* Statuses returned first, then steady. */
	enum rb_reset_status queue[16];
	int queue_len, queue_pos;
	enum rb_reset_status steady;
	int queries;
	bool recreate_ok;
	int recreates;
	int damages;
	/* What happened, in order: F forget, C recreate, R rebuild, D damage. */
	char trace[256];
	enum rb_state states[64];
	int n_states;
	int errors, warnings, infos;
	char last_error[512];
	char last_info[512];

	struct rb_recovery *rec;
	struct rb_registry *reg;
	/* Reset reported from inside the next rebuild. */
	enum rb_reset_status reset_in_rebuild;
	enum rb_recover_result nested_recover;
};

static void
trace(struct fake *f, char c)
{
	size_t n = strlen(f->trace);

	if (n + 1 < sizeof(f->trace)) {
		f->trace[n] = c;
		f->trace[n + 1] = '\0';
	}
}

static uint64_t
fake_now(void *data)
{
	return ((struct fake *)data)->now;
}

static enum rb_reset_status
fake_query(void *data)
{
	struct fake *f = data;

	f->queries++;
	if (f->queue_pos < f->queue_len)
		return f->queue[f->queue_pos++];
	return f->steady;
}

static bool
fake_recreate(void *data)
{
	struct fake *f = data;

	trace(f, 'C');
	f->recreates++;
	if (f->recreate_ok)
		f->steady = RB_RESET_NONE;
	return f->recreate_ok;
}

static void
fake_damage(void *data)
{
	struct fake *f = data;

	trace(f, 'D');
	f->damages++;
}

static void
fake_state(void *data, enum rb_state old_state, enum rb_state new_state,
	   enum rb_reset_status status)
{
	struct fake *f = data;

	CHECK(old_state != new_state);
	if (f->n_states < 64)
		f->states[f->n_states++] = new_state;
}

static void
fake_log(void *data, enum rb_log_level level, const char *fmt, va_list args)
{
	struct fake *f = data;

	if (level == RB_LOG_ERROR) {
		f->errors++;
		vsnprintf(f->last_error, sizeof(f->last_error), fmt, args);
	} else if (level == RB_LOG_WARNING) {
		f->warnings++;
	} else if (level == RB_LOG_INFO) {
		f->infos++;
		vsnprintf(f->last_info, sizeof(f->last_info), fmt, args);
	}
}

static bool
res_rebuild(struct rb_resource *res, void *data)
{
	struct fake *f = data;

	trace(f, 'R');
	if (f->reset_in_rebuild != RB_RESET_NONE) {
		CHECK_EQ(rb_recovery_report_reset(f->rec, f->reset_in_rebuild),
			 RB_CHECK_SKIP);
		f->reset_in_rebuild = RB_RESET_NONE;
		/* Re-entering recover() is refused. */
		f->nested_recover = rb_recovery_recover(f->rec);
	}
	return true;
}

static void
res_forget(struct rb_resource *res, void *data)
{
	trace(data, 'F');
}

static const struct rb_resource_impl res_impl = {
	.rebuild = res_rebuild,
	.forget = res_forget,
};

static const struct rb_recovery_hooks hooks = {
	.now_ns = fake_now,
	.query_status = fake_query,
	.recreate_context = fake_recreate,
	.damage_all = fake_damage,
	.state_changed = fake_state,
};

static struct rb_resource the_res;

static struct fake *
fake_create(const struct rb_recovery_config *config)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct rb_log log = { fake_log, NULL };

	REQUIRE(f);
	log.data = f;
	f->now = 1000 * S;
	f->recreate_ok = true;
	f->reg = rb_registry_create();
	REQUIRE(f->reg);
	memset(&the_res, 0, sizeof(the_res));
	REQUIRE(rb_registry_add(f->reg, &the_res, RB_RESOURCE_TEXTURE,
				&res_impl, f));
	f->rec = rb_recovery_create(config, &hooks, f, f->reg, &log);
	REQUIRE(f->rec);
	return f;
}

static void
fake_destroy(struct fake *f)
{
	rb_recovery_destroy(f->rec);
	rb_registry_destroy(f->reg);
	free(f);
}

/* One reset of the given status recovered at once; clock advances 1 ms. */
static enum rb_recover_result
reset_and_recover(struct fake *f, enum rb_reset_status status)
{
	f->steady = status;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SCHEDULE_RECOVERY);
	f->steady = RB_RESET_NONE;
	f->now += MS;
	return rb_recovery_recover(f->rec);
}

static void
test_defaults(void)
{
	struct rb_recovery_config c;
	struct rb_recovery_hooks bad = { 0 };

	rb_recovery_config_init(&c);
	CHECK_EQ(c.wait_budget_ns, 2 * S);
	CHECK_EQ(c.reset_budget, 3);
	CHECK_EQ(c.reset_window_ns, 60 * S);
	CHECK(rb_recovery_create(NULL, &bad, NULL, NULL, NULL) == NULL);
	CHECK(rb_recovery_create(NULL, NULL, NULL, NULL, NULL) == NULL);
	rb_recovery_destroy(NULL);
	CHECK(strcmp(rb_state_name(RB_STATE_SAFE_MODE), "safe-mode") == 0);
	CHECK(strcmp(rb_reset_status_name(RB_RESET_INNOCENT), "innocent") == 0);
}

static void
test_basic(void)
{
	struct fake *f = fake_create(NULL);
	struct rb_counters c;
	int queries;

	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_IDLE);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_OK);
	f->steady = RB_RESET_GUILTY;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SCHEDULE_RECOVERY);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_LOST);
	/* Lost: GL is not touched, nothing is double counted. */
	queries = f->queries;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SKIP);
	CHECK_EQ(rb_recovery_report_reset(f->rec, RB_RESET_UNKNOWN), RB_CHECK_SKIP);
	CHECK_EQ(f->queries, queries);
	CHECK_EQ(f->recreates, 0);
	CHECK(f->trace[0] == '\0');

	f->steady = RB_RESET_NONE;
	f->now += 7 * MS;
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_RUNNING);
	CHECK(strcmp(f->trace, "FCRD") == 0);
	CHECK_EQ(f->n_states, 4);
	CHECK_EQ(f->states[0], RB_STATE_LOST);
	CHECK_EQ(f->states[1], RB_STATE_WAITING);
	CHECK_EQ(f->states[2], RB_STATE_REBUILDING);
	CHECK_EQ(f->states[3], RB_STATE_RUNNING);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.resets, 1);
	CHECK_EQ(c.guilty, 1);
	CHECK_EQ(c.innocent, 0);
	CHECK_EQ(c.recoveries, 1);
	CHECK_EQ(c.resources_rebuilt, 1);
	CHECK_EQ(c.last_rebuilt, 1);
	CHECK_EQ(c.last_recovery_ns, 7 * MS);
	CHECK_EQ(c.last_status, RB_RESET_GUILTY);
	CHECK(!c.safe_mode);
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_OK);

	/* Re-armed: a caller-reported reset (failed swap) recovers too. */
	CHECK_EQ(rb_recovery_report_reset(f->rec, RB_RESET_NONE),
		 RB_CHECK_SCHEDULE_RECOVERY);
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.resets, 2);
	CHECK_EQ(c.unknown, 1);
	CHECK_EQ(c.recoveries, 2);
	CHECK_EQ(f->errors, 0);
	fake_destroy(f);
}

static void
test_waiting(void)
{
	struct fake *f = fake_create(NULL);
	struct rb_counters c;

	f->steady = RB_RESET_INNOCENT;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SCHEDULE_RECOVERY);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_RETRY);
		CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_WAITING);
		CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SKIP);
		f->now += rb_recovery_retry_delay_ns(f->rec);
	}
	CHECK_EQ(f->recreates, 0);
	f->steady = RB_RESET_NONE;
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.resets, 1);
	CHECK_EQ(c.innocent, 1);
	CHECK_EQ(c.last_recovery_ns, 15 * MS);
	fake_destroy(f);
}

static void
test_wait_timeout(uint64_t budget)
{
	struct rb_recovery_config config;
	struct fake *f;
	int warnings;

	rb_recovery_config_init(&config);
	if (budget)
		config.wait_budget_ns = budget;
	else
		budget = config.wait_budget_ns;
	f = fake_create(&config);
	f->steady = RB_RESET_UNKNOWN;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SCHEDULE_RECOVERY);
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_RETRY);
	f->now += budget - 1;
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_RETRY);
	CHECK_EQ(f->recreates, 0);
	warnings = f->warnings;
	f->now += 1;
	/* Budget spent: re-create anyway, with a warning. */
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK_EQ(f->recreates, 1);
	CHECK_EQ(f->warnings, warnings + 1);
	fake_destroy(f);
}

static void
test_budget(void)
{
	struct fake *f = fake_create(NULL);
	struct rb_counters c;

	for (int i = 0; i < 3; i++) {
		CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_DONE);
		f->now += 1 * S;
	}
	CHECK_EQ(f->errors, 0);
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_SAFE_MODE);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_SAFE_MODE);
	CHECK_EQ(f->recreates, 3);
	CHECK_EQ(f->errors, 1);
	CHECK(strstr(f->last_error, "safe mode") != NULL);
	CHECK(strstr(f->last_error, "budget") != NULL);
	/* Forgotten, not rebuilt, still registered. */
	CHECK(f->trace[strlen(f->trace) - 1] == 'F');
	CHECK(rb_resource_is_registered(&the_res));
	rb_recovery_get_counters(f->rec, &c);
	CHECK(c.safe_mode);
	CHECK_EQ(c.resets, 4);
	CHECK_EQ(c.recoveries, 3);

	/* Safe mode is sticky and quiet. */
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SAFE_MODE);
	CHECK_EQ(rb_recovery_report_reset(f->rec, RB_RESET_GUILTY), RB_CHECK_SAFE_MODE);
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_SAFE_MODE);
	f->now += 3600 * S;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SAFE_MODE);
	CHECK_EQ(f->errors, 1);

	/* An explicit request leaves it with a fresh budget. */
	CHECK(rb_recovery_leave_safe_mode(f->rec));
	CHECK(!rb_recovery_leave_safe_mode(f->rec));
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_LOST);
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_OK);
	CHECK_EQ(reset_and_recover(f, RB_RESET_INNOCENT), RB_RECOVER_DONE);
	fake_destroy(f);
}

static void
test_budget_window(void)
{
	struct rb_recovery_config config;
	/* Seconds; with 3 per 60 s only the last one is one too many. */
	static const uint64_t times[] = { 0, 20, 40, 70, 81, 85 };
	struct fake *f;
	uint64_t base;

	rb_recovery_config_init(&config);
	f = fake_create(&config);
	base = f->now;
	for (size_t i = 0; i < 6; i++) {
		f->now = base + times[i] * S;
		CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY),
			 i < 5 ? RB_RECOVER_DONE : RB_RECOVER_SAFE_MODE);
	}
	fake_destroy(f);

	/* A configured budget of 1 per 10 s. */
	config.reset_budget = 1;
	config.reset_window_ns = 10 * S;
	f = fake_create(&config);
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_DONE);
	f->now += 10 * S;
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_DONE);
	f->now += 9 * S;
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_SAFE_MODE);
	fake_destroy(f);
}

static void
test_reset_during_rebuild(void)
{
	struct fake *f = fake_create(NULL);
	struct rb_counters c;

	/* Reported from inside a rebuild callback. */
	f->reset_in_rebuild = RB_RESET_INNOCENT;
	f->steady = RB_RESET_GUILTY;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SCHEDULE_RECOVERY);
	f->steady = RB_RESET_NONE;
	f->now += 2 * MS;
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_RETRY);
	CHECK_EQ(f->nested_recover, RB_RECOVER_RETRY);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_LOST);
	CHECK_EQ(f->damages, 0);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.resets, 2);
	CHECK_EQ(c.innocent, 1);
	CHECK_EQ(c.failed_recoveries, 1);
	f->now += 3 * MS;
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK(strcmp(f->trace, "FCRFCRD") == 0);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.recoveries, 1);
	/* Measured from the first detection. */
	CHECK_EQ(c.last_recovery_ns, 5 * MS);

	/* A status other than NO_ERROR right after the rebuild. */
	f->steady = RB_RESET_GUILTY;
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_SCHEDULE_RECOVERY);
	f->steady = RB_RESET_NONE;
	f->queue_len = f->queue_pos = 0;
	f->queue[f->queue_len++] = RB_RESET_NONE;	/* waiting poll */
	f->queue[f->queue_len++] = RB_RESET_UNKNOWN;	/* after rebuild */
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_RETRY);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_LOST);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.resets, 4);
	CHECK_EQ(c.unknown, 1);
	/* Resets during rebuilds count: that was the 4th in the window. */
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_SAFE_MODE);
	fake_destroy(f);
}

static void
test_recreate_failure(void)
{
	struct fake *f = fake_create(NULL);
	struct rb_counters c;

	f->recreate_ok = false;
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_SAFE_MODE);
	CHECK_EQ(f->errors, 1);
	CHECK(strstr(f->last_error, "re-created") != NULL);
	rb_recovery_get_counters(f->rec, &c);
	CHECK_EQ(c.failed_recoveries, 1);
	CHECK_EQ(c.recoveries, 0);
	f->recreate_ok = true;
	CHECK(rb_recovery_leave_safe_mode(f->rec));
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_OK);
	fake_destroy(f);
}

/* Spends the default budget of 3 within its window: safe mode. */
static void
enter_safe_mode(struct fake *f)
{
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_DONE);
		f->now += 1 * S;
	}
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_SAFE_MODE);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_SAFE_MODE);
}

static void
test_safe_mode_exit(void)
{
	struct fake *f = fake_create(NULL);
	struct rb_counters c;
	int recreates, infos;

	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_IDLE);
	enter_safe_mode(f);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 1 * S);
	CHECK(strstr(f->last_error, "probed again in 1.000 s") != NULL);
	recreates = f->recreates;

	/* Still reported: the delay doubles up to its cap, each probe
	 * logged, nothing re-created. */
	f->steady = RB_RESET_GUILTY;
	for (uint64_t want = 2; want <= 32; want *= 2) {
		infos = f->infos;
		CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
		CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), want * S);
		CHECK_EQ(f->infos, infos + 1);
		CHECK(strstr(f->last_info, "still reports") != NULL);
		f->now += want * S;
	}
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 60 * S);
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 60 * S);

	/* Usable again: probed at the first delay through the quiet period. */
	f->steady = RB_RESET_NONE;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 1 * S);
	CHECK(strstr(f->last_info, "10.000 s") != NULL);
	f->now += 5 * S;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);

	/* A reset inside the quiet period starts it over. */
	f->steady = RB_RESET_INNOCENT;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
	f->steady = RB_RESET_NONE;
	f->now += 1 * S;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
	f->now += 9900 * MS;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_STAY);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 100 * MS);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_SAFE_MODE);
	CHECK_EQ(f->recreates, recreates);

	f->now += 100 * MS;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_LEAVE);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_LOST);
	CHECK(strstr(f->last_info, "leaving safe mode") != NULL);
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK_EQ(f->recreates, recreates + 1);
	CHECK_EQ(rb_recovery_check(f->rec), RB_CHECK_OK);
	rb_recovery_get_counters(f->rec, &c);
	CHECK(!c.safe_mode);
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_IDLE);

	/* Failing again: the next episode starts at double the delay. */
	f->now += 1 * S;
	enter_safe_mode(f);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 2 * S);
	fake_destroy(f);
}

/* A context that cannot be re-created is retried the same way. */
static void
test_safe_mode_exit_recreate_fails(void)
{
	struct rb_recovery_config config;
	struct fake *f;

	rb_recovery_config_init(&config);
	config.safe_quiet_ns = 0;
	config.safe_retry_max_ns = 4 * S;
	f = fake_create(&config);
	f->recreate_ok = false;
	CHECK_EQ(reset_and_recover(f, RB_RESET_GUILTY), RB_RECOVER_SAFE_MODE);
	CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec), 1 * S);
	for (uint64_t want = 2; want <= 8; want *= 2) {
		f->now += 1 * S;
		CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_LEAVE);
		CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_SAFE_MODE);
		CHECK_EQ(rb_recovery_safe_mode_delay_ns(f->rec),
			 (want > 4 ? 4 : want) * S);
	}
	f->recreate_ok = true;
	CHECK_EQ(rb_recovery_safe_mode_poll(f->rec), RB_SAFE_POLL_LEAVE);
	CHECK_EQ(rb_recovery_recover(f->rec), RB_RECOVER_DONE);
	CHECK_EQ(rb_recovery_get_state(f->rec), RB_STATE_RUNNING);
	fake_destroy(f);
}

static void
test_no_registry_no_optional_hooks(void)
{
	struct rb_recovery_hooks minimal = {
		.query_status = fake_query,
		.recreate_context = fake_recreate,
	};
	struct fake f = { .recreate_ok = true, .steady = RB_RESET_GUILTY };
	struct rb_recovery *rec = rb_recovery_create(NULL, &minimal, &f, NULL, NULL);

	REQUIRE(rec);
	CHECK_EQ(rb_recovery_check(rec), RB_CHECK_SCHEDULE_RECOVERY);
	f.steady = RB_RESET_NONE;
	CHECK_EQ(rb_recovery_recover(rec), RB_RECOVER_DONE);
	CHECK_EQ(f.recreates, 1);
	rb_recovery_destroy(rec);
}

int
main(void)
{
	test_defaults();
	test_basic();
	test_waiting();
	test_wait_timeout(0);
	test_wait_timeout(100 * MS);
	test_budget();
	test_budget_window();
	test_reset_during_rebuild();
	test_recreate_failure();
	test_safe_mode_exit();
	test_safe_mode_exit_recreate_fails();
	test_no_registry_no_optional_hooks();
	return tap_finish();
}
