/* SPDX-License-Identifier: MIT */
/* The libweston versions whose private ABI the Weston 14 front end matches. */
#ifndef VMPLANE_VGR_VERSION_H
#define VMPLANE_VGR_VERSION_H

#include <stdbool.h>

/* 14.0.0-14.0.3: abi/weston14.h was checked against 14.0.1's private
 * headers, and 14.0.0-14.0.3 change none that the renderer reads. */
#define VGR_WESTON_MAJOR 14
#define VGR_WESTON_MINOR 0
#define VGR_WESTON_MICRO_MAX 3
/* The end of the refusal's log line. */
#define VGR_WESTON_ABI_NOTE \
	"this front end matches the private ABI of 14.0.0-14.0.3 only"

/* ../common/vgr-version.c */
bool vgr_version_supported(int major, int minor, int micro);
/* Logs and returns false on any other running libweston. */
bool vgr_version_check(void);

#endif
