/* SPDX-License-Identifier: MIT */
/*
 * A checked caller of the pacer for tests: drains every action and records
 * the first broken contract instead of exiting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacer-sim.h"

static void sim_fail(struct sim *sim, const char *fmt, ...)
{
	if (sim->error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sim->error, sizeof(sim->error), fmt, ap);
	va_end(ap);
}

static uint64_t sim_clock(void *data)
{
	return ((const struct sim *)data)->now;
}

bool sim_init(struct sim *sim, const struct vmsync_pacer_config *config)
{
	memset(sim, 0, sizeof(*sim));
	if (config)
		sim->config = *config;
	else
		vmsync_pacer_config_defaults(&sim->config);
	sim->config.now_ns = sim_clock;
	sim->config.clock_data = sim;
	/* Start away from zero so "deadline 0 = none" cannot hide a bug. */
	sim->now = 1000000000ull;
	sim->pacer = vmsync_pacer_create(&sim->config);
	if (!sim->pacer)
		return false;
	if (sim->config.max_in_flight == 0)
		sim->config.max_in_flight = 1;
	if (sim->config.watchdog_ns == 0)
		sim->config.watchdog_ns = VMSYNC_PACER_DEFAULT_WATCHDOG_NS;
	sim->state = calloc(SIM_MAX_FRAMES, 1);
	return sim->state != NULL;
}

void sim_fini(struct sim *sim)
{
	vmsync_pacer_destroy(sim->pacer);
	free(sim->state);
	sim->pacer = NULL;
	sim->state = NULL;
}

static bool seq_ok(struct sim *sim, uint64_t seq, const char *what)
{
	if (seq == 0 || seq > sim->last_seq || seq >= SIM_MAX_FRAMES) {
		sim_fail(sim, "%s names unknown frame %llu", what, (unsigned long long)seq);
		return false;
	}
	return true;
}

static void sim_apply(struct sim *sim, const struct vmsync_action *a)
{
	const uint64_t w = sim->config.watchdog_ns;
	switch (a->type) {
	case VMSYNC_ACTION_SUBMIT:
		sim->n_submit++;
		if (!seq_ok(sim, a->seq, "submit"))
			return;
		if (sim->state[a->seq] != SIM_NEW)
			sim_fail(sim, "submit of frame %llu in state %d",
				(unsigned long long)a->seq, sim->state[a->seq]);
		if (a->seq <= sim->last_submitted)
			sim_fail(sim, "submit out of order: %llu after %llu",
				(unsigned long long)a->seq, (unsigned long long)sim->last_submitted);
		sim->state[a->seq] = SIM_SUBMITTED;
		sim->last_submitted = a->seq;
		if (++sim->in_flight > sim->config.max_in_flight)
			sim_fail(sim, "%u frames in flight, limit %u", sim->in_flight,
				sim->config.max_in_flight);
		break;
	case VMSYNC_ACTION_DROP:
		sim->n_drop++;
		if (!seq_ok(sim, a->seq, "drop"))
			return;
		if (sim->state[a->seq] != SIM_NEW)
			sim_fail(sim, "drop of frame %llu in state %d",
				(unsigned long long)a->seq, sim->state[a->seq]);
		sim->state[a->seq] = SIM_DROPPED;
		break;
	case VMSYNC_ACTION_RETIRE:
		sim->n_retire++;
		if (!seq_ok(sim, a->seq, "retire"))
			return;
		if (sim->state[a->seq] != SIM_SUBMITTED)
			sim_fail(sim, "retire of frame %llu in state %d",
				(unsigned long long)a->seq, sim->state[a->seq]);
		sim->state[a->seq] = SIM_RETIRED;
		sim->in_flight--;
		break;
	case VMSYNC_ACTION_BLOCK:
		sim->n_block++;
		if (sim->blocked)
			sim_fail(sim, "block while blocked");
		sim->blocked = true;
		sim->block_since = sim->now;
		break;
	case VMSYNC_ACTION_RELEASE:
		sim->n_release++;
		if (!sim->blocked)
			sim_fail(sim, "release while not blocked");
		sim->blocked = false;
		if (sim->now - sim->block_since > sim->max_block)
			sim->max_block = sim->now - sim->block_since;
		if (sim->now - sim->block_since > w)
			sim_fail(sim, "producer blocked %llu ns > watchdog %llu ns",
				(unsigned long long)(sim->now - sim->block_since),
				(unsigned long long)w);
		if (a->reason == VMSYNC_REASON_TIMEOUT)
			sim->n_release_timeout++;
		/* "Never before the compositor has the frame": the newest one. */
		if (a->reason == VMSYNC_REASON_POLICY && sim->last_seq < SIM_MAX_FRAMES &&
				sim->state[sim->last_seq] != SIM_SUBMITTED &&
				sim->state[sim->last_seq] != SIM_RETIRED)
			sim_fail(sim, "released by policy before frame %llu was submitted",
				(unsigned long long)sim->last_seq);
		break;
	case VMSYNC_ACTION_ARM_WATCHDOG:
		if (a->deadline_ns <= sim->now)
			sim_fail(sim, "armed in the past");
		sim->armed = a->deadline_ns;
		break;
	case VMSYNC_ACTION_DISARM_WATCHDOG:
		if (!sim->armed)
			sim_fail(sim, "disarm while disarmed");
		sim->armed = 0;
		break;
	default:
		sim_fail(sim, "unknown action %d", (int)a->type);
	}
}

