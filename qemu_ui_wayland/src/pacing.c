/* SPDX-License-Identifier: MIT */
/*
 * The head's side of sync/'s pacer: feeds it the frames, fences, releases
 * and timeouts, runs its actions, and on its turn has commit.c commit.
 */
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "vmplane/clock.h"

static void run_actions(struct vmpd_head *head);

static void
clear_wait(struct vmpd_head *head)
{
	if (head->wait_fence.fd >= 0) {
		vmpd_connection_unwatch(&head->display->conn,
					&head->wait_fence);
		close(head->wait_fence.fd);
	}
	head->wait_fence.fd = -1;
	head->wait_seq = 0;
	head->wait_count = 0;
	head->wait_import = false;
}

static void
set_block(struct vmpd_head *head, bool block)
{
	if (head->blocked == block)
		return;
	head->blocked = block;
	struct vmpd_display *d = head->display;
	if (d->cb.block)
		d->cb.block(d->data, head, block);
}

/* commit.c's report of how a committed frame ended. */
static void
frame_presented(struct vmpd_head *head, uint64_t seq, bool zero_copy)
{
	/* The presentation clock may not be ours; latency is taken on arrival. */
	vmsync_pacer_presented(head->pacer, seq, 0,
			       zero_copy ? VMSYNC_PRESENTED_ZERO_COPY : 0);
	run_actions(head);
}

static void
frame_discarded(struct vmpd_head *head, uint64_t seq)
{
	vmsync_pacer_discarded(head->pacer, seq);
	run_actions(head);
}

static void
frame_done(struct vmpd_head *head, uint64_t seq)
{
	vmsync_pacer_frame_done(head->pacer, seq);
	run_actions(head);
}

static const struct vmpd_commit_events commit_events = {
	.presented = frame_presented,
	.discarded = frame_discarded,
	.done = frame_done,
};

static void
submit(struct vmpd_head *head, const struct vmsync_action *a)
{
	/* Nothing could be committed: end the frame as if the compositor dropped it. */
	if (!vmpd_commit_frame(head, a->seq, &commit_events))
		vmsync_pacer_discarded(head->pacer, a->seq);
}

static void
run_actions(struct vmpd_head *head)
{
	struct vmsync_action a;
	if (!head->pacer)
		return;
	while (vmsync_pacer_next_action(head->pacer, &a)) {
		switch (a.type) {
		case VMSYNC_ACTION_SUBMIT:
			if (a.seq == head->wait_seq)
				clear_wait(head);
			submit(head, &a);
			break;
		case VMSYNC_ACTION_DROP:
			if (a.seq == head->wait_seq)
				clear_wait(head);
			break;
		case VMSYNC_ACTION_RETIRE:
			break;
		case VMSYNC_ACTION_BLOCK:
			set_block(head, true);
			break;
		case VMSYNC_ACTION_RELEASE:
			set_block(head, false);
			break;
		case VMSYNC_ACTION_ARM_WATCHDOG:
			head->watchdog.deadline_ns = a.deadline_ns;
			break;
		case VMSYNC_ACTION_DISARM_WATCHDOG:
			head->watchdog.deadline_ns = 0;
			break;
		}
	}
	vmpd_connection_flush(&head->display->conn);
	vmpd_connection_update_timer(&head->display->conn);
}

void
vmpd_pacing_fini(struct vmpd_head *head)
{
	vmpd_commit_fini(head);
	if (head->pacer) {
		/* Releases the producer through the actions, before the pacer goes. */
		vmsync_pacer_compositor_gone(head->pacer);
		run_actions(head);
	}
	clear_wait(head);
	set_block(head, false);
	if (head->pacer) {
		/* The counters outlive the pacer: the head keeps them for its lifetime. */
		struct vmsync_pacer_stats ps;
		vmsync_pacer_get_stats(head->pacer, &ps);
		head->stats.frames_presented += ps.frames_presented;
		head->stats.frames_zero_copy += ps.frames_zero_copy;
		head->stats.frames_dropped += ps.frames_dropped +
					      ps.frames_discarded;
		head->stats.watchdog_releases += ps.watchdog_releases;
		if (ps.last_latency_ns)
			head->stats.last_latency_ns = ps.last_latency_ns;
	}
	vmsync_pacer_destroy(head->pacer);
	head->pacer = NULL;
	head->watchdog.deadline_ns = 0;
	vmpd_connection_remove_timer(&head->watchdog);
}

