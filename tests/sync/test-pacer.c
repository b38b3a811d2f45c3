/* SPDX-License-Identifier: MIT */
/* Scenario tests of the pacing state machine with a fake clock. */
#include <stdlib.h>
#include <string.h>

#include "pacer-sim.h"
#include "tap.h"

#define MS (1000ull * 1000)
#define WD VMSYNC_PACER_DEFAULT_WATCHDOG_NS
#define BUF_A 0xa
#define BUF_B 0xb
#define BUF_C 0xc

#define SIM_OK(s) \
	tap_check(!(s)->error[0], true, __FILE__, __LINE__, "pacer contract kept%s%s", \
		(s)->error[0] ? ": " : "", (s)->error)

/* Ends a scenario: every frame ended exactly once, no contract broken. */
#define END(s) do { \
	sim_check_all_ended(s); \
	SIM_OK(s); \
	sim_fini(s); \
} while (0)

/* An event the pacer must accept, its actions drained, and whether the
 * producer was released by them. */
#define EVENT_RELEASES(s, event, released) do { \
	REQUIRE(event); \
	sim_drain(s); \
	REQUIRE((sim_find(s, VMSYNC_ACTION_RELEASE, 0) >= 0) == (released)); \
} while (0)

/* The last drain logged `type` (for frame seq, or any with 0) for `reason`. */
static bool logged_for(const struct sim *s, enum vmsync_action_type type, uint64_t seq,
	enum vmsync_reason reason)
{
	int r = sim_find(s, type, seq);
	return r >= 0 && s->log[r].reason == reason;
}

static struct vmsync_pacer_stats stats(struct sim *s)
{
	struct vmsync_pacer_stats st;
	vmsync_pacer_get_stats(s->pacer, &st);
	return st;
}

static void start(struct sim *s, uint32_t in_flight, uint32_t release_on)
{
	struct vmsync_pacer_config c;
	vmsync_pacer_config_defaults(&c);
	c.max_in_flight = in_flight;
	c.release_on = release_on;
	REQUIRE(sim_init(s, &c));
}

static void test_config(void)
{
	struct vmsync_pacer_config c;
	vmsync_pacer_config_defaults(&c);
	REQUIRE_EQ_U64(c.max_in_flight, 1);
	REQUIRE_EQ_U64(c.watchdog_ns, 100 * MS);
	REQUIRE_EQ_U64(c.release_on, VMSYNC_RELEASE_ON_DEFAULT);

	c.max_in_flight = VMSYNC_PACER_MAX_IN_FLIGHT + 1;
	REQUIRE(vmsync_pacer_create(&c) == NULL);
	vmsync_pacer_config_defaults(&c);
	c.watchdog_ns = VMSYNC_PACER_MAX_WATCHDOG_NS + 1;
	REQUIRE(vmsync_pacer_create(&c) == NULL);
	vmsync_pacer_config_defaults(&c);
	c.release_on = 1u << 7;
	REQUIRE(vmsync_pacer_create(&c) == NULL);

	struct vmsync_pacer *p = vmsync_pacer_create(NULL);
	REQUIRE(p != NULL);
	vmsync_pacer_destroy(p);
	vmsync_pacer_destroy(NULL);

	/* Zeros mean defaults. */
	memset(&c, 0, sizeof(c));
	struct sim s;
	REQUIRE(sim_init(&s, &c));
	sim_frame(&s, BUF_A, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_ARM_WATCHDOG, 0) >= 0);
	REQUIRE_EQ_U64(s.armed, s.now + WD);
	SIM_OK(&s);
	sim_fini(&s);
}

