/* SPDX-License-Identifier: MIT */
/* Our boot-sector test guest for the e2e tests (e2e-pattern.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "e2e-pattern.h"
#include "linux-guest-util.h"
#include "pattern.h"

bool
e2e_pattern_find(char *qemu, size_t size)
{
	const char *img = getenv("VMPLANE_GUEST_IMG");

	if (!lg_find_qemu(qemu, size))
		return false;
	if (!img || access(img, R_OK) != 0) {
		fprintf(stderr, "skip: the test guest image is missing ($VMPLANE_GUEST_IMG)\n");
		return false;
	}
	return true;
}

/* VGA's 6-bit DAC levels as 8-bit ones, the way QEMU widens them. */
static uint32_t
c6_to_8(uint32_t v)
{
	return (v << 2) | (v & 1) * 3;
}

static uint32_t
rgb6(uint32_t r, uint32_t g, uint32_t b)
{
	return 0xff000000u | c6_to_8(r) << 16 | c6_to_8(g) << 8 | c6_to_8(b);
}

uint32_t
e2e_pattern_pixel(int x, int y, int key_scancode)
{
	if (x >= PAT_KEY_X && x < PAT_KEY_X + PAT_KEY_W &&
	    y >= PAT_KEY_Y && y < PAT_KEY_Y + PAT_KEY_H) {
		uint32_t j = key_scancode < 0 ? 0 : (uint32_t)key_scancode & 0x3f;

		return key_scancode < 0 ? rgb6(PAT_BLACK_RGB6) : rgb6(j, 63 - j, 32);
	}
	if (x >= PAT_MARK_X && x < PAT_MARK_X + PAT_MARK_SIZE &&
	    y >= PAT_MARK_Y && y < PAT_MARK_Y + PAT_MARK_SIZE)
		return rgb6(PAT_YELLOW_RGB6);
	if (y < PAT_HEIGHT / 2)
		return x < PAT_WIDTH / 2 ? rgb6(PAT_RED_RGB6) : rgb6(PAT_GREEN_RGB6);
	return x < PAT_WIDTH / 2 ? rgb6(PAT_BLUE_RGB6) : rgb6(PAT_WHITE_RGB6);
}
