/* SPDX-License-Identifier: MIT */
/*
 * The shm path: guest pixels (QEMU's 2D surface, or fallback.c's CPU map of
 * a dma-buf) and their damage, for commit.c to copy into wl_shm buffers.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "fourcc.h"
#include "shm-pool.h"
#include "viewporter-client-protocol.h"

static void
buffer_release(void *data, struct wl_buffer *wl)
{
	struct vmpd_shm_buffer *b = data;
	b->busy = false;
	vmpd_pacing_buffer_released(b->head, (uint64_t)(uintptr_t)b);
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

static void
shm_fini(struct vmpd_shm_path *s)
{
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

bool
vmpd_shm_has_buffers(const struct vmpd_shm_path *s)
{
	return s->pool != NULL;
}

static bool
shm_format_of(uint32_t fourcc, uint32_t *wl_format)
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

enum vmpd_status
vmpd_shm_check(uint32_t width, uint32_t height, uint32_t stride,
	       uint32_t fourcc)
{
	uint32_t wl_format;
	if (!shm_format_of(fourcc, &wl_format))
		return VMPD_ERR_FOURCC;
	if (width == 0 || height == 0 || width > VMPD_MAX_DIMENSION ||
	    height > VMPD_MAX_DIMENSION)
		return VMPD_ERR_SIZE;
	if (stride < width * 4u)
		return VMPD_ERR_STRIDE;
	return VMPD_OK;
}

enum vmpd_status
vmpd_shm_set_surface(struct vmpd_shm_path *s, uint32_t width, uint32_t height,
		     uint32_t stride, uint32_t fourcc, const void *pixels)
{
	struct vmpd_head *head = s->base.head;
	uint32_t wl_format;
	enum vmpd_status checked = vmpd_shm_check(width, height, stride,
						  fourcc);
	if (checked != VMPD_OK || !shm_format_of(fourcc, &wl_format))
		return checked;

	/* The guest may have been on the dma-buf path; its imports stay cached. */
	bool same = head->path == &s->base && s->pool && s->width == width &&
		    s->height == height && s->fourcc == fourcc;
	if (!same) {
		shm_fini(s);
		uint32_t our_stride = width * 4u;
		size_t one = (size_t)our_stride * height;
		s->pool = vmpd_shm_pool_create(head->display->conn.shm,
					       one * VMPD_SHM_BUFFERS);
		if (!s->pool)
			return VMPD_ERR_NOMEM;
		for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
			struct vmpd_shm_buffer *b = &s->buffers[i];
			b->head = head;
			b->data = s->pool->data + one * (size_t)i;
			b->size = one;
			b->wl = vmpd_shm_pool_buffer(s->pool, one * (size_t)i,
						     width, height, our_stride,
						     wl_format);
			if (!b->wl) {
				shm_fini(s);
				return VMPD_ERR_NOMEM;
			}
			wl_buffer_add_listener(b->wl, &buffer_listener, b);
			pixman_region32_init_rect(&b->stale, 0, 0, width,
						  height);
		}
		s->width = width;
		s->height = height;
		s->stride = our_stride;
		s->fourcc = fourcc;
	}
	s->src = pixels;
	s->src_stride = stride;
	/* A new surface is new content everywhere. */
	pixman_region32_union_rect(&s->pending, &s->pending, 0, 0, width,
				   height);

	bool resized = head->guest_w != width || head->guest_h != height;
	head->guest_w = width;
	head->guest_h = height;
	head->stats.fallback = false;
	wp_viewport_set_source(head->scanout_viewport, wl_fixed_from_int(-1),
			       wl_fixed_from_int(-1), wl_fixed_from_int(-1),
			       wl_fixed_from_int(-1));
	if (resized && !head->size_from_compositor && !head->size_from_config)
		head->win_w = head->win_h = 0;
	return VMPD_OK;
}

static enum vmpd_status
add_damage(struct vmpd_shm_path *s, const struct vmpd_rect *damage)
{
	if (!damage) {
		pixman_region32_union_rect(&s->pending, &s->pending, 0, 0,
					   s->width, s->height);
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
	pixman_region32_union_rect(&s->pending, &s->pending, (int)damage->x,
				   (int)damage->y, w, h);
	return VMPD_OK;
}

static enum vmpd_status
shm_update(struct vmpd_path *path, const struct vmpd_rect *damage,
	   int acquire_fence_fd)
{
	struct vmpd_shm_path *s = wl_container_of(path, s, base);
	enum vmpd_status st = add_damage(s, damage);
	if (st != VMPD_OK) {
		if (acquire_fence_fd >= 0)
			close(acquire_fence_fd);
		return st;
	}
	/* The buffer the commit will most likely use; copied, so the guest's may change. */
	uint64_t next = (uint64_t)(uintptr_t)vmpd_shm_free_buffer(s);
	vmpd_pacing_frame(path->head, next, true, acquire_fence_fd, false);
	return VMPD_OK;
}

static void
shm_disable(struct vmpd_path *path)
{
	struct vmpd_shm_path *s = wl_container_of(path, s, base);
	shm_fini(s);
}

static const struct vmpd_path_impl shm_path_impl = {
	.update = shm_update,
	.disable = shm_disable,
	.fini = shm_disable,
};

void
vmpd_shm_path_init(struct vmpd_shm_path *s, struct vmpd_head *head)
{
	s->base = (struct vmpd_path){ &shm_path_impl, head };
	pixman_region32_init(&s->pending);
}

struct wl_buffer *
vmpd_shm_solid_buffer(struct vmpd_display *d, uint32_t argb)
{
	struct vmpd_shm_pool *pool = vmpd_shm_pool_create(d->conn.shm, 4);
	if (!pool)
		return NULL;
	memcpy(pool->data, &argb, 4);
	struct wl_buffer *b = vmpd_shm_pool_buffer(pool, 0, 1, 1, 4,
						   WL_SHM_FORMAT_ARGB8888);
	/* The buffer keeps the compositor's mapping alive; ours can go. */
	vmpd_shm_pool_destroy(pool);
	return b;
}
