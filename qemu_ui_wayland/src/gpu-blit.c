/* SPDX-License-Identifier: MIT */
/* The GPU copy fallback's blitter: a robust EGL context on a render node (see gpu-blit.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <gbm.h>

#include <vmplane/robustness.h>

#include "fourcc.h"
#include "gpu-blit.h"
#include "log.h"

struct vmpd_gpu_blit {
	int drm_fd;
	struct gbm_device *gbm;
	EGLDisplay dpy;
	struct rb_context *ctx;
	uint64_t generation; /* bumped by every recovery */
};

struct vmpd_gpu_target {
	struct vmpd_gpu_blit *gb;
	struct gbm_bo *bo;
	int fd;
	uint32_t width, height, stride;
	EGLImageKHR image;
	GLuint rb, fbo;
	uint64_t generation; /* of the GL objects above */
};

/* robustness/'s messages go to the core's log, prefixed as ours. */
static void
log_forward(void *data, enum rb_log_level level, const char *fmt, va_list args)
{
	const struct vmpd_log *log = data;
	static const enum vmpd_log_level levels[] = {
		[RB_LOG_ERROR] = VMPD_LOG_ERROR,
		[RB_LOG_WARNING] = VMPD_LOG_WARNING,
		[RB_LOG_INFO] = VMPD_LOG_INFO,
		[RB_LOG_DEBUG] = VMPD_LOG_DEBUG,
	};
	char msg[512];
	if (!log || !log->func ||
	    (unsigned)level >= sizeof(levels) / sizeof(levels[0]))
		return;
	vsnprintf(msg, sizeof(msg), fmt, args);
	vmpd_log_emit(log, levels[level], "vmplane display (gpu fallback): %s",
		      msg);
}

/* The render node of the compositor's device, else the first one. */
static int
open_render_node(dev_t want, bool have_want)
{
	int first = -1;
	for (int minor = 128; minor < 192; minor++) {
		char path[64];
		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct stat st;
		if (have_want && fstat(fd, &st) == 0 && st.st_rdev == want) {
			if (first >= 0)
				close(first);
			return fd;
		}
		if (first < 0)
			first = fd;
		else
			close(fd);
	}
	return first;
}

struct vmpd_gpu_blit *
vmpd_gpu_blit_create(dev_t main_device, bool have_main_device,
		     const struct vmpd_log *log)
{
	struct vmpd_gpu_blit *gb = calloc(1, sizeof(*gb));
	if (!gb)
		return NULL;
	gb->dpy = EGL_NO_DISPLAY;
	gb->drm_fd = open_render_node(main_device, have_main_device);
	if (gb->drm_fd < 0)
		goto fail;
	gb->gbm = gbm_create_device(gb->drm_fd);
	if (!gb->gbm)
		goto fail;
	gb->dpy = rb_egl_get_platform_display(EGL_PLATFORM_GBM_KHR, gb->gbm,
					      NULL);
	if (gb->dpy == EGL_NO_DISPLAY ||
	    !rb_egl_has_extension(gb->dpy, "EGL_EXT_image_dma_buf_import") ||
	    !rb_egl_has_extension(gb->dpy, "EGL_KHR_surfaceless_context")) {
		vmpd_log_emit(log, VMPD_LOG_WARNING,
			      "vmplane display (gpu fallback): no dma-buf "
			      "import on this device");
		goto fail;
	}
	struct rb_context_options opts = {
		.display = gb->dpy,
		.config = EGL_NO_CONFIG_KHR,
		.gles_major = 3,
		.log = { log_forward, (void *)log },
	};
	gb->ctx = rb_context_create(&opts);
	if (!gb->ctx || rb_context_get_gles_major(gb->ctx) < 3 ||
	    !rb_context_make_current(gb->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE) ||
	    !epoxy_has_gl_extension("GL_OES_EGL_image"))
		goto fail;
	return gb;
fail:
	vmpd_gpu_blit_destroy(gb);
	return NULL;
}

