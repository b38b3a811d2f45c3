/* SPDX-License-Identifier: MIT */
/*
 * Drawing one paint node on libweston 10 (the opaque/blended split and the
 * triangles: ../common/vgr-draw.c).
 *
 * Each rectangle of the surface-space region to draw becomes a quad mapped
 * through the view transform, so rotation and scaling come for free; the
 * output-space damage is applied with one scissor rectangle per draw.
 */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

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
corner(void *data, float sx, float sy, struct vgr_vertex *v)
{
	struct draw_state *ds = data;
	struct weston_view *view = ds->view;
	struct vgr_surface *vs = ds->vs;
	float bx = 0.0f, by = 0.0f;

	weston_view_to_global_float(view, sx, sy, &v->x, &v->y);
	if (vs->buffer_width > 0 && vs->buffer_height > 0) {
		weston_surface_to_buffer_float(view->surface, sx, sy, &bx, &by);
		bx /= vs->buffer_width;
		by /= vs->buffer_height;
	}
	v->s = bx;
	v->t = vs->origin_top_left ? by : 1.0f - by;
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

static void
draw_region(void *data, pixman_region32_t *surface_region,
	    enum vgr_variant variant)
{
	struct draw_state *ds = data;
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
	verts = vgr_build_quads(surface_region, corner, ds, &count);
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
	pixman_region32_t repaint, fb_damage, opaque;
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

	pixman_region32_init(&opaque);
	pixman_region32_copy(&opaque, &surface->opaque);
	vgr_draw_view_regions(view, &opaque, vs->variant, draw_region, &ds);
	pixman_region32_fini(&opaque);
	pixman_region32_fini(&fb_damage);
	pixman_region32_fini(&repaint);
}
