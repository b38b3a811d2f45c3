/* SPDX-License-Identifier: MIT */
/* A memfd-backed wl_shm_pool mapped in our address space. */
#ifndef VMPD_SHM_POOL_H
#define VMPD_SHM_POOL_H

#include <stddef.h>
#include <stdint.h>

struct wl_shm;
struct wl_buffer;

struct vmpd_shm_pool {
	int fd;
	uint8_t *data;
	size_t size;
	struct wl_shm_pool *pool;
};

struct vmpd_shm_pool *vmpd_shm_pool_create(struct wl_shm *shm, size_t size);
void vmpd_shm_pool_destroy(struct vmpd_shm_pool *pool);
struct wl_buffer *vmpd_shm_pool_buffer(struct vmpd_shm_pool *pool,
				       size_t offset, uint32_t width,
				       uint32_t height, uint32_t stride,
				       uint32_t wl_format);

#endif
