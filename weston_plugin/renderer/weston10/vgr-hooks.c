/* SPDX-License-Identifier: MIT */
/* The libweston 10 part of the core's hooks (core/vgr-frontend.h; the
 * rest is ../common/vgr-hooks.c) and its option structs' format lists. */
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

/* libweston 10 lists DRM fourccs. */
void
vgr_config_format_of(vgr_gl_format fourcc, struct vgr_config_format *out)
{
	const struct pixel_format_info *info = pixel_format_get_info(fourcc);

	out->fourcc = fourcc;
	if (!info) {
		out->r = out->g = out->b = out->a = -1;
		return;
	}
	out->r = info->bits.r;
	out->g = info->bits.g;
	out->b = info->bits.b;
	out->a = info->bits.a;
}
