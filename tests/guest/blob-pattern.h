/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu test guest's frames (virtio-gpu-guest.c), shared with the
 * rig's writeback check: every pixel is a function of (x, y, frame).
 * Plain C types only: the guest is built freestanding.
 */
#ifndef VMPLANE_TEST_GUEST_BLOB_PATTERN_H
#define VMPLANE_TEST_GUEST_BLOB_PATTERN_H

/* XRGB8888 (virtio-gpu B8G8R8X8_UNORM), stride = width * 4. */
#define BLOBPAT_W 256
#define BLOBPAT_H 192
#define BLOBPAT_STRIDE (BLOBPAT_W * 4)
#define BLOBPAT_SIZE (BLOBPAT_STRIDE * BLOBPAT_H)

/*
 * Top band: the frame counter, BLOBPAT_BITS cells of BLOBPAT_CELL pixels,
 * most significant bit on the left, a set bit white and a clear one black.
 */
#define BLOBPAT_BITS 16
#define BLOBPAT_CELL (BLOBPAT_W / BLOBPAT_BITS)
#define BLOBPAT_BAND_H 16
#define BLOBPAT_ONE 0xffffffu
#define BLOBPAT_ZERO 0x000000u

/* Below the band a gradient that moves BLOBPAT_STEP pixels left per frame. */
#define BLOBPAT_STEP 4u

static inline unsigned int blobpat_body(unsigned int x, unsigned int y, unsigned int frame)
{
	return ((x + frame * BLOBPAT_STEP) & 0xffu) << 16 | (y & 0xffu) << 8 |
		((frame * 37u) & 0xffu);
}

static inline unsigned int blobpat_pixel(unsigned int x, unsigned int y, unsigned int frame)
{
	if (y < BLOBPAT_BAND_H) {
		unsigned int bit = BLOBPAT_BITS - 1 - x / BLOBPAT_CELL;
		return (frame >> bit) & 1u ? BLOBPAT_ONE : BLOBPAT_ZERO;
	}
	return blobpat_body(x, y, frame);
}

#endif
