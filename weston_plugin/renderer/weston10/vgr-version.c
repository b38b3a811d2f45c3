/* SPDX-License-Identifier: MIT */
/* Refuses libweston builds whose private layouts differ from abi/weston10.h. */
#include <libweston/libweston.h>

#include "vgr-version.h"

bool
vgr_version_supported(int major, int minor, int micro)
{
	/* 10.0.4 inserted a field in the middle of struct weston_view. */
	return major == 10 && minor == 0 && micro >= 0 && micro <= 3;
}

bool
vgr_version_check(void)
{
	int major = 0, minor = 0, micro = 0;

	weston_version(&major, &minor, &micro);
	if (vgr_version_supported(major, minor, micro))
		return true;

	weston_log("vmplane gl-renderer: refusing libweston %d.%d.%d; "
		   "this renderer matches the private ABI of 10.0.0-10.0.3 only\n",
		   major, minor, micro);
	return false;
}
