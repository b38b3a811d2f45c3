/* SPDX-License-Identifier: MIT */
/*
 * The frame pacer state machine. Every input ends in settle(), and every
 * effect leaves as a queued action for the caller to carry out.
 */
#include <stdlib.h>
#include <string.h>

#include "vmplane/clock.h"
#include "vmplane/pacer.h"

/* Outstanding compositor holds tracked per buffer; older ones are forgotten. */
#define HOLDS_MAX 32
/* Submitted frames remembered for late events (latency, validity). */
#define HISTORY_MAX 64

struct frame {
	uint64_t seq;
	uint64_t buffer;
	uint32_t flags;
	void *data;
	uint64_t t_submit;
	bool acquired;
};

/* The compositor's reference on a buffer from consecutive commits of it. */
struct hold {
	bool used;
	bool copied;
	uint64_t buffer;
	uint64_t last_seq; /* last commit of this buffer in the run */
	uint64_t next_seq; /* the commit that replaced it, 0 if none yet */
};

struct submitted {
	uint64_t seq;
	uint64_t buffer;
	uint64_t t_submit;
	uint32_t flags;
	bool reported; /* presented or discarded already counted */
};

struct vmsync_pacer {
	struct vmsync_pacer_config config;

	uint64_t last_seq; /* last seq handed out */
	uint64_t last_submitted; /* seq of the latest SUBMIT, 0 if none */

	bool has_pending;
	struct frame pending;
	struct frame in_flight[VMSYNC_PACER_MAX_IN_FLIGHT];
	uint32_t n_in_flight;

	struct hold holds[HOLDS_MAX];
	int cur_hold; /* hold of the latest submission, -1 */

	struct submitted history[HISTORY_MAX];
	uint32_t history_next, history_count;

	/* Highest seq each kind of evidence has covered. */
	uint64_t w_buffer, w_presentation, w_frame_done;

	bool blocked;
	uint64_t block_start;
	uint64_t hold_seq;
	bool gone;
	uint64_t armed; /* deadline currently armed, 0 = none */

	struct vmsync_action *queue;
	size_t queue_len, queue_cap, queue_head;

	struct vmsync_pacer_stats stats;
};

static uint64_t
max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t
pacer_now(const struct vmsync_pacer *p)
{
	return p->config.now_ns ? p->config.now_ns(p->config.clock_data)
				: vmplane_now_ns();
}

static void
push(struct vmsync_pacer *p, const struct vmsync_action *action)
{
	if (p->queue_head == p->queue_len)
		p->queue_head = p->queue_len = 0;
	if (p->queue_len == p->queue_cap) {
		size_t cap = p->queue_cap ? p->queue_cap * 2 : 16;
		struct vmsync_action *q = realloc(p->queue, cap * sizeof(*q));
		if (!q)
			abort();
		p->queue = q;
		p->queue_cap = cap;
	}
	p->queue[p->queue_len++] = *action;
}

static void
push_frame(struct vmsync_pacer *p, enum vmsync_action_type type,
	   enum vmsync_reason reason, const struct frame *f)
{
	struct vmsync_action a = {
		.type = type,
		.reason = reason,
		.seq = f->seq,
		.buffer = f->buffer,
		.data = f->data,
	};
	push(p, &a);
}

static void
release_producer(struct vmsync_pacer *p, uint64_t now,
		 enum vmsync_reason reason)
{
	if (!p->blocked)
		return;
	p->blocked = false;
	uint64_t held = now >= p->block_start ? now - p->block_start : 0;
	p->stats.max_block_ns = max_u64(p->stats.max_block_ns, held);
	if (reason == VMSYNC_REASON_TIMEOUT)
		p->stats.watchdog_releases++;
	struct vmsync_action a = { .type = VMSYNC_ACTION_RELEASE,
				   .reason = reason };
	push(p, &a);
}

static void
drop_pending(struct vmsync_pacer *p, enum vmsync_reason reason)
{
	if (!p->has_pending)
		return;
	p->has_pending = false;
	p->stats.frames_dropped++;
	push_frame(p, VMSYNC_ACTION_DROP, reason, &p->pending);
}

static void
retire_at(struct vmsync_pacer *p, uint32_t i, enum vmsync_reason reason)
{
	struct frame f = p->in_flight[i];
	memmove(&p->in_flight[i], &p->in_flight[i + 1],
		(p->n_in_flight - i - 1) * sizeof(f));
	p->n_in_flight--;
	if (reason == VMSYNC_REASON_TIMEOUT)
		p->stats.frames_timed_out++;
	push_frame(p, VMSYNC_ACTION_RETIRE, reason, &f);
}

