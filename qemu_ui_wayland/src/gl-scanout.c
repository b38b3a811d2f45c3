/* SPDX-License-Identifier: MIT */
/* Texture scanouts: exported once as a dma-buf, else read back into the shm path (display-gl.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmplane/egl_fence.h>

#include "core.h"
#include "fourcc.h"
#include "gl-private.h"
#include "log.h"

enum scanout_mode {
	MODE_NONE,
	MODE_EXPORT,
	MODE_READBACK,
};

struct gl_scanout {
	struct wl_list link; /* vmpd_gl.scanouts */
	struct vmpd_head *head;
	uint32_t texture;
	bool y0_top;
	uint32_t backing_w, backing_h;
	struct vmpd_rect rect;
	enum scanout_mode mode;
	/* Export of `texture`, kept while it is on screen. */
	struct vmpd_dmabuf desc;
	bool export_tried;
	/* Read-back target handed to the shm path (rect size, XRGB8888). */
	uint32_t *pixels;
	uint32_t pixels_w, pixels_h;
	bool surface_set;
};

static struct gl_scanout *
find_scanout(struct vmpd_gl *gl, struct vmpd_head *head, bool create)
{
	struct gl_scanout *s;
	wl_list_for_each(s, &gl->scanouts, link) if (s->head == head) return s;
	if (!create || !(s = calloc(1, sizeof(*s))))
		return NULL;
	s->head = head;
	s->desc.fd[0] = -1;
	wl_list_insert(&gl->scanouts, &s->link);
	return s;
}

static void
drop_export(struct vmpd_gl *gl, struct gl_scanout *s)
{
	if (s->desc.fd[0] >= 0) {
		close(s->desc.fd[0]);
		gl->live_objects--;
	}
	s->desc.fd[0] = -1;
	s->export_tried = false;
}

static void
scanout_free(struct vmpd_gl *gl, struct gl_scanout *s)
{
	drop_export(gl, s);
	wl_list_remove(&s->link);
	free(s->pixels);
	free(s);
}

void
vmpd_gl_scanouts_destroy(struct vmpd_gl *gl)
{
	struct gl_scanout *s, *tmp;
	wl_list_for_each_safe(s, tmp, &gl->scanouts, link) scanout_free(gl, s);
	if (gl->objects_generation &&
	    gl->objects_generation == gl->generation &&
	    vmpd_gl_use_display_context(gl)) {
		glDeleteProgram(gl->program);
		glDeleteFramebuffers(1, &gl->fbo);
		glDeleteRenderbuffers(1, &gl->rbo);
		if (gl->sampler)
			glDeleteSamplers(1, &gl->sampler);
		if (gl->vao) {
			glDeleteVertexArrays(1, &gl->vao);
			glDeleteBuffers(1, &gl->vbo);
		}
	}
	gl->vao = gl->vbo = 0;
	/* Deleted now, or gone with a lost context. */
	gl->live_objects -= gl->readback_objects;
	gl->readback_objects = 0;
	gl->objects_generation = 0;
}

/* EGL_MESA_image_dma_buf_export of the texture; false where the driver cannot. */
static bool
export_texture(struct vmpd_gl *gl, struct gl_scanout *s)
{
	EGLContext ctx = rb_context_get_egl_context(gl->ctx);
	int fourcc = 0, planes = 0, fd = -1;
	EGLint stride = 0, offset = 0;
	EGLuint64KHR modifier = 0;
	EGLImageKHR image;
	bool ok;

	if (gl->disable_export ||
	    !rb_egl_has_extension(gl->dpy, "EGL_MESA_image_dma_buf_export") ||
	    !rb_egl_has_extension(gl->dpy, "EGL_KHR_gl_texture_2D_image"))
		return false;
	image = eglCreateImageKHR(gl->dpy, ctx, EGL_GL_TEXTURE_2D_KHR,
				  (EGLClientBuffer)(uintptr_t)s->texture, NULL);
	if (image == EGL_NO_IMAGE_KHR)
		return false;
	ok = eglExportDMABUFImageQueryMESA(gl->dpy, image, &fourcc, &planes,
					   &modifier) &&
	     planes == 1 &&
	     eglExportDMABUFImageMESA(gl->dpy, image, &fd, &stride, &offset);
	eglDestroyImageKHR(gl->dpy, image);
	if (!ok || fd < 0)
		return false;
	gl->live_objects++;
	s->desc = (struct vmpd_dmabuf){
		.n_planes = 1,
		.fd = { fd, -1, -1, -1 },
		.offset = { (uint32_t)offset },
		.stride = { (uint32_t)stride },
		.fourcc = (uint32_t)fourcc,
		.modifier = modifier,
		.width = s->backing_w,
		.height = s->backing_h,
		.src = s->rect,
		.y0_top = s->y0_top,
	};
	return true;
}

