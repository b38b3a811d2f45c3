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
 * The caller feeds events in (vsync_pacer_frame_new, _buffer_released,
 * _presented, ...) and then drains the actions they caused with
 * vsync_pacer_next_action() until it returns false, executing each:
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
 *             `deadline_ns` (pacer clock) and call vsync_pacer_tick() when
 *             it fires. Replaces any earlier arming.
 *   DISARM_WATCHDOG  cancel that timer.
 *
 * Frame life: every frame given to vsync_pacer_frame_new() ends with
 * exactly one DROP (never submitted) or one SUBMIT followed later by
 * exactly one RETIRE.
 *
 * Submission. A new frame is submitted at once when fewer than
 * max_in_flight submitted frames are in flight and it needs no acquire
 * wait; otherwise it waits as the single pending frame, and a newer frame
 * replaces (DROPs) it: newest wins. A frame flagged ACQUIRE_FENCE waits for
 * vsync_pacer_acquire_signalled() unless config.explicit_acquire says the
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
 * Producer release. vsync_pacer_frame_new() BLOCKs the producer (unless the
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
 *        replaces them), or vsync_pacer_commit_released() for it;
 *      - RELEASE_ON_PRESENTATION: presented or discarded (occluded);
 *      - RELEASE_ON_FRAME_DONE:   its wl_surface.frame callback;
 *      each also counts when seen for a later frame;
 *   2. at block start + watchdog_ns (checked on every input and on
 *      vsync_pacer_tick()), so the producer never stays blocked longer than
 *      the watchdog, even when no frame callback ever arrives;
 *   3. when the compositor is gone (and it is never blocked again until
 *      vsync_pacer_compositor_back()).
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

#define VSYNC_PACER_MAX_IN_FLIGHT 8u
#define VSYNC_PACER_DEFAULT_WATCHDOG_NS (100ull * 1000 * 1000)
/* QEMU warns after 1 s without an unblock; never allow more. */
#define VSYNC_PACER_MAX_WATCHDOG_NS (1000ull * 1000 * 1000)

/* config.release_on bits. */
#define VSYNC_RELEASE_ON_SUBMIT       (1u << 0)
#define VSYNC_RELEASE_ON_BUFFER       (1u << 1)
#define VSYNC_RELEASE_ON_PRESENTATION (1u << 2)
#define VSYNC_RELEASE_ON_FRAME_DONE   (1u << 3)
#define VSYNC_RELEASE_ON_DEFAULT (VSYNC_RELEASE_ON_BUFFER | \
	VSYNC_RELEASE_ON_PRESENTATION | VSYNC_RELEASE_ON_FRAME_DONE)

