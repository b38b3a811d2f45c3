/* SPDX-License-Identifier: MIT */
/*
 * Per-commit buffer releases (zwp_linux_buffer_release_v1) for the dma-buf
 * path: asked for with each commit when the compositor offers explicit
 * sync. An immediate release counts as wl_buffer.release does; a fenced one
 * only once its fence fd is readable, watched on the connection's loop.
 * While any is outstanding, wl_buffer.release of that buffer is ignored:
 * the compositor may send it before the GPU has finished reading.
 */
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"

struct vmpd_release {
	struct vmpd_dmabuf_entry *e;
	struct zwp_linux_buffer_release_v1 *proxy; /* NULL once answered */
	struct vmpd_watch fence; /* fd -1 unless a fenced release waits */
	struct wl_list link; /* vmpd_dmabuf_entry.releases */
};

static void
release_destroy(struct vmpd_release *r)
{
	if (r->proxy)
		zwp_linux_buffer_release_v1_destroy(r->proxy);
	if (r->fence.fd >= 0) {
		vmpd_connection_unwatch(&r->e->head->display->conn, &r->fence);
		close(r->fence.fd);
	}
	wl_list_remove(&r->link);
	free(r);
}

/* The compositor is done with the commit: as wl_buffer.release once the
 * last outstanding release of the buffer is done. */
static void
release_done(struct vmpd_release *r)
{
	struct vmpd_dmabuf_entry *e = r->e;
	struct vmpd_head *head = e->head;
	release_destroy(r);
	if (!wl_list_empty(&e->releases))
		return;
	e->busy = false;
	vmpd_pacing_buffer_released(head, (uint64_t)(uintptr_t)e);
}

static void
fence_ready(struct vmpd_watch *watch)
{
	struct vmpd_release *r = wl_container_of(watch, r, fence);
	release_done(r);
}

static void
handle_fenced(void *data, struct zwp_linux_buffer_release_v1 *proxy, int32_t fd)
{
	struct vmpd_release *r = data;
	struct vmpd_head *head = r->e->head;
	/* The event destroyed the object on the compositor's side. */
	zwp_linux_buffer_release_v1_destroy(proxy);
	r->proxy = NULL;
	head->stats.fenced_releases++;
	r->fence.fd = fd;
	if (!vmpd_connection_watch(&head->display->conn, &r->fence)) {
		/* Cannot wait without blocking the loop: release now. */
		vmpd_log_emit(
			&head->display->log, VMPD_LOG_WARNING,
			"cannot watch a release fence; releasing at once");
		close(r->fence.fd);
		r->fence.fd = -1;
		release_done(r);
	}
}

static void
handle_immediate(void *data, struct zwp_linux_buffer_release_v1 *proxy)
{
	struct vmpd_release *r = data;
	zwp_linux_buffer_release_v1_destroy(proxy);
	r->proxy = NULL;
	release_done(r);
}

static const struct zwp_linux_buffer_release_v1_listener release_listener = {
	.fenced_release = handle_fenced,
	.immediate_release = handle_immediate,
};

void
vmpd_release_request(struct vmpd_head *head, struct vmpd_dmabuf_entry *e)
{
	if (!head->surface_sync)
		return;
	struct vmpd_release *r = calloc(1, sizeof(*r));
	if (!r)
		return; /* wl_buffer.release still comes */
	r->e = e;
	r->fence = (struct vmpd_watch){ .fd = -1, .ready = fence_ready };
	r->proxy = zwp_linux_surface_synchronization_v1_get_release(
		head->surface_sync);
	if (!r->proxy) {
		free(r);
		return;
	}
	zwp_linux_buffer_release_v1_add_listener(r->proxy, &release_listener,
						 r);
	wl_list_insert(e->releases.prev, &r->link);
}

bool
vmpd_release_outstanding(const struct vmpd_dmabuf_entry *e)
{
	return !wl_list_empty(&e->releases);
}

void
vmpd_release_fini(struct vmpd_dmabuf_entry *e)
{
	struct vmpd_release *r, *tmp;
	wl_list_for_each_safe(r, tmp, &e->releases, link) release_destroy(r);
}
