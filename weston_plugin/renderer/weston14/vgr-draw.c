/* SPDX-License-Identifier: MIT */
/*
 * Drawing one paint node on libweston 14. Each rectangle of the
 * surface-space region becomes two triangles mapped through the view's
 * surface-to-global matrix (rotation and scaling for free) and sampled
 * through the surface-to-buffer matrix; the damage is one scissor
 * rectangle per draw. The GL calls are the core's (vgr-draw-quads.c).
 */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

struct draw_state {
	struct weston_paint_node *pnode;
	struct vgr_surface *vs;
	const struct weston_matrix *proj;
	const float *color;
	GLint filter;
	struct vgr_rect *clip;
	int n_clip;
	bool solid;
};

static void
corner(struct draw_state *ds, float sx, float sy, struct vgr_vertex *v)
{
	struct weston_paint_node *pnode = ds->pnode;
	struct vgr_surface *vs = ds->vs;
	float bx = 0.0f, by = 0.0f;

	vgr_matrix_apply(pnode->view->transform.matrix.d, sx, sy, &v->x, &v->y);
	if (!ds->solid && vs->buffer_width > 0 && vs->buffer_height > 0) {
		vgr_matrix_apply(pnode->surface->surface_to_buffer_matrix.d,
				 sx, sy, &bx, &by);
		bx /= vs->buffer_width;
		by /= vs->buffer_height;
	}
	v->s = bx;
	/* Textures hold the buffer's rows in memory order. */
	v->t = ds->solid || vs->origin_top_left ? by : 1.0f - by;
}

static struct vgr_vertex *
build_quads(struct draw_state *ds, pixman_region32_t *region, int *count)
{
	pixman_box32_t *r;
	struct vgr_vertex *verts, q[4];
	int n, i;

	r = pixman_region32_rectangles(region, &n);
	verts = malloc(sizeof(*verts) * 6 * (size_t)(n > 0 ? n : 1));
	if (!verts)
		return NULL;
	for (i = 0; i < n; i++) {
		corner(ds, r[i].x1, r[i].y1, &q[0]);
		corner(ds, r[i].x2, r[i].y1, &q[1]);
		corner(ds, r[i].x2, r[i].y2, &q[2]);
		corner(ds, r[i].x1, r[i].y2, &q[3]);
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

static void
draw_region(struct draw_state *ds, pixman_region32_t *surface_region,
	    enum vgr_variant variant)
{
	struct vgr_surface *vs = ds->vs;
	struct vgr_draw_source src = {
		.target = vs->target,
		.planes = vs->planes,
		.n_planes = ds->solid ? 0 : vs->n_planes,
		.filter = ds->filter,
	};
	struct vgr_renderer *gr = vs->gr;
	struct vgr_program *prog;
	struct vgr_vertex *verts;
	int count = 0;

	prog = vgr_program_get(gr, variant, 0);
	if (!prog)
		return;
	verts = build_quads(ds, surface_region, &count);
	if (!verts)
		return;
	vgr_draw_begin(gr, prog, ds->proj->d, ds->pnode->view->alpha, ds->color);
	vgr_draw_quads(gr, &src, verts, count, ds->clip, ds->n_clip);
	free(verts);
}

/* Global damage to scissor rectangles of the framebuffer: through the
 * output matrix (a multiple of 90 degrees keeps boxes boxes), then into
 * the area, in GL's row order. */
static struct vgr_rect *
scissor_rects(struct weston_output *output, pixman_region32_t *global,
	      const struct weston_geometry *area, int fb_height, int *count)
{
	pixman_box32_t *r;
	struct vgr_rect *out;
	float x1, y1, x2, y2, t;
	int n, i;

	r = pixman_region32_rectangles(global, &n);
	out = calloc(n > 0 ? n : 1, sizeof(*out));
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		vgr_matrix_apply(output->matrix.d, r[i].x1, r[i].y1, &x1, &y1);
		vgr_matrix_apply(output->matrix.d, r[i].x2, r[i].y2, &x2, &y2);
		if (x1 > x2) {
			t = x1; x1 = x2; x2 = t;
		}
		if (y1 > y2) {
			t = y1; y1 = y2; y2 = t;
		}
		out[i].x = area->x + (int)x1;
		out[i].w = (int)x2 - (int)x1;
		out[i].h = (int)y2 - (int)y1;
		out[i].y = fb_height ? fb_height - area->y - (int)y2 :
				       area->y + (int)y1;
	}
	*count = n;
	return out;
}

void
vgr_draw_paint_node(struct weston_paint_node *pnode, pixman_region32_t *damage,
		    const struct weston_matrix *proj,
		    const struct weston_geometry *area, int fb_height)
{
	struct weston_surface *surface = pnode->surface;
	struct weston_view *view = pnode->view;
	struct vgr_surface *vs = vgr_surface_get(surface);
	pixman_region32_t repaint, opaque, blend;
	struct draw_state ds;
	enum vgr_variant variant;
	float solid[4];

	if (!vs || !pnode->surf_xform_valid)
		return;
	if (!pnode->draw_solid && vs->variant == VGR_VARIANT_NONE)
		return;

	pixman_region32_init(&repaint);
	pixman_region32_intersect(&repaint, &pnode->visible, damage);
	if (!pixman_region32_not_empty(&repaint)) {
		pixman_region32_fini(&repaint);
		return;
	}

	ds = (struct draw_state){
		.pnode = pnode,
		.vs = vs,
		.proj = proj,
		.color = vs->color,
		.filter = pnode->needs_filtering ? GL_LINEAR : GL_NEAREST,
		.solid = pnode->draw_solid || vs->kind == VGR_BUFFER_SOLID,
	};
	variant = vs->variant;
	if (pnode->draw_solid) {
		/* Placeholders and holes: the compositor's colour. */
		solid[0] = pnode->solid.r;
		solid[1] = pnode->solid.g;
		solid[2] = pnode->solid.b;
		solid[3] = pnode->solid.a;
		ds.color = solid;
		variant = VGR_VARIANT_SOLID;
	}
	ds.clip = scissor_rects(pnode->output, &repaint, area, fb_height,
				&ds.n_clip);
	if (!ds.clip) {
		pixman_region32_fini(&repaint);
		return;
	}

	pixman_region32_init_rect(&blend, 0, 0, surface->width, surface->height);
	if (pnode->is_fully_opaque)
		pixman_region32_init_rect(&opaque, 0, 0, surface->width,
					  surface->height);
	else {
		pixman_region32_init(&opaque);
		pixman_region32_copy(&opaque, &surface->opaque);
	}
	if (view->geometry.scissor_enabled) {
		pixman_region32_intersect(&blend, &blend, &view->geometry.scissor);
		pixman_region32_intersect(&opaque, &opaque, &view->geometry.scissor);
	}
	pixman_region32_subtract(&blend, &blend, &opaque);

	glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
	if (pixman_region32_not_empty(&opaque)) {
		/* Declared opaque: the alpha channel is not trusted. */
		enum vgr_variant v = variant == VGR_VARIANT_RGBA ?
				     VGR_VARIANT_RGBX : variant;

		if (view->alpha < 1.0f)
			glEnable(GL_BLEND);
		else
			glDisable(GL_BLEND);
		draw_region(&ds, &opaque, v);
	}
	if (pixman_region32_not_empty(&blend)) {
		glEnable(GL_BLEND);
		draw_region(&ds, &blend, variant);
	}

	pixman_region32_fini(&opaque);
	pixman_region32_fini(&blend);
	free(ds.clip);
	pixman_region32_fini(&repaint);
}