struct vsync_pacer_config {
	uint32_t max_in_flight;   /* 1..VSYNC_PACER_MAX_IN_FLIGHT, 0 = 1 */
	uint64_t watchdog_ns;     /* 0 = default 100 ms, at most 1 s */
	uint32_t release_on;      /* VSYNC_RELEASE_ON_* mask, 0 = default */
	bool explicit_acquire;    /* compositor takes acquire fences itself */
	/* Clock in ns, monotonic; NULL = CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *clock_data);
	void *clock_data;
};

/* vsync_frame.flags */
#define VSYNC_FRAME_ACQUIRE_FENCE (1u << 0) /* must wait for its acquire fence */
#define VSYNC_FRAME_COPIED        (1u << 1) /* wl_shm: compositor may copy early */
#define VSYNC_FRAME_NONBLOCKING   (1u << 2) /* does not block the producer */

struct vsync_frame {
	uint64_t buffer;          /* caller's id of the wl_buffer; equal = same buffer */
	uint32_t flags;           /* VSYNC_FRAME_* */
	void *data;               /* caller's, handed back in actions */
};

/* vsync_pacer_presented() flags */
#define VSYNC_PRESENTED_ZERO_COPY (1u << 0) /* wp_presentation ZERO_COPY kind */

enum vsync_action_type {
	VSYNC_ACTION_SUBMIT = 1,
	VSYNC_ACTION_DROP,
	VSYNC_ACTION_RETIRE,
	VSYNC_ACTION_BLOCK,
	VSYNC_ACTION_RELEASE,
	VSYNC_ACTION_ARM_WATCHDOG,
	VSYNC_ACTION_DISARM_WATCHDOG,
};

enum vsync_reason {
	VSYNC_REASON_NONE = 0,
	VSYNC_REASON_SUPERSEDED,   /* DROP: a newer frame won */
	VSYNC_REASON_CANCELLED,    /* DROP/RELEASE: vsync_pacer_drop_pending() */
	VSYNC_REASON_GONE,         /* DROP/RETIRE/RELEASE: compositor gone */
	VSYNC_REASON_PRESENTED,    /* RETIRE */
	VSYNC_REASON_DISCARDED,    /* RETIRE */
	VSYNC_REASON_FRAME_DONE,   /* RETIRE */
	VSYNC_REASON_TIMEOUT,      /* RETIRE: in flight too long; RELEASE: watchdog */
	VSYNC_REASON_POLICY,       /* RELEASE: a release_on event */
};

struct vsync_action {
	enum vsync_action_type type;
	enum vsync_reason reason;
	uint64_t seq;             /* SUBMIT, DROP, RETIRE: the frame */
	uint64_t buffer;          /* SUBMIT, DROP, RETIRE: vsync_frame.buffer */
	void *data;               /* SUBMIT, DROP, RETIRE: vsync_frame.data */
	uint64_t deadline_ns;     /* ARM_WATCHDOG */
};

struct vsync_pacer_stats {
	uint64_t frames_new;
	uint64_t frames_submitted;
	uint64_t frames_presented;
	uint64_t frames_zero_copy;      /* presented with the ZERO_COPY flag */
	uint64_t frames_discarded;
	uint64_t frames_dropped;        /* DROPs of every reason */
	uint64_t frames_timed_out;      /* RETIREs for TIMEOUT */
	uint64_t producer_blocks;
	uint64_t watchdog_releases;     /* RELEASEs for TIMEOUT */
	uint64_t last_latency_ns;       /* submit -> presented, latest sample */
	uint64_t max_block_ns;          /* longest producer hold so far */
};

struct vsync_pacer;

/* Defaults: 1 in flight, 100 ms watchdog, VSYNC_RELEASE_ON_DEFAULT. */
void vsync_pacer_config_defaults(struct vsync_pacer_config *config);

/* NULL config = defaults. Returns NULL on an invalid config or no memory. */
struct vsync_pacer *vsync_pacer_create(const struct vsync_pacer_config *config);

/* Pending actions are discarded; NULL is accepted. */
void vsync_pacer_destroy(struct vsync_pacer *pacer);

/*
 * Next action caused by earlier inputs, in order; false when none left.
 * Inputs may be fed while draining (e.g. _discarded() for a SUBMIT that
 * could not be committed); their actions are appended to the same queue.
 */
bool vsync_pacer_next_action(struct vsync_pacer *pacer,
	struct vsync_action *action);

/* A new frame from the producer. Returns its seq (> 0), 0 on bad input. */
uint64_t vsync_pacer_frame_new(struct vsync_pacer *pacer,
	const struct vsync_frame *frame);

/* The acquire fence of pending frame `seq` signalled. */
bool vsync_pacer_acquire_signalled(struct vsync_pacer *pacer, uint64_t seq);

/*
 * wl_buffer.release for `buffer`. False when the pacer knows no outstanding
 * compositor hold on it (never submitted, already released, or forgotten
 * after more than 32 unreleased holds).
 */
bool vsync_pacer_buffer_released(struct vsync_pacer *pacer, uint64_t buffer);

/* Per-commit explicit release of frame `seq` (its release fence signalled). */
bool vsync_pacer_commit_released(struct vsync_pacer *pacer, uint64_t seq);

/* wp_presentation_feedback.presented; when_ns 0 = now (pacer clock). */
bool vsync_pacer_presented(struct vsync_pacer *pacer, uint64_t seq,
	uint64_t when_ns, uint32_t flags);

/* wp_presentation_feedback.discarded. */
bool vsync_pacer_discarded(struct vsync_pacer *pacer, uint64_t seq);

/* wl_callback.done of the frame callback requested with `seq`. */
bool vsync_pacer_frame_done(struct vsync_pacer *pacer, uint64_t seq);

/* The watchdog timer fired (or any time: expired deadlines are handled). */
void vsync_pacer_tick(struct vsync_pacer *pacer);

/*
 * Drop the pending frame, if any (scanout disabled). If it was the hold
 * frame the producer is released at once (reason CANCELLED).
 */
void vsync_pacer_drop_pending(struct vsync_pacer *pacer);

/* The compositor disconnected: release, drop and retire everything. */
void vsync_pacer_compositor_gone(struct vsync_pacer *pacer);

/* A new connection: pace normally again. */
void vsync_pacer_compositor_back(struct vsync_pacer *pacer);

bool vsync_pacer_is_blocked(const struct vsync_pacer *pacer);
uint32_t vsync_pacer_in_flight(const struct vsync_pacer *pacer);
bool vsync_pacer_has_pending(const struct vsync_pacer *pacer);
/* 0 when no deadline is armed. */
uint64_t vsync_pacer_deadline(const struct vsync_pacer *pacer);
void vsync_pacer_get_stats(const struct vsync_pacer *pacer,
	struct vsync_pacer_stats *stats);

const char *vsync_action_type_str(enum vsync_action_type type);
const char *vsync_reason_str(enum vsync_reason reason);

#endif
