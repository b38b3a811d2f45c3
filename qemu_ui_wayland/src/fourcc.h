/* SPDX-License-Identifier: MIT */
/* DRM fourcc codes the core knows, without pulling in libdrm headers. */
#ifndef VMPD_FOURCC_H
#define VMPD_FOURCC_H

#define VMPD_FOURCC(a, b, c, d)                                         \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | \
	 ((uint32_t)(d) << 24))

#define VMPD_FOURCC_XRGB8888 VMPD_FOURCC('X', 'R', '2', '4')
#define VMPD_FOURCC_ARGB8888 VMPD_FOURCC('A', 'R', '2', '4')
#define VMPD_FOURCC_XBGR8888 VMPD_FOURCC('X', 'B', '2', '4')
#define VMPD_FOURCC_ABGR8888 VMPD_FOURCC('A', 'B', '2', '4')
#define VMPD_FOURCC_XRGB2101010 VMPD_FOURCC('X', 'R', '3', '0')
#define VMPD_FOURCC_ARGB2101010 VMPD_FOURCC('A', 'R', '3', '0')
#define VMPD_FOURCC_XBGR2101010 VMPD_FOURCC('X', 'B', '3', '0')
#define VMPD_FOURCC_ABGR2101010 VMPD_FOURCC('A', 'B', '3', '0')
#define VMPD_FOURCC_RGB888 VMPD_FOURCC('R', 'G', '2', '4')
#define VMPD_FOURCC_BGR888 VMPD_FOURCC('B', 'G', '2', '4')
#define VMPD_FOURCC_RGB565 VMPD_FOURCC('R', 'G', '1', '6')
#define VMPD_FOURCC_NV12 VMPD_FOURCC('N', 'V', '1', '2')

#endif
