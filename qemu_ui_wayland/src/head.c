/* SPDX-License-Identifier: MIT */
/*
 * A head: one guest scanout shown as one toplevel window (see display.h).
 * Owns the window's surfaces and layout, and hands frames to its current path.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

/* Frame colour around and behind the scanout when the compositor draws no decorations. */
#define VMPD_BORDER_ARGB 0xff303030u
#define VMPD_BORDER_PX 2u

static bool
usable(const struct vmpd_head *head)
{
	return head && head->display->conn.connected && head->surface;
}

void
vmpd_head_layout(struct vmpd_head *head)
{
	bool undecorated = head->server_decorations || head->fullscreen ||
			   head->frame || head->display->config.no_decorations;
	uint32_t border = undecorated ? 0 : VMPD_BORDER_PX;
	head->border = border;
	uint32_t gw = head->guest_w ? head->guest_w : 640;
	uint32_t gh = head->guest_h ? head->guest_h : 480;
	/* HiDPI: a guest pixel is one output pixel, 1/scale surface units. */
	uint32_t scale = head->scale > 1 ? (uint32_t)head->scale : 1;
	if (!head->win_w || !head->win_h) {
		head->win_w = (gw + scale - 1) / scale + 2 * border;
		head->win_h = (gh + scale - 1) / scale + 2 * border;
	}
	uint32_t aw = head->win_w > 2 * border ? head->win_w - 2 * border : 1;
	uint32_t ah = head->win_h > 2 * border ? head->win_h - 2 * border : 1;
	/* Fit keeping the aspect ratio; the remainder is letterbox. */
	uint64_t w = aw, h = (uint64_t)aw * gh / gw;
	if (h > ah) {
		h = ah;
		w = (uint64_t)ah * gw / gh;
	}
	head->dst_w = w ? (uint32_t)w : 1;
	head->dst_h = h ? (uint32_t)h : 1;
	head->dst_x = (int32_t)(border + (aw - head->dst_w) / 2);
	head->dst_y = (int32_t)(border + (ah - head->dst_h) / 2);
}

static void head_remap(struct vmpd_head *head);

/* The scanout as a sub-surface of the window, on top of its siblings. */
static void
scanout_sub_create(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	head->scanout_sub = wl_subcompositor_get_subsurface(
		d->conn.subcompositor, head->scanout, head->surface);
	/* Desync: guest frames commit without touching the parent. */
	wl_subsurface_set_desync(head->scanout_sub);
}

void
vmpd_head_raise_scanout(struct vmpd_head *head)
{
	/*
	 * A new sub-surface starts at the top of its siblings; wl_subsurface has
	 * no "topmost" request, and nothing may cover the scanout or the
	 * compositor cannot put it on a plane.
	 */
	wl_subsurface_destroy(head->scanout_sub);
	scanout_sub_create(head);
	wl_subsurface_set_position(head->scanout_sub, head->dst_x, head->dst_y);
}

void
vmpd_head_commit_parent(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	if (!usable(head) || !head->configured)
		return;
	vmpd_head_layout(head);
	if (vmpd_placement_should_remap(head)) {
		/* Not from inside libdecor's configure: its frame must outlive it. */
		if (head->decor_configuration)
			head->remap_pending = true;
		else
			head_remap(head);
		return;
	}
	wl_subsurface_set_position(head->scanout_sub, head->dst_x, head->dst_y);
	wp_viewport_set_destination(head->scanout_viewport,
				    (int32_t)head->dst_w, (int32_t)head->dst_h);
	/* The scanout commits on its own (desync); the viewport change needs one too. */
	if (head->path)
		wl_surface_commit(head->scanout);
	if (head->background && vmpd_placement_may_map(head)) {
		wl_surface_attach(head->surface, head->background, 0, 0);
		vmpd_placement_mapped(head);
		wp_viewport_set_destination(head->parent_viewport,
					    (int32_t)head->win_w,
					    (int32_t)head->win_h);
		wl_surface_damage_buffer(head->surface, 0, 0, INT32_MAX,
					 INT32_MAX);
	}
	struct wl_region *opaque = wl_compositor_create_region(
		d->conn.compositor);
	wl_region_add(opaque, 0, 0, (int32_t)head->win_w, (int32_t)head->win_h);
	wl_surface_set_opaque_region(head->surface, opaque);
	wl_region_destroy(opaque);
	if (head->xdg_surface)
		xdg_surface_set_window_geometry(head->xdg_surface, 0, 0,
						(int32_t)head->win_w,
						(int32_t)head->win_h);
	vmpd_decor_commit(head);
	wl_surface_commit(head->surface);
	vmpd_connection_flush(&d->conn);
}

