/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf on libweston 14: a vgr_dmabuf_image (core) per buffer,
 * first the dma-buf's user data (import_dmabuf), then moved to the
 * weston_buffer (buffer_init), which may outlive the protocol object
 * while a surface still shows it. Attach waits for the acquire fence.
 */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane/egl_fence.h"
#include "vmplane/sync_file.h"

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

static void
wait_acquire_fence(struct vgr_surface *vs)
{
	struct vgr_renderer *gr = vs->gr;
	int fd = vs->surface->acquire_fence_fd;

	if (fd < 0)
		return;
	/* The draws that sample the buffer wait on the GPU where the driver
	 * can (the fd is duplicated); otherwise, and before the CPU path
	 * reads the memory, block here. */
	if (!vs->image->cpu && vgr_gl_current(gr) && gr->has_native_fence &&
	    gr->has_wait_sync &&
	    vmsync_egl_fence_wait_gpu(gr->display, fd) == VMSYNC_OK)
		return;
	if (vmsync_fd_wait(fd, 1000000000LL) != VMSYNC_OK)
		weston_log("vgr: acquire fence did not signal in time\n");
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

	wait_acquire_fence(vs);
	/* Without GL the recovery uploads it from the kept attributes. */
	if (!vgr_gl_current(vs->gr))
		return true;
	return vgr_dmabuf_surface_upload(vs);
}

bool
vgr_dmabuf_surface_upload(struct vgr_surface *vs)
{
	struct vgr_dmabuf_image *img = vs->image;
	GLuint tex[VGR_MAX_PLANES];
	int i;

	if (!img || !vgr_dmabuf_image_refresh(img))
		return false;
	vs->n_planes = img->cpu ? 1 : img->n_images;
	vs->target = img->target;
	vs->variant = img->variant;
	vgr_surface_create_textures(vs);
	for (i = 0; i < vs->n_planes; i++)
		tex[i] = vs->planes[i].tex;
	return vgr_dmabuf_image_upload(img, tex);
}

static void
add_format(void *data, uint32_t format, const uint64_t *mods, int n_mods)
{
	struct weston_drm_format *f;
	int i;

	f = weston_drm_format_array_add_format(data, format);
	if (!f)
		return;
	for (i = 0; i < n_mods; i++)
		weston_drm_format_add_modifier(f, mods[i]);
}

const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec)
{
	struct vgr_renderer *gr = vgr_get(ec);
	struct vgr_frontend *fe = vgr_fe(gr);

	if (!fe->dmabuf_formats_ready) {
		fe->dmabuf_formats_ready = true;
		vgr_dmabuf_query_formats(gr, add_format, &fe->dmabuf_formats);
	}
	return &fe->dmabuf_formats;
}

void
vgr_dmabuf_fini(struct vgr_renderer *gr)
{
	weston_drm_format_array_fini(&vgr_fe(gr)->dmabuf_formats);
	weston_drm_format_array_init(&vgr_fe(gr)->dmabuf_formats);
	vgr_fe(gr)->dmabuf_formats_ready = false;
}