/* The first frame: blocked, submitted at once, released by its frame callback. */
static void test_basic_frame_done(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t t0 = s.now;
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	REQUIRE_EQ_U64(f1, 1);
	REQUIRE(s.log[0].type == VMSYNC_ACTION_BLOCK);
	REQUIRE(s.log[1].type == VMSYNC_ACTION_SUBMIT && s.log[1].seq == f1 &&
		s.log[1].buffer == BUF_A && s.log[1].data == (void *)1);
	REQUIRE(s.log[2].type == VMSYNC_ACTION_ARM_WATCHDOG && s.log[2].deadline_ns == t0 + WD);
	REQUIRE_EQ_U64(s.log_len, 3);
	REQUIRE(vmsync_pacer_is_blocked(s.pacer));

	sim_advance_to(&s, t0 + 16 * MS);
	REQUIRE_EQ_U64(s.log_len, 0);
	REQUIRE(vmsync_pacer_frame_done(s.pacer, f1));
	sim_drain(&s);
	REQUIRE(s.log[0].type == VMSYNC_ACTION_RETIRE && s.log[0].reason == VMSYNC_REASON_FRAME_DONE);
	REQUIRE(s.log[1].type == VMSYNC_ACTION_RELEASE && s.log[1].reason == VMSYNC_REASON_POLICY);
	REQUIRE(s.log[2].type == VMSYNC_ACTION_DISARM_WATCHDOG);
	REQUIRE(!vmsync_pacer_is_blocked(s.pacer));
	REQUIRE_EQ_U64(s.max_block, 16 * MS);
	END(&s);
}

/*
 * Weston's GL renderer and shm: the buffer is released right after upload,
 * before presented. The release frees the producer; presented ends the
 * frame's flight.
 */
static void test_weston_shm_order(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t t0 = s.now;
	uint64_t f1 = sim_frame(&s, BUF_A, VMSYNC_FRAME_COPIED);
	sim_advance_to(&s, t0 + 5 * MS);
	EVENT_RELEASES(&s, vmsync_pacer_buffer_released(s.pacer, BUF_A), true);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RETIRE, 0) < 0);
	REQUIRE_EQ_U64(vmsync_pacer_in_flight(s.pacer), 1);

	sim_advance_to(&s, t0 + 16 * MS);
	REQUIRE(vmsync_pacer_presented(s.pacer, f1, t0 + 15 * MS, 0));
	sim_drain(&s);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RETIRE, f1, VMSYNC_REASON_PRESENTED));
	REQUIRE(sim_find(&s, VMSYNC_ACTION_DISARM_WATCHDOG, 0) >= 0);

	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.frames_presented, 1);
	REQUIRE_EQ_U64(st.last_latency_ns, 15 * MS);
	REQUIRE_EQ_U64(st.frames_zero_copy, 0);

	/* The second frame reuses A: the copy freed it, no stale hold remains. */
	uint64_t f2 = sim_frame(&s, BUF_A, VMSYNC_FRAME_COPIED);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f2) >= 0);
	EVENT_RELEASES(&s, vmsync_pacer_buffer_released(s.pacer, BUF_A), true);
	END(&s);
}

/*
 * dma-bufs: Weston releases a buffer only when the next commit replaces it,
 * so the release of A after B's commit proves the compositor took B.
 */
static void test_weston_dmabuf_order(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	sim_advance_to(&s, s.now + 16 * MS);
	EVENT_RELEASES(&s, vmsync_pacer_presented(s.pacer, f1, 0, VMSYNC_PRESENTED_ZERO_COPY), true);

	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f2) >= 0);
	sim_advance_to(&s, s.now + 1 * MS);
	REQUIRE(vmsync_pacer_buffer_released(s.pacer, BUF_A));
	sim_drain(&s);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RELEASE, 0, VMSYNC_REASON_POLICY));
	/* Still in flight until the repaint. */
	REQUIRE_EQ_U64(vmsync_pacer_in_flight(s.pacer), 1);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RETIRE, 0) < 0);

	/* Guest flips back to A while B is on screen. */
	uint64_t f3 = sim_frame(&s, BUF_A, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_BLOCK, 0) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, 0) < 0);
	sim_advance_to(&s, s.now + 15 * MS);
	REQUIRE(vmsync_pacer_presented(s.pacer, f2, 0, VMSYNC_PRESENTED_ZERO_COPY));
	sim_drain(&s);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RETIRE, f2) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f3) >= 0);
	/* Presented f2 says nothing about f3: the producer stays blocked. */
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) < 0);
	EVENT_RELEASES(&s, vmsync_pacer_buffer_released(s.pacer, BUF_B), true);

	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.frames_zero_copy, 2);
	REQUIRE_EQ_U64(st.frames_submitted, 3);
	REQUIRE_EQ_U64(st.watchdog_releases, 0);
	END(&s);
}

