/* wl_shm buffers: plane layout per format and damage-driven uploads. */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

enum chan { CH_BGRA, CH_RGBA, CH_565, CH_1, CH_2 };

struct plane_desc {
	enum chan chan;
	int hsub, vsub;
	int cpp;
	int texel_div;	/* buffer pixels per texel (YUYV packs 2 per RGBA) */
};

struct shm_format {
	uint32_t format;
	enum vgr_variant variant;
	bool opaque;
	int n_planes;
	struct plane_desc planes[VGR_MAX_PLANES];
};

static const struct shm_format shm_formats[] = {
	{ WL_SHM_FORMAT_ARGB8888, VGR_VARIANT_RGBA, false, 1,
	  { { CH_BGRA, 1, 1, 4, 1 } } },
	{ WL_SHM_FORMAT_XRGB8888, VGR_VARIANT_RGBX, true, 1,
	  { { CH_BGRA, 1, 1, 4, 1 } } },
	{ WL_SHM_FORMAT_RGB565, VGR_VARIANT_RGBX, true, 1,
	  { { CH_565, 1, 1, 2, 1 } } },
	{ WL_SHM_FORMAT_YUV420, VGR_VARIANT_Y_U_V, true, 3,
	  { { CH_1, 1, 1, 1, 1 }, { CH_1, 2, 2, 1, 1 }, { CH_1, 2, 2, 1, 1 } } },
	{ WL_SHM_FORMAT_NV12, VGR_VARIANT_Y_UV, true, 2,
	  { { CH_1, 1, 1, 1, 1 }, { CH_2, 2, 2, 2, 1 } } },
	{ WL_SHM_FORMAT_YUYV, VGR_VARIANT_Y_XUXV, true, 2,
	  { { CH_2, 1, 1, 2, 1 }, { CH_RGBA, 2, 1, 4, 2 } } },
	{ WL_SHM_FORMAT_XYUV8888, VGR_VARIANT_XYUV, true, 1,
	  { { CH_RGBA, 1, 1, 4, 1 } } },
};

void
vgr_shm_register_formats(struct vgr_renderer *gr)
{
	struct wl_display *display = gr->compositor->wl_display;
	size_t i;

	/* libwayland always advertises ARGB8888 and XRGB8888 itself. */
	for (i = 2; i < ARRAY_LENGTH(shm_formats); i++)
		wl_display_add_shm_format(display, shm_formats[i].format);
}

static void
gl_formats(struct vgr_renderer *gr, enum chan chan, struct vgr_plane *p)
{
	p->type = GL_UNSIGNED_BYTE;
	switch (chan) {
	case CH_BGRA:
		p->internal_format = GL_BGRA_EXT;
		p->format = GL_BGRA_EXT;
		break;
	case CH_RGBA:
		p->internal_format = GL_RGBA;
		p->format = GL_RGBA;
		break;
	case CH_565:
		p->internal_format = GL_RGB;
		p->format = GL_RGB;
		p->type = GL_UNSIGNED_SHORT_5_6_5;
		break;
	case CH_1:
		p->internal_format = gr->gl_major >= 3 ? GL_R8 :
				     gr->has_texture_rg ? GL_RED_EXT : GL_LUMINANCE;
		p->format = gr->has_texture_rg ? GL_RED_EXT : GL_LUMINANCE;
		break;
	case CH_2:
		p->internal_format = gr->gl_major >= 3 ? GL_RG8 :
				     gr->has_texture_rg ? GL_RG_EXT : GL_LUMINANCE_ALPHA;
		p->format = gr->has_texture_rg ? GL_RG_EXT : GL_LUMINANCE_ALPHA;
		break;
	}
}

static const struct shm_format *
find_format(uint32_t format)
{
	size_t i;

	for (i = 0; i < ARRAY_LENGTH(shm_formats); i++)
		if (shm_formats[i].format == format)
			return &shm_formats[i];
	return NULL;
}

bool
vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
	       struct wl_shm_buffer *shm)
{
	const struct shm_format *fmt = find_format(wl_shm_buffer_get_format(shm));
	int w = wl_shm_buffer_get_width(shm);
	int h = wl_shm_buffer_get_height(shm);
	int stride = wl_shm_buffer_get_stride(shm);
	struct vgr_plane planes[VGR_MAX_PLANES] = { 0 };
	uint32_t offset = 0;
	bool same;
	int i;

	if (!fmt)
		return false;

	buffer->shm_buffer = shm;
	buffer->width = w;
	buffer->height = h;
	buffer->y_inverted = 1;
	vs->surface->is_opaque = fmt->opaque;

