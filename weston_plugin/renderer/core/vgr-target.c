/* SPDX-License-Identifier: MIT */
/* Render targets the front ends share: a texture behind an FBO, the
 * submission of a frame no swap flushes, and reading pixels back. */
#include <stdlib.h>
#include <string.h>

#include "vgr-core.h"

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

bool
vgr_fbo_texture_create(struct vgr_renderer *gr, int width, int height,
		       bool alpha, GLuint *tex, GLuint *fbo)
{
	GLenum format = alpha ? GL_RGBA : GL_RGB;
	GLenum internal = gr->gl_major >= 3 ? (alpha ? GL_RGBA8 : GL_RGB8) :
			  format;

	*tex = vgr_texture_create(gr, GL_TEXTURE_2D);
	glBindTexture(GL_TEXTURE_2D, *tex);
	glTexImage2D(GL_TEXTURE_2D, 0, internal, width, height, 0, format,
		     GL_UNSIGNED_BYTE, NULL);
	glBindTexture(GL_TEXTURE_2D, 0);
	if (!vgr_fbo_create(gr, *tex, fbo)) {
		vgr_texture_destroy(gr, *tex);
		*tex = 0;
		return false;
	}
	return true;
}

void
vgr_fbo_texture_destroy(struct vgr_renderer *gr, GLuint *tex, GLuint *fbo)
{
	vgr_fbo_destroy(gr, *fbo);
	vgr_texture_destroy(gr, *tex);
	*fbo = 0;
	*tex = 0;
}

/* A pbuffer or FBO swap does not flush, so a software driver would render
 * the frame only at the next GL call, whoever makes it. A fence submits
 * it; glFlush would too, but on a single-buffered pbuffer it also copies
 * the whole surface out (llvmpipe: about 1 ms a frame at 1080p). */
void
vgr_submit_frame(struct vgr_renderer *gr)
{
	GLsync sync;

	if (gr->gl_major >= 3) {
		sync = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
		if (sync) {
			glDeleteSync(sync);
			return;
		}
	}
	glFlush();
}

/* Any GL error fails the read; GL_CONTEXT_LOST among them is a reset. */
static bool
read_succeeded(struct vgr_renderer *gr)
{
	bool failed = false;

	if (!rb_context_check_gl_errors(gr->ctx, &failed)) {
		vgr_reset_check(gr);
		return false;
	}
	return !failed;
}

bool
vgr_read_rect(struct vgr_renderer *gr, uint32_t fourcc, int x, int y, int w,
	      int h, void *pixels, int stride, bool y_flip)
{
	GLenum gl_format;
	uint8_t *tmp;
	int row;

	if (fourcc == FOURCC('A', 'R', '2', '4') ||
	    fourcc == FOURCC('X', 'R', '2', '4'))
		gl_format = GL_BGRA_EXT;
	else if (fourcc == FOURCC('A', 'B', '2', '4') ||
		 fourcc == FOURCC('X', 'B', '2', '4'))
		gl_format = GL_RGBA;
	else
		return false;
	if (w <= 0 || h <= 0)
		return true;
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	if (stride == w * 4 && !y_flip) {
		glReadPixels(x, y, w, h, gl_format, GL_UNSIGNED_BYTE, pixels);
		return read_succeeded(gr);
	}
	/* Packed rows first, then copied to the caller's stride and row
	 * order: GLES 2 has no pack row length. */
	tmp = malloc((size_t)w * h * 4);
	if (!tmp)
		return false;
	glReadPixels(x, y, w, h, gl_format, GL_UNSIGNED_BYTE, tmp);
	if (!read_succeeded(gr)) {
		free(tmp);
		return false;
	}
	for (row = 0; row < h; row++)
		memcpy((uint8_t *)pixels + (size_t)row * stride,
		       tmp + (size_t)(y_flip ? h - 1 - row : row) * w * 4,
		       (size_t)w * 4);
	free(tmp);
	return true;
}
