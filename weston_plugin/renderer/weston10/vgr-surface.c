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

void
vgr_attach(struct weston_surface *surface, struct weston_buffer *buffer)
{
	struct vgr_surface *vs = vgr_surface_get(surface);
	struct wl_shm_buffer *shm;
	struct linux_dmabuf_buffer *dmabuf;
	bool ok = false;

	if (!vs)
		return;
	/* Without GL (a reset is being handled) only the CPU-side state is
	 * recorded; the recovery creates and fills the textures. */
	vgr_make_current(vs->gr, EGL_NO_SURFACE);

	weston_buffer_reference(&vs->buffer_ref, buffer);
	weston_buffer_release_reference(&vs->release_ref,
					surface->buffer_release_ref.buffer_release);

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
