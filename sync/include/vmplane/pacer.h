/* SPDX-License-Identifier: MIT */
/*
 * Public API of the frame pacer: decides when a guest frame goes to the
 * compositor and when the producer may go on; pure logic, actions out.
 */
#ifndef VMPLANE_PACER_H
#define VMPLANE_PACER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Frame pacing between a producer (a guest's scanout) and a Wayland
 * compositor. Pure logic: no Wayland, QEMU or EGL headers, no timers of its
 * own, an injectable clock. Single-threaded.
 *
 * The caller feeds events in (vmsync_pacer_frame_new, _buffer_released,
 * _presented, ...) and then drains the actions they caused with
 * vmsync_pacer_next_action() until it returns false, executing each:
 *
 *   SUBMIT    attach the frame's buffer, damage, request a frame callback
 *             and presentation feedback tagged with `seq`, commit, flush.
 *   DROP      the frame will never be submitted (a newer one replaced it,
 *             it was cancelled, or the compositor is gone). Free what the
 *             caller keeps for it (e.g. its acquire fence fd).
 *   RETIRE    a submitted frame left the in-flight set (informational).
 *   BLOCK     stop the producer (QEMU: graphic_hw_gl_block(con, true)).
 *   RELEASE   let the producer go on (graphic_hw_gl_block(con, false)).
 *             BLOCK and RELEASE strictly alternate, starting with BLOCK.
 *   ARM_WATCHDOG  (re)arm the caller's one-shot timer at the absolute
 *             `deadline_ns` (pacer clock) and call vmsync_pacer_tick() when
 *             it fires. Replaces any earlier arming.
 *   DISARM_WATCHDOG  cancel that timer.
 *
 * Frame life: every frame given to vmsync_pacer_frame_new() ends with
 * exactly one DROP (never submitted) or one SUBMIT followed later by
 * exactly one RETIRE.
 *
 * Submission. A new frame is submitted at once when fewer than
 * max_in_flight submitted frames are in flight and it needs no acquire
 * wait; otherwise it waits as the single pending frame, and a newer frame
 * replaces (DROPs) it: newest wins. A frame flagged ACQUIRE_FENCE waits for
 * vmsync_pacer_acquire_signalled() unless config.explicit_acquire says the
 * compositor takes the fence with the commit.
 *
 * In flight. A submitted frame stays in flight until its presentation
 * feedback (presented or discarded) or its frame callback arrives, for it
 * or for any later frame (compositors batch commits into one repaint), or
 * until it has been in flight for watchdog_ns (hidden window, stuck
 * compositor), or the compositor is gone. Buffer releases do not end it:
 * with dma-bufs they say the compositor took the commit, not that it
 * repainted.
 *
 * Producer release. vmsync_pacer_frame_new() BLOCKs the producer (unless the
 * frame is NONBLOCKING or it is already blocked). The hold waits for the
 * newest frame handed over since (the "hold frame"). The producer is
 * RELEASEd, whichever comes first:
 *   1. once the hold frame has been SUBMITted (the compositor has it) and
 *      one of the config.release_on events has been seen for it:
 *      - RELEASE_ON_SUBMIT:       the submission itself;
 *      - RELEASE_ON_BUFFER:       proof from buffer releases that the
 *        compositor applied the commit: the wl_buffer of the hold frame
 *        released (shm copied at upload, Weston's GL renderer: release
 *        before presented), or the buffer it replaced released after it
 *        was submitted (dma-bufs are released only when the next commit
 *        replaces them), or vmsync_pacer_commit_released() for it;
 *      - RELEASE_ON_PRESENTATION: presented or discarded (occluded);
 *      - RELEASE_ON_FRAME_DONE:   its wl_surface.frame callback;
 *      each also counts when seen for a later frame;
 *   2. at block start + watchdog_ns (checked on every input and on
 *      vmsync_pacer_tick()), so the producer never stays blocked longer than
 *      the watchdog, even when no frame callback ever arrives;
 *   3. when the compositor is gone (and it is never blocked again until
 *      vmsync_pacer_compositor_back()).
 * Events for frames older than the hold frame never release it.
 *
 * Buffer releases. wl_buffer.release is per buffer, not per commit; the
 * pacer keeps a FIFO of the compositor's holds on each buffer (consecutive
 * commits of one buffer form one hold) and matches each release to the
 * oldest. A release of a buffer flagged COPIED proves only its own commit
 * was taken (the compositor may copy it long before the next commit).
 *
 * Every input returns false, changing nothing, when it names a frame or
 * buffer the pacer never saw, a frame not yet submitted, or bad arguments.
 * Late or duplicate events for retired frames are accepted (true) and only
 * feed the statistics.
 */

