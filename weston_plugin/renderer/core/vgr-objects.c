/* SPDX-License-Identifier: MIT */
/*
 * The single place where GL and EGL objects are born and die.
 *
 * GPU-reset recovery needs to know every live object and how to rebuild it:
 * each owner (program, surface, dma-buf image, output) embeds an
 * rb_resource registered here, whose forget/rebuild callbacks re-create the
 * handles through these same helpers. Deleting is skipped when the context
 * is not current: after a reset the handles died with the old context.
 */
#include <stdlib.h>

#include "vgr-core.h"

GLuint
vgr_texture_create(struct vgr_renderer *gr, GLenum target)
{
	GLuint tex = 0;

	glGenTextures(1, &tex);
	glBindTexture(target, tex);
	glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	glTexParameteri(target, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
	glTexParameteri(target, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
	glBindTexture(target, 0);
	return tex;
}

void
vgr_texture_destroy(struct vgr_renderer *gr, GLuint tex)
{
	if (tex && vgr_gl_current(gr))
		glDeleteTextures(1, &tex);
}

static bool
lut_rebuild(struct rb_resource *res, void *data)
{
	struct vgr_renderer *gr = data;

	gr->lut_tex = vgr_texture_create(gr, GL_TEXTURE_2D);
	return gr->lut_tex != 0;
}

static void
lut_forget(struct rb_resource *res, void *data)
{
	struct vgr_renderer *gr = data;

	gr->lut_tex = 0;
}

static const struct rb_resource_impl lut_impl = {
	.rebuild = lut_rebuild,
	.forget = lut_forget,
	.name = "colour-curve texture",
};

GLuint
vgr_lut_texture(struct vgr_renderer *gr)
{
	if (!gr->lut_tex) {
		gr->lut_tex = vgr_texture_create(gr, GL_TEXTURE_2D);
		if (!rb_resource_is_registered(&gr->lut_res))
			vgr_resource_add(gr, &gr->lut_res, RB_RESOURCE_TEXTURE,
					 &lut_impl, gr);
	}
	return gr->lut_tex;
}

void
vgr_lut_texture_destroy(struct vgr_renderer *gr)
{
	vgr_resource_remove(&gr->lut_res);
	vgr_texture_destroy(gr, gr->lut_tex);
	gr->lut_tex = 0;
}

void
vgr_resource_add(struct vgr_renderer *gr, struct rb_resource *res,
		 enum rb_resource_kind kind, const struct rb_resource_impl *impl,
		 void *data)
{
	rb_registry_add(gr->registry, res, kind, impl, data);
}

void
vgr_resource_remove(struct rb_resource *res)
{
	rb_resource_remove(res);
}

static GLuint
compile_shader(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = GL_FALSE;
	char log[1024];

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		glGetShaderInfoLog(s, sizeof log, NULL, log);
		vgr_log("vgr: shader compile failed: %s\n", log);
		glDeleteShader(s);
		return 0;
	}
	return s;
}

GLuint
vgr_program_object_create(struct vgr_renderer *gr, const char *vs_src,
			  const char *fs_src)
{
	GLuint vs, fs, prog;
	GLint ok = GL_FALSE;
	char log[1024];

	vs = compile_shader(GL_VERTEX_SHADER, vs_src);
	fs = compile_shader(GL_FRAGMENT_SHADER, fs_src);
	if (!vs || !fs) {
		if (vs)
			glDeleteShader(vs);
		if (fs)
			glDeleteShader(fs);
		return 0;
	}

	prog = glCreateProgram();
	glAttachShader(prog, vs);
	glAttachShader(prog, fs);
	glBindAttribLocation(prog, 0, "a_pos");
	glBindAttribLocation(prog, 1, "a_tex");
	glLinkProgram(prog);
	glDeleteShader(vs);
	glDeleteShader(fs);
	glGetProgramiv(prog, GL_LINK_STATUS, &ok);
	if (!ok) {
		glGetProgramInfoLog(prog, sizeof log, NULL, log);
		vgr_log("vgr: program link failed: %s\n", log);
		glDeleteProgram(prog);
		return 0;
	}
	return prog;
}

void
vgr_program_object_destroy(struct vgr_renderer *gr, GLuint prog)
{
	if (prog && vgr_gl_current(gr))
		glDeleteProgram(prog);
}

bool
vgr_fbo_create(struct vgr_renderer *gr, GLuint tex, GLuint *fbo)
{
	GLenum status;

	glGenFramebuffers(1, fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, *fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	if (status != GL_FRAMEBUFFER_COMPLETE) {
		glDeleteFramebuffers(1, fbo);
		*fbo = 0;
		return false;
	}
	return true;
}

void
vgr_fbo_destroy(struct vgr_renderer *gr, GLuint fbo)
{
	if (fbo && vgr_gl_current(gr))
		glDeleteFramebuffers(1, &fbo);
}

EGLImageKHR
vgr_image_create(struct vgr_renderer *gr, EGLenum target,
		 EGLClientBuffer buffer, const EGLint *attribs)
{
	return eglCreateImageKHR(gr->display, EGL_NO_CONTEXT, target, buffer,
				 attribs);
}

void
vgr_image_destroy(struct vgr_renderer *gr, EGLImageKHR image)
{
	if (image != EGL_NO_IMAGE_KHR)
		eglDestroyImageKHR(gr->display, image);
}

EGLSurface
vgr_egl_surface_create_window(struct vgr_renderer *gr, EGLConfig config,
			      void *window, EGLNativeWindowType legacy)
{
	if (window && epoxy_egl_version(gr->display) >= 15)
		return eglCreatePlatformWindowSurface(gr->display, config,
						      window, NULL);
	if (window && epoxy_has_egl_extension(gr->display,
					      "EGL_EXT_platform_base"))
		return eglCreatePlatformWindowSurfaceEXT(gr->display, config,
							 window, NULL);
	return eglCreateWindowSurface(gr->display, config, legacy, NULL);
}

EGLSurface
vgr_egl_surface_create_pbuffer(struct vgr_renderer *gr, EGLConfig config,
			       int w, int h)
{
	const EGLint attribs[] = {
		EGL_WIDTH, w,
		EGL_HEIGHT, h,
		EGL_NONE
	};

	return eglCreatePbufferSurface(gr->display, config, attribs);
}

void
vgr_egl_surface_destroy(struct vgr_renderer *gr, EGLSurface surface)
{
	if (surface != EGL_NO_SURFACE)
		eglDestroySurface(gr->display, surface);
}
