/* SPDX-License-Identifier: MIT */
/* A simulated, contract-checking caller of the pacer for tests and fuzzing. */
#ifndef PACER_SIM_H
#define PACER_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmplane/pacer.h"

/*
 * Plays the caller of a vmsync_pacer: a fake clock, every action drained and
 * checked against the pacer's contract. A broken contract is recorded in
 * `error` (first one wins) rather than exiting, so the fuzz target can use
 * it too.
 */

#define SIM_MAX_FRAMES 65536u
#define SIM_MAX_LOG 64u

enum sim_frame_state {
	SIM_NONE = 0, SIM_NEW, SIM_SUBMITTED, SIM_RETIRED, SIM_DROPPED,
};

struct sim {
	struct vmsync_pacer *pacer;
	struct vmsync_pacer_config config;
	uint64_t now;

	uint8_t *state;                 /* enum sim_frame_state by seq */
	uint64_t last_seq;
	uint64_t last_submitted;
	uint32_t in_flight;

	bool blocked;
	uint64_t block_since;
	uint64_t max_block;
	uint64_t armed;                 /* 0 = disarmed */

	/* Actions of the last drain, for scenario tests. */
	struct vmsync_action log[SIM_MAX_LOG];
	uint32_t log_len;

	uint64_t n_submit, n_drop, n_retire, n_block, n_release;
	uint64_t n_release_timeout;
	char error[256];
};

/* NULL config = defaults. Returns false if the pacer refused the config. */
bool sim_init(struct sim *sim, const struct vmsync_pacer_config *config);
void sim_fini(struct sim *sim);

/* Drain and check every queued action; also checks the watchdog bound. */
void sim_drain(struct sim *sim);

/* Move the clock to `t`, delivering the watchdog tick on time on the way. */
void sim_advance_to(struct sim *sim, uint64_t t);

/* frame_new + drain. */
uint64_t sim_frame(struct sim *sim, uint64_t buffer, uint32_t flags);

/* Index of the first logged action of `type` (and seq if nonzero), -1. */
int sim_find(const struct sim *sim, enum vmsync_action_type type, uint64_t seq);

/* Number of logged actions of `type`. */
uint32_t sim_count(const struct sim *sim, enum vmsync_action_type type);

/* Calls compositor_gone and checks every frame ended exactly once. */
void sim_check_all_ended(struct sim *sim);

#endif