/* Releases alone: nothing replaced the first buffer, so only the watchdog helps. */
static void test_buffer_policy_needs_watchdog(void)
{
	struct sim s;
	start(&s, 1, VMSYNC_RELEASE_ON_BUFFER);
	uint64_t t0 = s.now;
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	sim_advance_to(&s, t0 + 16 * MS);
	REQUIRE(vmsync_pacer_presented(s.pacer, f1, 0, 0));
	EVENT_RELEASES(&s, vmsync_pacer_frame_done(s.pacer, f1), false);
	REQUIRE(vmsync_pacer_is_blocked(s.pacer));
	sim_advance_to(&s, t0 + WD - 1);
	REQUIRE(vmsync_pacer_is_blocked(s.pacer));
	sim_advance_to(&s, t0 + WD);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RELEASE, 0, VMSYNC_REASON_TIMEOUT));
	REQUIRE_EQ_U64(s.max_block, WD);
	END(&s);
}

/* A hidden window: no frame callback, no feedback. The watchdog keeps the guest going. */
static void test_hidden_window(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t t0 = s.now;
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	sim_advance_to(&s, t0 + WD);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) >= 0);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RETIRE, f1, VMSYNC_REASON_TIMEOUT));

	/* The guest keeps producing; each frame waits at most the watchdog. */
	for (int i = 0; i < 20; i++) {
		uint64_t t = s.now;
		uint64_t f = sim_frame(&s, i % 2 ? BUF_A : BUF_B, 0);
		REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f) >= 0);
		sim_advance_to(&s, t + 3 * WD);
		REQUIRE(!vmsync_pacer_is_blocked(s.pacer));
		/* dma-buf: the previous buffer is released when replaced, even hidden. */
		vmsync_pacer_buffer_released(s.pacer, i % 2 ? BUF_B : BUF_A);
		sim_drain(&s);
	}
	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.watchdog_releases, 21);
	REQUIRE_EQ_U64(st.frames_timed_out, 21);
	REQUIRE_EQ_U64(st.max_block_ns, WD);
	REQUIRE(s.max_block <= WD);
	END(&s);
}

/* Occluded: presentation discarded ends the flight and frees the producer. */
static void test_discarded(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	sim_advance_to(&s, s.now + 3 * MS);
	REQUIRE(vmsync_pacer_discarded(s.pacer, f1));
	sim_drain(&s);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RETIRE, f1, VMSYNC_REASON_DISCARDED));
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) >= 0);
	/* A late frame callback for it changes nothing. */
	REQUIRE(vmsync_pacer_frame_done(s.pacer, f1));
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);
	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.frames_discarded, 1);
	REQUIRE_EQ_U64(st.frames_presented, 0);
	END(&s);
}

