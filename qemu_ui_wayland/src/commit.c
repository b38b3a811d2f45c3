/* SPDX-License-Identifier: MIT */
/*
 * One commit of the scanout on pacing's turn: what the head's path prepared,
 * attached with its damage, crop and fence, tracked and committed.
 */
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "viewporter-client-protocol.h"

static void
frame_free(struct vmpd_frame *f)
{
	if (f->feedback)
		wp_presentation_feedback_destroy(f->feedback);
	if (f->callback)
		wl_callback_destroy(f->callback);
	wl_list_remove(&f->link);
	free(f);
}

static void
frame_maybe_free(struct vmpd_frame *f)
{
	if (!f->feedback && !f->callback)
		frame_free(f);
}

/* What an event of a frame needs, read before the frame may be freed. */
struct vmpd_frame_end {
	struct vmpd_head *head;
	const struct vmpd_commit_events *events;
	uint64_t seq;
};

/* One of the frame's two proxies is done (and destroyed by the caller); the
 * frame goes with the second. */
static struct vmpd_frame_end
frame_end(struct vmpd_frame *f)
{
	struct vmpd_frame_end end = { f->head, f->events, f->seq };
	frame_maybe_free(f);
	return end;
}

static struct vmpd_frame_end
frame_feedback_end(struct vmpd_frame *f)
{
	wp_presentation_feedback_destroy(f->feedback);
	f->feedback = NULL;
	return frame_end(f);
}

static void
feedback_sync_output(void *data, struct wp_presentation_feedback *fb,
		     struct wl_output *output)
{
}

static void
feedback_presented(void *data, struct wp_presentation_feedback *fb,
		   uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec,
		   uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
		   uint32_t flags)
{
	struct vmpd_frame_end end = frame_feedback_end(data);
	end.events->presented(end.head, end.seq,
			      flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY);
}

static void
feedback_discarded(void *data, struct wp_presentation_feedback *fb)
{
	struct vmpd_frame_end end = frame_feedback_end(data);
	end.events->discarded(end.head, end.seq);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	.sync_output = feedback_sync_output,
	.presented = feedback_presented,
	.discarded = feedback_discarded,
};

static void
callback_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct vmpd_frame *f = data;
	wl_callback_destroy(f->callback);
	f->callback = NULL;
	struct vmpd_frame_end end = frame_end(f);
	end.events->done(end.head, end.seq);
}

static const struct wl_callback_listener callback_listener = {
	.done = callback_done,
};

/* Presentation feedback and frame callback for the commit about to happen. */
static void
track(struct vmpd_head *head, uint64_t seq,
      const struct vmpd_commit_events *events)
{
	struct vmpd_connection *c = &head->display->conn;
	head->stats.frames_submitted++;
	struct vmpd_frame *f = calloc(1, sizeof(*f));
	if (!f)
		return;
	f->head = head;
	f->events = events;
	f->seq = seq;
	if (c->presentation) {
		f->feedback = wp_presentation_feedback(c->presentation,
						       head->scanout);
		wp_presentation_feedback_add_listener(f->feedback,
						      &feedback_listener, f);
	}
	f->callback = wl_surface_frame(head->scanout);
	wl_callback_add_listener(f->callback, &callback_listener, f);
	wl_list_insert(head->frames.prev, &f->link);
}

static void
damage_region(struct wl_surface *surface, pixman_region32_t *region)
{
	int n;
	pixman_box32_t *box = pixman_region32_rectangles(region, &n);
	for (int i = 0; i < n; i++)
		wl_surface_damage_buffer(surface, box[i].x1, box[i].y1,
					 box[i].x2 - box[i].x1,
					 box[i].y2 - box[i].y1);
	pixman_region32_clear(region);
}