static void sim_drain_append(struct sim *sim)
{
	struct vmsync_action a;
	while (vmsync_pacer_next_action(sim->pacer, &a)) {
		if (sim->log_len < SIM_MAX_LOG)
			sim->log[sim->log_len++] = a;
		sim_apply(sim, &a);
	}
	if (sim->blocked && (!sim->armed || sim->armed > sim->block_since +
			sim->config.watchdog_ns))
		sim_fail(sim, "blocked but the watchdog is not armed in time");
	if (sim->in_flight != vmsync_pacer_in_flight(sim->pacer))
		sim_fail(sim, "in-flight count %u, pacer says %u", sim->in_flight,
			vmsync_pacer_in_flight(sim->pacer));
	if (sim->blocked != vmsync_pacer_is_blocked(sim->pacer))
		sim_fail(sim, "blocked state disagrees with the pacer");
	if (sim->armed != vmsync_pacer_deadline(sim->pacer))
		sim_fail(sim, "armed deadline disagrees with the pacer");
}

void sim_drain(struct sim *sim)
{
	sim->log_len = 0;
	sim_drain_append(sim);
}

void sim_advance_to(struct sim *sim, uint64_t t)
{
	sim->log_len = 0;
	for (int guard = 0; sim->armed && sim->armed <= t; guard++) {
		if (guard > 64) {
			sim_fail(sim, "watchdog tick does not move the deadline");
			break;
		}
		sim->now = sim->armed;
		vmsync_pacer_tick(sim->pacer);
		sim_drain_append(sim);
	}
	if (t > sim->now)
		sim->now = t;
}

uint64_t sim_frame(struct sim *sim, uint64_t buffer, uint32_t flags)
{
	struct vmsync_frame f = { .buffer = buffer, .flags = flags };
	f.data = (void *)(uintptr_t)(sim->last_seq + 1);
	uint64_t seq = vmsync_pacer_frame_new(sim->pacer, &f);
	if (seq != sim->last_seq + 1)
		sim_fail(sim, "frame_new gave seq %llu", (unsigned long long)seq);
	if (seq && seq < SIM_MAX_FRAMES)
		sim->state[seq] = SIM_NEW;
	if (seq)
		sim->last_seq = seq;
	sim_drain(sim);
	return seq;
}

int sim_find(const struct sim *sim, enum vmsync_action_type type, uint64_t seq)
{
	for (uint32_t i = 0; i < sim->log_len; i++) {
		if (sim->log[i].type == type && (seq == 0 || sim->log[i].seq == seq))
			return (int)i;
	}
	return -1;
}

uint32_t sim_count(const struct sim *sim, enum vmsync_action_type type)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < sim->log_len; i++)
		n += sim->log[i].type == type;
	return n;
}

void sim_check_all_ended(struct sim *sim)
{
	vmsync_pacer_compositor_gone(sim->pacer);
	sim_drain(sim);
	if (sim->blocked)
		sim_fail(sim, "still blocked after compositor gone");
	if (sim->in_flight)
		sim_fail(sim, "frames in flight after compositor gone");
	if (sim->armed)
		sim_fail(sim, "watchdog armed after compositor gone");
	for (uint64_t s = 1; s <= sim->last_seq && s < SIM_MAX_FRAMES; s++) {
		if (sim->state[s] != SIM_RETIRED && sim->state[s] != SIM_DROPPED) {
			sim_fail(sim, "frame %llu never ended (state %d)",
				(unsigned long long)s, sim->state[s]);
			break;
		}
	}
}