static struct submitted *
history_find(struct vmsync_pacer *p, uint64_t seq)
{
	for (uint32_t i = 0; i < p->history_count; i++) {
		if (p->history[i].seq == seq)
			return &p->history[i];
	}
	return NULL;
}

static uint64_t
history_oldest(const struct vmsync_pacer *p)
{
	uint64_t oldest = UINT64_MAX;
	for (uint32_t i = 0; i < p->history_count; i++) {
		if (p->history[i].seq < oldest)
			oldest = p->history[i].seq;
	}
	return oldest;
}

/* The first submitted seq after `seq`, 0 if none is remembered. */
static uint64_t
history_next_after(const struct vmsync_pacer *p, uint64_t seq)
{
	uint64_t next = 0;
	for (uint32_t i = 0; i < p->history_count; i++) {
		uint64_t s = p->history[i].seq;
		if (s > seq && (next == 0 || s < next))
			next = s;
	}
	return next;
}

/*
 * Whether `seq` names a submitted frame. Frames older than the history are
 * assumed submitted: such events can only be late ones.
 */
static bool
was_submitted(struct vmsync_pacer *p, uint64_t seq)
{
	if (seq == 0 || seq > p->last_submitted)
		return false;
	if (history_find(p, seq))
		return true;
	return p->history_count > 0 && seq < history_oldest(p);
}

static void
hold_on_submit(struct vmsync_pacer *p, const struct frame *f)
{
	struct hold *cur = p->cur_hold >= 0 ? &p->holds[p->cur_hold] : NULL;
	if (cur && cur->buffer == f->buffer) {
		cur->last_seq = f->seq;
		cur->copied = f->flags & VMSYNC_FRAME_COPIED;
		return;
	}
	if (cur)
		cur->next_seq = f->seq;

	int slot = -1;
	for (int i = 0; i < HOLDS_MAX; i++) {
		if (!p->holds[i].used) {
			slot = i;
			break;
		}
		/* Full: forget the oldest hold; we only lose an inference. */
		if (slot < 0 || p->holds[i].last_seq < p->holds[slot].last_seq)
			slot = i;
	}
	p->holds[slot] = (struct hold){
		.used = true,
		.copied = f->flags & VMSYNC_FRAME_COPIED,
		.buffer = f->buffer,
		.last_seq = f->seq,
	};
	p->cur_hold = slot;
}

static void
submit(struct vmsync_pacer *p, struct frame *f, uint64_t now)
{
	f->t_submit = now;
	p->in_flight[p->n_in_flight++] = *f;
	p->last_submitted = f->seq;
	p->stats.frames_submitted++;
	hold_on_submit(p, f);

	p->history[p->history_next] = (struct submitted){
		.seq = f->seq,
		.buffer = f->buffer,
		.t_submit = now,
		.flags = f->flags,
	};
	p->history_next = (p->history_next + 1) % HISTORY_MAX;
	if (p->history_count < HISTORY_MAX)
		p->history_count++;

	push_frame(p, VMSYNC_ACTION_SUBMIT, VMSYNC_REASON_NONE, f);
}

static bool
acquire_ready(const struct vmsync_pacer *p, const struct frame *f)
{
	return !(f->flags & VMSYNC_FRAME_ACQUIRE_FENCE) ||
	       p->config.explicit_acquire || f->acquired;
}

static uint64_t
next_deadline(const struct vmsync_pacer *p)
{
	uint64_t deadline = 0;
	if (p->blocked)
		deadline = p->block_start + p->config.watchdog_ns;
	for (uint32_t i = 0; i < p->n_in_flight; i++) {
		uint64_t d = p->in_flight[i].t_submit + p->config.watchdog_ns;
		if (deadline == 0 || d < deadline)
			deadline = d;
	}
	return deadline;
}

/* Handle deadlines that have passed. */
static void
expire(struct vmsync_pacer *p, uint64_t now)
{
	if (p->blocked && now >= p->block_start + p->config.watchdog_ns)
		release_producer(p, now, VMSYNC_REASON_TIMEOUT);
	for (uint32_t i = 0; i < p->n_in_flight;) {
		if (now >= p->in_flight[i].t_submit + p->config.watchdog_ns)
			retire_at(p, i, VMSYNC_REASON_TIMEOUT);
		else
			i++;
	}
}

