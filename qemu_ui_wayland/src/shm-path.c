/*
 * The shm path: guest pixels (QEMU's 2D surface, or fallback.c's CPU map of
 * a dma-buf) copied, damage only, into wl_shm buffers the compositor takes.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "fourcc.h"
#include "shm-pool.h"
#include "viewporter-client-protocol.h"

static void buffer_release(void *data, struct wl_buffer *wl)
{
	struct vmpd_shm_buffer *b = data;
	b->busy = false;
	vmpd_pacing_buffer_released(b->head, (uint64_t)(uintptr_t)b);
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

static void shm_fini(struct vmpd_head *head)
{
	struct vmpd_shm_state *s = &head->shm;
	for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
		struct vmpd_shm_buffer *b = &s->buffers[i];
		if (b->wl) {
			wl_buffer_destroy(b->wl);
			pixman_region32_fini(&b->stale);
		}
		memset(b, 0, sizeof(*b));
	}
	vmpd_shm_pool_destroy(s->pool);
	s->pool = NULL;
	s->src = NULL;
	s->width = s->height = 0;
	pixman_region32_clear(&s->pending);
}

bool vmpd_shm_has_buffers(const struct vmpd_head *head)
{
	return head->shm.pool != NULL;
}

static bool shm_format_of(uint32_t fourcc, uint32_t *wl_format)
{
	/* wl_shm's two mandatory formats are the only ones every compositor takes. */
	if (fourcc == VMPD_FOURCC_XRGB8888) {
		*wl_format = WL_SHM_FORMAT_XRGB8888;
		return true;
	}
	if (fourcc == VMPD_FOURCC_ARGB8888) {
		*wl_format = WL_SHM_FORMAT_ARGB8888;
		return true;
	}
	return false;
}

enum vmpd_status vmpd_shm_set_surface(struct vmpd_head *head, uint32_t width, uint32_t height,
	uint32_t stride, uint32_t fourcc, const void *pixels)
{
	struct vmpd_shm_state *s = &head->shm;
	uint32_t wl_format;
	if (!shm_format_of(fourcc, &wl_format))
		return VMPD_ERR_FOURCC;
	if (width == 0 || height == 0 || width > VMPD_MAX_DIMENSION || height > VMPD_MAX_DIMENSION)
		return VMPD_ERR_SIZE;
	if (stride < width * 4u)
		return VMPD_ERR_STRIDE;

	/* The guest may have been on the dma-buf path; its imports stay cached. */
	bool same = head->path == &head->shm_path && s->pool && s->width == width &&
		s->height == height && s->fourcc == fourcc;
	if (!same) {
		shm_fini(head);
		uint32_t our_stride = width * 4u;
		size_t one = (size_t)our_stride * height;
		s->pool = vmpd_shm_pool_create(head->display->conn.shm, one * VMPD_SHM_BUFFERS);
		if (!s->pool)
			return VMPD_ERR_NOMEM;
		for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
			struct vmpd_shm_buffer *b = &s->buffers[i];
			b->head = head;
			b->data = s->pool->data + one * (size_t)i;
			b->size = one;
			b->wl = vmpd_shm_pool_buffer(s->pool, one * (size_t)i, width, height,
				our_stride, wl_format);
			if (!b->wl) {
				shm_fini(head);
				return VMPD_ERR_NOMEM;
			}
			wl_buffer_add_listener(b->wl, &buffer_listener, b);
			pixman_region32_init_rect(&b->stale, 0, 0, width, height);
		}
		s->width = width;
		s->height = height;
		s->stride = our_stride;
		s->fourcc = fourcc;
	}
	s->src = pixels;
	s->src_stride = stride;
	/* A new surface is new content everywhere. */
	pixman_region32_union_rect(&s->pending, &s->pending, 0, 0, width, height);

	bool resized = head->guest_w != width || head->guest_h != height;
	head->guest_w = width;
	head->guest_h = height;
	head->src = (struct vmpd_rect){ 0, 0, width, height };
	head->stats.fallback = false;
	wp_viewport_set_source(head->scanout_viewport, wl_fixed_from_int(-1),
		wl_fixed_from_int(-1), wl_fixed_from_int(-1), wl_fixed_from_int(-1));
	if (resized && !head->size_from_compositor && !head->size_from_config)
		head->win_w = head->win_h = 0;
	return VMPD_OK;
}