#define VMSYNC_PACER_MAX_IN_FLIGHT 8u
#define VMSYNC_PACER_DEFAULT_WATCHDOG_NS (100ull * 1000 * 1000)
/* QEMU warns after 1 s without an unblock; never allow more. */
#define VMSYNC_PACER_MAX_WATCHDOG_NS (1000ull * 1000 * 1000)

/* config.release_on bits. */
#define VMSYNC_RELEASE_ON_SUBMIT (1u << 0)
#define VMSYNC_RELEASE_ON_BUFFER (1u << 1)
#define VMSYNC_RELEASE_ON_PRESENTATION (1u << 2)
#define VMSYNC_RELEASE_ON_FRAME_DONE (1u << 3)
#define VMSYNC_RELEASE_ON_DEFAULT                                    \
	(VMSYNC_RELEASE_ON_BUFFER | VMSYNC_RELEASE_ON_PRESENTATION | \
	 VMSYNC_RELEASE_ON_FRAME_DONE)

struct vmsync_pacer_config {
	uint32_t max_in_flight; /* 1..VMSYNC_PACER_MAX_IN_FLIGHT, 0 = 1 */
	uint64_t watchdog_ns; /* 0 = default 100 ms, at most 1 s */
	uint32_t release_on; /* VMSYNC_RELEASE_ON_* mask, 0 = default */
	bool explicit_acquire; /* compositor takes acquire fences itself */
	/* Clock in ns, monotonic; NULL = CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *clock_data);
	void *clock_data;
};

/* vmsync_frame.flags */
#define VMSYNC_FRAME_ACQUIRE_FENCE \
	(1u << 0) /* must wait for its acquire fence */
#define VMSYNC_FRAME_COPIED (1u << 1) /* wl_shm: compositor may copy early */
#define VMSYNC_FRAME_NONBLOCKING (1u << 2) /* does not block the producer */

struct vmsync_frame {
	uint64_t buffer; /* caller's id of the wl_buffer; equal = same buffer */
	uint32_t flags; /* VMSYNC_FRAME_* */
	void *data; /* caller's, handed back in actions */
};

/* vmsync_pacer_presented() flags */
#define VMSYNC_PRESENTED_ZERO_COPY \
	(1u << 0) /* wp_presentation ZERO_COPY kind */

enum vmsync_action_type {
	VMSYNC_ACTION_SUBMIT = 1,
	VMSYNC_ACTION_DROP,
	VMSYNC_ACTION_RETIRE,
	VMSYNC_ACTION_BLOCK,
	VMSYNC_ACTION_RELEASE,
	VMSYNC_ACTION_ARM_WATCHDOG,
	VMSYNC_ACTION_DISARM_WATCHDOG,
};

enum vmsync_reason {
	VMSYNC_REASON_NONE = 0,
	VMSYNC_REASON_SUPERSEDED, /* DROP: a newer frame won */
	VMSYNC_REASON_CANCELLED, /* DROP/RELEASE: vmsync_pacer_drop_pending() */
	VMSYNC_REASON_GONE, /* DROP/RETIRE/RELEASE: compositor gone */
	VMSYNC_REASON_PRESENTED, /* RETIRE */
	VMSYNC_REASON_DISCARDED, /* RETIRE */
	VMSYNC_REASON_FRAME_DONE, /* RETIRE */
	VMSYNC_REASON_TIMEOUT, /* RETIRE: in flight too long; RELEASE: watchdog */
	VMSYNC_REASON_POLICY, /* RELEASE: a release_on event */
};

struct vmsync_action {
	enum vmsync_action_type type;
	enum vmsync_reason reason;
	uint64_t seq; /* SUBMIT, DROP, RETIRE: the frame */
	uint64_t buffer; /* SUBMIT, DROP, RETIRE: vmsync_frame.buffer */
	void *data; /* SUBMIT, DROP, RETIRE: vmsync_frame.data */
	uint64_t deadline_ns; /* ARM_WATCHDOG */
};

struct vmsync_pacer_stats {
	uint64_t frames_new;
	uint64_t frames_submitted;
	uint64_t frames_presented;
	uint64_t frames_zero_copy; /* presented with the ZERO_COPY flag */
	uint64_t frames_discarded;
	uint64_t frames_dropped; /* DROPs of every reason */
	uint64_t frames_timed_out; /* RETIREs for TIMEOUT */
	uint64_t producer_blocks;
	uint64_t watchdog_releases; /* RELEASEs for TIMEOUT */
	uint64_t last_latency_ns; /* submit -> presented, latest sample */
	uint64_t max_block_ns; /* longest producer hold so far */
};

struct vmsync_pacer;

/* Defaults: 1 in flight, 100 ms watchdog, VMSYNC_RELEASE_ON_DEFAULT. */
void vmsync_pacer_config_defaults(struct vmsync_pacer_config *config);

/* NULL config = defaults. Returns NULL on an invalid config or no memory. */
struct vmsync_pacer *vmsync_pacer_create(
	const struct vmsync_pacer_config *config);

/* Pending actions are discarded; NULL is accepted. */
void vmsync_pacer_destroy(struct vmsync_pacer *pacer);

/*
 * Next action caused by earlier inputs, in order; false when none left.
 * Inputs may be fed while draining (e.g. _discarded() for a SUBMIT that
 * could not be committed); their actions are appended to the same queue.
 */
bool vmsync_pacer_next_action(struct vmsync_pacer *pacer,
			      struct vmsync_action *action);

/* A new frame from the producer. Returns its seq (> 0), 0 on bad input. */
uint64_t vmsync_pacer_frame_new(struct vmsync_pacer *pacer,
				const struct vmsync_frame *frame);

/* The acquire fence of pending frame `seq` signalled. */
bool vmsync_pacer_acquire_signalled(struct vmsync_pacer *pacer, uint64_t seq);

/*
 * wl_buffer.release for `buffer`. False when the pacer knows no outstanding
 * compositor hold on it (never submitted, already released, or forgotten
 * after more than 32 unreleased holds).
 */
bool vmsync_pacer_buffer_released(struct vmsync_pacer *pacer, uint64_t buffer);

/* Per-commit explicit release of frame `seq` (its release fence signalled). */
bool vmsync_pacer_commit_released(struct vmsync_pacer *pacer, uint64_t seq);

/* wp_presentation_feedback.presented; when_ns 0 = now (pacer clock). */
bool vmsync_pacer_presented(struct vmsync_pacer *pacer, uint64_t seq,
			    uint64_t when_ns, uint32_t flags);

/* wp_presentation_feedback.discarded. */
bool vmsync_pacer_discarded(struct vmsync_pacer *pacer, uint64_t seq);

/* wl_callback.done of the frame callback requested with `seq`. */
bool vmsync_pacer_frame_done(struct vmsync_pacer *pacer, uint64_t seq);

/* The watchdog timer fired (or any time: expired deadlines are handled). */
void vmsync_pacer_tick(struct vmsync_pacer *pacer);

/*
 * Drop the pending frame, if any (scanout disabled). If it was the hold
 * frame the producer is released at once (reason CANCELLED).
 */
void vmsync_pacer_drop_pending(struct vmsync_pacer *pacer);

/* The compositor disconnected: release, drop and retire everything. */
void vmsync_pacer_compositor_gone(struct vmsync_pacer *pacer);

/* A new connection: pace normally again. */
void vmsync_pacer_compositor_back(struct vmsync_pacer *pacer);

bool vmsync_pacer_is_blocked(const struct vmsync_pacer *pacer);
uint32_t vmsync_pacer_in_flight(const struct vmsync_pacer *pacer);
bool vmsync_pacer_has_pending(const struct vmsync_pacer *pacer);
/* 0 when no deadline is armed. */
uint64_t vmsync_pacer_deadline(const struct vmsync_pacer *pacer);
void vmsync_pacer_get_stats(const struct vmsync_pacer *pacer,
			    struct vmsync_pacer_stats *stats);

const char *vmsync_action_type_str(enum vmsync_action_type type);
const char *vmsync_reason_str(enum vmsync_reason reason);

#endif