/* Newest wins: frames arriving while one is in flight replace each other. */
static void test_newest_wins(void)
{
	struct sim s;
	start(&s, 1, VMSYNC_RELEASE_ON_SUBMIT);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) >= 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_BLOCK, 0) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, 0) < 0);
	REQUIRE(vmsync_pacer_has_pending(s.pacer));
	uint64_t f3 = sim_frame(&s, BUF_C, 0);
	int r = sim_find(&s, VMSYNC_ACTION_DROP, f2);
	REQUIRE(r >= 0 && s.log[r].reason == VMSYNC_REASON_SUPERSEDED && s.log[r].buffer == BUF_B);
	uint64_t f4 = sim_frame(&s, BUF_B, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_DROP, f3) >= 0);
	REQUIRE(vmsync_pacer_frame_done(s.pacer, f1));
	sim_drain(&s);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RETIRE, f1) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f4) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) > sim_find(&s, VMSYNC_ACTION_SUBMIT, f4));
	/* Events naming dropped frames are refused. */
	REQUIRE(!vmsync_pacer_presented(s.pacer, f2, 0, 0));
	REQUIRE(!vmsync_pacer_frame_done(s.pacer, f3));
	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.frames_dropped, 2);
	REQUIRE_EQ_U64(st.frames_new, 4);
	END(&s);
}

/* The producer waits for its own (newest) frame, never an older one's events. */
static void test_not_released_before_compositor_has_frame(void)
{
	struct sim s;
	start(&s, 1, VMSYNC_RELEASE_ON_DEFAULT);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	REQUIRE(vmsync_pacer_commit_released(s.pacer, f1));
	sim_drain(&s);
	/* commit_released(f1) is the f1 evidence, it releases. */
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) >= 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f2) < 0);
	REQUIRE(vmsync_pacer_presented(s.pacer, f1, 0, 0));
	sim_drain(&s);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f2) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) < 0);
	EVENT_RELEASES(&s, vmsync_pacer_frame_done(s.pacer, f1), false);
	EVENT_RELEASES(&s, vmsync_pacer_frame_done(s.pacer, f2), true);
	END(&s);
}

static void test_acquire_fence(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t f1 = sim_frame(&s, BUF_A, VMSYNC_FRAME_ACQUIRE_FENCE);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_BLOCK, 0) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, 0) < 0);
	REQUIRE(vmsync_pacer_has_pending(s.pacer));
	REQUIRE(!vmsync_pacer_acquire_signalled(s.pacer, f1 + 5));
	REQUIRE(vmsync_pacer_acquire_signalled(s.pacer, f1));
	sim_drain(&s);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f1) >= 0);
	/* A repeated signal is harmless. */
	REQUIRE(vmsync_pacer_acquire_signalled(s.pacer, f1));
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);

	/* A fence that never signals: the frame waits, the producer does not. */
	REQUIRE(vmsync_pacer_frame_done(s.pacer, f1));
	sim_drain(&s);
	uint64_t t = s.now;
	uint64_t f2 = sim_frame(&s, BUF_B, VMSYNC_FRAME_ACQUIRE_FENCE);
	sim_advance_to(&s, t + WD);
	REQUIRE(!vmsync_pacer_is_blocked(s.pacer));
	REQUIRE(vmsync_pacer_has_pending(s.pacer));
	REQUIRE(s.state[f2] == SIM_NEW);
	END(&s);

	/* With explicit sync the fence rides along with the commit. */
	struct vmsync_pacer_config c;
	vmsync_pacer_config_defaults(&c);
	c.explicit_acquire = true;
	REQUIRE(sim_init(&s, &c));
	f1 = sim_frame(&s, BUF_A, VMSYNC_FRAME_ACQUIRE_FENCE);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f1) >= 0);
	END(&s);
}

/* Compositors batch commits: one presented event covers earlier frames. */
static void test_batched_presentation(void)
{
	struct sim s;
	start(&s, 2, VMSYNC_RELEASE_ON_SUBMIT);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f2) >= 0);
	REQUIRE_EQ_U64(vmsync_pacer_in_flight(s.pacer), 2);
	uint64_t f3 = sim_frame(&s, BUF_C, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, 0) < 0);
	REQUIRE(vmsync_pacer_presented(s.pacer, f2, 0, 0));
	sim_drain(&s);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RETIRE, f1) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RETIRE, f2) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f3) >= 0);
	/* The older feedback arrives after; it only counts. */
	REQUIRE(vmsync_pacer_discarded(s.pacer, f1));
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);
	END(&s);
}