static GLuint
compile(GLenum type, const char *src)
{
	GLuint sh = glCreateShader(type);
	GLint ok = 0;
	glShaderSource(sh, 1, &src, NULL);
	glCompileShader(sh);
	glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		glDeleteShader(sh);
		return 0;
	}
	return sh;
}

/* Sampling (not a raw framebuffer read) applies the renderer's format swizzles. */
static bool
readback_objects(struct vmpd_gl *gl, uint32_t w, uint32_t h)
{
	static const char *vs =
		"attribute vec2 pos;\n"
		"attribute vec2 uv;\n"
		"varying vec2 v;\n"
		"void main() { v = uv; gl_Position = vec4(pos, 0.0, 1.0); }\n";
	/* BGRA byte order out, so the read-back is XRGB8888 for wl_shm. */
	static const char *fs = "precision mediump float;\n"
				"uniform sampler2D tex;\n"
				"varying vec2 v;\n"
				"void main() { vec4 c = texture2D(tex, v); "
				"gl_FragColor = vec4(c.b, c.g, c.r, 1.0); }\n";
	/* The same in a desktop core profile, which has no GLSL ES 1.00. */
	static const char *vs_core =
		"#version 150 core\n"
		"in vec2 pos;\n"
		"in vec2 uv;\n"
		"out vec2 v;\n"
		"void main() { v = uv; gl_Position = vec4(pos, 0.0, 1.0); }\n";
	static const char *fs_core = "#version 150 core\n"
				     "uniform sampler2D tex;\n"
				     "in vec2 v;\n"
				     "out vec4 color;\n"
				     "void main() { vec4 c = texture(tex, v); "
				     "color = vec4(c.b, c.g, c.r, 1.0); }\n";

	if (gl->objects_generation != gl->generation) {
		GLuint v = compile(GL_VERTEX_SHADER,
				   gl->desktop ? vs_core : vs),
		       f = compile(GL_FRAGMENT_SHADER,
				   gl->desktop ? fs_core : fs);
		GLint linked = 0;
		gl->program = glCreateProgram();
		if (v)
			glAttachShader(gl->program, v);
		if (f)
			glAttachShader(gl->program, f);
		glBindAttribLocation(gl->program, 0, "pos");
		glBindAttribLocation(gl->program, 1, "uv");
		glLinkProgram(gl->program);
		glDeleteShader(v);
		glDeleteShader(f);
		glGetProgramiv(gl->program, GL_LINK_STATUS, &linked);
		gl->tex_uniform = glGetUniformLocation(gl->program, "tex");
		glGenFramebuffers(1, &gl->fbo);
		glGenRenderbuffers(1, &gl->rbo);
		/* A sampler leaves the renderer's texture parameters alone. */
		gl->sampler = 0;
		if (gl->desktop ? gl->major * 10 + gl->minor >= 33
				: gl->major >= 3) {
			glGenSamplers(1, &gl->sampler);
			glSamplerParameteri(gl->sampler, GL_TEXTURE_MIN_FILTER,
					    GL_NEAREST);
			glSamplerParameteri(gl->sampler, GL_TEXTURE_MAG_FILTER,
					    GL_NEAREST);
			glSamplerParameteri(gl->sampler, GL_TEXTURE_WRAP_S,
					    GL_CLAMP_TO_EDGE);
			glSamplerParameteri(gl->sampler, GL_TEXTURE_WRAP_T,
					    GL_CLAMP_TO_EDGE);
		}
		gl->vao = gl->vbo = 0;
		if (gl->desktop) {
			glGenVertexArrays(1, &gl->vao);
			glGenBuffers(1, &gl->vbo);
		}
		gl->rbo_w = gl->rbo_h = 0;
		gl->objects_generation = gl->generation;
		/* Program, framebuffer, renderbuffer, sampler, vertex array and buffer. */
		gl->readback_objects = 3 + (gl->sampler ? 1 : 0) +
				       (gl->vao ? 2 : 0);
		gl->live_objects += gl->readback_objects;
		if (!linked)
			return false;
	}
	glBindFramebuffer(GL_FRAMEBUFFER, gl->fbo);
	if (gl->rbo_w != w || gl->rbo_h != h) {
		glBindRenderbuffer(GL_RENDERBUFFER, gl->rbo);
		glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8_OES, (GLsizei)w,
				      (GLsizei)h);
		glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
					  GL_RENDERBUFFER, gl->rbo);
		gl->rbo_w = w;
		gl->rbo_h = h;
	}
	return glCheckFramebufferStatus(GL_FRAMEBUFFER) ==
	       GL_FRAMEBUFFER_COMPLETE;
}