/* The shm path: a free buffer gets what it missed, then is attached. */
static struct wl_buffer *
prepare_shm(struct vmpd_head *head, bool **busy)
{
	struct vmpd_shm_path *s = &head->shm;
	struct vmpd_shm_buffer *b = vmpd_shm_free_buffer(s);
	if (!b || !s->src)
		return NULL;
	for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
		if (s->buffers[i].wl)
			pixman_region32_union(&s->buffers[i].stale,
					      &s->buffers[i].stale,
					      &s->pending);
	}
	/* Only what this buffer missed is copied: its own stale area, not the whole frame. */
	int n;
	pixman_box32_t *box = pixman_region32_rectangles(&b->stale, &n);
	for (int i = 0; i < n; i++) {
		vmpd_copy_rect(head, b->data, s->stride, s->src, s->src_stride,
			       (uint32_t)box[i].x1, (uint32_t)box[i].y1,
			       (uint32_t)(box[i].x2 - box[i].x1),
			       (uint32_t)(box[i].y2 - box[i].y1), 4);
	}
	if (n > 0)
		head->stats.copies++;
	pixman_region32_clear(&b->stale);

	wl_surface_attach(head->scanout, b->wl, 0, 0);
	damage_region(head->scanout, &s->pending);
	*busy = &b->busy;
	return b->wl;
}

static void
set_crop(struct vmpd_head *head, const struct vmpd_dmabuf_entry *e)
{
	if (e->target) {
		/* The GPU copy already holds just the scanout rectangle, upright. */
		wp_viewport_set_source(
			head->scanout_viewport, wl_fixed_from_int(-1),
			wl_fixed_from_int(-1), wl_fixed_from_int(-1),
			wl_fixed_from_int(-1));
		return;
	}
	/* Crop on the compositor (or the plane scaler): nothing is copied. */
	wp_viewport_set_source(head->scanout_viewport,
			       wl_fixed_from_int((int)e->desc.src.x),
			       wl_fixed_from_int((int)e->desc.src.y),
			       wl_fixed_from_int((int)e->desc.src.width),
			       wl_fixed_from_int((int)e->desc.src.height));
}

/* The dma-buf path: the current import, cropped, with its explicit-sync fence. */
static struct wl_buffer *
prepare_dmabuf(struct vmpd_head *head, bool **busy)
{
	struct vmpd_dmabuf_path *dp = &head->dmabuf;
	struct vmpd_dmabuf_entry *e = dp->current;
	/*
	 * The pacer holds frames until the import is answered; a mapped entry
	 * reaches here only when the head could not move to the shm path.
	 */
	if (!e || e->state != VMPD_IMPORT_READY)
		return NULL;
	if (e->target && !vmpd_fallback_recopy(e))
		return NULL;
	/* The crop goes in the commit that attaches its buffer: applied
	 * earlier, the compositor would check it against the previous one. */
	set_crop(head, e);
	wl_surface_attach(head->scanout, e->wl, 0, 0);
	damage_region(head->scanout, &dp->damage);
	if (dp->acquire_fence >= 0) {
		if (head->surface_sync)
			zwp_linux_surface_synchronization_v1_set_acquire_fence(
				head->surface_sync, dp->acquire_fence);
		close(dp->acquire_fence);
		dp->acquire_fence = -1;
	}
	vmpd_release_request(head, e);
	*busy = &e->busy;
	return e->wl;
}

bool
vmpd_commit_frame(struct vmpd_head *head, uint64_t seq,
		  const struct vmpd_commit_events *events)
{
	bool *busy = NULL;
	struct wl_buffer *wl = NULL;
	if (head->path == &head->shm.base)
		wl = prepare_shm(head, &busy);
	else if (head->path == &head->dmabuf.base)
		wl = prepare_dmabuf(head, &busy);
	if (!wl)
		return false;
	track(head, seq, events);
	wl_surface_commit(head->scanout);
	*busy = true;
	return true;
}

void
vmpd_commit_fini(struct vmpd_head *head)
{
	struct vmpd_frame *f, *tmp;
	wl_list_for_each_safe(f, tmp, &head->frames, link) frame_free(f);
}
