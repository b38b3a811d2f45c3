/* SPDX-License-Identifier: MIT */
/* wl_shm buffers on libweston 14: attaching one the compositor described
 * (the rest is ../common/vgr-shm.c). */
#include <libweston/libweston.h>

#include "vgr.h"

bool
vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer)
{
	struct wl_shm_buffer *shm = buffer->shm_buffer;
	struct vgr_shm_layout layout;
	uint32_t format;
	int w = buffer->width, h = buffer->height;

	if (!shm)
		return false;
	/* The core's table is in wl_shm codes, not the buffer's fourcc. */
	format = wl_shm_buffer_get_format(shm);
	if (!vgr_shm_layout(vs->gr, format, w, h, buffer->stride, &layout))
		return false;

	vgr_shm_take_layout(vs, format, w, h, &layout,
			    buffer->buffer_origin == ORIGIN_TOP_LEFT);
	return true;
}
