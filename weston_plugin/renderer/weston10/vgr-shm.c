/* SPDX-License-Identifier: MIT */
/* wl_shm buffers on libweston 10: attaching one fills in the weston_buffer
 * (the rest is ../common/vgr-shm.c). */
#include <libweston/libweston.h>

#include "vgr.h"

bool
vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
	       struct wl_shm_buffer *shm)
{
	struct vgr_shm_layout layout;
	uint32_t format = wl_shm_buffer_get_format(shm);
	int w = wl_shm_buffer_get_width(shm);
	int h = wl_shm_buffer_get_height(shm);

	if (!vgr_shm_layout(vs->gr, format, w, h, wl_shm_buffer_get_stride(shm),
			    &layout))
		return false;

	buffer->shm_buffer = shm;
	buffer->width = w;
	buffer->height = h;
	buffer->y_inverted = 1;
	vs->surface->is_opaque = layout.opaque;

	vgr_shm_take_layout(vs, format, w, h, &layout, true);
	return true;
}
