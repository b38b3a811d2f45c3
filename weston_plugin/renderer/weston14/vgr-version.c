/* SPDX-License-Identifier: MIT */
/* Refuses libweston builds whose private layouts differ from abi/weston14.h. */
#include <libweston/libweston.h>

#include "vgr-version.h"

bool
vgr_version_supported(int major, int minor, int micro)
{
	/* abi/weston14.h was checked against 14.0.1's private headers;
	 * 14.0.0-14.0.3 change none that the renderer reads. */
	return major == 14 && minor == 0 && micro >= 0 && micro <= 3;
}

bool
vgr_version_check(void)
{
	int major = 0, minor = 0, micro = 0;

	weston_version(&major, &minor, &micro);
	if (vgr_version_supported(major, minor, micro))
		return true;

	weston_log("vmplane gl-renderer: refusing libweston %d.%d.%d; "
		   "this front end matches the private ABI of 14.0.0-14.0.3 only\n",
		   major, minor, micro);
	return false;
}
