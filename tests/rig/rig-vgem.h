/* SPDX-License-Identifier: MIT */
/* vgem-allocated dma-bufs for the rig (a stand-in for a second GPU). */
#ifndef RIG_VGEM_H
#define RIG_VGEM_H

#include <stddef.h>
#include <stdint.h>

/*
 * An XRGB8888 dumb buffer allocated on vgem (standing in for another GPU)
 * and exported as a dma-buf, mapped for the CPU through the vgem node.
 */
struct rig_vgem_buf {
	int card_fd;        /* not owned */
	uint32_t handle, pitch;
	uint64_t size;
	int dmabuf_fd;
	uint32_t *pixels;
};

/* NULL on failure (errno set). */
struct rig_vgem_buf *rig_vgem_buf_create(int card_fd, uint32_t width, uint32_t height);
void rig_vgem_buf_destroy(struct rig_vgem_buf *buf);

#endif