/* The guest re-flushes one buffer: no release ever comes, callbacks do. */
static void test_same_buffer_reflush(void)
{
	struct sim s;
	start(&s, 1, 0);
	for (int i = 0; i < 5; i++) {
		uint64_t f = sim_frame(&s, BUF_A, 0);
		REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f) >= 0);
		sim_advance_to(&s, s.now + 16 * MS);
		REQUIRE(vmsync_pacer_frame_done(s.pacer, f));
		sim_drain(&s);
		REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) >= 0);
	}
	/* One hold for the whole run of commits: a release is matched once. */
	REQUIRE(vmsync_pacer_buffer_released(s.pacer, BUF_A));
	REQUIRE(!vmsync_pacer_buffer_released(s.pacer, BUF_A));
	END(&s);
}

/* A, B, A submitted before any release: the first release of A is A's first hold. */
static void test_hold_fifo(void)
{
	struct sim s;
	start(&s, 3, VMSYNC_RELEASE_ON_BUFFER);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	uint64_t f3 = sim_frame(&s, BUF_A, 0);
	REQUIRE(f1 && f2 && f3);
	REQUIRE_EQ_U64(vmsync_pacer_in_flight(s.pacer), 3);
	REQUIRE(vmsync_pacer_buffer_released(s.pacer, BUF_A));
	sim_drain(&s);
	/* That proves f2 (the commit that replaced A), not f3. */
	REQUIRE(sim_find(&s, VMSYNC_ACTION_RELEASE, 0) < 0);
	EVENT_RELEASES(&s, vmsync_pacer_buffer_released(s.pacer, BUF_B), true);
	REQUIRE(!vmsync_pacer_buffer_released(s.pacer, BUF_C));
	END(&s);
}

/* A copied (shm) buffer's release proves only its own commit. */
static void test_copied_no_inference(void)
{
	struct sim s;
	start(&s, 2, VMSYNC_RELEASE_ON_BUFFER);
	sim_frame(&s, BUF_A, VMSYNC_FRAME_COPIED);
	sim_frame(&s, BUF_B, VMSYNC_FRAME_COPIED);
	EVENT_RELEASES(&s, vmsync_pacer_buffer_released(s.pacer, BUF_A), false);
	EVENT_RELEASES(&s, vmsync_pacer_buffer_released(s.pacer, BUF_B), true);
	END(&s);
}

/* Explicit sync: a per-commit release of f1 after f2 proves f2 was taken. */
static void test_commit_released(void)
{
	struct sim s;
	start(&s, 2, VMSYNC_RELEASE_ON_BUFFER);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	REQUIRE(!vmsync_pacer_commit_released(s.pacer, f2 + 1));
	REQUIRE(!vmsync_pacer_commit_released(s.pacer, 0));
	EVENT_RELEASES(&s, vmsync_pacer_commit_released(s.pacer, f1), true);
	REQUIRE(f2 == f1 + 1);
	END(&s);
}

static void test_compositor_gone_and_back(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	vmsync_pacer_compositor_gone(s.pacer);
	sim_drain(&s);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RELEASE, 0, VMSYNC_REASON_GONE));
	REQUIRE(logged_for(&s, VMSYNC_ACTION_DROP, f2, VMSYNC_REASON_GONE));
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RETIRE, f1, VMSYNC_REASON_GONE));
	REQUIRE(sim_find(&s, VMSYNC_ACTION_DISARM_WATCHDOG, 0) >= 0);

	/* While gone, frames are dropped at once and never block. */
	uint64_t f3 = sim_frame(&s, BUF_A, 0);
	REQUIRE(f3 == f2 + 1);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_DROP, f3) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_BLOCK, 0) < 0);
	REQUIRE(!vmsync_pacer_buffer_released(s.pacer, BUF_A));
	vmsync_pacer_compositor_gone(s.pacer);
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);

	vmsync_pacer_compositor_back(s.pacer);
	uint64_t f4 = sim_frame(&s, BUF_C, 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_BLOCK, 0) >= 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f4) >= 0);
	END(&s);
}

