/* SPDX-License-Identifier: MIT */
/*
 * HiDPI: the outputs' scale factors and which outputs each head's window is
 * on. A head lays the guest out at 1/scale surface units per guest pixel, so
 * guest pixels land 1:1 on output pixels instead of being upscaled.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct vmpd_output {
	struct vmpd_display *display;
	struct wl_output *wl;
	int32_t scale, pending_scale;
	struct wl_list link; /* vmpd_display.outputs */
};

static struct vmpd_output *
find_output(struct vmpd_display *d, struct wl_output *wl)
{
	struct vmpd_output *o;
	wl_list_for_each(o, &d->outputs, link)
	{
		if (o->wl == wl)
			return o;
	}
	return NULL;
}

/* The largest scale of the outputs the window is on; 1 when on none. */
static void
head_update_scale(struct vmpd_head *head)
{
	int32_t scale = 1;
	for (int i = 0; i < head->n_outputs; i++) {
		struct vmpd_output *o = find_output(head->display,
						    head->outputs[i]);
		if (o && o->scale > scale)
			scale = o->scale;
	}
	if (scale == head->scale)
		return;
	head->scale = scale;
	/* A window the guest sizes takes the new natural size. */
	if (!head->size_from_compositor && !head->size_from_config)
		head->win_w = head->win_h = 0;
	vmpd_head_commit_parent(head);
	/* One the compositor sized now has another size in output pixels. */
	struct vmpd_display *d = head->display;
	if (head->size_from_compositor && d->cb.resize && head->configured)
		d->cb.resize(d->data, head,
			     (head->win_w - 2 * head->border) * (uint32_t)scale,
			     (head->win_h - 2 * head->border) *
				     (uint32_t)scale);
	vmpd_cursor_apply(head->cursor);
}

static void
output_geometry(void *data, struct wl_output *wl, int32_t x, int32_t y,
		int32_t pw, int32_t ph, int32_t subpixel, const char *make,
		const char *model, int32_t transform)
{
}

static void
output_mode(void *data, struct wl_output *wl, uint32_t flags, int32_t w,
	    int32_t h, int32_t refresh)
{
}

static void
output_done(void *data, struct wl_output *wl)
{
	struct vmpd_output *o = data;
	if (o->pending_scale == o->scale)
		return;
	o->scale = o->pending_scale;
	struct vmpd_head *head;
	wl_list_for_each(head, &o->display->heads, link)
		head_update_scale(head);
}

static void
output_scale(void *data, struct wl_output *wl, int32_t factor)
{
	struct vmpd_output *o = data;
	o->pending_scale = factor > 0 ? factor : 1;
}

static const struct wl_output_listener output_listener = {
	.geometry = output_geometry,
	.mode = output_mode,
	.done = output_done,
	.scale = output_scale,
};

void
vmpd_scale_bind_output(struct vmpd_display *d, struct wl_registry *reg,
		       uint32_t name, uint32_t version)
{
	/* The scale event comes with v2. */
	if (version < 2)
		return;
	struct vmpd_output *o = calloc(1, sizeof(*o));
	if (!o)
		return;
	o->display = d;
	o->scale = o->pending_scale = 1;
	o->wl = wl_registry_bind(reg, name, &wl_output_interface,
				 version >= 3 ? 3 : 2);
	wl_output_add_listener(o->wl, &output_listener, o);
	wl_list_insert(&d->outputs, &o->link);
}

void
vmpd_scale_fini(struct vmpd_display *d)
{
	struct vmpd_output *o, *tmp;
	wl_list_for_each_safe(o, tmp, &d->outputs, link)
	{
		if (wl_output_get_version(o->wl) >= 3)
			wl_output_release(o->wl);
		else
			wl_output_destroy(o->wl);
		wl_list_remove(&o->link);
		free(o);
	}
}

static void
surface_enter(void *data, struct wl_surface *s, struct wl_output *wl)
{
	struct vmpd_head *head = data;
	if (head->n_outputs == VMPD_HEAD_OUTPUTS)
		return;
	head->outputs[head->n_outputs++] = wl;
	head_update_scale(head);
}

static void
surface_leave(void *data, struct wl_surface *s, struct wl_output *wl)
{
	struct vmpd_head *head = data;
	for (int i = 0; i < head->n_outputs; i++) {
		if (head->outputs[i] == wl) {
			head->outputs[i] = head->outputs[--head->n_outputs];
			break;
		}
	}
	head_update_scale(head);
}

static const struct wl_surface_listener surface_listener = {
	.enter = surface_enter,
	.leave = surface_leave,
};

void
vmpd_scale_head_init(struct vmpd_head *head)
{
	head->scale = 1;
	wl_surface_add_listener(head->surface, &surface_listener, head);
}
