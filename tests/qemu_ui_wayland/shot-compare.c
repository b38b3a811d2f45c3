/* Screenshot check against an expected-pixel function, per-channel fuzz. */
#include <stdio.h>
#include <stdlib.h>

#include "shot-compare.h"

static int channel_delta(uint32_t a, uint32_t b, int shift)
{
	return abs((int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff));
}

bool shot_matches(pixman_image_t *shot, shot_expect_fn expect, void *data, int fuzz,
	uint32_t loose, int loose_fuzz, struct shot_report *r)
{
	int w = pixman_image_get_width(shot), h = pixman_image_get_height(shot);
	int stride = pixman_image_get_stride(shot) / 4;
	const uint32_t *pix = pixman_image_get_data(shot);
	*r = (struct shot_report){ 0 };
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t got = pix[y * stride + x], want = expect(x, y, data);
			int f = want == loose ? loose_fuzz : fuzz;
			if (channel_delta(got, want, 16) <= f && channel_delta(got, want, 8) <= f &&
					channel_delta(got, want, 0) <= f)
				continue;
			if (r->mismatches++ == 0) {
				r->first_x = x;
				r->first_y = y;
				r->first_got = got;
				r->first_want = want;
			}
		}
	}
	return r->mismatches == 0;
}

void shot_report_print(const char *what, const struct shot_report *r)
{
	if (r->mismatches == 0) {
		fprintf(stderr, "%s: every pixel matches\n", what);
		return;
	}
	fprintf(stderr, "%s: %d pixels differ, first at (%d,%d): got 0x%08x want 0x%08x\n", what,
		r->mismatches, r->first_x, r->first_y, r->first_got, r->first_want);
}
