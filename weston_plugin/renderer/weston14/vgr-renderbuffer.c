/* SPDX-License-Identifier: MIT */
/*
 * Renderbuffers (create_fbo): the targets of outputs without an EGL
 * surface, such as headless. Each is a texture behind an FBO, registered
 * so that a reset re-creates it and its next frame is drawn in full.
 */
#include <stdlib.h>
#include <drm_fourcc.h>
#include <libweston/libweston.h>

#include "vgr.h"


static bool
storage_create(struct vgr_renderbuffer *vrb)
{
	return vgr_fbo_texture_create(vrb->gr, vrb->width, vrb->height,
				      vrb->alpha, &vrb->tex, &vrb->fbo);
}

static bool
renderbuffer_rebuild(struct rb_resource *res, void *data)
{
	struct vgr_renderbuffer *vrb = data;

	/* Everything it held died with the context: draw it all again. */
	pixman_region32_fini(&vrb->base.damage);
	pixman_region32_init_rect(&vrb->base.damage, INT32_MIN / 2, INT32_MIN / 2,
				  UINT32_MAX / 2, UINT32_MAX / 2);
	return storage_create(vrb);
}

static void
renderbuffer_forget(struct rb_resource *res, void *data)
{
	struct vgr_renderbuffer *vrb = data;

	vrb->fbo = 0;
	vrb->tex = 0;
}

static const struct rb_resource_impl renderbuffer_impl = {
	.rebuild = renderbuffer_rebuild,
	.forget = renderbuffer_forget,
	.name = "renderbuffer",
};

static void
renderbuffer_destroy(struct weston_renderbuffer *base)
{
	struct vgr_renderbuffer *vrb = vgr_container_of(base,
		struct vgr_renderbuffer, base);

	vgr_resource_remove(&vrb->res);
	if (vgr_make_current(vrb->gr, EGL_NO_SURFACE))
		vgr_fbo_texture_destroy(vrb->gr, &vrb->tex, &vrb->fbo);
	pixman_region32_fini(&vrb->base.damage);
	free(vrb);
}

struct weston_renderbuffer *
vgr_create_fbo(struct weston_output *output,
	       const struct pixel_format_info *format, int width, int height,
	       uint32_t *pixels)
{
	struct vgr_output *vo = output->renderer_state;
	struct vgr_renderer *gr = vo->gr;
	struct vgr_renderbuffer *vrb;
	bool alpha = format->bits.a > 0;

	if (format->format == DRM_FORMAT_RGB565)
		alpha = false;
	else if (format->bits.r != 8 && format->bits.r != 0)
		return NULL;
	if (!vgr_make_current(gr, EGL_NO_SURFACE))
		return NULL;

	vrb = calloc(1, sizeof *vrb);
	if (!vrb)
		return NULL;
	vrb->gr = gr;
	vrb->width = width;
	vrb->height = height;
	vrb->pixels = pixels;
	/* No alpha channel where the format has none: read-backs then
	 * return opaque pixels whatever blending left in alpha. */
	vrb->alpha = alpha;
	if (!storage_create(vrb)) {
		weston_log("vgr: could not create a %dx%d renderbuffer\n",
			   width, height);
		free(vrb);
		return NULL;
	}
	pixman_region32_init_rect(&vrb->base.damage, 0, 0, width, height);
	pixman_region32_copy(&vrb->base.damage, &output->region);
	/* One reference for the output's list, one for the caller. */
	vrb->base.refcount = 2;
	vrb->base.destroy = renderbuffer_destroy;
	wl_list_insert(&vo->renderbuffers, &vrb->link);
	vgr_resource_add(gr, &vrb->res, RB_RESOURCE_FBO, &renderbuffer_impl, vrb);
	return &vrb->base;
}

void
vgr_output_drop_renderbuffers(struct vgr_output *vo)
{
	struct vgr_renderbuffer *vrb, *tmp;

	wl_list_for_each_safe(vrb, tmp, &vo->renderbuffers, link) {
		wl_list_remove(&vrb->link);
		wl_list_init(&vrb->link);
		weston_renderbuffer_unref(&vrb->base);
	}
}