/* fallback.c mapped e for the CPU: the shm path shows it from now on. */
static enum vmpd_status
show_mapped(struct vmpd_head *head, struct vmpd_dmabuf_entry *e)
{
	enum wl_output_transform transform;
	enum vmpd_status st = vmpd_fallback_show_mapped(e, &transform);
	if (st != VMPD_OK)
		return st;
	head->path = &head->shm.base;
	/* The new layout first: the flip must only reach the commit with the mapped frame. */
	vmpd_head_commit_parent(head);
	wl_surface_set_buffer_transform(head->scanout, transform);
	return VMPD_OK;
}

/* The current import was refused after it was set, and fallback.c mapped it. */
static void
show_mapped_later(struct vmpd_head *head, struct vmpd_dmabuf_entry *e)
{
	/* A head that went back to 2D meanwhile keeps its shm frames. */
	if (head->path == &head->dmabuf.base)
		show_mapped(head, e);
}

static void
toplevel_configure(void *data, struct xdg_toplevel *tl, int32_t width,
		   int32_t height, struct wl_array *states)
{
	struct vmpd_head *head = data;
	bool fullscreen = false;
	uint32_t *state;
	wl_array_for_each(state, states)
	{
		if (*state == XDG_TOPLEVEL_STATE_FULLSCREEN)
			fullscreen = true;
	}
	vmpd_head_configure(head, width, height, fullscreen);
}

void
vmpd_head_configure(struct vmpd_head *head, int32_t width, int32_t height,
		    bool fullscreen)
{
	head->fullscreen = fullscreen;
	head->size_from_compositor = width > 0 && height > 0;
	if (width > 0 && height > 0 &&
	    ((uint32_t)width != head->win_w ||
	     (uint32_t)height != head->win_h)) {
		head->win_w = (uint32_t)width;
		head->win_h = (uint32_t)height;
		struct vmpd_display *d = head->display;
		vmpd_head_layout(head);
		/* In output pixels: the guest renders at the window's real resolution. */
		uint32_t scale = head->scale > 1 ? (uint32_t)head->scale : 1;
		if (d->cb.resize)
			d->cb.resize(d->data, head,
				     (head->win_w - 2 * head->border) * scale,
				     (head->win_h - 2 * head->border) * scale);
	}
}