void
vmpd_gpu_blit_destroy(struct vmpd_gpu_blit *gb)
{
	if (!gb)
		return;
	rb_context_destroy(gb->ctx);
	if (gb->dpy != EGL_NO_DISPLAY)
		eglTerminate(gb->dpy);
	if (gb->gbm)
		gbm_device_destroy(gb->gbm);
	if (gb->drm_fd >= 0)
		close(gb->drm_fd);
	free(gb);
}

bool
vmpd_gpu_blit_recover(struct vmpd_gpu_blit *gb)
{
	if (!gb || !rb_context_recreate(gb->ctx))
		return false;
	/* Objects of the lost context are gone with it; never delete them again. */
	gb->generation++;
	return rb_context_make_current(gb->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE);
}

static EGLImageKHR
import_image(EGLDisplay dpy, int fd, uint32_t fourcc, uint32_t w, uint32_t h,
	     uint32_t offset, uint32_t stride, uint64_t modifier)
{
	EGLint attr[32];
	int n = 0;
	attr[n++] = EGL_WIDTH;
	attr[n++] = (EGLint)w;
	attr[n++] = EGL_HEIGHT;
	attr[n++] = (EGLint)h;
	attr[n++] = EGL_LINUX_DRM_FOURCC_EXT;
	attr[n++] = (EGLint)fourcc;
	attr[n++] = EGL_DMA_BUF_PLANE0_FD_EXT;
	attr[n++] = fd;
	attr[n++] = EGL_DMA_BUF_PLANE0_OFFSET_EXT;
	attr[n++] = (EGLint)offset;
	attr[n++] = EGL_DMA_BUF_PLANE0_PITCH_EXT;
	attr[n++] = (EGLint)stride;
	if (modifier != VMPD_MOD_INVALID &&
	    rb_egl_has_extension(dpy,
				 "EGL_EXT_image_dma_buf_import_modifiers")) {
		attr[n++] = EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT;
		attr[n++] = (EGLint)(modifier & 0xffffffffu);
		attr[n++] = EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT;
		attr[n++] = (EGLint)(modifier >> 32);
	}
	attr[n++] = EGL_NONE;
	return eglCreateImageKHR(dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT,
				 NULL, attr);
}

struct vmpd_gpu_target *
vmpd_gpu_target_create(struct vmpd_gpu_blit *gb, uint32_t width,
		       uint32_t height)
{
	struct vmpd_gpu_target *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->gb = gb;
	t->fd = -1;
	t->image = EGL_NO_IMAGE_KHR;
	t->width = width;
	t->height = height;
	t->bo = gbm_bo_create(gb->gbm, width, height, GBM_FORMAT_XRGB8888,
			      GBM_BO_USE_RENDERING | GBM_BO_USE_LINEAR);
	if (!t->bo)
		goto fail;
	t->fd = gbm_bo_get_fd(t->bo);
	t->stride = gbm_bo_get_stride(t->bo);
	if (t->fd < 0)
		goto fail;
	return t;
fail:
	vmpd_gpu_target_destroy(t);
	return NULL;
}

static void
target_release_gl(struct vmpd_gpu_target *t)
{
	struct vmpd_gpu_blit *gb = t->gb;
	if (t->fbo && t->generation == gb->generation &&
	    rb_context_make_current(gb->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE)) {
		if (t->fbo)
			glDeleteFramebuffers(1, &t->fbo);
		if (t->rb)
			glDeleteRenderbuffers(1, &t->rb);
	}
	if (t->image != EGL_NO_IMAGE_KHR)
		eglDestroyImageKHR(gb->dpy, t->image);
	t->image = EGL_NO_IMAGE_KHR;
	t->fbo = t->rb = 0;
}

