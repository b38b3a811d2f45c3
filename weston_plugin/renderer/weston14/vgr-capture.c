/* weston_capture_v1 on libweston 14: the output's capture tasks, served
 * from the frame just drawn, and the read-back they share. */
#include <stdlib.h>
#include <string.h>
#include <libweston/libweston.h>

#include "vgr.h"

#ifndef DRM_FORMAT_ARGB8888
#define DRM_FORMAT_ARGB8888 0x34325241	/* 'AR24' */
#define DRM_FORMAT_XRGB8888 0x34325258	/* 'XR24' */
#define DRM_FORMAT_ABGR8888 0x34324241	/* 'AB24' */
#define DRM_FORMAT_XBGR8888 0x34324258	/* 'XB24' */
#endif

bool
vgr_read_rect(const struct pixel_format_info *format, int x, int y,
	      int w, int h, void *pixels, int stride, bool y_flip)
{
	GLenum gl_format;
	uint8_t *tmp;
	int row;

	switch (format->format) {
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XRGB8888:
		gl_format = GL_BGRA_EXT;
		break;
	case DRM_FORMAT_ABGR8888:
	case DRM_FORMAT_XBGR8888:
		gl_format = GL_RGBA;
		break;
	default:
		return false;
	}
	if (w <= 0 || h <= 0)
		return true;
	/* Packed rows first, then copied to the caller's stride (and row
	 * order): GLES 2 has no pack row length. */
	tmp = malloc((size_t)w * h * 4);
	if (!tmp)
		return false;
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	glReadPixels(x, y, w, h, gl_format, GL_UNSIGNED_BYTE, tmp);
	if (glGetError() != GL_NO_ERROR) {
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

static void
capture_source(struct vgr_output *vo, enum weston_output_capture_source src,
	       const struct weston_geometry *rect, bool y_flip)
{
	struct weston_output *output = vo->output;
	const struct pixel_format_info *fmt = output->compositor->read_format;
	struct weston_capture_task *ct;
	struct weston_buffer *buffer;
	bool ok;
	int y;

	/* GL rows run bottom-up in a window, top-down in a renderbuffer. */
	y = y_flip ? vo->fb_size.height - rect->y - rect->height : rect->y;
	while ((ct = weston_output_pull_capture_task(output, src, rect->width,
						     rect->height, fmt))) {
		buffer = weston_capture_task_get_buffer(ct);
		if (buffer->type != WESTON_BUFFER_SHM || !buffer->shm_buffer ||
		    buffer->buffer_origin != ORIGIN_TOP_LEFT) {
			weston_capture_task_retire_failed(ct,
				"vmplane: capture needs a wl_shm buffer");
			continue;
		}
		wl_shm_buffer_begin_access(buffer->shm_buffer);
		ok = vgr_read_rect(fmt, rect->x, y, rect->width, rect->height,
				   wl_shm_buffer_get_data(buffer->shm_buffer),
				   buffer->stride, y_flip);
		wl_shm_buffer_end_access(buffer->shm_buffer);
		if (ok)
			weston_capture_task_retire_complete(ct);
		else
			weston_capture_task_retire_failed(ct,
				"vmplane: read-back failed");
	}
}

void
vgr_output_capture(struct vgr_output *vo, bool y_flip)
{
	struct weston_geometry full = {
		.width = vo->fb_size.width,
		.height = vo->fb_size.height,
	};

	capture_source(vo, (enum weston_output_capture_source)
		       VMP_CAPTURE_SOURCE_FRAMEBUFFER, &vo->area, y_flip);
	capture_source(vo, (enum weston_output_capture_source)
		       VMP_CAPTURE_SOURCE_FULL_FRAMEBUFFER, &full, y_flip);
}
