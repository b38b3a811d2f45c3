/* SPDX-License-Identifier: MIT */
/*
 * dma-buf images: EGLImage import (modifiers, external-only, per-plane
 * YUV), re-import after a reset, and a CPU path that maps the buffer and
 * uploads it where EGL import is missing or unsafe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include "vgr-core.h"

/* Linear 32-bit RGB layouts the CPU path can upload as they are. */
static const struct {
	uint32_t format;
	GLenum gl_format;
	bool opaque;
} cpu_formats[] = {
	{ DRM_FORMAT_ARGB8888, GL_BGRA_EXT, false },
	{ DRM_FORMAT_XRGB8888, GL_BGRA_EXT, true },
	{ DRM_FORMAT_ABGR8888, GL_RGBA, false },
	{ DRM_FORMAT_XBGR8888, GL_RGBA, true },
};

static int
cpu_format_index(uint32_t format)
{
	size_t i;

	for (i = 0; i < ARRAY_LENGTH(cpu_formats); i++)
		if (cpu_formats[i].format == format)
			return (int)i;
	return -1;
}

static bool
use_egl_import(struct vgr_renderer *gr)
{
	return gr->has_dmabuf_import && !gr->force_cpu_dmabuf;
}

void
vgr_dmabuf_image_destroy(struct vgr_dmabuf_image *img)
{
	int i;

	if (!img)
		return;
	vgr_resource_remove(&img->res);
	for (i = 0; i < img->n_images; i++)
		vgr_image_destroy(img->gr, img->images[i]);
	free(img);
}

static EGLImageKHR
import_planes(struct vgr_renderer *gr, uint32_t fourcc, int width, int height,
	      const struct vgr_dmabuf_desc *a, int first, int count)
{
	static const EGLint fd_key[] = { EGL_DMA_BUF_PLANE0_FD_EXT,
		EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE2_FD_EXT,
		EGL_DMA_BUF_PLANE3_FD_EXT };
	static const EGLint off_key[] = { EGL_DMA_BUF_PLANE0_OFFSET_EXT,
		EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT,
		EGL_DMA_BUF_PLANE3_OFFSET_EXT };
	static const EGLint pitch_key[] = { EGL_DMA_BUF_PLANE0_PITCH_EXT,
		EGL_DMA_BUF_PLANE1_PITCH_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
		EGL_DMA_BUF_PLANE3_PITCH_EXT };
	static const EGLint lo_key[] = { EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT,
		EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT,
		EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT };
	static const EGLint hi_key[] = { EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT,
		EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT,
		EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT };
	EGLint attribs[64];
	int n = 0, i;

	attribs[n++] = EGL_WIDTH;
	attribs[n++] = width;
	attribs[n++] = EGL_HEIGHT;
	attribs[n++] = height;
	attribs[n++] = EGL_LINUX_DRM_FOURCC_EXT;
	attribs[n++] = (EGLint)fourcc;
	for (i = 0; i < count; i++) {
		int p = first + i;

		attribs[n++] = fd_key[i];
		attribs[n++] = a->fd[p];
		attribs[n++] = off_key[i];
		attribs[n++] = (EGLint)a->offset[p];
		attribs[n++] = pitch_key[i];
		attribs[n++] = (EGLint)a->stride[p];
		if (a->modifier[p] != DRM_FORMAT_MOD_INVALID &&
		    gr->has_dmabuf_modifiers) {
			attribs[n++] = lo_key[i];
			attribs[n++] = (EGLint)(a->modifier[p] & 0xffffffff);
			attribs[n++] = hi_key[i];
			attribs[n++] = (EGLint)(a->modifier[p] >> 32);
		}
	}
	attribs[n++] = EGL_IMAGE_PRESERVED_KHR;
	attribs[n++] = EGL_TRUE;
	attribs[n] = EGL_NONE;
	return vgr_image_create(gr, EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
}

static bool
external_only(struct vgr_renderer *gr, uint32_t format, uint64_t modifier)
{
	EGLuint64KHR mods[64];
	EGLBoolean ext[64];
	EGLint n = 0, i;

	if (!gr->has_dmabuf_modifiers ||
	    !eglQueryDmaBufModifiersEXT(gr->display, (EGLint)format, 64, mods,
					ext, &n))
		return false;
	for (i = 0; i < n; i++)
		if (mods[i] == modifier)
			return ext[i];
	return false;
}

/* Two-plane and three-plane YUV sampled as R8/GR88 planes. */
static bool
import_yuv_planes(struct vgr_renderer *gr, const struct vgr_dmabuf_desc *a,
		  struct vgr_dmabuf_image *img)
{
	int i;

	if (a->format == DRM_FORMAT_NV12 && a->n_planes == 2) {
		img->images[0] = import_planes(gr, DRM_FORMAT_R8, a->width,
					       a->height, a, 0, 1);
		img->images[1] = import_planes(gr, DRM_FORMAT_GR88, a->width / 2,
					       a->height / 2, a, 1, 1);
		img->n_images = 2;
		img->variant = VGR_VARIANT_Y_UV;
	} else if (a->format == DRM_FORMAT_YUV420 && a->n_planes == 3) {
		for (i = 0; i < 3; i++)
			img->images[i] = import_planes(gr, DRM_FORMAT_R8,
						       i ? a->width / 2 : a->width,
						       i ? a->height / 2 : a->height,
						       a, i, 1);
		img->n_images = 3;
		img->variant = VGR_VARIANT_Y_U_V;
	} else {
		return false;
	}
	for (i = 0; i < img->n_images; i++)
		if (img->images[i] == EGL_NO_IMAGE_KHR)
			return false;
	return true;
}

static off_t
fd_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end >= 0)
		lseek(fd, 0, SEEK_SET);
	return end;
}

