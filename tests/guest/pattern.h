/* SPDX-License-Identifier: MIT */
/*
 * The test guest's screen, shared by the boot sector (assembler) and the
 * e2e tests (C). Mode 13h: 320x200, one byte per pixel through the DAC,
 * whose 6-bit components QEMU widens to 8 bits as (v << 2) | (v & 1) * 3.
 */
#ifndef VMPLANE_TEST_GUEST_PATTERN_H
#define VMPLANE_TEST_GUEST_PATTERN_H

#define PAT_WIDTH 320
#define PAT_HEIGHT 200

/* Palette indices and their 6-bit RGB. */
#define PAT_BLACK 0
#define PAT_RED 1
#define PAT_GREEN 2
#define PAT_BLUE 3
#define PAT_WHITE 4
#define PAT_YELLOW 5
#define PAT_N_FIXED 6
#define PAT_BLACK_RGB6 0, 0, 0
#define PAT_RED_RGB6 63, 0, 0
#define PAT_GREEN_RGB6 0, 63, 0
#define PAT_BLUE_RGB6 0, 0, 63
#define PAT_WHITE_RGB6 63, 63, 63
#define PAT_YELLOW_RGB6 63, 63, 0

/* Quadrants: red top-left, green top-right, blue bottom-left, white bottom-right. */
/* Orientation mark: a yellow square in the top-left corner. */
#define PAT_MARK_X 8
#define PAT_MARK_Y 8
#define PAT_MARK_SIZE 16

/*
 * Key box, black at boot. Each key repaints it with palette entry
 * PAT_KEY_BASE + (set-1 scan code & 0x3f), whose 6-bit RGB is
 * (j, 63 - j, 32) for j = scan code & 0x3f.
 */
#define PAT_KEY_X 128
#define PAT_KEY_Y 80
#define PAT_KEY_W 64
#define PAT_KEY_H 40
#define PAT_KEY_BASE 16

#endif
