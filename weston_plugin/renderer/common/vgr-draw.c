/* SPDX-License-Identifier: MIT */
/* Drawing a view as both front ends do: opaque part and blended rest, two
 * triangles a box (corners and draws: each front end's vgr-draw.c). */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

struct vgr_vertex *
vgr_build_quads(pixman_region32_t *region, vgr_corner_func corner, void *data,
		int *count)
{
	pixman_box32_t *r;
	struct vgr_vertex *verts, q[4];
	int n, i;

	r = pixman_region32_rectangles(region, &n);
	verts = malloc(sizeof(*verts) * 6 * (size_t)(n > 0 ? n : 1));
	if (!verts)
		return NULL;
	for (i = 0; i < n; i++) {
		corner(data, r[i].x1, r[i].y1, &q[0]);
		corner(data, r[i].x2, r[i].y1, &q[1]);
		corner(data, r[i].x2, r[i].y2, &q[2]);
		corner(data, r[i].x1, r[i].y2, &q[3]);
		verts[i * 6 + 0] = q[0];
		verts[i * 6 + 1] = q[1];
		verts[i * 6 + 2] = q[2];
		verts[i * 6 + 3] = q[0];
		verts[i * 6 + 4] = q[2];
		verts[i * 6 + 5] = q[3];
	}
	*count = n * 6;
	return verts;
}

void
vgr_draw_view_regions(struct weston_view *view, pixman_region32_t *opaque,
		      enum vgr_variant variant, vgr_region_draw_func draw,
		      void *data)
{
	struct weston_surface *surface = view->surface;
	pixman_region32_t blend;

	pixman_region32_init_rect(&blend, 0, 0, surface->width, surface->height);
	if (view->geometry.scissor_enabled) {
		pixman_region32_intersect(&blend, &blend, &view->geometry.scissor);
		pixman_region32_intersect(opaque, opaque, &view->geometry.scissor);
	}
	pixman_region32_subtract(&blend, &blend, opaque);

	glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
	if (pixman_region32_not_empty(opaque)) {
		/* Declared opaque: the alpha channel is not trusted. */
		enum vgr_variant v = variant == VGR_VARIANT_RGBA ?
				     VGR_VARIANT_RGBX : variant;

		if (view->alpha < 1.0f)
			glEnable(GL_BLEND);
		else
			glDisable(GL_BLEND);
		draw(data, opaque, v);
	}
	if (pixman_region32_not_empty(&blend)) {
		glEnable(GL_BLEND);
		draw(data, &blend, variant);
	}
	pixman_region32_fini(&blend);
}