/* The CPU path only trusts what it can prove fits in the fd. */
static bool
cpu_acceptable(const struct vgr_dmabuf_desc *a)
{
	off_t size;
	uint64_t need;

	if (cpu_format_index(a->format) < 0 || a->n_planes != 1)
		return false;
	if (a->modifier[0] != DRM_FORMAT_MOD_LINEAR &&
	    a->modifier[0] != DRM_FORMAT_MOD_INVALID)
		return false;
	if (a->stride[0] < (uint32_t)a->width * 4 || a->stride[0] % 4)
		return false;
	size = fd_size(a->fd[0]);
	need = (uint64_t)a->offset[0] + (uint64_t)a->stride[0] * (uint64_t)a->height;
	return size > 0 && need <= (uint64_t)size;
}

static bool
import_egl(struct vgr_renderer *gr, const struct vgr_dmabuf_desc *a,
	   struct vgr_dmabuf_image *img)
{
	int i;

	img->generation = gr->generation;
	img->target = GL_TEXTURE_2D;
	img->images[0] = import_planes(gr, a->format, a->width, a->height, a,
				       0, a->n_planes);
	if (img->images[0] != EGL_NO_IMAGE_KHR) {
		img->n_images = 1;
		if (external_only(gr, a->format, a->modifier[0]) ||
		    a->subsampled) {
			if (!gr->has_external_image)
				return false;
			img->target = GL_TEXTURE_EXTERNAL_OES;
			img->variant = VGR_VARIANT_EXTERNAL;
		} else {
			img->variant = a->opaque ? VGR_VARIANT_RGBX :
						   VGR_VARIANT_RGBA;
		}
		return true;
	}
	if (import_yuv_planes(gr, a, img))
		return true;
	for (i = 0; i < img->n_images; i++)
		vgr_image_destroy(gr, img->images[i]);
	img->n_images = 0;
	return false;
}

/* EGLImages are display objects, but a reset may take their backing
 * with it; import them again once per new context. */
bool
vgr_dmabuf_image_refresh(struct vgr_dmabuf_image *img)
{
	struct vgr_renderer *gr = img->gr;
	int i;

	if (img->cpu || img->generation == gr->generation)
		return true;
	for (i = 0; i < img->n_images; i++)
		vgr_image_destroy(gr, img->images[i]);
	memset(img->images, 0, sizeof(img->images));
	img->n_images = 0;
	return import_egl(gr, &img->desc, img);
}

static bool
image_rebuild(struct rb_resource *res, void *data)
{
	return vgr_dmabuf_image_refresh(data);
}

static const struct rb_resource_impl image_impl = {
	.rebuild = image_rebuild,
	.name = "dma-buf EGLImage",
};

static struct vgr_dmabuf_image *
registered(struct vgr_dmabuf_image *img)
{
	vgr_resource_add(img->gr, &img->res, RB_RESOURCE_EGL_IMAGE,
			 &image_impl, img);
	return img;
}

