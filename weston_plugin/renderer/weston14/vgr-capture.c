/* SPDX-License-Identifier: MIT */
/* weston_capture_v1 on libweston 14: the output's capture tasks, served
 * from the frame just drawn (the read-back is the core's). */
#include <libweston/libweston.h>

#include "vgr.h"

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
		ok = vgr_read_rect(vo->gr, fmt->format, rect->x, y,
				   rect->width, rect->height,
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
