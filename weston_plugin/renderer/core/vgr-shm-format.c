/* SPDX-License-Identifier: MIT */
/*
 * wl_shm formats: the texture planes of each format, and uploading a
 * rectangle of a buffer into them.
 */
#include <stdlib.h>
#include <wayland-server-protocol.h>

#include "vgr-core.h"

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

const uint32_t *
vgr_shm_formats(unsigned *count)
{
	static uint32_t formats[ARRAY_LENGTH(shm_formats)];
	size_t i;

	for (i = 0; i < ARRAY_LENGTH(shm_formats); i++)
		formats[i] = shm_formats[i].format;
	*count = ARRAY_LENGTH(shm_formats);
	return formats;
}

bool
vgr_shm_layout(struct vgr_renderer *gr, uint32_t format, int w, int h,
	       int stride, struct vgr_shm_layout *out)
{
	const struct shm_format *fmt = find_format(format);
	uint32_t offset = 0;
	int i;

	if (!fmt)
		return false;
	*out = (struct vgr_shm_layout){
		.variant = fmt->variant,
		.opaque = fmt->opaque,
		.n_planes = fmt->n_planes,
	};
	for (i = 0; i < fmt->n_planes; i++) {
		const struct plane_desc *d = &fmt->planes[i];
		struct vgr_plane *p = &out->planes[i];

		gl_formats(gr, d->chan, p);
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
	return true;
}

void
vgr_shm_upload_rect(struct vgr_plane *p, const uint8_t *data,
		    int x1, int y1, int x2, int y2, bool full)
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
