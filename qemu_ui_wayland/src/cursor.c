/* SPDX-License-Identifier: MIT */
/* The guest's cursor: a wl_pointer cursor image, or a subsurface while the pointer is grabbed. */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "shm-pool.h"
#include "viewporter-client-protocol.h"

/* Guest cursors are 64x64 in practice; anything much larger is a bug upstream. */
#define VMPD_CURSOR_MAX 512u

struct vmpd_cursor {
	struct vmpd_head *head;
	struct wl_surface *surface; /* wl_pointer cursor in absolute mode */
	struct wp_viewport *viewport;
	struct wl_surface *overlay; /* drawn above the scanout while grabbed */
	struct wl_subsurface *overlay_sub;
	struct wp_viewport *overlay_viewport;
	struct wl_buffer *buffer;
	struct wl_buffer *overlay_buffer;
	uint32_t *argb; /* the guest's image, kept for a reconnect */
	uint32_t width, height;
	int32_t hot_x, hot_y;
	int32_t x, y;
	bool has_image;
	bool visible;
	bool defined; /* the guest said anything at all */
};

static void
create_wayland(struct vmpd_cursor *c)
{
	struct vmpd_head *head = c->head;
	struct vmpd_display *d = head->display;
	c->surface = wl_compositor_create_surface(d->conn.compositor);
	c->viewport = wp_viewporter_get_viewport(d->conn.viewporter,
						 c->surface);
	c->overlay = wl_compositor_create_surface(d->conn.compositor);
	c->overlay_sub = wl_subcompositor_get_subsurface(
		d->conn.subcompositor, c->overlay, head->surface);
	wl_subsurface_place_above(c->overlay_sub, head->scanout);
	wl_subsurface_set_desync(c->overlay_sub);
	c->overlay_viewport = wp_viewporter_get_viewport(d->conn.viewporter,
							 c->overlay);
	/* Input goes to the scanout below, never to the overlay. */
	struct wl_region *none = wl_compositor_create_region(
		d->conn.compositor);
	wl_surface_set_input_region(c->overlay, none);
	wl_region_destroy(none);
}

struct vmpd_cursor *
vmpd_cursor_create(struct vmpd_head *head)
{
	struct vmpd_cursor *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->head = head;
	c->visible = true;
	create_wayland(c);
	return c;
}

#define DESTROY(p, fn)              \
	do {                        \
		if (p) {            \
			fn(p);      \
			(p) = NULL; \
		}                   \
	} while (0)

void
vmpd_cursor_lost(struct vmpd_cursor *c)
{
	if (!c)
		return;
	DESTROY(c->buffer, wl_buffer_destroy);
	DESTROY(c->overlay_buffer, wl_buffer_destroy);
	DESTROY(c->viewport, wp_viewport_destroy);
	DESTROY(c->surface, wl_surface_destroy);
	DESTROY(c->overlay_viewport, wp_viewport_destroy);
	DESTROY(c->overlay_sub, wl_subsurface_destroy);
	DESTROY(c->overlay, wl_surface_destroy);
}

void
vmpd_cursor_destroy(struct vmpd_cursor *c)
{
	if (!c)
		return;
	vmpd_cursor_lost(c);
	free(c->argb);
	free(c);
}

static struct wl_buffer *
image_buffer(struct vmpd_display *d, const uint32_t *argb, uint32_t w,
	     uint32_t h)
{
	struct vmpd_shm_pool *pool = vmpd_shm_pool_create(d->conn.shm,
							  (size_t)w * h * 4);
	if (!pool)
		return NULL;
	memcpy(pool->data, argb, (size_t)w * h * 4);
	struct wl_buffer *b = vmpd_shm_pool_buffer(pool, 0, w, h, w * 4,
						   WL_SHM_FORMAT_ARGB8888);
	vmpd_shm_pool_destroy(pool);
	return b;
}

/* Guest pixels to window surface units, following the scanout scale. */
static int32_t
scale_x(const struct vmpd_head *head, int64_t v)
{
	return head->guest_w ? (int32_t)(v * head->dst_w / head->guest_w)
			     : (int32_t)v;
}

static int32_t
scale_y(const struct vmpd_head *head, int64_t v)
{
	return head->guest_h ? (int32_t)(v * head->dst_h / head->guest_h)
			     : (int32_t)v;
}

static void
commit_image(struct wl_surface *s, struct wp_viewport *vp, struct wl_buffer *b,
	     int32_t w, int32_t h)
{
	wl_surface_attach(s, b, 0, 0);
	if (b) {
		wp_viewport_set_destination(vp, w > 0 ? w : 1, h > 0 ? h : 1);
		wl_surface_damage_buffer(s, 0, 0, INT32_MAX, INT32_MAX);
	}
	wl_surface_commit(s);
}

