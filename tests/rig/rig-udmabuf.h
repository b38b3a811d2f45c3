/* SPDX-License-Identifier: MIT */
/* udmabuf-backed dma-bufs for the rig. */
#ifndef RIG_UDMABUF_H
#define RIG_UDMABUF_H

#include <stddef.h>
#include <stdint.h>

/* A dma-buf made by /dev/udmabuf from a sealed memfd, mapped for the CPU. */
struct rig_udmabuf {
	int memfd;
	int dmabuf_fd;
	size_t size;
	uint32_t *pixels;   /* the memfd's mapping */
};

/* NULL on failure (errno set); `size` is rounded up to whole pages. */
struct rig_udmabuf *rig_udmabuf_create(size_t size);
void rig_udmabuf_destroy(struct rig_udmabuf *buf);

#endif
