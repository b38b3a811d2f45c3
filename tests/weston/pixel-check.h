/* SPDX-License-Identifier: MIT */
/* Pixel comparison for harness screenshots: every pixel of a shot is checked
 * against a function, with a per-channel fuzz budget. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <pixman.h>

/* Returns the expected a8r8g8b8 value of the pixel at (x, y). */
typedef uint32_t (*vmp_expect_fn)(int x, int y, void *data);

struct vmp_pixel_report {
	int mismatches;
	int first_x, first_y;
	uint32_t first_got, first_want;
	int worst_delta;
};

/* Compares every pixel of an a8r8g8b8 image. Alpha is ignored: outputs are
 * opaque and renderers differ in what they leave there. */
bool vmp_pixels_match(pixman_image_t *shot, vmp_expect_fn expect, void *data,
		      int fuzz, struct vmp_pixel_report *report);

void vmp_pixel_report_print(const char *what, const struct vmp_pixel_report *report);