static bool
hold_satisfied(const struct vmsync_pacer *p)
{
	const uint32_t on = p->config.release_on;
	const uint64_t h = p->hold_seq;
	if ((on & VMSYNC_RELEASE_ON_SUBMIT) && p->last_submitted >= h)
		return true;
	if ((on & VMSYNC_RELEASE_ON_BUFFER) && p->w_buffer >= h)
		return true;
	if ((on & VMSYNC_RELEASE_ON_PRESENTATION) && p->w_presentation >= h)
		return true;
	if ((on & VMSYNC_RELEASE_ON_FRAME_DONE) && p->w_frame_done >= h)
		return true;
	return false;
}

/* Bring the state to rest after an input; emits the resulting actions. */
static void
settle(struct vmsync_pacer *p, uint64_t now, enum vmsync_reason done)
{
	uint64_t w_done = max_u64(p->w_presentation, p->w_frame_done);
	for (uint32_t i = 0; i < p->n_in_flight;) {
		if (p->in_flight[i].seq <= w_done)
			retire_at(p, i, done);
		else
			i++;
	}

	if (!p->gone && p->has_pending &&
	    p->n_in_flight < p->config.max_in_flight &&
	    acquire_ready(p, &p->pending)) {
		p->has_pending = false;
		submit(p, &p->pending, now);
	}

	if (p->blocked && hold_satisfied(p))
		release_producer(p, now, VMSYNC_REASON_POLICY);

	uint64_t deadline = next_deadline(p);
	if (deadline != p->armed) {
		struct vmsync_action a = {
			.type = deadline ? VMSYNC_ACTION_ARM_WATCHDOG
					 : VMSYNC_ACTION_DISARM_WATCHDOG,
			.deadline_ns = deadline,
		};
		push(p, &a);
		p->armed = deadline;
	}
}

void
vmsync_pacer_config_defaults(struct vmsync_pacer_config *config)
{
	if (!config)
		return;
	*config = (struct vmsync_pacer_config){
		.max_in_flight = 1,
		.watchdog_ns = VMSYNC_PACER_DEFAULT_WATCHDOG_NS,
		.release_on = VMSYNC_RELEASE_ON_DEFAULT,
	};
}

struct vmsync_pacer *
vmsync_pacer_create(const struct vmsync_pacer_config *config)
{
	struct vmsync_pacer_config c;
	vmsync_pacer_config_defaults(&c);
	if (config) {
		const uint32_t all = VMSYNC_RELEASE_ON_SUBMIT |
				     VMSYNC_RELEASE_ON_BUFFER |
				     VMSYNC_RELEASE_ON_PRESENTATION |
				     VMSYNC_RELEASE_ON_FRAME_DONE;
		if (config->max_in_flight > VMSYNC_PACER_MAX_IN_FLIGHT ||
		    config->watchdog_ns > VMSYNC_PACER_MAX_WATCHDOG_NS ||
		    (config->release_on & ~all))
			return NULL;
		c = *config;
		if (c.max_in_flight == 0)
			c.max_in_flight = 1;
		if (c.watchdog_ns == 0)
			c.watchdog_ns = VMSYNC_PACER_DEFAULT_WATCHDOG_NS;
		if (c.release_on == 0)
			c.release_on = VMSYNC_RELEASE_ON_DEFAULT;
	}

	struct vmsync_pacer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->config = c;
	p->cur_hold = -1;
	return p;
}

void
vmsync_pacer_destroy(struct vmsync_pacer *pacer)
{
	if (!pacer)
		return;
	free(pacer->queue);
	free(pacer);
}

bool
vmsync_pacer_next_action(struct vmsync_pacer *p, struct vmsync_action *action)
{
	if (!p || !action || p->queue_head >= p->queue_len)
		return false;
	*action = p->queue[p->queue_head++];
	return true;
}

