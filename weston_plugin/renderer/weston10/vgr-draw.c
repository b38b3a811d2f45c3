/* SPDX-License-Identifier: MIT */
/*
 * Drawing one paint node.
 *
 * Each rectangle of the surface-space region to draw becomes a quad mapped
 * through the view transform, so rotation and scaling come for free; the
 * output-space damage is applied with one scissor rectangle per draw.
 */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

static void
corner(struct weston_view *view, struct vgr_surface *vs, float sx, float sy,
       struct vgr_vertex *v)
{
	float bx = 0.0f, by = 0.0f;

	weston_view_to_global_float(view, sx, sy, &v->x, &v->y);
	if (vs->buffer_width > 0 && vs->buffer_height > 0) {
		weston_surface_to_buffer_float(view->surface, sx, sy, &bx, &by);
		bx /= vs->buffer_width;
		by /= vs->buffer_height;
	}
	v->s = bx;
	v->t = vs->y_inverted ? by : 1.0f - by;
}

static struct vgr_vertex *
build_quads(struct weston_view *view, struct vgr_surface *vs,
	    pixman_region32_t *region, int *count)
{
	pixman_box32_t *r;
	struct vgr_vertex *verts, q[4];
	int n, i;

	r = pixman_region32_rectangles(region, &n);
	verts = malloc(sizeof(*verts) * 6 * (size_t)(n > 0 ? n : 1));
	if (!verts)
		return NULL;
	for (i = 0; i < n; i++) {
		corner(view, vs, r[i].x1, r[i].y1, &q[0]);
		corner(view, vs, r[i].x2, r[i].y1, &q[1]);
		corner(view, vs, r[i].x2, r[i].y2, &q[2]);
		corner(view, vs, r[i].x1, r[i].y2, &q[3]);
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

/* Loads a 3x1D colour curve into the scratch LUT texture. */
static bool
load_pre_curve(struct vgr_renderer *gr, struct weston_color_transform *xform,
	       struct vgr_program *prog)
{
	unsigned len = xform->pre_curve.u.lut_3x1d.optimal_len;
	float *values;

	if (len < 2)
		return false;
	values = calloc(3 * (size_t)len, sizeof(float));
	if (!values)
		return false;
	xform->pre_curve.u.lut_3x1d.fill_in(xform, values, len);

	vgr_lut_texture(gr);
	glActiveTexture(GL_TEXTURE0 + VGR_MAX_PLANES);
	glBindTexture(GL_TEXTURE_2D, gr->lut_tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_R16F, len, 3, 0, GL_RED, GL_FLOAT,
		     values);
	free(values);
	glUniform4f(prog->u_lut_scale_offset, (len - 1.0f) / len, 0.5f / len,
		    0.0f, 0.0f);
	glActiveTexture(GL_TEXTURE0);
	return true;
}

struct draw_state {
	struct vgr_renderer *gr;
	struct weston_view *view;
	struct vgr_surface *vs;
	pixman_region32_t *fb_damage;
	const struct weston_matrix *proj;
	int fb_height;
	GLint filter;
	struct weston_color_transform *xform;
};

static void
draw_region(struct draw_state *ds, pixman_region32_t *surface_region,
	    enum vgr_variant variant)
{
	struct vgr_surface *vs = ds->vs;
	struct vgr_draw_source src = {
		.target = vs->target,
		.planes = vs->planes,
		.n_planes = vs->n_planes,
		.filter = ds->filter,
	};
	struct vgr_program *prog;
	struct vgr_vertex *verts;
	struct vgr_rect *clip;
	pixman_box32_t *r;
	uint32_t flags = 0;
	int count = 0, n, i;

	if (ds->xform && ds->xform->pre_curve.type == VMP_CURVE_LUT_3x1D)
		flags |= VGR_PROG_PRE_CURVE;
	prog = vgr_program_get(ds->gr, variant, flags);
	if (!prog)
		return;
	verts = build_quads(ds->view, vs, surface_region, &count);
	if (!verts)
		return;
	r = pixman_region32_rectangles(ds->fb_damage, &n);
	clip = calloc(n > 0 ? n : 1, sizeof(*clip));
	if (!clip) {
		free(verts);
		return;
	}
	for (i = 0; i < n; i++)
		clip[i] = (struct vgr_rect){ r[i].x1, ds->fb_height - r[i].y2,
					     r[i].x2 - r[i].x1,
					     r[i].y2 - r[i].y1 };

	vgr_draw_begin(ds->gr, prog, ds->proj->d, ds->view->alpha, vs->color);
	if (!(flags & VGR_PROG_PRE_CURVE) || load_pre_curve(ds->gr, ds->xform, prog))
		vgr_draw_quads(ds->gr, &src, verts, count, clip, n);
	free(clip);
	free(verts);
}

void
vgr_draw_paint_node(struct weston_paint_node *pnode, pixman_region32_t *damage,
		    const struct weston_matrix *proj, int fb_height,
		    bool linear_blend)
{
	struct weston_view *view = pnode->view;
	struct weston_surface *surface = pnode->surface;
	struct weston_output *output = pnode->output;
	struct vgr_surface *vs = vgr_surface_get(surface);
	pixman_region32_t repaint, fb_damage, opaque, blend;
	struct draw_state ds;

	if (!vs || vs->variant == VGR_VARIANT_NONE || !pnode->surf_xform_valid)
		return;

	pixman_region32_init(&repaint);
	pixman_region32_intersect(&repaint, &view->transform.boundingbox, damage);
	pixman_region32_subtract(&repaint, &repaint, &view->clip);
	if (!pixman_region32_not_empty(&repaint)) {
		pixman_region32_fini(&repaint);
		return;
	}
	pixman_region32_init(&fb_damage);
	pixman_region32_copy(&fb_damage, &repaint);
	weston_output_region_from_global(output, &fb_damage);

	ds = (struct draw_state) {
		.gr = vs->gr,
		.view = view,
		.vs = vs,
		.fb_damage = &fb_damage,
		.proj = proj,
		.fb_height = fb_height,
		.xform = pnode->surf_xform.transform,
	};
	/* Sample exactly unless something resamples the surface anyway. */
	if (view->transform.enabled || output->zoom.active ||
	    output->current_scale != surface->buffer_viewport.buffer.scale)
		ds.filter = GL_LINEAR;
	else
		ds.filter = GL_NEAREST;

	pixman_region32_init_rect(&blend, 0, 0, surface->width, surface->height);
	pixman_region32_init(&opaque);
	pixman_region32_copy(&opaque, &surface->opaque);
	if (view->geometry.scissor_enabled) {
		pixman_region32_intersect(&blend, &blend, &view->geometry.scissor);
		pixman_region32_intersect(&opaque, &opaque, &view->geometry.scissor);
	}
	pixman_region32_subtract(&blend, &blend, &opaque);

	glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
	if (pixman_region32_not_empty(&opaque)) {
		/* Declared opaque: the alpha channel is not trusted. */
		enum vgr_variant v = vs->variant == VGR_VARIANT_RGBA ?
				     VGR_VARIANT_RGBX : vs->variant;

		if (view->alpha < 1.0f)
			glEnable(GL_BLEND);
		else
			glDisable(GL_BLEND);
		draw_region(&ds, &opaque, v);
		vs->used_in_repaint = true;
	}
	if (pixman_region32_not_empty(&blend)) {
		glEnable(GL_BLEND);
		draw_region(&ds, &blend, vs->variant);
		vs->used_in_repaint = true;
	}

	pixman_region32_fini(&opaque);
	pixman_region32_fini(&blend);
	pixman_region32_fini(&fb_damage);
	pixman_region32_fini(&repaint);
}