static void
toplevel_close(void *data, struct xdg_toplevel *tl)
{
	struct vmpd_head *head = data;
	if (head->display->cb.close)
		head->display->cb.close(head->display->data, head);
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void
xdg_surface_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	struct vmpd_head *head = data;
	xdg_surface_ack_configure(xs, serial);
	/* One sent before the unmap: an attach now would map the window again. */
	if (head->unmapped)
		return;
	head->configured = true;
	vmpd_head_commit_parent(head);
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void
decoration_configure(void *data, struct zxdg_toplevel_decoration_v1 *deco,
		     uint32_t mode)
{
	struct vmpd_head *head = data;
	head->server_decorations = mode ==
				   ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
}

static const struct zxdg_toplevel_decoration_v1_listener decoration_listener = {
	.configure = decoration_configure,
};

/* The window role: libdecor's frame, else our own xdg toplevel; ends with the initial commit. */
static void
head_create_role(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	if (vmpd_decor_head_create(head))
		return;
	head->xdg_surface = xdg_wm_base_get_xdg_surface(d->conn.wm_base,
							head->surface);
	xdg_surface_add_listener(head->xdg_surface, &xdg_surface_listener,
				 head);
	head->toplevel = xdg_surface_get_toplevel(head->xdg_surface);
	xdg_toplevel_add_listener(head->toplevel, &toplevel_listener, head);
	xdg_toplevel_set_title(head->toplevel, head->title);
	xdg_toplevel_set_app_id(head->toplevel, head->app_id);
	if (d->conn.decoration_manager) {
		head->decoration =
			zxdg_decoration_manager_v1_get_toplevel_decoration(
				d->conn.decoration_manager, head->toplevel);
		zxdg_toplevel_decoration_v1_add_listener(
			head->decoration, &decoration_listener, head);
		/* Client-side mode with nothing drawn is how a kiosk gets none. */
		zxdg_toplevel_decoration_v1_set_mode(
			head->decoration,
			d->config.no_decorations
				? ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE
				: ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
	}
	if (head->want_fullscreen)
		xdg_toplevel_set_fullscreen(head->toplevel, NULL);
	wl_surface_commit(head->surface);
}

static void
head_destroy_role(struct vmpd_head *head)
{
	vmpd_decor_head_destroy(head);
	if (head->decoration) {
		zxdg_toplevel_decoration_v1_destroy(head->decoration);
		head->decoration = NULL;
	}
	if (head->toplevel) {
		xdg_toplevel_destroy(head->toplevel);
		head->toplevel = NULL;
	}
	if (head->xdg_surface) {
		xdg_surface_destroy(head->xdg_surface);
		head->xdg_surface = NULL;
	}
}

/*
 * Unmaps and gives the surface a new role, so that the shell places the
 * grown window again (placement.c); it maps at the next configure.
 */
static void
head_remap(struct vmpd_head *head)
{
	head->remaps++;
	head->remap_pending = false;
	head->mapped = false;
	head->configured = false;
	head->server_decorations = false;
	wl_surface_attach(head->surface, NULL, 0, 0);
	wl_surface_commit(head->surface);
	head_destroy_role(head);
	head_create_role(head);
	vmpd_connection_flush(&head->display->conn);
}

void
vmpd_head_run_pending(struct vmpd_head *head)
{
	if (usable(head) && head->remap_pending)
		head_remap(head);
}

/* The window's Wayland objects: at creation, and again after a reconnect. */
static bool
head_create_wayland(struct vmpd_head *head, bool first)
{
	struct vmpd_display *d = head->display;
	head->surface = wl_compositor_create_surface(d->conn.compositor);
	head->scanout = wl_compositor_create_surface(d->conn.compositor);
	scanout_sub_create(head);
	head->scanout_viewport = wp_viewporter_get_viewport(d->conn.viewporter,
							    head->scanout);
	head->parent_viewport = wp_viewporter_get_viewport(d->conn.viewporter,
							   head->surface);
	vmpd_scale_head_init(head);
	if (first) {
		vmpd_shm_path_init(&head->shm, head);
		vmpd_dmabuf_path_init(&head->dmabuf, head, show_mapped_later);
	} else {
		vmpd_feedback_head_init(head);
	}
	head->background = vmpd_shm_solid_buffer(d, VMPD_BORDER_ARGB);
	if (d->conn.explicit_sync)
		head->surface_sync =
			zwp_linux_explicit_synchronization_v1_get_synchronization(
				d->conn.explicit_sync, head->scanout);
	struct wl_region *opaque = wl_compositor_create_region(
		d->conn.compositor);
	wl_region_add(opaque, 0, 0, INT32_MAX, INT32_MAX);
	wl_surface_set_opaque_region(head->scanout, opaque);
	wl_region_destroy(opaque);

	if (!head->cursor)
		head->cursor = vmpd_cursor_create(head);
	else if (!vmpd_cursor_restore(head->cursor))
		return false;
	if (!vmpd_pacing_init(head) || !head->cursor)
		return false;
	/* After the role: a libdecor frame means no border, which the size depends on. */
	head_create_role(head);
	vmpd_head_layout(head);
	vmpd_connection_flush(&d->conn);
	return true;
}

struct vmpd_head *
vmpd_head_create(struct vmpd_display *d, const struct vmpd_head_config *config)
{
	if (!d || !d->conn.connected)
		return NULL;
	struct vmpd_head *head = calloc(1, sizeof(*head));
	if (!head)
		return NULL;
	head->display = d;
	wl_list_insert(d->heads.prev, &head->link);
	wl_list_init(&head->frames);
	/* Before any early destroy: 0 would be taken for a fence to close. */
	head->wait_fence.fd = -1;
	if (config) {
		head->win_w = config->width;
		head->win_h = config->height;
		head->size_from_config = config->width && config->height;
		head->want_fullscreen = config->fullscreen;
	}
	head->title = strdup(config && config->title ? config->title
						     : "vmplane");
	head->app_id = strdup(config && config->app_id ? config->app_id
						       : "vmplane");
	if (!head->title || !head->app_id || !head_create_wayland(head, true)) {
		vmpd_head_destroy(head);
		return NULL;
	}
	return head;
}

static void
head_release_wayland(struct vmpd_head *head)
{
	vmpd_pacing_fini(head);
	vmpd_head_map_fini(head);
	/* Those wl_outputs go with the connection. */
	head->n_outputs = 0;
	/* A new compositor places a new window: no growth to make up for. */
	head->mapped = false;
	head->map_w = head->map_h = 0;
	vmpd_input_forget_head(head->display, head);
	vmpd_cursor_lost(head->cursor);
	if (head->shm.base.impl) {
		head->shm.base.impl->fini(&head->shm.base);
		head->dmabuf.base.impl->fini(&head->dmabuf.base);
	}
	if (head->locked) {
		zwp_locked_pointer_v1_destroy(head->locked);
		head->locked = NULL;
	}
	if (head->surface_sync) {
		zwp_linux_surface_synchronization_v1_destroy(
			head->surface_sync);
		head->surface_sync = NULL;
	}
	head_destroy_role(head);
	if (head->scanout_viewport) {
		wp_viewport_destroy(head->scanout_viewport);
		head->scanout_viewport = NULL;
	}
	if (head->parent_viewport) {
		wp_viewport_destroy(head->parent_viewport);
		head->parent_viewport = NULL;
	}
	if (head->scanout_sub) {
		wl_subsurface_destroy(head->scanout_sub);
		head->scanout_sub = NULL;
	}
	if (head->scanout) {
		wl_surface_destroy(head->scanout);
		head->scanout = NULL;
	}
	if (head->background) {
		wl_buffer_destroy(head->background);
		head->background = NULL;
	}
	if (head->surface) {
		wl_surface_destroy(head->surface);
		head->surface = NULL;
	}
	head->path = NULL;
	/* A new window starts over with the next compositor. */
	head->configured = false;
	head->grabbed = false;
	head->server_decorations = false;
	head->size_from_compositor = false;
	head->fullscreen = false;
}

static void
content_clear(struct vmpd_content *ct)
{
	if (ct->kind == VMPD_CONTENT_DMABUF) {
		for (uint32_t i = 0; i < ct->dmabuf.n_planes; i++) {
			if (ct->dmabuf.fd[i] >= 0)
				close(ct->dmabuf.fd[i]);
		}
	}
	memset(ct, 0, sizeof(*ct));
}

/* Whether calls made without a compositor are kept for the next one. */
static bool
remembers(const struct vmpd_head *head)
{
	return head->display->can_reconnect;
}

void
vmpd_head_lost(struct vmpd_head *head)
{
	/* Release the guest first: nothing will ever come back for its frames. */
	vmpd_pacing_gone(head);
	head_release_wayland(head);
}

static enum vmpd_status show_surface(struct vmpd_head *head, uint32_t width,
				     uint32_t height, uint32_t stride,
				     uint32_t fourcc, const void *pixels);
static enum vmpd_status show_dmabuf(struct vmpd_head *head,
				    const struct vmpd_dmabuf *buf);

void
vmpd_head_restore(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	if (!head->size_from_config)
		head->win_w = head->win_h = 0;
	head->fallback_warned = false;
	if (!head_create_wayland(head, false)) {
		vmpd_log_emit(
			&d->log, VMPD_LOG_ERROR,
			"vmplane display: cannot re-create a window after "
			"reconnecting");
		head_release_wayland(head);
		return;
	}
	head->stats.reconnects++;
	/* The guest's last frame, without waiting for it to draw again. */
	struct vmpd_content *ct = &head->content;
	enum vmpd_status st = VMPD_OK;
	if (ct->kind == VMPD_CONTENT_SURFACE)
		st = show_surface(head, ct->width, ct->height, ct->stride,
				  ct->fourcc, ct->pixels);
	else if (ct->kind == VMPD_CONTENT_DMABUF)
		st = show_dmabuf(head, &ct->dmabuf);
	if (st != VMPD_OK)
		vmpd_log_emit(&d->log, VMPD_LOG_WARNING,
			      "vmplane display: cannot show the guest's frame "
			      "again after reconnecting: %s",
			      vmpd_status_str(st));
	else if (ct->kind != VMPD_CONTENT_NONE)
		vmpd_head_update(head, NULL, -1);
}

void
vmpd_head_destroy(struct vmpd_head *head)
{
	if (!head)
		return;
	struct vmpd_connection *conn = &head->display->conn;
	/*
	 * Queued events reach their surfaces first: libwayland drops an event
	 * for a destroyed proxy but keeps a reference on the objects it carries
	 * (a wl_surface.enter holds our wl_output for good).
	 */
	if (conn->connected && conn->queue)
		wl_display_dispatch_queue_pending(conn->wl, conn->queue);
	head_release_wayland(head);
	vmpd_cursor_destroy(head->cursor);
	content_clear(&head->content);
	free(head->title);
	free(head->app_id);
	if (head->shm.base.impl) {
		pixman_region32_fini(&head->shm.pending);
		pixman_region32_fini(&head->dmabuf.damage);
	}
	wl_list_remove(&head->link);
	struct vmpd_display *d = head->display;
	if (d->conn.connected) {
		vmpd_connection_flush(&d->conn);
		vmpd_connection_update_timer(&d->conn);
	}
	free(head);
}

void
vmpd_head_set_user_data(struct vmpd_head *head, void *user_data)
{
	if (head)
		head->user_data = user_data;
}

void *
vmpd_head_get_user_data(const struct vmpd_head *head)
{
	return head ? head->user_data : NULL;
}

void
vmpd_head_set_title(struct vmpd_head *head, const char *title)
{
	if (!head || !title)
		return;
	char *copy = strdup(title);
	if (copy) {
		free(head->title);
		head->title = copy;
	}
	if (!usable(head))
		return;
	if (head->toplevel)
		xdg_toplevel_set_title(head->toplevel, title);
	vmpd_decor_set_title(head, title);
	vmpd_connection_flush(&head->display->conn);
}

void
vmpd_head_set_fullscreen(struct vmpd_head *head, bool fullscreen)
{
	if (!head)
		return;
	head->want_fullscreen = fullscreen;
	if (!usable(head))
		return;
	vmpd_decor_set_fullscreen(head, fullscreen);
	if (head->toplevel && fullscreen)
		xdg_toplevel_set_fullscreen(head->toplevel, NULL);
	else if (head->toplevel)
		xdg_toplevel_unset_fullscreen(head->toplevel);
	vmpd_connection_flush(&head->display->conn);
}

struct vmpd_head *
vmpd_head_from_surface(struct vmpd_display *d, struct wl_surface *surface)
{
	struct vmpd_head *head;
	if (!surface)
		return NULL;
	wl_list_for_each(head, &d->heads, link)
	{
		if (head->surface == surface || head->scanout == surface)
			return head;
	}
	return NULL;
}

void
vmpd_head_guest_from_surface(struct vmpd_head *head, double sx, double sy,
			     uint32_t *gx, uint32_t *gy)
{
	double x = head->dst_w ? sx * head->guest_w / head->dst_w : 0;
	double y = head->dst_h ? sy * head->guest_h / head->dst_h : 0;
	if (x < 0)
		x = 0;
	if (y < 0)
		y = 0;
	*gx = head->guest_w && x >= head->guest_w ? head->guest_w - 1
						  : (uint32_t)x;
	*gy = head->guest_h && y >= head->guest_h ? head->guest_h - 1
						  : (uint32_t)y;
}

enum vmpd_status
vmpd_head_update(struct vmpd_head *head, const struct vmpd_rect *damage,
		 int acquire_fence_fd)
{
	enum vmpd_status st = VMPD_ERR_INVALID;
	if (head && !usable(head)) {
		/* Nothing to wait for: the frame ends now and the guest goes on. */
		head->stats.frames_dropped_disconnected++;
		st = VMPD_ERR_DISCONNECTED;
	} else if (head && !head->path)
		st = VMPD_ERR_STATE;
	else if (head)
		/* The path records the damage and hands the frame to pacing; it owns the fence now. */
		return head->path->impl->update(head->path, damage,
						acquire_fence_fd);
	if (acquire_fence_fd >= 0)
		close(acquire_fence_fd);
	return st;
}

void
vmpd_head_disable(struct vmpd_head *head)
{
	if (!head)
		return;
	content_clear(&head->content);
	vmpd_pacing_disable(head);
	if (!usable(head))
		return;
	head->path = NULL;
	wl_surface_attach(head->scanout, NULL, 0, 0);
	wl_surface_commit(head->scanout);
	head->dmabuf.base.impl->disable(&head->dmabuf.base);
	head->shm.base.impl->disable(&head->shm.base);
	vmpd_connection_flush(&head->display->conn);
}

/* A path that failed after dropping its buffers shows nothing any more. */
static void
forget_empty_path(struct vmpd_head *head)
{
	if (head->path == &head->shm.base && !vmpd_shm_has_buffers(&head->shm))
		head->path = NULL;
}

static enum vmpd_status
show_surface(struct vmpd_head *head, uint32_t width, uint32_t height,
	     uint32_t stride, uint32_t fourcc, const void *pixels)
{
	enum vmpd_status st = vmpd_shm_set_surface(&head->shm, width, height,
						   stride, fourcc, pixels);
	if (st != VMPD_OK) {
		forget_empty_path(head);
		return st;
	}
	head->path = &head->shm.base;
	vmpd_head_commit_parent(head);
	return VMPD_OK;
}

enum vmpd_status
vmpd_head_set_surface(struct vmpd_head *head, uint32_t width, uint32_t height,
		      uint32_t stride, uint32_t fourcc, const void *pixels)
{
	if (!head || !pixels)
		return VMPD_ERR_INVALID;
	if (!usable(head) && !remembers(head))
		return VMPD_ERR_DISCONNECTED;
	enum vmpd_status st = vmpd_shm_check(width, height, stride, fourcc);
	if (st != VMPD_OK)
		return st;
	content_clear(&head->content);
	head->content = (struct vmpd_content){
		.kind = VMPD_CONTENT_SURFACE,
		.width = width,
		.height = height,
		.stride = stride,
		.fourcc = fourcc,
		.pixels = pixels,
	};
	if (!usable(head))
		return VMPD_OK;
	return show_surface(head, width, height, stride, fourcc, pixels);
}

static enum vmpd_status
show_dmabuf(struct vmpd_head *head, const struct vmpd_dmabuf *buf)
{
	struct vmpd_dmabuf_entry *mapped = NULL;
	enum vmpd_status st = vmpd_dmabuf_set(&head->dmabuf, buf, &mapped);
	if (st == VMPD_OK && mapped)
		st = show_mapped(head, mapped);
	if (st != VMPD_OK) {
		forget_empty_path(head);
		return st;
	}
	if (!mapped) {
		/* The guest left 2D (or the CPU map): those buffers can go. */
		head->shm.base.impl->disable(&head->shm.base);
		wl_surface_set_buffer_transform(head->scanout,
						WL_OUTPUT_TRANSFORM_NORMAL);
		head->path = &head->dmabuf.base;
		vmpd_head_commit_parent(head);
	}
	return VMPD_OK;
}

static bool
same_dmabuf(const struct vmpd_dmabuf *a, const struct vmpd_dmabuf *b)
{
	struct stat sa, sb;
	if (a->n_planes != b->n_planes || a->fourcc != b->fourcc ||
	    a->modifier != b->modifier || a->width != b->width ||
	    a->height != b->height || a->y0_top != b->y0_top ||
	    memcmp(&a->src, &b->src, sizeof(a->src)) != 0)
		return false;
	for (uint32_t i = 0; i < a->n_planes; i++) {
		if (a->offset[i] != b->offset[i] ||
		    a->stride[i] != b->stride[i] || fstat(a->fd[i], &sa) != 0 ||
		    fstat(b->fd[i], &sb) != 0 || sa.st_dev != sb.st_dev ||
		    sa.st_ino != sb.st_ino)
			return false;
	}
	return true;
}

/* Keeps buf (dups of its fds) for a reconnect; the same buffer again costs two fstats. */
static void
remember_dmabuf(struct vmpd_head *head, const struct vmpd_dmabuf *buf)
{
	struct vmpd_content *ct = &head->content;
	if (ct->kind == VMPD_CONTENT_DMABUF && same_dmabuf(&ct->dmabuf, buf))
		return;
	struct vmpd_content next = { .kind = VMPD_CONTENT_DMABUF,
				     .dmabuf = *buf };
	for (uint32_t i = 0; i < VMPD_MAX_PLANES; i++)
		next.dmabuf.fd[i] = -1;
	for (uint32_t i = 0; i < buf->n_planes; i++) {
		next.dmabuf.fd[i] = fcntl(buf->fd[i], F_DUPFD_CLOEXEC, 0);
		if (next.dmabuf.fd[i] < 0) {
			/* Without the fds the frame cannot come back: keep none. */
			content_clear(&next);
			break;
		}
	}
	content_clear(ct);
	*ct = next;
}

enum vmpd_status
vmpd_head_set_dmabuf(struct vmpd_head *head, const struct vmpd_dmabuf *buf)
{
	if (!head || !buf)
		return VMPD_ERR_INVALID;
	if (!usable(head) && !remembers(head))
		return VMPD_ERR_DISCONNECTED;
	enum vmpd_status st;
	if (usable(head)) {
		st = show_dmabuf(head, buf);
	} else {
		char why[160];
		st = vmpd_dmabuf_validate(buf, why, sizeof(why));
	}
	if (st == VMPD_OK && remembers(head))
		remember_dmabuf(head, buf);
	return st;
}

enum vmpd_status
vmpd_head_set_cursor(struct vmpd_head *head, const uint32_t *argb,
		     uint32_t width, uint32_t height, int32_t hot_x,
		     int32_t hot_y)
{
	if (!head)
		return VMPD_ERR_INVALID;
	if (!usable(head) && !remembers(head))
		return VMPD_ERR_DISCONNECTED;
	/* Without a compositor the cursor keeps the image for the next one. */
	enum vmpd_status st = vmpd_cursor_set_image(head->cursor, argb, width,
						    height, hot_x, hot_y);
	vmpd_connection_flush(&head->display->conn);
	return st;
}

void
vmpd_head_move_cursor(struct vmpd_head *head, int32_t x, int32_t y,
		      bool visible)
{
	if (!head || (!usable(head) && !remembers(head)))
		return;
	vmpd_cursor_move(head->cursor, x, y, visible);
	vmpd_connection_flush(&head->display->conn);
}

bool
vmpd_head_set_grab(struct vmpd_head *head, bool grab)
{
	if (!usable(head))
		return false;
	bool ok = vmpd_input_set_grab(head, grab);
	vmpd_connection_flush(&head->display->conn);
	return ok;
}

bool
vmpd_head_grabbed(const struct vmpd_head *head)
{
	return head && head->grabbed;
}

void
vmpd_head_get_stats(const struct vmpd_head *head, struct vmpd_stats *stats)
{
	if (!stats)
		return;
	if (!head) {
		memset(stats, 0, sizeof(*stats));
		return;
	}
	/* Earlier pacers' counts are in head->stats; the live one's go on top. */
	*stats = head->stats;
	if (head->pacer) {
		struct vmsync_pacer_stats ps;
		vmsync_pacer_get_stats(head->pacer, &ps);
		stats->frames_presented += ps.frames_presented;
		stats->frames_zero_copy += ps.frames_zero_copy;
		stats->frames_dropped += ps.frames_dropped +
					 ps.frames_discarded;
		stats->watchdog_releases += ps.watchdog_releases;
		if (ps.last_latency_ns)
			stats->last_latency_ns = ps.last_latency_ns;
	}
}