void
vmpd_pacing_frame(struct vmpd_head *head, uint64_t buffer, bool copied,
		  int acquire_fence_fd, bool import_pending)
{
	struct vmpd_display *d = head->display;
	struct vmsync_frame frame = { .buffer = buffer,
				      .flags = copied ? VMSYNC_FRAME_COPIED
						      : 0 };
	bool cpu_fence = acquire_fence_fd >= 0;
	if (cpu_fence || import_pending)
		frame.flags |= VMSYNC_FRAME_ACQUIRE_FENCE;
	uint64_t seq = vmsync_pacer_frame_new(head->pacer, &frame);
	if (seq && (frame.flags & VMSYNC_FRAME_ACQUIRE_FENCE)) {
		/* A newer frame replaces the older waiting one: only one wait at a time. */
		clear_wait(head);
		head->wait_seq = seq;
		head->wait_import = import_pending;
		head->wait_count = import_pending ? 1 : 0;
		if (cpu_fence) {
			head->wait_fence.fd = acquire_fence_fd;
			acquire_fence_fd = -1;
			/* An unwatchable fd is treated as signalled rather than stalling the guest. */
			if (vmpd_connection_watch(&d->conn, &head->wait_fence))
				head->wait_count++;
		}
		if (head->wait_count == 0)
			vmsync_pacer_acquire_signalled(head->pacer, seq);
	}
	if (acquire_fence_fd >= 0)
		close(acquire_fence_fd);
	run_actions(head);
}

static void
wait_step(struct vmpd_head *head)
{
	if (!head->wait_seq || head->wait_count == 0)
		return;
	if (--head->wait_count == 0)
		vmsync_pacer_acquire_signalled(head->pacer, head->wait_seq);
	run_actions(head);
}

void
vmpd_pacing_import_done(struct vmpd_head *head)
{
	if (!head->wait_import)
		return;
	head->wait_import = false;
	wait_step(head);
}

/* The connection saw the waiting frame's acquire fence signal. */
static void
fence_ready(struct vmpd_watch *watch)
{
	struct vmpd_head *head = wl_container_of(watch, head, wait_fence);
	if (head->wait_fence.fd < 0)
		return;
	vmpd_connection_unwatch(&head->display->conn, &head->wait_fence);
	close(head->wait_fence.fd);
	head->wait_fence.fd = -1;
	wait_step(head);
}

void
vmpd_pacing_buffer_released(struct vmpd_head *head, uint64_t buffer)
{
	if (!head->pacer)
		return;
	vmsync_pacer_buffer_released(head->pacer, buffer);
	run_actions(head);
}

/* The connection's timerfd fired; this head's deadline may not have passed yet. */
static void
watchdog_fire(struct vmpd_timer *timer)
{
	struct vmpd_head *head = wl_container_of(timer, head, watchdog);
	uint64_t deadline = head->watchdog.deadline_ns;
	if (!head->pacer || !deadline || vmplane_now_ns() < deadline)
		return;
	vmsync_pacer_tick(head->pacer);
	run_actions(head);
}

bool
vmpd_pacing_init(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	struct vmsync_pacer_config cfg;
	vmsync_pacer_config_defaults(&cfg);
	cfg.max_in_flight = d->config.max_frames_in_flight;
	if (cfg.max_in_flight > VMSYNC_PACER_MAX_IN_FLIGHT)
		cfg.max_in_flight = VMSYNC_PACER_MAX_IN_FLIGHT;
	if (d->config.watchdog_ms)
		cfg.watchdog_ns = (uint64_t)d->config.watchdog_ms * 1000000u;
	if (cfg.watchdog_ns > VMSYNC_PACER_MAX_WATCHDOG_NS)
		cfg.watchdog_ns = VMSYNC_PACER_MAX_WATCHDOG_NS;
	/* Only frames that must wait here are flagged; explicit-sync fences ride the commit. */
	cfg.explicit_acquire = false;
	head->wait_fence = (struct vmpd_watch){ .fd = -1,
						.ready = fence_ready };
	head->watchdog.fire = watchdog_fire;
	vmpd_connection_add_timer(&d->conn, &head->watchdog);
	head->pacer = vmsync_pacer_create(&cfg);
	return head->pacer != NULL;
}

void
vmpd_pacing_gone(struct vmpd_head *head)
{
	if (!head->pacer)
		return;
	vmsync_pacer_compositor_gone(head->pacer);
	clear_wait(head);
	run_actions(head);
}

void
vmpd_pacing_disable(struct vmpd_head *head)
{
	if (!head->pacer)
		return;
	vmsync_pacer_drop_pending(head->pacer);
	run_actions(head);
}
