/* SPDX-License-Identifier: MIT */
/* wl_shm buffers on libweston 14: attach and damage-driven uploads (the
 * per-format plane layout is the core's, core/vgr-shm-format.c). */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

void
vgr_shm_register_formats(struct vgr_renderer *gr)
{
	struct wl_display *display = vgr_fe(gr)->compositor->wl_display;
	const uint32_t *formats;
	unsigned count, i;

	formats = vgr_shm_formats(&count);
	for (i = 0; i < count; i++) {
		/* libwayland always advertises these two itself. */
		if (formats[i] == WL_SHM_FORMAT_ARGB8888 ||
		    formats[i] == WL_SHM_FORMAT_XRGB8888)
			continue;
		wl_display_add_shm_format(display, formats[i]);
	}
}

bool
vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer)
{
	struct wl_shm_buffer *shm = buffer->shm_buffer;
	struct vgr_shm_layout layout;
	uint32_t format;
	int w = buffer->width, h = buffer->height;
	bool same;
	int i;

	if (!shm)
		return false;
	/* The core's table is in wl_shm codes, not the buffer's fourcc. */
	format = wl_shm_buffer_get_format(shm);
	if (!vgr_shm_layout(vs->gr, format, w, h, buffer->stride, &layout))
		return false;

	same = vs->kind == VGR_BUFFER_SHM && vs->shm_format == format &&
	       vs->buffer_width == w && vs->buffer_height == h &&
	       vs->n_planes == layout.n_planes;
	for (i = 0; same && i < layout.n_planes; i++)
		same = vs->planes[i].stride == layout.planes[i].stride;

	vs->target = GL_TEXTURE_2D;
	if (!same) {
		vgr_surface_drop_textures(vs);
		for (i = 0; i < layout.n_planes; i++)
			vs->planes[i] = layout.planes[i];
		vs->n_planes = layout.n_planes;
		vs->needs_full_upload = true;
		/* Without GL the recovery creates them. */
		if (vgr_gl_current(vs->gr))
			vgr_surface_create_textures(vs);
	}

	vs->kind = VGR_BUFFER_SHM;
	vs->variant = layout.variant;
	vs->shm_format = format;
	vs->buffer_width = w;
	vs->buffer_height = h;
	vs->origin_top_left = buffer->buffer_origin == ORIGIN_TOP_LEFT;
	return true;
}

void
vgr_shm_upload(struct vgr_surface *vs, bool full)
{
	struct weston_buffer *buffer = vs->buffer_ref.buffer;
	struct wl_shm_buffer *shm = buffer ? buffer->shm_buffer : NULL;
	pixman_box32_t *rects;
	const uint8_t *data;
	int n, i, j;

	/* The client destroyed the buffer: the texture keeps what it had
	 * (after a reset: blank until the next commit). */
	if (!shm)
		return;
	if (!full && !pixman_region32_not_empty(&vs->texture_damage))
		return;

	glActiveTexture(GL_TEXTURE0);
	wl_shm_buffer_begin_access(shm);
	data = wl_shm_buffer_get_data(shm);
	if (full) {
		for (j = 0; j < vs->n_planes; j++)
			vgr_shm_upload_rect(&vs->planes[j], data, 0, 0,
					    vs->buffer_width,
					    vs->buffer_height, true);
	} else {
		rects = pixman_region32_rectangles(&vs->texture_damage, &n);
		for (i = 0; i < n; i++) {
			pixman_box32_t r = weston_surface_to_buffer_rect(vs->surface,
									rects[i]);

			for (j = 0; j < vs->n_planes; j++)
				vgr_shm_upload_rect(&vs->planes[j], data,
						    r.x1, r.y1, r.x2, r.y2,
						    false);
		}
	}
	wl_shm_buffer_end_access(shm);

	glPixelStorei(GL_UNPACK_ROW_LENGTH_EXT, 0);
	glPixelStorei(GL_UNPACK_SKIP_PIXELS_EXT, 0);
	glPixelStorei(GL_UNPACK_SKIP_ROWS_EXT, 0);
	pixman_region32_clear(&vs->texture_damage);
	vs->needs_full_upload = false;
}