	for (i = 0; i < fmt->n_planes; i++) {
		const struct plane_desc *d = &fmt->planes[i];
		struct vgr_plane *p = &planes[i];

		gl_formats(vs->gr, d->chan, p);
		p->hsub = d->hsub;
		p->vsub = d->vsub;
		p->cpp = d->cpp;
		/* Planar chroma rows are half as long as luma rows. */
		p->stride = fmt->n_planes == 3 && i > 0 ? stride / 2 : stride;
		p->width = (w + d->hsub - 1) / d->hsub;
		if (d->texel_div > 1)
			p->width = (w + d->texel_div - 1) / d->texel_div;
		p->height = (h + d->vsub - 1) / d->vsub;
		/* Packed formats share one plane of memory. */
		if (fmt->format == WL_SHM_FORMAT_YUYV) {
			p->offset = 0;
		} else {
			p->offset = offset;
			offset += (uint32_t)p->stride * (uint32_t)(h / d->vsub);
		}
	}

	same = vs->kind == VGR_BUFFER_SHM && vs->shm_format == fmt->format &&
	       vs->buffer_width == w && vs->buffer_height == h &&
	       vs->n_planes == fmt->n_planes;
	for (i = 0; same && i < fmt->n_planes; i++)
		same = vs->planes[i].stride == planes[i].stride;

	vs->target = GL_TEXTURE_2D;
	if (!same) {
		vgr_surface_drop_textures(vs);
		for (i = 0; i < fmt->n_planes; i++)
			vs->planes[i] = planes[i];
		vs->n_planes = fmt->n_planes;
		vs->needs_full_upload = true;
		/* Without GL the recovery creates them. */
		if (vgr_gl_current(vs->gr))
			vgr_surface_create_textures(vs);
	}

	vs->kind = VGR_BUFFER_SHM;
	vs->variant = fmt->variant;
	vs->shm_format = fmt->format;
	vs->buffer_width = w;
	vs->buffer_height = h;
	vs->y_inverted = true;
	return true;
}

static void
upload_rect(struct vgr_plane *p, const uint8_t *data, int x1, int y1,
	    int x2, int y2, bool full)
{
	int tx1, ty1, tx2, ty2;
	int div = p->cpp == 4 && p->hsub == 2 ? 2 : p->hsub;

	/* Buffer pixels to texels, widened to whole subsampled blocks. */
	tx1 = x1 > 0 ? x1 / div : 0;
	ty1 = y1 > 0 ? y1 / p->vsub : 0;
	tx2 = (x2 + div - 1) / div;
	ty2 = (y2 + p->vsub - 1) / p->vsub;
	if (tx2 > p->width)
		tx2 = p->width;
	if (ty2 > p->height)
		ty2 = p->height;
	if (tx1 >= tx2 || ty1 >= ty2)
		return;

	glBindTexture(GL_TEXTURE_2D, p->tex);
	glPixelStorei(GL_UNPACK_ROW_LENGTH_EXT, p->stride / p->cpp);
	if (full) {
		glPixelStorei(GL_UNPACK_SKIP_PIXELS_EXT, 0);
		glPixelStorei(GL_UNPACK_SKIP_ROWS_EXT, 0);
		glTexImage2D(GL_TEXTURE_2D, 0, p->internal_format, p->width,
			     p->height, 0, p->format, p->type, data + p->offset);
		return;
	}
	glPixelStorei(GL_UNPACK_SKIP_PIXELS_EXT, tx1);
	glPixelStorei(GL_UNPACK_SKIP_ROWS_EXT, ty1);
	glTexSubImage2D(GL_TEXTURE_2D, 0, tx1, ty1, tx2 - tx1, ty2 - ty1,
			p->format, p->type, data + p->offset);
}

void
vgr_shm_upload(struct vgr_surface *vs, bool full)
{
	struct weston_buffer *buffer = vs->buffer_ref.buffer;
	struct wl_shm_buffer *shm = buffer ? buffer->shm_buffer : NULL;
	pixman_box32_t *rects;
	const uint8_t *data;
	int n, i, j;

	if (!shm)
		return;
	if (!full && !pixman_region32_not_empty(&vs->texture_damage))
		return;

	glActiveTexture(GL_TEXTURE0);
	wl_shm_buffer_begin_access(shm);
	data = wl_shm_buffer_get_data(shm);
	if (full) {
		for (j = 0; j < vs->n_planes; j++)
			upload_rect(&vs->planes[j], data, 0, 0, vs->buffer_width,
				    vs->buffer_height, true);
	} else {
		rects = pixman_region32_rectangles(&vs->texture_damage, &n);
		for (i = 0; i < n; i++) {
			pixman_box32_t r = weston_surface_to_buffer_rect(vs->surface,
									rects[i]);

			for (j = 0; j < vs->n_planes; j++)
				upload_rect(&vs->planes[j], data, r.x1, r.y1,
					    r.x2, r.y2, false);
		}
	}
	wl_shm_buffer_end_access(shm);

	glPixelStorei(GL_UNPACK_ROW_LENGTH_EXT, 0);
	glPixelStorei(GL_UNPACK_SKIP_PIXELS_EXT, 0);
	glPixelStorei(GL_UNPACK_SKIP_ROWS_EXT, 0);
	pixman_region32_clear(&vs->texture_damage);
	vs->needs_full_upload = false;
}