static enum vmpd_status add_damage(struct vmpd_shm_state *s, const struct vmpd_rect *damage)
{
	if (!damage) {
		pixman_region32_union_rect(&s->pending, &s->pending, 0, 0, s->width, s->height);
		return VMPD_OK;
	}
	if (damage->x >= s->width || damage->y >= s->height)
		return VMPD_ERR_RECT;
	uint32_t w = damage->width, h = damage->height;
	if (w > s->width - damage->x)
		w = s->width - damage->x;
	if (h > s->height - damage->y)
		h = s->height - damage->y;
	if (w == 0 || h == 0)
		return VMPD_ERR_RECT;
	pixman_region32_union_rect(&s->pending, &s->pending, (int)damage->x, (int)damage->y, w, h);
	return VMPD_OK;
}

static struct vmpd_shm_buffer *free_buffer(struct vmpd_shm_state *s)
{
	for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
		if (s->buffers[i].wl && !s->buffers[i].busy)
			return &s->buffers[i];
	}
	return NULL;
}

static enum vmpd_status shm_update(struct vmpd_path *path, const struct vmpd_rect *damage,
	int acquire_fence_fd)
{
	struct vmpd_head *head = path->head;
	enum vmpd_status st = add_damage(&head->shm, damage);
	if (st != VMPD_OK) {
		if (acquire_fence_fd >= 0)
			close(acquire_fence_fd);
		return st;
	}
	/* The buffer the submit will most likely use; copied, so the guest's may change. */
	uint64_t next = (uint64_t)(uintptr_t)free_buffer(&head->shm);
	vmpd_pacing_frame(head, next, true, acquire_fence_fd, false);
	return VMPD_OK;
}

static bool shm_submit(struct vmpd_path *path, uint64_t seq)
{
	struct vmpd_head *head = path->head;
	struct vmpd_shm_state *s = &head->shm;
	struct vmpd_shm_buffer *b = free_buffer(s);
	if (!b || !s->src)
		return false;
	for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
		if (s->buffers[i].wl)
			pixman_region32_union(&s->buffers[i].stale, &s->buffers[i].stale, &s->pending);
	}
	/* Only what this buffer missed is copied: its own stale area, not the whole frame. */
	int n;
	pixman_box32_t *box = pixman_region32_rectangles(&b->stale, &n);
	for (int i = 0; i < n; i++) {
		vmpd_copy_rect(head, b->data, s->stride, s->src, s->src_stride, (uint32_t)box[i].x1,
			(uint32_t)box[i].y1, (uint32_t)(box[i].x2 - box[i].x1),
			(uint32_t)(box[i].y2 - box[i].y1), 4);
	}
	if (n > 0)
		head->stats.copies++;
	pixman_region32_clear(&b->stale);

	wl_surface_attach(head->scanout, b->wl, 0, 0);
	box = pixman_region32_rectangles(&s->pending, &n);
	for (int i = 0; i < n; i++)
		wl_surface_damage_buffer(head->scanout, box[i].x1, box[i].y1,
			box[i].x2 - box[i].x1, box[i].y2 - box[i].y1);
	pixman_region32_clear(&s->pending);
	vmpd_pacing_track(head, seq);
	wl_surface_commit(head->scanout);
	b->busy = true;
	return true;
}

static void shm_disable(struct vmpd_path *path)
{
	shm_fini(path->head);
}

static const struct vmpd_path_impl shm_path_impl = {
	.update = shm_update,
	.submit = shm_submit,
	.disable = shm_disable,
	.fini = shm_disable,
};

void vmpd_shm_path_init(struct vmpd_head *head)
{
	head->shm_path = (struct vmpd_path){ &shm_path_impl, head };
}

struct wl_buffer *vmpd_shm_solid_buffer(struct vmpd_display *d, uint32_t argb)
{
	struct vmpd_shm_pool *pool = vmpd_shm_pool_create(d->conn.shm, 4);
	if (!pool)
		return NULL;
	memcpy(pool->data, &argb, 4);
	struct wl_buffer *b = vmpd_shm_pool_buffer(pool, 0, 1, 1, 4, WL_SHM_FORMAT_ARGB8888);
	/* The buffer keeps the compositor's mapping alive; ours can go. */
	vmpd_shm_pool_destroy(pool);
	return b;
}
