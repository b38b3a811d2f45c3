/* SPDX-License-Identifier: MIT */
/*
 * surface_copy_content: a surface's buffer drawn once, unscaled, into a
 * scratch framebuffer and read back as premultiplied a8b8g8r8, first row at
 * the top (what weston_surface_copy_content() promises its callers).
 */
#include <libweston/libweston.h>

#include "vgr.h"

struct copy_target {
	GLuint tex, fbo;
};

static bool
target_create(struct copy_target *t, int width, int height)
{
	glGenTextures(1, &t->tex);
	glBindTexture(GL_TEXTURE_2D, t->tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA,
		     GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &t->fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, t->tex, 0);
	return glCheckFramebufferStatus(GL_FRAMEBUFFER) ==
	       GL_FRAMEBUFFER_COMPLETE;
}

/* Scratch objects live for one call only, so the reset registry never
 * needs to know about them. */
static void
target_destroy(struct copy_target *t)
{
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &t->fbo);
	glDeleteTextures(1, &t->tex);
}

static void
draw_buffer(struct vgr_surface *vs, struct vgr_program *prog)
{
	/* Unit square in buffer space, y down; the projection puts buffer
	 * row 0 at framebuffer row 0, which glReadPixels returns first. */
	static const GLfloat proj[16] = {
		2.0f, 0.0f, 0.0f, 0.0f,
		0.0f, 2.0f, 0.0f, 0.0f,
		0.0f, 0.0f, 1.0f, 0.0f,
		-1.0f, -1.0f, 0.0f, 1.0f,
	};
	GLfloat verts[6][4];
	static const GLfloat corners[6][2] = {
		{ 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 0 }, { 1, 1 }, { 0, 1 },
	};

	for (int i = 0; i < 6; i++) {
		verts[i][0] = corners[i][0];
		verts[i][1] = corners[i][1];
		verts[i][2] = corners[i][0];
		verts[i][3] = vs->y_inverted ? corners[i][1] : 1.0f - corners[i][1];
	}
	glUseProgram(prog->id);
	glUniformMatrix4fv(prog->u_proj, 1, GL_FALSE, proj);
	if (prog->u_alpha >= 0)
		glUniform4f(prog->u_alpha, 1.0f, 0.0f, 0.0f, 0.0f);
	for (int i = 0; i < vs->n_planes; i++) {
		glActiveTexture(GL_TEXTURE0 + i);
		glBindTexture(vs->target, vs->planes[i].tex);
		glTexParameteri(vs->target, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
		glTexParameteri(vs->target, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	}
	glActiveTexture(GL_TEXTURE0);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(verts[0]),
			      &verts[0][0]);
	glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(verts[0]),
			      &verts[0][2]);
	glEnableVertexAttribArray(0);
	glEnableVertexAttribArray(1);
	glDrawArrays(GL_TRIANGLES, 0, 6);
	glDisableVertexAttribArray(1);
	glDisableVertexAttribArray(0);
}

/* A solid-colour surface has no buffer: one pixel of its colour. */
static int
copy_color(struct vgr_surface *vs, void *target)
{
	uint8_t *px = target;

	for (int i = 0; i < 4; i++)
		px[i] = (uint8_t)(vs->color[i] * 255.0f + 0.5f);
	return 0;
}

int
vgr_surface_copy_content(struct weston_surface *surface, void *target,
			 size_t size, int src_x, int src_y, int width,
			 int height)
{
	struct vgr_surface *vs = vgr_surface_get(surface);
	struct vgr_program *prog;
	struct copy_target t = { 0, 0 };
	GLboolean blend, scissor;
	bool failed = false, ok;

	if (!vs || vs->variant == VGR_VARIANT_NONE ||
	    (size_t)width * (size_t)height * 4 > size)
		return -1;
	if (vs->variant == VGR_VARIANT_SOLID)
		return copy_color(vs, target);
	/* Not while a reset is being recovered from, or in safe mode. */
	if (!vgr_make_current(vs->gr, EGL_NO_SURFACE))
		return -1;
	/* Shm uploads wait for a repaint that composites the surface, and
	 * the caller may come first (a key binding right after a commit). */
	if (vs->kind == VGR_BUFFER_SHM)
		vgr_shm_upload(vs, true);
	prog = vgr_program_get(vs->gr, vs->variant, 0);
	if (!prog)
		return -1;

	blend = glIsEnabled(GL_BLEND);
	scissor = glIsEnabled(GL_SCISSOR_TEST);
	ok = target_create(&t, vs->buffer_width, vs->buffer_height);
	if (ok) {
		glDisable(GL_BLEND);
		glDisable(GL_SCISSOR_TEST);
		glViewport(0, 0, vs->buffer_width, vs->buffer_height);
		draw_buffer(vs, prog);
		glPixelStorei(GL_PACK_ALIGNMENT, 1);
		glReadPixels(src_x, src_y, width, height, GL_RGBA,
			     GL_UNSIGNED_BYTE, target);
	}
	target_destroy(&t);
	if (blend)
		glEnable(GL_BLEND);
	if (scissor)
		glEnable(GL_SCISSOR_TEST);
	if (!rb_context_check_gl_errors(vs->gr->ctx, &failed)) {
		vgr_reset_check(vs->gr);
		return -1;
	}
	return ok && !failed ? 0 : -1;
}
