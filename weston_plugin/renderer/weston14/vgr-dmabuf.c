/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf on libweston 14: a vgr_dmabuf_image (core) per buffer,
 * first the dma-buf's user data (import_dmabuf), then moved to the
 * weston_buffer (buffer_init), which may outlive the protocol object
 * while a surface still shows it.
 * Format list: ../common/vgr-dmabuf.c.
 */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

#define Y_INVERT_FLAG 1 /* ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT */

/* The weston_buffer's renderer_private for a dma-buf. */
struct vgr_buffer_state {
	struct vgr_dmabuf_image *image;
	struct wl_listener destroy;
};

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
	/* One modifier for every plane since libweston 12. */
	for (i = 0; i < a->n_planes && i < VGR_DMABUF_MAX_PLANES; i++) {
		d->fd[i] = a->fd[i];
		d->offset[i] = a->offset[i];
		d->stride[i] = a->stride[i];
		d->modifier[i] = a->modifier;
	}
}

bool
vgr_import_dmabuf(struct weston_compositor *ec,
		  struct linux_dmabuf_buffer *dmabuf)
{
	const struct dmabuf_attributes *a = &dmabuf->attributes;
	struct vgr_dmabuf_desc desc;
	struct vgr_dmabuf_image *img;

	if (a->flags & ~Y_INVERT_FLAG)
		return false;
	describe(a, &desc);
	img = vgr_dmabuf_image_create(vgr_get(ec), &desc);
	if (!img) {
		weston_log("vgr: refusing dma-buf %dx%d format 0x%08x (%d planes)\n",
			   a->width, a->height, a->format, a->n_planes);
		return false;
	}
	linux_dmabuf_buffer_set_user_data(dmabuf, img, dmabuf_user_data_destroy);
	return true;
}

static void
buffer_state_destroy(struct wl_listener *l, void *data)
{
	struct vgr_buffer_state *bs = vgr_container_of(l, struct vgr_buffer_state,
						       destroy);

	wl_list_remove(&bs->destroy.link);
	vgr_dmabuf_image_destroy(bs->image);
	free(bs);
}

void
vgr_buffer_init(struct weston_compositor *ec, struct weston_buffer *buffer)
{
	struct linux_dmabuf_buffer *dmabuf = buffer->dmabuf;
	struct vgr_buffer_state *bs;

	if (buffer->type != WESTON_BUFFER_DMABUF)
		return;
	bs = calloc(1, sizeof *bs);
	if (!bs)
		return;
	bs->image = linux_dmabuf_buffer_get_user_data(dmabuf);
	linux_dmabuf_buffer_set_user_data(dmabuf, NULL, NULL);
	bs->destroy.notify = buffer_state_destroy;
	wl_signal_add(&buffer->destroy_signal, &bs->destroy);
	buffer->renderer_private = bs;
}

struct vgr_dmabuf_image *
vgr_dmabuf_buffer_image(struct weston_buffer *buffer)
{
	struct vgr_buffer_state *bs = buffer->renderer_private;

	return bs ? bs->image : NULL;
}

bool
vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer)
{
	struct vgr_buffer_state *bs = buffer->renderer_private;

	if (!bs || !bs->image)
		return false;
	vs->kind = VGR_BUFFER_DMABUF;
	vs->variant = bs->image->variant;
	vs->image = bs->image;
	vs->buffer_width = buffer->width;
	vs->buffer_height = buffer->height;
	vs->origin_top_left = buffer->buffer_origin == ORIGIN_TOP_LEFT;

	/* Acquire fences were seen to at attach (../common/vgr-acquire.c). */
	/* Without GL the recovery uploads it from the kept attributes. */
	if (!vgr_gl_current(vs->gr))
		return true;
	return vgr_dmabuf_surface_upload(vs);
}

void
vgr_dmabuf_fini(struct vgr_renderer *gr)
{
	vgr_dmabuf_formats_fini(gr);
}