struct vgr_dmabuf_image *
vgr_dmabuf_image_create(struct vgr_renderer *gr,
			const struct vgr_dmabuf_desc *a)
{
	struct vgr_dmabuf_image *img;

	if (a->width <= 0 || a->height <= 0 || a->n_planes < 1 ||
	    a->n_planes > VGR_DMABUF_MAX_PLANES)
		return NULL;

	img = calloc(1, sizeof *img);
	if (!img)
		return NULL;
	img->gr = gr;
	img->desc = *a;
	img->target = GL_TEXTURE_2D;

	if (!use_egl_import(gr)) {
		if (!cpu_acceptable(a)) {
			free(img);
			return NULL;
		}
		img->cpu = true;
		img->variant = cpu_formats[cpu_format_index(a->format)].opaque ?
			       VGR_VARIANT_RGBX : VGR_VARIANT_RGBA;
		return registered(img);
	}

	/* No GL now (a reset is being handled): the recovery imports it. */
	if (!vgr_make_current(gr, EGL_NO_SURFACE)) {
		img->generation = gr->generation - 1;
		img->variant = VGR_VARIANT_RGBA;
		return registered(img);
	}
	if (!import_egl(gr, a, img)) {
		vgr_dmabuf_image_destroy(img);
		return NULL;
	}
	return registered(img);
}

/* Maps the buffer and uploads it; the CPU fallback's "import". */
static bool
cpu_upload(GLuint tex, const struct vgr_dmabuf_desc *a)
{
	struct dma_buf_sync sync = { 0 };
	size_t len = a->offset[0] + (size_t)a->stride[0] * a->height;
	int idx = cpu_format_index(a->format);
	uint8_t *map;

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, a->fd[0], 0);
	if (map == MAP_FAILED) {
		vgr_log("vgr: cannot map dma-buf: %s\n", strerror(errno));
		return false;
	}
	/* Not every exporter implements it (memfd does not); best effort. */
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	ioctl(a->fd[0], DMA_BUF_IOCTL_SYNC, &sync);

	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, tex);
	glPixelStorei(GL_UNPACK_ROW_LENGTH_EXT, (GLint)(a->stride[0] / 4));
	glPixelStorei(GL_UNPACK_SKIP_PIXELS_EXT, 0);
	glPixelStorei(GL_UNPACK_SKIP_ROWS_EXT, 0);
	glTexImage2D(GL_TEXTURE_2D, 0, (GLint)cpu_formats[idx].gl_format,
		     a->width, a->height, 0, cpu_formats[idx].gl_format,
		     GL_UNSIGNED_BYTE, map + a->offset[0]);
	glPixelStorei(GL_UNPACK_ROW_LENGTH_EXT, 0);

	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(a->fd[0], DMA_BUF_IOCTL_SYNC, &sync);
	munmap(map, len);
	return true;
}

bool
vgr_dmabuf_image_upload(struct vgr_dmabuf_image *img, const GLuint *tex)
{
	int i;

	if (img->cpu)
		return cpu_upload(tex[0], &img->desc);
	for (i = 0; i < img->n_images; i++) {
		glBindTexture(img->target, tex[i]);
		glEGLImageTargetTexture2DOES(img->target, img->images[i]);
	}
	glBindTexture(img->target, 0);
	return true;
}

void
vgr_dmabuf_query_formats(struct vgr_renderer *gr, vgr_dmabuf_format_func add,
			 void *data)
{
	static const uint64_t cpu_mods[] = { DRM_FORMAT_MOD_LINEAR,
					     DRM_FORMAT_MOD_INVALID };
	EGLint formats[256], n = 0, i;

	if (!use_egl_import(gr)) {
		for (i = 0; i < (EGLint)ARRAY_LENGTH(cpu_formats); i++)
			add(data, cpu_formats[i].format, cpu_mods, 2);
		return;
	}
	if (!gr->has_dmabuf_modifiers ||
	    !eglQueryDmaBufFormatsEXT(gr->display, 256, formats, &n)) {
		static const uint64_t implicit = DRM_FORMAT_MOD_INVALID;

		add(data, DRM_FORMAT_ARGB8888, &implicit, 1);
		add(data, DRM_FORMAT_XRGB8888, &implicit, 1);
		return;
	}
	for (i = 0; i < n; i++) {
		EGLuint64KHR mods[128];
		EGLint n_mods = 0, j;
		uint64_t list[129];

		eglQueryDmaBufModifiersEXT(gr->display, formats[i], 128, mods,
					   NULL, &n_mods);
		for (j = 0; j < n_mods; j++)
			list[j] = mods[j];
		/* Implicit modifiers always work through the same import. */
		list[n_mods] = DRM_FORMAT_MOD_INVALID;
		add(data, (uint32_t)formats[i], list, n_mods + 1);
	}
}
