/* SPDX-License-Identifier: MIT */
/* Build configuration for Weston's test harness sources, as vmplane builds
 * them against Debian's libweston-10 (headless, DRM, GL and pixman). */
#pragma once
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define HAVE_MEMFD_CREATE 1
#define HAVE_MKOSTEMP 1
#define HAVE_POSIX_FALLOCATE 1
#define HAVE_STRCHRNUL 1
#define BUILD_DRM_COMPOSITOR 1
#define BUILD_HEADLESS_COMPOSITOR 1
#define BUILD_WAYLAND_COMPOSITOR 1
#define BUILD_X11_COMPOSITOR 1
#define BUILD_RDP_COMPOSITOR 1
#define ENABLE_EGL 1
#define TEST_GL_RENDERER 1