static void test_drop_pending(void)
{
	struct sim s;
	start(&s, 1, 0);
	sim_frame(&s, BUF_A, 0);
	vmsync_pacer_drop_pending(s.pacer);
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);
	uint64_t f2 = sim_frame(&s, BUF_B, 0);
	vmsync_pacer_drop_pending(s.pacer);
	sim_drain(&s);
	REQUIRE(logged_for(&s, VMSYNC_ACTION_DROP, f2, VMSYNC_REASON_CANCELLED));
	REQUIRE(logged_for(&s, VMSYNC_ACTION_RELEASE, 0, VMSYNC_REASON_CANCELLED));
	END(&s);
}

static void test_nonblocking(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t f1 = sim_frame(&s, BUF_A, VMSYNC_FRAME_NONBLOCKING);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_BLOCK, 0) < 0);
	REQUIRE(sim_find(&s, VMSYNC_ACTION_SUBMIT, f1) >= 0);
	REQUIRE(!vmsync_pacer_is_blocked(s.pacer));
	/* The in-flight frame still arms the watchdog. */
	REQUIRE(s.armed == s.now + WD);
	END(&s);
}

/* A late timer still releases, and the hold time reported is the real one. */
static void test_late_tick(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t t0 = s.now;
	sim_frame(&s, BUF_A, 0);
	s.now = t0 + WD + 50 * MS;
	vmsync_pacer_tick(s.pacer);
	struct vmsync_action a;
	bool released = false;
	while (vmsync_pacer_next_action(s.pacer, &a))
		released |= a.type == VMSYNC_ACTION_RELEASE && a.reason == VMSYNC_REASON_TIMEOUT;
	REQUIRE(released);
	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.max_block_ns, WD + 50 * MS);
	vmsync_pacer_destroy(s.pacer);
	free(s.state);
}

static void test_bad_input(void)
{
	struct sim s;
	start(&s, 1, 0);
	struct vmsync_frame bad = { .buffer = 1, .flags = 1u << 9 };
	REQUIRE(vmsync_pacer_frame_new(s.pacer, &bad) == 0);
	REQUIRE(vmsync_pacer_frame_new(s.pacer, NULL) == 0);
	REQUIRE(!vmsync_pacer_presented(s.pacer, 0, 0, 0));
	REQUIRE(!vmsync_pacer_presented(s.pacer, 1, 0, 0));
	REQUIRE(!vmsync_pacer_discarded(s.pacer, 42));
	REQUIRE(!vmsync_pacer_frame_done(s.pacer, UINT64_MAX));
	REQUIRE(!vmsync_pacer_buffer_released(s.pacer, BUF_A));
	REQUIRE(!vmsync_pacer_acquire_signalled(s.pacer, 1));
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	REQUIRE(!vmsync_pacer_presented(s.pacer, f1, 0, 0x80));
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);

	/* NULL pacers are refused without a crash. */
	struct vmsync_action a;
	struct vmsync_pacer_stats st;
	REQUIRE(!vmsync_pacer_next_action(NULL, &a));
	REQUIRE(vmsync_pacer_frame_new(NULL, &bad) == 0);
	REQUIRE(!vmsync_pacer_presented(NULL, 1, 0, 0));
	REQUIRE(!vmsync_pacer_buffer_released(NULL, 1));
	vmsync_pacer_tick(NULL);
	vmsync_pacer_compositor_gone(NULL);
	vmsync_pacer_drop_pending(NULL);
	vmsync_pacer_get_stats(NULL, &st);
	REQUIRE_EQ_U64(st.frames_new, 0);
	REQUIRE(strcmp(vmsync_action_type_str(VMSYNC_ACTION_SUBMIT), "submit") == 0);
	REQUIRE(strcmp(vmsync_reason_str(VMSYNC_REASON_TIMEOUT), "timeout") == 0);
	REQUIRE(strcmp(vmsync_reason_str((enum vmsync_reason)99), "unknown-reason") == 0);
	END(&s);
}

