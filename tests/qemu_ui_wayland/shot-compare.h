/* Compares every pixel of a screenshot with a function of (x, y). */
#ifndef VMPD_TEST_SHOT_COMPARE_H
#define VMPD_TEST_SHOT_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <pixman.h>

typedef uint32_t (*shot_expect_fn)(int x, int y, void *data);

struct shot_report {
	int mismatches;
	int first_x, first_y;
	uint32_t first_got, first_want;
};

/*
 * Alpha is ignored: outputs are opaque. fuzz is per colour channel; pixels
 * expected to be `loose` (the shell's background, which renderers round
 * differently) get loose_fuzz instead.
 */
bool shot_matches(pixman_image_t *shot, shot_expect_fn expect, void *data, int fuzz,
	uint32_t loose, int loose_fuzz, struct shot_report *report);
void shot_report_print(const char *what, const struct shot_report *report);

#endif
