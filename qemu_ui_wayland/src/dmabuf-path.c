/* SPDX-License-Identifier: MIT */
/*
 * The dma-buf path: imports of the guest's own buffer (or fallback.c's GPU
 * copy of it), a small cache of them per head, and the current one's damage.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "gpu-blit.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"

/* ---- the cache ---- */

static void
entry_destroy(struct vmpd_dmabuf_entry *e)
{
	if (!e)
		return;
	vmpd_release_fini(e);
	if (e->params)
		zwp_linux_buffer_params_v1_destroy(e->params);
	if (e->wl)
		wl_buffer_destroy(e->wl);
	vmpd_gpu_target_destroy(e->target);
	if (e->map)
		munmap(e->map, e->map_size);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

static void
flush_cache(struct vmpd_dmabuf_path *dp)
{
	for (int i = 0; i < VMPD_DMABUF_CACHE; i++) {
		entry_destroy(dp->cache[i]);
		dp->cache[i] = NULL;
	}
	dp->current = NULL;
}

static void
buffer_release(void *data, struct wl_buffer *wl)
{
	struct vmpd_dmabuf_entry *e = data;
	/* With explicit sync the per-commit release decides (release.c). */
	if (vmpd_release_outstanding(e))
		return;
	e->busy = false;
	vmpd_pacing_buffer_released(e->head, (uint64_t)(uintptr_t)e);
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

static void
params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
	       struct wl_buffer *buffer)
{
	struct vmpd_dmabuf_entry *e = data;
	zwp_linux_buffer_params_v1_destroy(e->params);
	e->params = NULL;
	e->wl = buffer;
	wl_buffer_add_listener(buffer, &buffer_listener, e);
	e->state = VMPD_IMPORT_READY;
	e->head->stats.dmabuf_imports++;
	if (e->head->dmabuf.current == e)
		vmpd_pacing_import_done(e->head);
}

static void dmabuf_import(struct vmpd_dmabuf_entry *e,
			  const struct vmpd_dmabuf *b, uint64_t mod);

static void
params_failed(void *data, struct zwp_linux_buffer_params_v1 *params)
{
	struct vmpd_dmabuf_entry *e = data;
	zwp_linux_buffer_params_v1_destroy(e->params);
	e->params = NULL;
	struct vmpd_head *head = e->head;
	struct vmpd_dmabuf import;
	vmpd_fallback_refused(e, &import);
	if (import.n_planes)
		dmabuf_import(e, &import, VMPD_MOD_LINEAR);
	if (head->dmabuf.current != e)
		return;
	/* Mapped now: the head moves to the shm path before pacing's turn. */
	if (e->state == VMPD_IMPORT_FALLBACK)
		head->dmabuf.mapped(head, e);
	vmpd_pacing_import_done(head);
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

/*
 * Asks for a wl_buffer of b (the guest's, or fallback.c's GPU copy) with
 * this modifier; the answer comes as an event, e stays PENDING till then.
 */
static void
dmabuf_import(struct vmpd_dmabuf_entry *e, const struct vmpd_dmabuf *b,
	      uint64_t mod)
{
	struct vmpd_display *d = e->head->display;
	e->params = zwp_linux_dmabuf_v1_create_params(d->dmabuf);
	for (uint32_t p = 0; p < b->n_planes; p++)
		zwp_linux_buffer_params_v1_add(
			e->params, b->fd[p], p, b->offset[p], b->stride[p],
			(uint32_t)(mod >> 32), (uint32_t)mod);
	/* Async create: a refused import is an event, not a protocol error. */
	zwp_linux_buffer_params_v1_add_listener(e->params, &params_listener, e);
	zwp_linux_buffer_params_v1_create(
		e->params, (int32_t)b->width, (int32_t)b->height, b->fourcc,
		b->y0_top ? ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT : 0);
	e->state = VMPD_IMPORT_PENDING;
}

static bool
is_udmabuf_linear_format(uint32_t fourcc)
{
	uint32_t bpp, planes;
	return vmpd_fourcc_info(fourcc, &bpp, &planes) && planes == 1;
}

static struct vmpd_dmabuf_entry *
entry_create(struct vmpd_head *head, const struct vmpd_dmabuf *b, dev_t dev,
	     ino_t ino)
{
	struct vmpd_dmabuf_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->head = head;
	wl_list_init(&e->releases);
	e->dev = dev;
	e->ino = ino;
	e->fourcc = b->fourcc;
	e->modifier = b->modifier;
	e->width = b->width;
	e->height = b->height;
	e->stride = b->stride[0];
	e->offset = b->offset[0];
	e->y_invert = b->y0_top;
	e->fd = dup(b->fd[0]);
	e->desc = *b;
	e->desc.fd[0] = e->fd;
	if (e->fd < 0) {
		free(e);
		return NULL;
	}
	e->state = VMPD_IMPORT_FAILED;

	struct vmpd_display *d = head->display;
	uint64_t mod = b->modifier;
	bool known = false;
	/* Guest memory is linear; say so when the compositor knows the word. */
	if (mod == VMPD_MOD_INVALID && is_udmabuf_linear_format(b->fourcc) &&
	    vmpd_feedback_lists(head, b->fourcc, VMPD_MOD_LINEAR, &known) &&
	    known)
		mod = VMPD_MOD_LINEAR;
	if (d->dmabuf && vmpd_feedback_lists(head, b->fourcc, mod, &known)) {
		dmabuf_import(e, b, mod);
		return e;
	}
	struct vmpd_dmabuf import;
	if (!vmpd_fallback_unlisted(e, &import)) {
		entry_destroy(e);
		return NULL;
	}
	if (import.n_planes)
		dmabuf_import(e, &import, VMPD_MOD_LINEAR);
	return e;
}

static struct vmpd_dmabuf_entry *
cache_find(struct vmpd_dmabuf_path *dp, const struct vmpd_dmabuf *b, dev_t dev,
	   ino_t ino)
{
	for (int i = 0; i < VMPD_DMABUF_CACHE; i++) {
		struct vmpd_dmabuf_entry *e = dp->cache[i];
		if (e && e->dev == dev && e->ino == ino &&
		    e->fourcc == b->fourcc && e->modifier == b->modifier &&
		    e->stride == b->stride[0] && e->width == b->width &&
		    e->height == b->height && e->offset == b->offset[0] &&
		    e->y_invert == b->y0_top &&
		    (!e->target ||
		     memcmp(&e->desc.src, &b->src, sizeof(b->src)) == 0))
			return e;
	}
	return NULL;
}

static void
cache_insert(struct vmpd_dmabuf_path *dp, struct vmpd_dmabuf_entry *e)
{
	int slot = 0;
	for (int i = 0; i < VMPD_DMABUF_CACHE; i++) {
		if (!dp->cache[i]) {
			slot = i;
			break;
		}
		if (dp->cache[i]->last_use < dp->cache[slot]->last_use)
			slot = i;
	}
	/* Least recently used goes; the compositor keeps what it still shows. */
	if (dp->cache[slot] == dp->current)
		dp->current = NULL;
	entry_destroy(dp->cache[slot]);
	dp->cache[slot] = e;
}

/* ---- set and update ---- */

enum vmpd_status
vmpd_dmabuf_set(struct vmpd_dmabuf_path *dp, const struct vmpd_dmabuf *b,
		struct vmpd_dmabuf_entry **mapped)
{
	struct vmpd_head *head = dp->base.head;
	char why[160];
	enum vmpd_status st = vmpd_dmabuf_validate(b, why, sizeof(why));
	if (st != VMPD_OK) {
		vmpd_log_emit(&head->display->log, VMPD_LOG_WARNING,
			      "vmplane display: rejected dma-buf: %s", why);
		return st;
	}
	struct stat s;
	if (fstat(b->fd[0], &s) != 0)
		return VMPD_ERR_BAD_FD;
	struct vmpd_dmabuf_entry *e = cache_find(dp, b, s.st_dev, s.st_ino);
	if (e) {
		head->stats.dmabuf_cache_hits++;
		/* Same buffer, maybe another scanout rectangle (the GPU copy's is in the key). */
		e->desc.src = b->src;
	} else {
		e = entry_create(head, b, s.st_dev, s.st_ino);
		if (!e)
			return VMPD_ERR_UNSUPPORTED;
		cache_insert(dp, e);
	}
	e->last_use = ++dp->use_clock;
	if (e->state == VMPD_IMPORT_FAILED)
		return VMPD_ERR_IMPORT;

	bool resized = head->guest_w != b->src.width ||
		       head->guest_h != b->src.height;
	dp->current = e;
	dp->src = b->src;
	head->guest_w = b->src.width;
	head->guest_h = b->src.height;
	head->stats.scanout_tranche =
		vmpd_feedback_has(
			&head->feedback, b->fourcc, b->modifier,
			ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT) ||
		(b->modifier == VMPD_MOD_INVALID &&
		 vmpd_feedback_has(
			 &head->feedback, b->fourcc, VMPD_MOD_LINEAR,
			 ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT));
	if (resized && !head->size_from_compositor && !head->size_from_config)
		head->win_w = head->win_h = 0;
	*mapped = NULL;
	if (e->state == VMPD_IMPORT_FALLBACK) {
		*mapped = e;
		return VMPD_OK;
	}

	head->stats.fallback = e->target != NULL;
	pixman_region32_union_rect(&dp->damage, &dp->damage, 0, 0, b->width,
				   b->height);
	return VMPD_OK;
}

static enum vmpd_status
dmabuf_update(struct vmpd_path *path, const struct vmpd_rect *damage,
	      int acquire_fence_fd)
{
	struct vmpd_dmabuf_path *dp = wl_container_of(path, dp, base);
	struct vmpd_head *head = path->head;
	struct vmpd_dmabuf_entry *e = dp->current;
	if (!e) {
		if (acquire_fence_fd >= 0)
			close(acquire_fence_fd);
		return VMPD_ERR_STATE;
	}
	/* Explicit sync takes the fence with the commit; otherwise pacing waits for it. */
	if (head->surface_sync && e->state == VMPD_IMPORT_READY) {
		/* Newest wins for fences as for frames. */
		if (dp->acquire_fence >= 0)
			close(dp->acquire_fence);
		dp->acquire_fence = acquire_fence_fd;
		acquire_fence_fd = -1;
	} else if (dp->acquire_fence >= 0) {
		close(dp->acquire_fence);
		dp->acquire_fence = -1;
	}
	if (damage)
		pixman_region32_union_rect(&dp->damage, &dp->damage,
					   (int)(dp->src.x + damage->x),
					   (int)(dp->src.y + damage->y),
					   damage->width, damage->height);
	else
		pixman_region32_union_rect(&dp->damage, &dp->damage, 0, 0,
					   e->width, e->height);
	vmpd_pacing_frame(head, (uint64_t)(uintptr_t)e, false, acquire_fence_fd,
			  e->state == VMPD_IMPORT_PENDING);
	return VMPD_OK;
}

static void
dmabuf_disable(struct vmpd_path *path)
{
	struct vmpd_dmabuf_path *dp = wl_container_of(path, dp, base);
	flush_cache(dp);
}

static void
dmabuf_fini(struct vmpd_path *path)
{
	struct vmpd_dmabuf_path *dp = wl_container_of(path, dp, base);
	flush_cache(dp);
	vmpd_feedback_head_fini(path->head);
	if (dp->acquire_fence >= 0)
		close(dp->acquire_fence);
	dp->acquire_fence = -1;
}

static const struct vmpd_path_impl dmabuf_path_impl = {
	.update = dmabuf_update,
	.disable = dmabuf_disable,
	.fini = dmabuf_fini,
};

void
vmpd_dmabuf_path_init(struct vmpd_dmabuf_path *dp, struct vmpd_head *head,
		      void (*mapped)(struct vmpd_head *head,
				     struct vmpd_dmabuf_entry *e))
{
	dp->base = (struct vmpd_path){ &dmabuf_path_impl, head };
	dp->mapped = mapped;
	dp->acquire_fence = -1;
	pixman_region32_init(&dp->damage);
	vmpd_feedback_head_init(head);
}
