/* SPDX-License-Identifier: MIT */
/* Surfaces on libweston 10: attach by buffer type, flush, solid colours
 * (the state and its lifecycle: ../common/vgr-surface.c). */
#include <libweston/libweston.h>

#include "vgr.h"

struct vgr_surface *
vgr_surface_get(struct weston_surface *surface)
{
	struct vgr_surface *vs = surface->renderer_state;

	if (vs)
		return vs;
	vs = vgr_surface_state_get(surface);
	/* Created after a renderer switch: pick up the current buffer. */
	if (vs && surface->buffer_ref.buffer) {
		vgr_attach(surface, surface->buffer_ref.buffer);
		vgr_flush_damage(surface);
	}
	return vs;
}

static void
attach_buffer(struct vgr_surface *vs, struct weston_buffer *buffer,
	      struct weston_buffer_release *release)
{
	struct weston_surface *surface = vs->surface;
	struct wl_shm_buffer *shm;
	struct linux_dmabuf_buffer *dmabuf;
	bool ok = false;

	weston_buffer_reference(&vs->buffer_ref, buffer);
	weston_buffer_release_reference(&vs->release_ref, release);

	if (!buffer) {
		vgr_surface_reset_content(vs);
		surface->is_opaque = false;
		return;
	}

	shm = wl_shm_buffer_get(buffer->resource);
	if (shm) {
		if (vs->kind == VGR_BUFFER_DMABUF)
			vgr_surface_reset_content(vs);
		ok = vgr_shm_attach(vs, buffer, shm);
	} else if ((dmabuf = linux_dmabuf_buffer_get(buffer->resource))) {
		vgr_surface_reset_content(vs);
		ok = vgr_dmabuf_attach(vs, buffer, dmabuf);
	}

	if (!ok) {
		weston_log("vgr: unsupported buffer on surface %p\n", surface);
		vgr_buffer_unref(&vs->buffer_ref);
		weston_buffer_release_reference(&vs->release_ref, NULL);
		vgr_surface_reset_content(vs);
		surface->is_opaque = false;
		weston_buffer_send_server_error(buffer,
			"disconnecting due to unhandled buffer type");
	}
}

void
vgr_attach_acquired(struct vgr_surface *vs, struct weston_buffer *buffer,
		    struct weston_buffer_release *release)
{
	attach_buffer(vs, buffer, release);
}

void
vgr_attach(struct weston_surface *surface, struct weston_buffer *buffer)
{
	struct vgr_surface *vs = vgr_surface_get(surface);
	struct weston_buffer_release *release =
		surface->buffer_release_ref.buffer_release;
	struct linux_dmabuf_buffer *dmabuf;

	if (!vs)
		return;
	/* Without GL (a reset is being handled) only the CPU-side state is
	 * recorded; the recovery creates and fills the textures. */
	vgr_make_current(vs->gr, EGL_NO_SURFACE);

	/* A newer commit replaces a buffer still waiting for its fence. */
	vgr_acquire_cancel(vs);
	dmabuf = buffer ? linux_dmabuf_buffer_get(buffer->resource) : NULL;
	if (dmabuf) {
		/* libweston sizes the surface from these right after. */
		vgr_dmabuf_describe_buffer(buffer, dmabuf);
		if (vgr_acquire_defer(vs, buffer,
				      linux_dmabuf_buffer_get_user_data(dmabuf),
				      release))
			return;
	}
	attach_buffer(vs, buffer, release);
}

void
vgr_flush_damage(struct weston_surface *surface)
{
	struct vgr_surface *vs = vgr_surface_get(surface);
	struct weston_view *view;
	bool on_primary = false;

	if (!vs)
		return;
	wl_list_for_each(view, &surface->views, surface_link) {
		if (view->plane == &surface->compositor->primary_plane) {
			on_primary = true;
			break;
		}
	}
	vgr_surface_flush(vs, on_primary);
}

void
vgr_surface_set_color(struct weston_surface *surface,
		      float r, float g, float b, float a)
{
	struct vgr_surface *vs = vgr_surface_get(surface);

	if (!vs)
		return;
	vgr_make_current(vs->gr, EGL_NO_SURFACE);
	vgr_surface_set_solid(vs, r, g, b, a);
}

void
vgr_surface_get_content_size(struct weston_surface *surface,
			     int *width, int *height)
{
	struct vgr_surface *vs = vgr_surface_get(surface);

	if (!vs || vs->kind == VGR_BUFFER_NONE) {
		*width = 0;
		*height = 0;
		return;
	}
	/* A solid colour is one pixel, as surface_copy_content writes it. */
	if (vs->kind == VGR_BUFFER_SOLID) {
		*width = 1;
		*height = 1;
		return;
	}
	*width = vs->buffer_width;
	*height = vs->buffer_height;
}
