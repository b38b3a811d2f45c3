/* SPDX-License-Identifier: MIT */
/* The libweston versions whose private ABI this renderer matches. */
#ifndef VMPLANE_VGR_VERSION_H
#define VMPLANE_VGR_VERSION_H

#include <stdbool.h>

/* 10.0.0-10.0.3: 10.0.4 inserted a field in the middle of struct
 * weston_view. */
#define VGR_WESTON_MAJOR 10
#define VGR_WESTON_MINOR 0
#define VGR_WESTON_MICRO_MAX 3
/* The end of the refusal's log line. */
#define VGR_WESTON_ABI_NOTE \
	"this renderer matches the private ABI of 10.0.0-10.0.3 only"

/* ../common/vgr-version.c */
bool vgr_version_supported(int major, int minor, int micro);
/* Logs and returns false on any other running libweston. */
bool vgr_version_check(void);

#endif
