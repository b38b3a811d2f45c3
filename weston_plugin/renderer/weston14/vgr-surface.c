/* SPDX-License-Identifier: MIT */
/* Surfaces on libweston 14: attach and flush per paint node, solid
 * buffers (the state and its lifecycle: ../common/vgr-surface.c). */
#include <libweston/libweston.h>

#include "vgr.h"

struct vgr_surface *
vgr_surface_get(struct weston_surface *surface)
{
	return vgr_surface_state_get(surface);
}

static void
attach_solid(struct vgr_surface *vs, const struct weston_solid_buffer_values *c)
{
	vgr_surface_set_solid(vs, c->r, c->g, c->b, c->a);
}

/* @buffer by its type; a direct-display one is given as @direct_solid. */
static void
attach_buffer(struct vgr_surface *vs, struct weston_buffer *buffer,
	      struct weston_buffer_release *release,
	      const struct weston_solid_buffer_values *direct_solid)
{
	struct weston_surface *surface = vs->surface;
	bool ok = false;

	weston_buffer_reference(&vs->buffer_ref, buffer,
				buffer ? BUFFER_MAY_BE_ACCESSED :
					 BUFFER_WILL_NOT_BE_ACCESSED);
	weston_buffer_release_reference(&vs->release_ref, buffer ? release :
					NULL);
	if (!buffer) {
		vgr_surface_reset_content(vs);
		return;
	}

	if (direct_solid) {
		/* Not ours to sample: drawn as the compositor's placeholder. */
		attach_solid(vs, direct_solid);
		return;
	}
	switch (buffer->type) {
	case WESTON_BUFFER_SHM:
		if (vs->kind != VGR_BUFFER_SHM)
			vgr_surface_reset_content(vs);
		ok = vgr_shm_attach(vs, buffer);
		break;
	case WESTON_BUFFER_DMABUF:
		vgr_surface_reset_content(vs);
		ok = vgr_dmabuf_attach(vs, buffer);
		break;
	case WESTON_BUFFER_SOLID:
		attach_solid(vs, &buffer->solid);
		ok = true;
		break;
	case WESTON_BUFFER_RENDERER_OPAQUE:
		break;
	}

	if (!ok) {
		weston_log("vgr: unsupported buffer on surface %p\n", surface);
		vgr_buffer_unref(&vs->buffer_ref);
		weston_buffer_release_reference(&vs->release_ref, NULL);
		vgr_surface_reset_content(vs);
		weston_buffer_send_server_error(buffer,
			"disconnecting due to unhandled buffer type");
	}
}

void
vgr_attach_acquired(struct vgr_surface *vs, struct weston_buffer *buffer,
		    struct weston_buffer_release *release)
{
	attach_buffer(vs, buffer, release, NULL);
}

void
vgr_attach(struct weston_paint_node *pnode)
{
	struct weston_surface *surface = pnode->surface;
	struct weston_buffer *buffer = surface->buffer_ref.buffer;
	struct weston_buffer_release *release =
		surface->buffer_release_ref.buffer_release;
	struct vgr_surface *vs = vgr_surface_get(surface);

	/* One call per paint node: a surface on two outputs comes twice. */
	if (!vs || (buffer && (vs->buffer_ref.buffer == buffer ||
			       vs->pending_ref.buffer == buffer)))
		return;
	/* Without GL (a reset is being handled) only the CPU-side state is
	 * recorded; the recovery creates and fills the textures. */
	vgr_make_current(vs->gr, EGL_NO_SURFACE);

	/* A newer commit replaces a buffer still waiting for its fence. */
	vgr_acquire_cancel(vs);
	if (pnode->is_direct) {
		attach_buffer(vs, buffer, release, &pnode->solid);
		return;
	}
	if (buffer && buffer->type == WESTON_BUFFER_DMABUF &&
	    vgr_acquire_defer(vs, buffer, vgr_dmabuf_buffer_image(buffer),
			      release))
		return;
	attach_buffer(vs, buffer, release, NULL);
}

void
vgr_flush_damage(struct weston_paint_node *pnode)
{
	struct vgr_surface *vs = vgr_surface_get(pnode->surface);

	if (vs)
		vgr_surface_flush(vs, pnode->plane == &pnode->output->primary_plane);
}

bool
vgr_fill_buffer_info(struct weston_compositor *ec, struct weston_buffer *buffer)
{
	/* Only wl_drm (EGL_WL_bind_wayland_display) buffers come here, and
	 * this renderer does not bind the display for them. */
	return false;
}
