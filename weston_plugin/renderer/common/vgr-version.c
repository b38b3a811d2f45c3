/* SPDX-License-Identifier: MIT */
/* Refuses libweston builds whose private layouts differ from the front
 * end's abi header; the accepted releases are in its vgr-version.h. */
#include <libweston/libweston.h>

#include "vgr-version.h"

bool
vgr_version_supported(int major, int minor, int micro)
{
	return major == VGR_WESTON_MAJOR && minor == VGR_WESTON_MINOR &&
	       micro >= 0 && micro <= VGR_WESTON_MICRO_MAX;
}

bool
vgr_version_check(void)
{
	int major = 0, minor = 0, micro = 0;

	weston_version(&major, &minor, &micro);
	if (vgr_version_supported(major, minor, micro))
		return true;

	weston_log("vmplane gl-renderer: refusing libweston %d.%d.%d; "
		   VGR_WESTON_ABI_NOTE "\n", major, minor, micro);
	return false;
}
