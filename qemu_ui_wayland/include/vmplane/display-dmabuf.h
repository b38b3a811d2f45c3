/* SPDX-License-Identifier: MIT */
/*
 * vmplane display core: description of a guest dma-buf scanout and its
 * validator. No Wayland or QEMU types here, so the QEMU glue can fill and
 * check a description before it touches the connection.
 */
#ifndef VMPLANE_DISPLAY_DMABUF_H
#define VMPLANE_DISPLAY_DMABUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMPD_MAX_PLANES 4
/* Largest width or height the core accepts for a buffer. */
#define VMPD_MAX_DIMENSION 16384
#define VMPD_MOD_LINEAR UINT64_C(0)
#define VMPD_MOD_INVALID UINT64_C(0x00ffffffffffffff)

enum vmpd_status {
	VMPD_OK = 0,
	VMPD_ERR_INVALID, /* NULL or otherwise unusable argument */
	VMPD_ERR_BAD_FD, /* a plane fd is negative, closed, or not seekable */
	VMPD_ERR_PLANES, /* plane count is 0, above 4, or wrong for the fourcc */
	VMPD_ERR_SIZE, /* zero, or beyond VMPD_MAX_DIMENSION */
	VMPD_ERR_FOURCC, /* fourcc unknown to the core */
	VMPD_ERR_STRIDE, /* stride too small for the width, or overflowing */
	VMPD_ERR_OFFSET, /* plane does not fit in the dma-buf */
	VMPD_ERR_RECT, /* scanout rectangle outside the backing buffer */
	VMPD_ERR_UNSUPPORTED, /* the compositor cannot take it and no fallback exists */
	VMPD_ERR_IMPORT, /* the compositor refused it and the fallback failed */
	VMPD_ERR_NOMEM,
	VMPD_ERR_DISCONNECTED, /* the compositor went away */
	VMPD_ERR_STATE, /* call not valid in the head's current mode */
};

struct vmpd_rect {
	uint32_t x, y, width, height;
};

/*
 * One guest scanout buffer, as virtio-gpu hands it over. The fds stay
 * owned by the caller; the core dups what it keeps.
 */
struct vmpd_dmabuf {
	uint32_t n_planes;
	int fd[VMPD_MAX_PLANES];
	uint32_t offset[VMPD_MAX_PLANES];
	uint32_t stride[VMPD_MAX_PLANES];
	uint32_t fourcc; /* DRM fourcc */
	uint64_t modifier; /* VMPD_MOD_INVALID when unknown */
	uint32_t width, height; /* backing buffer size */
	struct vmpd_rect src; /* visible scanout rectangle inside the backing */
	bool y0_top; /* QEMU's y0_top: maps to the Y_INVERT flag */
};

/* Short English text for a status; never NULL. */
const char *vmpd_status_str(enum vmpd_status status);

/*
 * Checks a description without talking to any compositor. On failure,
 * writes a human-readable reason into why (when non-NULL).
 */
enum vmpd_status vmpd_dmabuf_validate(const struct vmpd_dmabuf *buf, char *why,
				      size_t why_len);

/* Bytes per pixel of the first plane, and plane count; false if unknown. */
bool vmpd_fourcc_info(uint32_t fourcc, uint32_t *bpp, uint32_t *n_planes);

#endif
