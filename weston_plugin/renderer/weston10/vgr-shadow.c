/* SPDX-License-Identifier: MIT */
/*
 * Blending-space shadow framebuffer for colour-managed outputs: views are
 * blended into a half-float texture, then converted to the output's
 * encoding while copying to the real framebuffer.
 */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

static bool
shadow_ensure(struct vgr_output *vo, int w, int h)
{
	struct vgr_renderer *gr = vo->gr;

	if (vo->shadow_fbo && vo->shadow_width == w && vo->shadow_height == h)
		return true;
	vgr_fbo_destroy(gr, vo->shadow_fbo);
	vgr_texture_destroy(gr, vo->shadow_tex);
	vo->shadow_fbo = 0;
	vo->shadow_tex = vgr_texture_create(gr, GL_TEXTURE_2D);
	glBindTexture(GL_TEXTURE_2D, vo->shadow_tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA16F, w, h, 0, GL_RGBA,
		     GL_HALF_FLOAT, NULL);
	glBindTexture(GL_TEXTURE_2D, 0);
	if (!vgr_fbo_create(gr, vo->shadow_tex, &vo->shadow_fbo)) {
		weston_log("vgr: cannot create a 16F shadow framebuffer\n");
		vgr_texture_destroy(gr, vo->shadow_tex);
		vo->shadow_tex = 0;
		return false;
	}
	vo->shadow_width = w;
	vo->shadow_height = h;
	/* New shadow content is undefined: start from a known state. */
	glBindFramebuffer(GL_FRAMEBUFFER, vo->shadow_fbo);
	glClearColor(0, 0, 0, 0);
	glClear(GL_COLOR_BUFFER_BIT);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	return true;
}

/* After a reset: the same size again; the content is repainted in full. */
bool
vgr_output_shadow_rebuild(struct vgr_output *vo)
{
	if (vo->shadow_width <= 0 || vo->shadow_height <= 0)
		return true;
	return shadow_ensure(vo, vo->shadow_width, vo->shadow_height);
}

/*
 * With damage == NULL only makes sure the shadow exists; otherwise copies
 * the damaged part (global coordinates) to the bound framebuffer.
 */
bool
vgr_output_blit_shadow(struct vgr_output *vo, pixman_region32_t *damage,
		       const struct weston_matrix *proj)
{
	struct weston_output *output = vo->output;
	struct vgr_renderer *gr = vo->gr;
	struct weston_color_transform *xform = output->from_blend_to_output;
	int w = output->current_mode->width;
	int h = output->current_mode->height;
	static const GLfloat quad[] = {
		-1, -1, 0, 0,   1, -1, 1, 0,   1, 1, 1, 1,
		-1, -1, 0, 0,   1, 1, 1, 1,   -1, 1, 0, 1,
	};
	static const GLfloat identity[16] = {
		1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,
	};
	struct vgr_program *prog;
	pixman_region32_t fb;
	pixman_box32_t *r;
	uint32_t flags = 0;
	int n, i;

	if (!gr->has_color_ops)
		return false;
	if (!damage)
		return shadow_ensure(vo, w, h);

	if (xform && xform->pre_curve.type == VMP_CURVE_LUT_3x1D)
		flags |= VGR_PROG_PRE_CURVE;
	prog = vgr_program_get(gr, VGR_VARIANT_RGBA, flags);
	if (!prog)
		return false;
	glUseProgram(prog->id);
	glUniformMatrix4fv(prog->u_proj, 1, GL_FALSE, identity);
	glUniform4f(prog->u_alpha, 1.0f, 0.0f, 0.0f, 0.0f);
	if (flags & VGR_PROG_PRE_CURVE) {
		unsigned len = xform->pre_curve.u.lut_3x1d.optimal_len;
		float *values = calloc(3 * (size_t)len, sizeof(float));

		if (!values)
			return false;
		xform->pre_curve.u.lut_3x1d.fill_in(xform, values, len);
		vgr_lut_texture(gr);
		glActiveTexture(GL_TEXTURE0 + VGR_MAX_PLANES);
		glBindTexture(GL_TEXTURE_2D, gr->lut_tex);
		glTexImage2D(GL_TEXTURE_2D, 0, GL_R16F, len, 3, 0, GL_RED,
			     GL_FLOAT, values);
		free(values);
		glUniform4f(prog->u_lut_scale_offset, (len - 1.0f) / len,
			    0.5f / len, 0.0f, 0.0f);
	}
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, vo->shadow_tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);

	glDisable(GL_BLEND);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(GLfloat), quad);
	glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(GLfloat), quad + 2);
	glEnableVertexAttribArray(0);
	glEnableVertexAttribArray(1);

	pixman_region32_init(&fb);
	pixman_region32_copy(&fb, damage);
	weston_output_region_from_global(output, &fb);
	glEnable(GL_SCISSOR_TEST);
	r = pixman_region32_rectangles(&fb, &n);
	for (i = 0; i < n; i++) {
		glScissor(r[i].x1, h - r[i].y2, r[i].x2 - r[i].x1,
			  r[i].y2 - r[i].y1);
		glDrawArrays(GL_TRIANGLES, 0, 6);
	}
	pixman_region32_fini(&fb);
	glDisableVertexAttribArray(1);
	glDisableVertexAttribArray(0);
	return true;
}