uint64_t
vmsync_pacer_frame_new(struct vmsync_pacer *p, const struct vmsync_frame *frame)
{
	const uint32_t known = VMSYNC_FRAME_ACQUIRE_FENCE |
			       VMSYNC_FRAME_COPIED | VMSYNC_FRAME_NONBLOCKING;
	if (!p || !frame || (frame->flags & ~known))
		return 0;
	uint64_t now = pacer_now(p);
	expire(p, now);

	struct frame f = {
		.seq = ++p->last_seq,
		.buffer = frame->buffer,
		.flags = frame->flags,
		.data = frame->data,
	};
	p->stats.frames_new++;

	if (p->gone) {
		p->stats.frames_dropped++;
		push_frame(p, VMSYNC_ACTION_DROP, VMSYNC_REASON_GONE, &f);
		settle(p, now, VMSYNC_REASON_NONE);
		return f.seq;
	}

	drop_pending(p, VMSYNC_REASON_SUPERSEDED);
	p->pending = f;
	p->has_pending = true;

	if (p->blocked) {
		p->hold_seq = f.seq;
	} else if (!(f.flags & VMSYNC_FRAME_NONBLOCKING)) {
		p->blocked = true;
		p->block_start = now;
		p->hold_seq = f.seq;
		p->stats.producer_blocks++;
		struct vmsync_action a = { .type = VMSYNC_ACTION_BLOCK };
		push(p, &a);
	}
	settle(p, now, VMSYNC_REASON_NONE);
	return f.seq;
}

bool
vmsync_pacer_acquire_signalled(struct vmsync_pacer *p, uint64_t seq)
{
	if (!p || seq == 0 || seq > p->last_seq)
		return false;
	uint64_t now = pacer_now(p);
	expire(p, now);
	if (p->has_pending && p->pending.seq == seq)
		p->pending.acquired = true;
	settle(p, now, VMSYNC_REASON_NONE);
	return true;
}

bool
vmsync_pacer_buffer_released(struct vmsync_pacer *p, uint64_t buffer)
{
	if (!p)
		return false;
	int oldest = -1;
	for (int i = 0; i < HOLDS_MAX; i++) {
		const struct hold *h = &p->holds[i];
		if (h->used && h->buffer == buffer &&
		    (oldest < 0 || h->last_seq < p->holds[oldest].last_seq))
			oldest = i;
	}
	if (oldest < 0)
		return false;

	uint64_t now = pacer_now(p);
	expire(p, now);
	struct hold *h = &p->holds[oldest];
	p->w_buffer = max_u64(p->w_buffer, h->last_seq);
	/* Non-copied buffers are released only once a later commit replaced them. */
	if (!h->copied && h->next_seq)
		p->w_buffer = max_u64(p->w_buffer, h->next_seq);
	h->used = false;
	if (p->cur_hold == oldest)
		p->cur_hold = -1;
	settle(p, now, VMSYNC_REASON_NONE);
	return true;
}

bool
vmsync_pacer_commit_released(struct vmsync_pacer *p, uint64_t seq)
{
	if (!p || !was_submitted(p, seq))
		return false;
	uint64_t now = pacer_now(p);
	expire(p, now);
	p->w_buffer = max_u64(p->w_buffer, seq);
	const struct submitted *s = history_find(p, seq);
	if (s && !(s->flags & VMSYNC_FRAME_COPIED)) {
		uint64_t next = history_next_after(p, seq);
		if (next)
			p->w_buffer = max_u64(p->w_buffer, next);
	}
	settle(p, now, VMSYNC_REASON_NONE);
	return true;
}

bool
vmsync_pacer_presented(struct vmsync_pacer *p, uint64_t seq, uint64_t when_ns,
		       uint32_t flags)
{
	if (!p || !was_submitted(p, seq) ||
	    (flags & ~VMSYNC_PRESENTED_ZERO_COPY))
		return false;
	uint64_t now = pacer_now(p);
	expire(p, now);
	struct submitted *s = history_find(p, seq);
	if (s && !s->reported) {
		s->reported = true;
		uint64_t when = when_ns ? when_ns : now;
		p->stats.frames_presented++;
		if (flags & VMSYNC_PRESENTED_ZERO_COPY)
			p->stats.frames_zero_copy++;
		p->stats.last_latency_ns = when > s->t_submit
						   ? when - s->t_submit
						   : 0;
	}
	p->w_presentation = max_u64(p->w_presentation, seq);
	settle(p, now, VMSYNC_REASON_PRESENTED);
	return true;
}

bool
vmsync_pacer_discarded(struct vmsync_pacer *p, uint64_t seq)
{
	if (!p || !was_submitted(p, seq))
		return false;
	uint64_t now = pacer_now(p);
	expire(p, now);
	struct submitted *s = history_find(p, seq);
	if (s && !s->reported) {
		s->reported = true;
		p->stats.frames_discarded++;
	}
	p->w_presentation = max_u64(p->w_presentation, seq);
	settle(p, now, VMSYNC_REASON_DISCARDED);
	return true;
}

