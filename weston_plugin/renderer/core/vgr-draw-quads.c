/* SPDX-License-Identifier: MIT */
/* Drawing triangles of one surface with one program: the GL half of a
 * paint-node draw that every front end shares. */
#include "vgr-core.h"

void
vgr_draw_begin(struct vgr_renderer *gr, struct vgr_program *prog,
	       const float proj[16], float alpha, const float color[4])
{
	glUseProgram(prog->id);
	glUniformMatrix4fv(prog->u_proj, 1, GL_FALSE, proj);
	if (prog->u_alpha >= 0)
		glUniform4f(prog->u_alpha, alpha, 0.0f, 0.0f, 0.0f);
	/* Solid colours are premultiplied, and so is the view's alpha. */
	if (prog->u_color >= 0)
		glUniform4f(prog->u_color, color[0] * alpha, color[1] * alpha,
			    color[2] * alpha, color[3] * alpha);
}

void
vgr_draw_quads(struct vgr_renderer *gr, const struct vgr_draw_source *src,
	       const struct vgr_vertex *verts, int count,
	       const struct vgr_rect *clip, int n_clip)
{
	int i;

	for (i = 0; i < src->n_planes; i++) {
		glActiveTexture(GL_TEXTURE0 + i);
		glBindTexture(src->target, src->planes[i].tex);
		glTexParameteri(src->target, GL_TEXTURE_MIN_FILTER, src->filter);
		glTexParameteri(src->target, GL_TEXTURE_MAG_FILTER, src->filter);
	}
	glActiveTexture(GL_TEXTURE0);

	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(*verts), &verts[0].x);
	glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(*verts), &verts[0].s);
	glEnableVertexAttribArray(0);
	glEnableVertexAttribArray(1);
	glEnable(GL_SCISSOR_TEST);

	if (gr->warming_up) {
		/* Same state, one pixel: the driver compiles for the draw. */
		if (count > 0 && n_clip > 0) {
			glScissor(0, 0, 1, 1);
			glDrawArrays(GL_TRIANGLES, 0, count);
		}
	} else {
		for (i = 0; i < n_clip; i++) {
			glScissor(clip[i].x, clip[i].y, clip[i].w, clip[i].h);
			glDrawArrays(GL_TRIANGLES, 0, count);
		}
	}

	glDisableVertexAttribArray(1);
	glDisableVertexAttribArray(0);
}

void
vgr_matrix_apply(const float m[16], float x, float y, float *ox, float *oy)
{
	/* Column-major, z = 0, w = 1; the divide covers projective views. */
	float tx = m[0] * x + m[4] * y + m[12];
	float ty = m[1] * x + m[5] * y + m[13];
	float tw = m[3] * x + m[7] * y + m[15];

	if (tw != 0.0f && tw != 1.0f) {
		tx /= tw;
		ty /= tw;
	}
	*ox = tx;
	*oy = ty;
}
