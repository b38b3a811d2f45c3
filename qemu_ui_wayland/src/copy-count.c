/* SPDX-License-Identifier: MIT */
/* The one memcpy of guest pixels, counted into the head's stats. */
#include <string.h>

#include "core.h"

void
vmpd_copy_rect(struct vmpd_head *head, uint8_t *dst, uint32_t dst_stride,
	       const uint8_t *src, uint32_t src_stride, uint32_t x, uint32_t y,
	       uint32_t w, uint32_t h, uint32_t cpp)
{
	size_t row = (size_t)w * cpp;
	size_t off_d = (size_t)y * dst_stride + (size_t)x * cpp;
	size_t off_s = (size_t)y * src_stride + (size_t)x * cpp;
	for (uint32_t i = 0; i < h; i++)
		memcpy(dst + off_d + (size_t)i * dst_stride,
		       src + off_s + (size_t)i * src_stride, row);
	head->stats.bytes_copied += (uint64_t)row * h;
}