/* Draws the scanout rectangle top row first into the FBO and reads it into s->pixels. */
static bool
read_back(struct vmpd_gl *gl, struct gl_scanout *s)
{
	uint32_t w = s->rect.width, h = s->rect.height;
	float u0 = (float)s->rect.x / s->backing_w,
	      u1 = (float)(s->rect.x + w) / s->backing_w;
	float top = (float)s->rect.y / s->backing_h,
	      bottom = (float)(s->rect.y + h) / s->backing_h;

	if (s->y0_top) {
		top = 1.0f - top;
		bottom = 1.0f - bottom;
	}
	/* glReadPixels' first row is the framebuffer's bottom: put the image's top there. */
	const GLfloat pos[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
	const GLfloat uv[] = { u0, top, u1, top, u0, bottom, u1, bottom };

	if (!vmpd_gl_use_display_context(gl) || !readback_objects(gl, w, h))
		return false;
	if (s->pixels_w != w || s->pixels_h != h) {
		uint32_t *p = realloc(s->pixels, (size_t)w * h * 4);
		if (!p)
			return false;
		s->pixels = p;
		s->pixels_w = w;
		s->pixels_h = h;
		s->surface_set = false;
	}
	glViewport(0, 0, (GLsizei)w, (GLsizei)h);
	glDisable(GL_BLEND);
	glDisable(GL_SCISSOR_TEST);
	glUseProgram(gl->program);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, s->texture);
	if (gl->sampler)
		glBindSampler(0, gl->sampler);
	glUniform1i(gl->tex_uniform, 0);
	if (gl->vao) {
		glBindVertexArray(gl->vao);
		glBindBuffer(GL_ARRAY_BUFFER, gl->vbo);
		glBufferData(GL_ARRAY_BUFFER, sizeof(pos) + sizeof(uv), NULL,
			     GL_STREAM_DRAW);
		glBufferSubData(GL_ARRAY_BUFFER, 0, sizeof(pos), pos);
		glBufferSubData(GL_ARRAY_BUFFER, sizeof(pos), sizeof(uv), uv);
		glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
		glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 0,
				      (const void *)sizeof(pos));
	} else {
		glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, pos);
		glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 0, uv);
	}
	glEnableVertexAttribArray(0);
	glEnableVertexAttribArray(1);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glDisableVertexAttribArray(0);
	glDisableVertexAttribArray(1);
	if (gl->vao) {
		glBindBuffer(GL_ARRAY_BUFFER, 0);
		glBindVertexArray(0);
	}
	glBindTexture(GL_TEXTURE_2D, 0);
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	/* Returns once the renderer's work and this draw are done: no fence needed. */
	glReadPixels(0, 0, (GLsizei)w, (GLsizei)h, GL_RGBA, GL_UNSIGNED_BYTE,
		     s->pixels);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	return glGetError() == GL_NO_ERROR;
}

