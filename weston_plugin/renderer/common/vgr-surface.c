/* SPDX-License-Identifier: MIT */
/* Per-surface renderer state and its lifecycle, the same on libweston 10
 * and 14; attaching a buffer is the front end's (vgr-surface.c). */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

void
vgr_surface_drop_textures(struct vgr_surface *vs)
{
	int i;

	for (i = 0; i < vs->n_planes; i++) {
		vgr_texture_destroy(vs->gr, vs->planes[i].tex);
		vs->planes[i].tex = 0;
	}
	vs->n_planes = 0;
}

void
vgr_surface_create_textures(struct vgr_surface *vs)
{
	int i;

	for (i = 0; i < vs->n_planes; i++)
		if (!vs->planes[i].tex)
			vs->planes[i].tex = vgr_texture_create(vs->gr, vs->target);
}

/* Content from what the renderer kept: the shm buffer reference or the
 * dma-buf image. Solid colours need no GL object. */
static bool
surface_rebuild(struct rb_resource *res, void *data)
{
	struct vgr_surface *vs = data;

	switch (vs->kind) {
	case VGR_BUFFER_SHM:
		vgr_surface_create_textures(vs);
		vgr_shm_upload(vs, true);
		return true;
	case VGR_BUFFER_DMABUF:
		/* The client destroyed the buffer (libweston 10 clears the
		 * reference then): blank until its next commit. */
		if (!vs->buffer_ref.buffer)
			return true;
		return vgr_dmabuf_surface_upload(vs);
	case VGR_BUFFER_SOLID:
	case VGR_BUFFER_NONE:
		break;
	}
	return true;
}

static void
surface_forget(struct rb_resource *res, void *data)
{
	struct vgr_surface *vs = data;
	int i;

	for (i = 0; i < vs->n_planes; i++)
		vs->planes[i].tex = 0;
	vs->needs_full_upload = true;
}

static const struct rb_resource_impl surface_impl = {
	.rebuild = surface_rebuild,
	.forget = surface_forget,
	.name = "surface content",
};

static void
surface_state_destroy(struct vgr_surface *vs)
{
	vgr_resource_remove(&vs->res);
	wl_list_remove(&vs->surface_destroy.link);
	wl_list_remove(&vs->renderer_destroy.link);
	wl_list_remove(&vs->link);
	vs->surface->renderer_state = NULL;

	vgr_acquire_cancel(vs);
	vgr_make_current(vs->gr, EGL_NO_SURFACE);
	vgr_surface_drop_textures(vs);
	/* The dma-buf image is not ours: it dies with its buffer. */
	vgr_buffer_unref(&vs->buffer_ref);
	weston_buffer_release_reference(&vs->release_ref, NULL);
	pixman_region32_fini(&vs->texture_damage);
	free(vs);
}

static void
handle_surface_destroy(struct wl_listener *l, void *data)
{
	surface_state_destroy(vgr_container_of(l, struct vgr_surface,
					       surface_destroy));
}

static void
handle_renderer_destroy(struct wl_listener *l, void *data)
{
	surface_state_destroy(vgr_container_of(l, struct vgr_surface,
					       renderer_destroy));
}

struct vgr_surface *
vgr_surface_state_get(struct weston_surface *surface)
{
	struct vgr_renderer *gr = vgr_get(surface->compositor);
	struct vgr_surface *vs = surface->renderer_state;

	if (vs)
		return vs;
	vs = calloc(1, sizeof *vs);
	if (!vs)
		return NULL;
	vs->gr = gr;
	vs->surface = surface;
	vs->origin_top_left = true;
	vs->target = GL_TEXTURE_2D;
	vs->pending_fd = -1;
	pixman_region32_init(&vs->texture_damage);
	wl_list_insert(&vgr_fe(gr)->surfaces, &vs->link);
	vs->surface_destroy.notify = handle_surface_destroy;
	wl_signal_add(&surface->destroy_signal, &vs->surface_destroy);
	vs->renderer_destroy.notify = handle_renderer_destroy;
	wl_signal_add(&vgr_fe(gr)->destroy_signal, &vs->renderer_destroy);
	surface->renderer_state = vs;
	vgr_resource_add(gr, &vs->res, RB_RESOURCE_TEXTURE, &surface_impl, vs);
	return vs;
}

void
vgr_surface_reset_content(struct vgr_surface *vs)
{
	vgr_surface_drop_textures(vs);
	/* The images belong to the dma-buf and die with it. */
	vs->image = NULL;
	vs->kind = VGR_BUFFER_NONE;
	vs->variant = VGR_VARIANT_NONE;
	vs->target = GL_TEXTURE_2D;
	vs->buffer_width = 0;
	vs->buffer_height = 0;
	vs->origin_top_left = true;
}

void
vgr_surface_set_solid(struct vgr_surface *vs, float r, float g, float b,
		      float a)
{
	vgr_surface_reset_content(vs);
	vs->color[0] = r;
	vs->color[1] = g;
	vs->color[2] = b;
	vs->color[3] = a;
	vs->kind = VGR_BUFFER_SOLID;
	vs->variant = VGR_VARIANT_SOLID;
}

void
vgr_surface_flush(struct vgr_surface *vs, bool composited)
{
	struct weston_surface *surface = vs->surface;

	pixman_region32_union(&vs->texture_damage, &vs->texture_damage,
			      &surface->damage);
	if (vs->kind != VGR_BUFFER_SHM || !vs->buffer_ref.buffer)
		return;

	/* Uploads wait until a view is composited; damage accumulates. */
	if (!composited || !vgr_make_current(vs->gr, EGL_NO_SURFACE))
		return;

	vgr_shm_upload(vs, vs->needs_full_upload ||
		       surface->compositor->test_data.test_quirks.gl_force_full_upload);
}