/* Presented after the frame callback retired it still yields the latency. */
static void test_late_presented_stats(void)
{
	struct sim s;
	start(&s, 1, 0);
	uint64_t t0 = s.now;
	uint64_t f1 = sim_frame(&s, BUF_A, 0);
	sim_advance_to(&s, t0 + 16 * MS);
	REQUIRE(vmsync_pacer_frame_done(s.pacer, f1));
	sim_drain(&s);
	sim_advance_to(&s, t0 + 20 * MS);
	REQUIRE(vmsync_pacer_presented(s.pacer, f1, 0, VMSYNC_PRESENTED_ZERO_COPY));
	REQUIRE(vmsync_pacer_presented(s.pacer, f1, 0, VMSYNC_PRESENTED_ZERO_COPY));
	sim_drain(&s);
	REQUIRE_EQ_U64(s.log_len, 0);
	struct vmsync_pacer_stats st = stats(&s);
	REQUIRE_EQ_U64(st.frames_presented, 1);
	REQUIRE_EQ_U64(st.frames_zero_copy, 1);
	REQUIRE_EQ_U64(st.last_latency_ns, 20 * MS);
	END(&s);
}

/* A SUBMIT the caller cannot commit is reported back while draining. */
static void test_input_while_draining(void)
{
	struct sim s;
	start(&s, 1, 0);
	struct vmsync_frame f = { .buffer = BUF_A };
	uint64_t seq = vmsync_pacer_frame_new(s.pacer, &f);
	REQUIRE(seq == 1);
	enum vmsync_action_type seen[16];
	enum vmsync_reason why[16];
	int n = 0;
	struct vmsync_action a;
	while (vmsync_pacer_next_action(s.pacer, &a) && n < 16) {
		seen[n] = a.type;
		why[n++] = a.reason;
		if (a.type == VMSYNC_ACTION_SUBMIT)
			REQUIRE(vmsync_pacer_discarded(s.pacer, a.seq));
	}
	REQUIRE(n == 6);
	REQUIRE(seen[0] == VMSYNC_ACTION_BLOCK && seen[1] == VMSYNC_ACTION_SUBMIT);
	REQUIRE(seen[2] == VMSYNC_ACTION_ARM_WATCHDOG);
	REQUIRE(seen[3] == VMSYNC_ACTION_RETIRE && why[3] == VMSYNC_REASON_DISCARDED);
	REQUIRE(seen[4] == VMSYNC_ACTION_RELEASE && seen[5] == VMSYNC_ACTION_DISARM_WATCHDOG);
	REQUIRE(!vmsync_pacer_is_blocked(s.pacer) && vmsync_pacer_in_flight(s.pacer) == 0);
	vmsync_pacer_destroy(s.pacer);
	free(s.state);
}

int main(void)
{
	test_config();
	test_basic_frame_done();
	test_weston_shm_order();
	test_weston_dmabuf_order();
	test_buffer_policy_needs_watchdog();
	test_hidden_window();
	test_discarded();
	test_newest_wins();
	test_not_released_before_compositor_has_frame();
	test_acquire_fence();
	test_batched_presentation();
	test_same_buffer_reflush();
	test_hold_fifo();
	test_copied_no_inference();
	test_commit_released();
	test_compositor_gone_and_back();
	test_drop_pending();
	test_nonblocking();
	test_late_tick();
	test_bad_input();
	test_late_presented_stats();
	test_input_while_draining();
	return tap_finish();
}