bool
vmsync_pacer_frame_done(struct vmsync_pacer *p, uint64_t seq)
{
	if (!p || !was_submitted(p, seq))
		return false;
	uint64_t now = pacer_now(p);
	expire(p, now);
	p->w_frame_done = max_u64(p->w_frame_done, seq);
	settle(p, now, VMSYNC_REASON_FRAME_DONE);
	return true;
}

void
vmsync_pacer_tick(struct vmsync_pacer *p)
{
	if (!p)
		return;
	uint64_t now = pacer_now(p);
	expire(p, now);
	settle(p, now, VMSYNC_REASON_NONE);
}

void
vmsync_pacer_drop_pending(struct vmsync_pacer *p)
{
	if (!p)
		return;
	uint64_t now = pacer_now(p);
	expire(p, now);
	if (p->has_pending) {
		bool was_hold = p->blocked && p->pending.seq == p->hold_seq;
		drop_pending(p, VMSYNC_REASON_CANCELLED);
		/* Nothing newer will come to satisfy the hold: let the producer go. */
		if (was_hold)
			release_producer(p, now, VMSYNC_REASON_CANCELLED);
	}
	settle(p, now, VMSYNC_REASON_NONE);
}

void
vmsync_pacer_compositor_gone(struct vmsync_pacer *p)
{
	if (!p || p->gone)
		return;
	uint64_t now = pacer_now(p);
	p->gone = true;
	release_producer(p, now, VMSYNC_REASON_GONE);
	drop_pending(p, VMSYNC_REASON_GONE);
	while (p->n_in_flight > 0)
		retire_at(p, 0, VMSYNC_REASON_GONE);
	memset(p->holds, 0, sizeof(p->holds));
	p->cur_hold = -1;
	settle(p, now, VMSYNC_REASON_NONE);
}

void
vmsync_pacer_compositor_back(struct vmsync_pacer *p)
{
	if (p)
		p->gone = false;
}

bool
vmsync_pacer_is_blocked(const struct vmsync_pacer *p)
{
	return p && p->blocked;
}

uint32_t
vmsync_pacer_in_flight(const struct vmsync_pacer *p)
{
	return p ? p->n_in_flight : 0;
}

bool
vmsync_pacer_has_pending(const struct vmsync_pacer *p)
{
	return p && p->has_pending;
}

uint64_t
vmsync_pacer_deadline(const struct vmsync_pacer *p)
{
	return p ? p->armed : 0;
}

void
vmsync_pacer_get_stats(const struct vmsync_pacer *p,
		       struct vmsync_pacer_stats *stats)
{
	if (!stats)
		return;
	if (!p) {
		memset(stats, 0, sizeof(*stats));
		return;
	}
	*stats = p->stats;
}

const char *
vmsync_action_type_str(enum vmsync_action_type type)
{
	switch (type) {
	case VMSYNC_ACTION_SUBMIT:
		return "submit";
	case VMSYNC_ACTION_DROP:
		return "drop";
	case VMSYNC_ACTION_RETIRE:
		return "retire";
	case VMSYNC_ACTION_BLOCK:
		return "block";
	case VMSYNC_ACTION_RELEASE:
		return "release";
	case VMSYNC_ACTION_ARM_WATCHDOG:
		return "arm-watchdog";
	case VMSYNC_ACTION_DISARM_WATCHDOG:
		return "disarm-watchdog";
	}
	return "unknown-action";
}

const char *
vmsync_reason_str(enum vmsync_reason reason)
{
	switch (reason) {
	case VMSYNC_REASON_NONE:
		return "none";
	case VMSYNC_REASON_SUPERSEDED:
		return "superseded";
	case VMSYNC_REASON_CANCELLED:
		return "cancelled";
	case VMSYNC_REASON_GONE:
		return "gone";
	case VMSYNC_REASON_PRESENTED:
		return "presented";
	case VMSYNC_REASON_DISCARDED:
		return "discarded";
	case VMSYNC_REASON_FRAME_DONE:
		return "frame-done";
	case VMSYNC_REASON_TIMEOUT:
		return "timeout";
	case VMSYNC_REASON_POLICY:
		return "policy";
	}
	return "unknown-reason";
}
