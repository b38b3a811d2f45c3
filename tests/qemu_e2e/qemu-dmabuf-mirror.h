/* SPDX-License-Identifier: MIT */
/*
 * Stand-ins for QEMU's QemuDmaBuf of each UI API generation, so the
 * glue's mapping (ui/wayland-compat.h) compiles and runs without QEMU.
 * Field meanings follow QEMU: 7.2's width/height are the backing size;
 * 10.x's width/height are the scanout rectangle and backing_* the buffer.
 */
#ifndef VMPLANE_TEST_QEMU_DMABUF_MIRROR_H
#define VMPLANE_TEST_QEMU_DMABUF_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#define VMPQ_NO_QEMU 1

/* What a test wants to hand over, whatever the generation. */
struct mirror_spec {
	int fd;
	uint32_t stride, fourcc;
	uint64_t modifier;
	uint32_t backing_width, backing_height;
	uint32_t x, y, width, height;   /* scanout rectangle */
	bool y0_top;
};

#if VMPQ_API == 702
typedef struct QemuDmaBuf {
	int fd;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t fourcc;
	uint64_t modifier;
	uint32_t texture;
	uint32_t x;
	uint32_t y;
	uint32_t scanout_width;
	uint32_t scanout_height;
	bool y0_top;
	void *sync;
	int fence_fd;
	bool allow_fences;
	bool draw_submitted;
} QemuDmaBuf;

static inline void mirror_fill(QemuDmaBuf *d, const struct mirror_spec *s)
{
	*d = (QemuDmaBuf){
		.fd = s->fd, .width = s->backing_width, .height = s->backing_height,
		.stride = s->stride, .fourcc = s->fourcc, .modifier = s->modifier,
		.x = s->x, .y = s->y, .scanout_width = s->width,
		.scanout_height = s->height, .y0_top = s->y0_top, .fence_fd = -1,
	};
}
#else
/* 10.x keeps the struct private; only the accessors are visible. */
typedef struct QemuDmaBuf {
	int fd[4];
	uint32_t offset[4];
	uint32_t stride[4];
	uint32_t num_planes;
	uint32_t width, height, x, y;
	uint32_t backing_width, backing_height;
	uint32_t fourcc;
	uint64_t modifier;
	bool y0_top;
} QemuDmaBuf;

static inline void mirror_fill(QemuDmaBuf *d, const struct mirror_spec *s)
{
	*d = (QemuDmaBuf){
		.fd = { s->fd, -1, -1, -1 }, .stride = { s->stride },
		.num_planes = 1, .width = s->width, .height = s->height,
		.x = s->x, .y = s->y, .backing_width = s->backing_width,
		.backing_height = s->backing_height, .fourcc = s->fourcc,
		.modifier = s->modifier, .y0_top = s->y0_top,
	};
}

#if VMPQ_API == 1000
static inline int qemu_dmabuf_get_fd(QemuDmaBuf *d) { return d->fd[0]; }
static inline uint32_t qemu_dmabuf_get_stride(QemuDmaBuf *d) { return d->stride[0]; }
#else
static inline const int *qemu_dmabuf_get_fds(QemuDmaBuf *d, int *n)
{
	if (n) {
		*n = 4;
	}
	return d->fd;
}
static inline const uint32_t *qemu_dmabuf_get_offsets(QemuDmaBuf *d, int *n)
{
	if (n) {
		*n = 4;
	}
	return d->offset;
}
static inline const uint32_t *qemu_dmabuf_get_strides(QemuDmaBuf *d, int *n)
{
	if (n) {
		*n = 4;
	}
	return d->stride;
}
static inline int qemu_dmabuf_get_num_planes(QemuDmaBuf *d) { return (int)d->num_planes; }
#endif
static inline uint32_t qemu_dmabuf_get_fourcc(QemuDmaBuf *d) { return d->fourcc; }
static inline uint64_t qemu_dmabuf_get_modifier(QemuDmaBuf *d) { return d->modifier; }
static inline uint32_t qemu_dmabuf_get_width(QemuDmaBuf *d) { return d->width; }
static inline uint32_t qemu_dmabuf_get_height(QemuDmaBuf *d) { return d->height; }
static inline uint32_t qemu_dmabuf_get_backing_width(QemuDmaBuf *d) { return d->backing_width; }
static inline uint32_t qemu_dmabuf_get_backing_height(QemuDmaBuf *d) { return d->backing_height; }
static inline uint32_t qemu_dmabuf_get_x(QemuDmaBuf *d) { return d->x; }
static inline uint32_t qemu_dmabuf_get_y(QemuDmaBuf *d) { return d->y; }
static inline bool qemu_dmabuf_get_y0_top(QemuDmaBuf *d) { return d->y0_top; }
#endif

#endif
