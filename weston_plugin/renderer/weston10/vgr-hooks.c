/* SPDX-License-Identifier: MIT */
/* What the core asks of its front end (core/vgr-frontend.h), on libweston 10. */
#include <stdio.h>
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

/* libweston 10 installs no va_list variant of weston_log. */
void
vgr_logv(const char *fmt, va_list args)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, args) < 0)
		return;
	weston_log("%s", msg);
	free(msg);
}

void
vgr_log(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vgr_logv(fmt, args);
	va_end(args);
}

struct wl_event_loop *
vgr_frontend_event_loop(struct vgr_renderer *gr)
{
	return wl_display_get_event_loop(vgr_fe(gr)->compositor->wl_display);
}

void
vgr_frontend_damage_all(struct vgr_renderer *gr)
{
	weston_compositor_damage_all(vgr_fe(gr)->compositor);
}

void
vgr_frontend_warm_up(struct vgr_renderer *gr)
{
	struct weston_output *output;

	wl_list_for_each(output, &vgr_fe(gr)->compositor->output_list, link)
		vgr_output_warm_up(output);
}

void
vgr_config_formats(const uint32_t *fourccs, unsigned count,
		   struct vgr_config_format *out)
{
	const struct pixel_format_info *info;
	unsigned i;

	for (i = 0; i < count; i++) {
		info = pixel_format_get_info(fourccs[i]);
		out[i].fourcc = fourccs[i];
		if (!info) {
			out[i].r = out[i].g = out[i].b = out[i].a = -1;
			continue;
		}
		out[i].r = info->bits.r;
		out[i].g = info->bits.g;
		out[i].b = info->bits.b;
		out[i].a = info->bits.a;
	}
}

bool
vgr_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		  const uint32_t *fourccs, unsigned count, EGLConfig *out)
{
	struct vgr_config_format *formats;
	bool ok;

	formats = calloc(count + 1, sizeof *formats);
	if (!formats)
		return false;
	vgr_config_formats(fourccs, count, formats);
	ok = vgr_egl_choose_config(gr, surface_type, formats, count, out);
	free(formats);
	return ok;
}
