/* SPDX-License-Identifier: MIT */
/* What the core asks of its front end (core/vgr-frontend.h), on libweston 14. */
#include <stdlib.h>
#include <libweston/libweston.h>

#include "vgr.h"

void
vgr_logv(const char *fmt, va_list args)
{
	weston_vlog(fmt, args);
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

bool
vgr_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		  const struct pixel_format_info **infos, unsigned count,
		  EGLConfig *out)
{
	struct vgr_config_format *formats;
	unsigned i;
	bool ok;

	formats = calloc(count + 1, sizeof *formats);
	if (!formats)
		return false;
	for (i = 0; i < count; i++)
		formats[i] = (struct vgr_config_format){
			infos[i]->format, infos[i]->bits.r, infos[i]->bits.g,
			infos[i]->bits.b, infos[i]->bits.a,
		};
	ok = vgr_egl_choose_config(gr, surface_type, formats, count, out);
	free(formats);
	return ok;
}