enum vmpd_status
vmpd_gl_scanout_texture(struct vmpd_gl *gl, struct vmpd_head *head,
			uint32_t texture, bool y0_top, uint32_t backing_width,
			uint32_t backing_height, const struct vmpd_rect *rect)
{
	struct gl_scanout *s;
	const char *why = NULL;

	if (!gl || !head || !texture || !rect || !rect->width ||
	    !rect->height || rect->x + rect->width > backing_width ||
	    rect->y + rect->height > backing_height)
		return VMPD_ERR_INVALID;
	if (!(s = find_scanout(gl, head, true)))
		return VMPD_ERR_NOMEM;
	if (s->texture != texture || s->mode == MODE_NONE)
		drop_export(gl, s);
	s->texture = texture;
	s->y0_top = y0_top;
	s->backing_w = backing_width;
	s->backing_h = backing_height;
	s->rect = *rect;

	/* Once per texture: a guest flipping between two buffers exports two. */
	if (!s->export_tried) {
		s->export_tried = true;
		if (!vmpd_gl_use_display_context(gl))
			return VMPD_ERR_STATE;
		if (!export_texture(gl, s))
			why = gl->disable_export
				      ? "disabled"
				      : "the driver cannot export textures";
		else if (vmpd_head_set_dmabuf(head, &s->desc) != VMPD_OK)
			why = "the compositor cannot show the exported texture";
		else
			head->stats.texture_exports++;
	} else if (s->desc.fd[0] >= 0) {
		s->desc.src = s->rect;
		s->desc.y0_top = y0_top;
		if (vmpd_head_set_dmabuf(head, &s->desc) != VMPD_OK)
			why = "the compositor cannot show the exported texture";
	}
	if (why || s->desc.fd[0] < 0) {
		if (why && !gl->export_warned) {
			gl->export_warned = true;
			vmpd_log_emit(&gl->log, VMPD_LOG_WARNING,
				      "wayland gl: texture scanouts are "
				      "read back (%s): one copy per frame",
				      why);
		}
		drop_export(gl, s);
		s->export_tried = true;
		if (s->mode != MODE_READBACK)
			s->surface_set = false;
		s->mode = MODE_READBACK;
	} else {
		s->mode = MODE_EXPORT;
	}
	return VMPD_OK;
}

enum vmpd_status
vmpd_gl_scanout_update(struct vmpd_gl *gl, struct vmpd_head *head,
		       const struct vmpd_rect *damage)
{
	struct gl_scanout *s = gl ? find_scanout(gl, head, false) : NULL;
	enum vmpd_status st;
	int fence = -1;

	if (!s || s->mode == MODE_NONE)
		return VMPD_ERR_STATE;
	if (s->mode == MODE_EXPORT) {
		/* The renderer's work so far, as the commit's acquire fence where possible. */
		if (vmpd_gl_use_display_context(gl) &&
		    vmsync_egl_fence_export(gl->dpy, &fence) != VMSYNC_OK)
			fence = -1;
		return vmpd_head_update(head, damage, fence);
	}
	if (!read_back(gl, s))
		return VMPD_ERR_STATE;
	if (!s->surface_set) {
		st = vmpd_head_set_surface(head, s->pixels_w, s->pixels_h,
					   s->pixels_w * 4,
					   VMPD_FOURCC_XRGB8888, s->pixels);
		if (st != VMPD_OK)
			return st;
		s->surface_set = true;
		damage = NULL;
	}
	head->stats.texture_readbacks++;
	return vmpd_head_update(head, damage, -1);
}

void
vmpd_gl_scanout_release(struct vmpd_gl *gl, struct vmpd_head *head)
{
	struct gl_scanout *s = gl ? find_scanout(gl, head, false) : NULL;
	if (!s)
		return;
	drop_export(gl, s);
	s->mode = MODE_NONE;
	s->texture = 0;
	s->surface_set = false;
}

void
vmpd_gl_head_gone(struct vmpd_gl *gl, struct vmpd_head *head)
{
	struct gl_scanout *s = gl ? find_scanout(gl, head, false) : NULL;
	if (s)
		scanout_free(gl, s);
}

void
vmpd_gl_scanouts_resubmit(struct vmpd_gl *gl)
{
	struct gl_scanout *s;
	wl_list_for_each(s, &gl->scanouts, link)
	{
		if (s->mode == MODE_NONE)
			continue;
		/* The old export names a texture of a lost context. */
		drop_export(gl, s);
		s->surface_set = false;
		vmpd_gl_scanout_texture(gl, s->head, s->texture, s->y0_top,
					s->backing_w, s->backing_h, &s->rect);
		vmpd_gl_scanout_update(gl, s->head, NULL);
	}
}

void
vmpd_gl_resubmit(struct vmpd_gl *gl)
{
	if (gl && !gl->lost)
		vmpd_gl_scanouts_resubmit(gl);
}
