/* SPDX-License-Identifier: MIT */
/* The libweston 14 part of the core's hooks (core/vgr-frontend.h; the
 * rest is ../common/vgr-hooks.c) and its option structs' format lists. */
#include <libweston/libweston.h>

#include "vgr.h"

void
vgr_logv(const char *fmt, va_list args)
{
	weston_vlog(fmt, args);
}

/* libweston 14 lists pixel_format_info entries. */
void
vgr_config_format_of(vgr_gl_format info, struct vgr_config_format *out)
{
	*out = (struct vgr_config_format){
		info->format, info->bits.r, info->bits.g, info->bits.b,
		info->bits.a,
	};
}
