/* SPDX-License-Identifier: MIT */
/* linux-dmabuf as both front ends handle it: a surface's textures from its
 * image and the format list (import and attach: each vgr-dmabuf.c). */
#include <libweston/libweston.h>

#include "vgr.h"

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
vgr_dmabuf_formats(struct vgr_renderer *gr)
{
	struct vgr_frontend *fe = vgr_fe(gr);

	if (!fe->dmabuf_formats_ready) {
		fe->dmabuf_formats_ready = true;
		vgr_dmabuf_query_formats(gr, add_format, &fe->dmabuf_formats);
	}
	return &fe->dmabuf_formats;
}

const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec)
{
	return vgr_dmabuf_formats(vgr_get(ec));
}

void
vgr_dmabuf_formats_fini(struct vgr_renderer *gr)
{
	weston_drm_format_array_fini(&vgr_fe(gr)->dmabuf_formats);
	weston_drm_format_array_init(&vgr_fe(gr)->dmabuf_formats);
	vgr_fe(gr)->dmabuf_formats_ready = false;
}
