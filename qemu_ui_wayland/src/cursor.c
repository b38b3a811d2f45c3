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
	uint32_t width, height;
	int32_t hot_x, hot_y;
	int32_t x, y;
	bool has_image;
	bool visible;
	bool defined; /* the guest said anything at all */
};

struct vmpd_cursor *
vmpd_cursor_create(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	struct vmpd_cursor *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->head = head;
	c->visible = true;
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
	return c;
}

void
vmpd_cursor_destroy(struct vmpd_cursor *c)
{
	if (!c)
		return;
	if (c->buffer)
		wl_buffer_destroy(c->buffer);
	if (c->overlay_buffer)
		wl_buffer_destroy(c->overlay_buffer);
	wp_viewport_destroy(c->viewport);
	wl_surface_destroy(c->surface);
	wp_viewport_destroy(c->overlay_viewport);
	wl_subsurface_destroy(c->overlay_sub);
	wl_surface_destroy(c->overlay);
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
	if (!c)
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
	struct vmpd_display *d = c->head->display;
	struct wl_buffer *b = image_buffer(d, argb, width, height);
	struct wl_buffer *ob = image_buffer(d, argb, width, height);
	if (!b || !ob) {
		if (b)
			wl_buffer_destroy(b);
		if (ob)
			wl_buffer_destroy(ob);
		return VMPD_ERR_NOMEM;
	}
	if (c->buffer)
		wl_buffer_destroy(c->buffer);
	if (c->overlay_buffer)
		wl_buffer_destroy(c->overlay_buffer);
	c->buffer = b;
	c->overlay_buffer = ob;
	c->width = width;
	c->height = height;
	c->hot_x = hot_x;
	c->hot_y = hot_y;
	c->has_image = true;
	vmpd_cursor_apply(c);
	return VMPD_OK;
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