void
vmpd_cursor_apply(struct vmpd_cursor *c)
{
	if (!c || !c->surface)
		return;
	struct vmpd_head *head = c->head;
	struct vmpd_input *in = &head->display->input;
	bool show = c->has_image && c->visible;
	int32_t w = scale_x(head, c->width), h = scale_y(head, c->height);

	if (head->grabbed) {
		commit_image(c->overlay, c->overlay_viewport,
			     show ? c->overlay_buffer : NULL, w, h);
		wl_subsurface_set_position(
			c->overlay_sub,
			head->dst_x + scale_x(head, (int64_t)c->x - c->hot_x),
			head->dst_y + scale_y(head, (int64_t)c->y - c->hot_y));
		/* Subsurface positions apply on the parent's commit. */
		wl_surface_commit(head->surface);
	} else {
		commit_image(c->overlay, c->overlay_viewport, NULL, 0, 0);
	}
	if (in->pointer && in->pointer_focus == head && c->defined) {
		if (show && !head->grabbed) {
			commit_image(c->surface, c->viewport, c->buffer, w, h);
			wl_pointer_set_cursor(
				in->pointer, in->pointer_enter_serial,
				c->surface, scale_x(head, c->hot_x),
				scale_y(head, c->hot_y));
		} else {
			wl_pointer_set_cursor(in->pointer,
					      in->pointer_enter_serial, NULL, 0,
					      0);
		}
	}
}

/* Both wl_buffers from c->argb; false when out of memory. */
static bool
make_buffers(struct vmpd_cursor *c)
{
	struct vmpd_display *d = c->head->display;
	struct wl_buffer *b = image_buffer(d, c->argb, c->width, c->height);
	struct wl_buffer *ob = image_buffer(d, c->argb, c->width, c->height);
	if (!b || !ob) {
		if (b)
			wl_buffer_destroy(b);
		if (ob)
			wl_buffer_destroy(ob);
		return false;
	}
	if (c->buffer)
		wl_buffer_destroy(c->buffer);
	if (c->overlay_buffer)
		wl_buffer_destroy(c->overlay_buffer);
	c->buffer = b;
	c->overlay_buffer = ob;
	return true;
}

enum vmpd_status
vmpd_cursor_set_image(struct vmpd_cursor *c, const uint32_t *argb,
		      uint32_t width, uint32_t height, int32_t hot_x,
		      int32_t hot_y)
{
	if (!c)
		return VMPD_ERR_NOMEM;
	c->defined = true;
	if (!argb) {
		c->has_image = false;
		vmpd_cursor_apply(c);
		return VMPD_OK;
	}
	if (width == 0 || height == 0 || width > VMPD_CURSOR_MAX ||
	    height > VMPD_CURSOR_MAX)
		return VMPD_ERR_SIZE;
	if (hot_x < 0 || hot_y < 0 || (uint32_t)hot_x >= width ||
	    (uint32_t)hot_y >= height)
		return VMPD_ERR_RECT;
	size_t size = (size_t)width * height * 4;
	uint32_t *copy = malloc(size);
	if (!copy)
		return VMPD_ERR_NOMEM;
	memcpy(copy, argb, size);
	uint32_t *old = c->argb;
	uint32_t old_w = c->width, old_h = c->height;
	c->argb = copy;
	c->width = width;
	c->height = height;
	/* Without a compositor the copy waits for vmpd_cursor_restore(). */
	if (c->surface && !make_buffers(c)) {
		c->argb = old;
		c->width = old_w;
		c->height = old_h;
		free(copy);
		return VMPD_ERR_NOMEM;
	}
	free(old);
	c->hot_x = hot_x;
	c->hot_y = hot_y;
	c->has_image = true;
	vmpd_cursor_apply(c);
	return VMPD_OK;
}

bool
vmpd_cursor_restore(struct vmpd_cursor *c)
{
	create_wayland(c);
	if (c->has_image && !make_buffers(c))
		return false;
	/* Shown once the pointer enters the new window (vmpd_cursor_apply). */
	return true;
}

void
vmpd_cursor_move(struct vmpd_cursor *c, int32_t x, int32_t y, bool visible)
{
	if (!c)
		return;
	bool changed = c->visible != visible;
	c->x = x;
	c->y = y;
	c->visible = visible;
	/* In absolute mode the host pointer already is where the guest cursor is. */
	if (changed || c->head->grabbed)
		vmpd_cursor_apply(c);
}
