/* SPDX-License-Identifier: MIT */
/* Acquire fences at attach: waited for on the GPU where EGL can, else a
 * dma-buf whose fence is pending is held back, without blocking, until its
 * fd is readable; the surface keeps its previous content meanwhile. */
#include <unistd.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane/egl_fence.h"
#include "vmplane/sync_file.h"

/* Logged once per held buffer; the wait itself goes on. */
#define VGR_ACQUIRE_LOG_MS 1000

static struct wl_event_loop *
event_loop(struct vgr_surface *vs)
{
	return wl_display_get_event_loop(vs->surface->compositor->wl_display);
}

static void
pending_clear(struct vgr_surface *vs)
{
	if (vs->pending_source)
		wl_event_source_remove(vs->pending_source);
	if (vs->pending_timer)
		wl_event_source_remove(vs->pending_timer);
	vs->pending_source = NULL;
	vs->pending_timer = NULL;
	if (vs->pending_fd >= 0)
		close(vs->pending_fd);
	vs->pending_fd = -1;
}

void
vgr_acquire_cancel(struct vgr_surface *vs)
{
	pending_clear(vs);
	vgr_buffer_unref(&vs->pending_ref);
	weston_buffer_release_reference(&vs->pending_release_ref, NULL);
}

static int
handle_fence(int fd, uint32_t mask, void *data)
{
	struct vgr_surface *vs = data;
	struct weston_buffer_release *release =
		vs->pending_release_ref.buffer_release;
	struct weston_buffer *buffer = vs->pending_ref.buffer;

	pending_clear(vs);
	/* The release reference moves to the surface by the attach; holding
	 * it across keeps the release from being sent in between. */
	if (buffer) {
		vgr_make_current(vs->gr, EGL_NO_SURFACE);
		vgr_attach_acquired(vs, buffer, release);
	}
	vgr_buffer_unref(&vs->pending_ref);
	weston_buffer_release_reference(&vs->pending_release_ref, NULL);
	weston_surface_damage(vs->surface);
	return 0;
}

static int
handle_slow_fence(void *data)
{
	struct vgr_surface *vs = data;

	weston_log("vgr: acquire fence of surface %p not signalled after "
		   "%d ms; the surface keeps its previous content until it "
		   "is\n",
		   vs->surface, VGR_ACQUIRE_LOG_MS);
	return 0;
}

/* True when the GPU queue now waits for @fd before the buffer is sampled. */
static bool
wait_on_gpu(struct vgr_surface *vs, struct vgr_dmabuf_image *img, int fd)
{
	struct vgr_renderer *gr = vs->gr;

	/* The CPU path reads the memory itself: no GPU wait covers it. */
	if (!img || img->cpu || !vgr_gl_current(gr) || !gr->has_native_fence ||
	    !gr->has_wait_sync)
		return false;
	return vmsync_egl_fence_wait_gpu(gr->display, fd) == VMSYNC_OK;
}

bool
vgr_acquire_defer(struct vgr_surface *vs, struct weston_buffer *buffer,
		  struct vgr_dmabuf_image *img,
		  struct weston_buffer_release *release)
{
	int fd = vs->surface->acquire_fence_fd;
	struct wl_event_loop *loop;

	if (fd < 0)
		return false;
	if (wait_on_gpu(vs, img, fd))
		return false;
	if (vmsync_fd_wait(fd, 0) == VMSYNC_OK)
		return false;

	/* The fd is Weston's until the next commit: watch a copy. */
	loop = event_loop(vs);
	vs->pending_fd = dup(fd);
	if (vs->pending_fd >= 0)
		vs->pending_source = wl_event_loop_add_fd(loop, vs->pending_fd,
							  WL_EVENT_READABLE,
							  handle_fence, vs);
	if (!vs->pending_source) {
		/* Cannot watch it: show it now rather than never. */
		weston_log("vgr: cannot watch an acquire fence; using the "
			   "buffer unsynchronised\n");
		pending_clear(vs);
		return false;
	}
	vs->pending_timer = wl_event_loop_add_timer(loop, handle_slow_fence,
						    vs);
	if (vs->pending_timer)
		wl_event_source_timer_update(vs->pending_timer,
					     VGR_ACQUIRE_LOG_MS);
	vgr_buffer_keep(&vs->pending_ref, buffer);
	weston_buffer_release_reference(&vs->pending_release_ref, release);
	return true;
}
