/* SPDX-License-Identifier: MIT */
/* What the core asks of its front end (core/vgr-frontend.h), where both
 * libweston versions answer alike; vgr_logv() is each front end's. */
#include <libweston/libweston.h>

#include "vgr.h"

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