/* The target's FBO in the current context, built again after a recovery. */
static bool
target_bind(struct vmpd_gpu_target *t)
{
	struct vmpd_gpu_blit *gb = t->gb;
	if (t->fbo && t->generation == gb->generation) {
		glBindFramebuffer(GL_DRAW_FRAMEBUFFER, t->fbo);
		return true;
	}
	target_release_gl(t);
	t->generation = gb->generation;
	t->image = import_image(gb->dpy, t->fd, VMPD_FOURCC_XRGB8888, t->width,
				t->height, 0, t->stride, VMPD_MOD_LINEAR);
	if (t->image == EGL_NO_IMAGE_KHR)
		return false;
	glGenRenderbuffers(1, &t->rb);
	glBindRenderbuffer(GL_RENDERBUFFER, t->rb);
	glEGLImageTargetRenderbufferStorageOES(GL_RENDERBUFFER, t->image);
	glGenFramebuffers(1, &t->fbo);
	glBindFramebuffer(GL_DRAW_FRAMEBUFFER, t->fbo);
	glFramebufferRenderbuffer(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
				  GL_RENDERBUFFER, t->rb);
	return glCheckFramebufferStatus(GL_DRAW_FRAMEBUFFER) ==
	       GL_FRAMEBUFFER_COMPLETE;
}

void
vmpd_gpu_target_destroy(struct vmpd_gpu_target *t)
{
	if (!t)
		return;
	target_release_gl(t);
	if (t->fd >= 0)
		close(t->fd);
	if (t->bo)
		gbm_bo_destroy(t->bo);
	free(t);
}

int
vmpd_gpu_target_fd(const struct vmpd_gpu_target *t)
{
	return t->fd;
}

uint32_t
vmpd_gpu_target_stride(const struct vmpd_gpu_target *t)
{
	return t->stride;
}

bool
vmpd_gpu_target_read(struct vmpd_gpu_target *t, uint32_t *out)
{
	uint32_t stride = 0;
	void *map_data = NULL;
	uint8_t *p = gbm_bo_map(t->bo, 0, 0, t->width, t->height,
				GBM_BO_TRANSFER_READ, &stride, &map_data);
	if (!p)
		return false;
	for (uint32_t y = 0; y < t->height; y++)
		memcpy(out + (size_t)y * t->width, p + (size_t)y * stride,
		       (size_t)t->width * 4);
	gbm_bo_unmap(t->bo, map_data);
	return true;
}

bool
vmpd_gpu_blit_copy(struct vmpd_gpu_blit *gb, struct vmpd_gpu_target *t,
		   const struct vmpd_dmabuf *src)
{
	if (src->n_planes != 1 ||
	    !rb_context_make_current(gb->ctx, EGL_NO_SURFACE, EGL_NO_SURFACE))
		return false;
	EGLImageKHR img = import_image(gb->dpy, src->fd[0], src->fourcc,
				       src->width, src->height, src->offset[0],
				       src->stride[0], src->modifier);
	if (img == EGL_NO_IMAGE_KHR)
		return false;
	bool ok = false;
	GLuint tex = 0, fbo = 0;
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, img);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_READ_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	if (glCheckFramebufferStatus(GL_READ_FRAMEBUFFER) ==
		    GL_FRAMEBUFFER_COMPLETE &&
	    target_bind(t)) {
		const struct vmpd_rect *r = &src->src;
		GLint y0 = (GLint)r->y, y1 = (GLint)(r->y + r->height);
		/* Memory row 0 stays row 0 (the top) unless y0_top says it is the bottom. */
		if (src->y0_top) {
			GLint tmp = y0;
			y0 = y1;
			y1 = tmp;
		}
		glBlitFramebuffer((GLint)r->x, y0, (GLint)(r->x + r->width), y1,
				  0, 0, (GLint)t->width, (GLint)t->height,
				  GL_COLOR_BUFFER_BIT, GL_NEAREST);
		/* The compositor reads the target next; without fences, wait here. */
		glFinish();
		ok = glGetError() == GL_NO_ERROR &&
		     rb_context_query_status(gb->ctx) == RB_RESET_NONE;
	}
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fbo);
	glDeleteTextures(1, &tex);
	eglDestroyImageKHR(gb->dpy, img);
	return ok;
}
