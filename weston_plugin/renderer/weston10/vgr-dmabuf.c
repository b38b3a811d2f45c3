/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf on libweston 10: a vgr_dmabuf_image (core) per buffer as its
 * user data, and attach. Format list: ../common/vgr-dmabuf.c; feedback:
 * vgr-dmabuf-feedback.c.
 */
#include <libweston/libweston.h>

#include "vgr.h"

#define Y_INVERT_FLAG 1 /* ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT */

static void
dmabuf_user_data_destroy(struct linux_dmabuf_buffer *dmabuf)
{
	vgr_dmabuf_image_destroy(linux_dmabuf_buffer_get_user_data(dmabuf));
}

static void
describe(const struct dmabuf_attributes *a, struct vgr_dmabuf_desc *d)
{
	const struct pixel_format_info *info = pixel_format_get_info(a->format);
	int i;

	*d = (struct vgr_dmabuf_desc){
		.width = a->width,
		.height = a->height,
		.format = a->format,
		.n_planes = a->n_planes,
		.subsampled = info && info->hsub > 1,
		.opaque = info && info->bits.a == 0,
	};
	for (i = 0; i < a->n_planes && i < VGR_DMABUF_MAX_PLANES; i++) {
		d->fd[i] = a->fd[i];
		d->offset[i] = a->offset[i];
		d->stride[i] = a->stride[i];
		d->modifier[i] = a->modifier[i];
	}
}

/* The image, now the buffer's user data; NULL if refused. */
static struct vgr_dmabuf_image *
image_import(struct vgr_renderer *gr, struct linux_dmabuf_buffer *dmabuf)
{
	struct vgr_dmabuf_desc desc;
	struct vgr_dmabuf_image *img;

	describe(&dmabuf->attributes, &desc);
	img = vgr_dmabuf_image_create(gr, &desc);
	if (img)
		linux_dmabuf_buffer_set_user_data(dmabuf, img,
						  dmabuf_user_data_destroy);
	return img;
}

bool
vgr_import_dmabuf(struct weston_compositor *ec,
		  struct linux_dmabuf_buffer *dmabuf)
{
	const struct dmabuf_attributes *a = &dmabuf->attributes;

	if (!image_import(vgr_get(ec), dmabuf)) {
		weston_log("vgr: refusing dma-buf %dx%d format 0x%08x (%d planes)\n",
			   a->width, a->height, a->format, a->n_planes);
		return false;
	}
	return true;
}

void
vgr_dmabuf_describe_buffer(struct weston_buffer *buffer,
			   struct linux_dmabuf_buffer *dmabuf)
{
	const struct dmabuf_attributes *a = &dmabuf->attributes;

	buffer->width = a->width;
	buffer->height = a->height;
	buffer->y_inverted = !(a->flags & Y_INVERT_FLAG);
}

bool
vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		  struct linux_dmabuf_buffer *dmabuf)
{
	struct vgr_renderer *gr = vs->gr;
	const struct dmabuf_attributes *a = &dmabuf->attributes;
	struct vgr_dmabuf_image *img = linux_dmabuf_buffer_get_user_data(dmabuf);

	if (!img) {
		/* Direct-display buffers skip import; try once now. */
		img = image_import(gr, dmabuf);
		if (!img)
			return false;
	}

	vgr_dmabuf_describe_buffer(buffer, dmabuf);
	vs->surface->is_opaque = img->variant == VGR_VARIANT_RGBX ||
				 img->variant >= VGR_VARIANT_Y_U_V;

	vs->kind = VGR_BUFFER_DMABUF;
	vs->variant = img->variant;
	vs->image = img;
	vs->buffer_width = a->width;
	vs->buffer_height = a->height;
	vs->origin_top_left = buffer->y_inverted;

	/* Acquire fences were seen to at attach (../common/vgr-acquire.c). */
	/* Without GL the recovery uploads it from the kept attributes. */
	if (!vgr_gl_current(gr))
		return true;
	return vgr_dmabuf_surface_upload(vs);
}

void
vgr_dmabuf_fini(struct vgr_renderer *gr)
{
	vgr_dmabuf_feedback_fini(gr);
	vgr_dmabuf_formats_fini(gr);
}
