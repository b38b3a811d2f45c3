/* SPDX-License-Identifier: MIT */
/* The libweston versions whose private ABI this renderer matches. */
#ifndef VMPLANE_VGR_VERSION_H
#define VMPLANE_VGR_VERSION_H

#include <stdbool.h>

bool vgr_version_supported(int major, int minor, int micro);
/* Logs and returns false on any other running libweston. */
bool vgr_version_check(void);

#endif
