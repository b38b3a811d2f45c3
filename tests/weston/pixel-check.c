/* SPDX-License-Identifier: MIT */
/* Compares harness screenshots with an expected-pixel function, with fuzz. */
#include <stdio.h>
#include <stdlib.h>

#include "pixel-check.h"

static int
channel_delta(uint32_t a, uint32_t b, int shift)
{
	return abs((int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff));
}

bool
vmp_pixels_match(pixman_image_t *shot, vmp_expect_fn expect, void *data,
		 int fuzz, struct vmp_pixel_report *report)
{
	int w = pixman_image_get_width(shot);
	int h = pixman_image_get_height(shot);
	int stride = pixman_image_get_stride(shot) / 4;
	const uint32_t *pix = pixman_image_get_data(shot);

	*report = (struct vmp_pixel_report){ .first_x = -1, .first_y = -1 };
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t got = pix[y * stride + x];
			uint32_t want = expect(x, y, data);
			int d = 0;
			for (int shift = 0; shift < 24; shift += 8) {
				int c = channel_delta(got, want, shift);
				d = c > d ? c : d;
			}
			if (d > report->worst_delta)
				report->worst_delta = d;
			if (d <= fuzz)
				continue;
			if (report->mismatches++ == 0) {
				report->first_x = x;
				report->first_y = y;
				report->first_got = got;
				report->first_want = want;
			}
		}
	}
	return report->mismatches == 0;
}

void
vmp_pixel_report_print(const char *what, const struct vmp_pixel_report *r)
{
	if (r->mismatches == 0) {
		fprintf(stderr, "%s: all pixels match (worst channel delta %d)\n",
			what, r->worst_delta);
		return;
	}
	fprintf(stderr, "%s: %d pixels differ; first at (%d,%d): got 0x%08x want 0x%08x; "
		"worst channel delta %d\n", what, r->mismatches, r->first_x, r->first_y,
		r->first_got, r->first_want, r->worst_delta);
}
