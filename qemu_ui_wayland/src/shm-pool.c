/* SPDX-License-Identifier: MIT */
/* A memfd-backed wl_shm_pool mapped in our address space. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "shm-pool.h"

struct vmpd_shm_pool *
vmpd_shm_pool_create(struct wl_shm *shm, size_t size)
{
	if (!shm || size == 0 || size > INT32_MAX)
		return NULL;
	struct vmpd_shm_pool *pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	pool->fd = memfd_create("vmplane-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (pool->fd < 0)
		goto fail;
	if (ftruncate(pool->fd, (off_t)size) != 0)
		goto fail;
	/* The compositor maps it too; a fixed size keeps its mapping valid. */
	fcntl(pool->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	pool->data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  pool->fd, 0);
	if (pool->data == MAP_FAILED) {
		pool->data = NULL;
		goto fail;
	}
	pool->size = size;
	pool->pool = wl_shm_create_pool(shm, pool->fd, (int32_t)size);
	if (!pool->pool)
		goto fail;
	return pool;
fail:
	vmpd_shm_pool_destroy(pool);
	return NULL;
}

void
vmpd_shm_pool_destroy(struct vmpd_shm_pool *pool)
{
	if (!pool)
		return;
	if (pool->pool)
		wl_shm_pool_destroy(pool->pool);
	if (pool->data)
		munmap(pool->data, pool->size);
	if (pool->fd >= 0)
		close(pool->fd);
	free(pool);
}

struct wl_buffer *
vmpd_shm_pool_buffer(struct vmpd_shm_pool *pool, size_t offset, uint32_t width,
		     uint32_t height, uint32_t stride, uint32_t wl_format)
{
	if (!pool || offset + (size_t)stride * height > pool->size)
		return NULL;
	return wl_shm_pool_create_buffer(pool->pool, (int32_t)offset,
					 (int32_t)width, (int32_t)height,
					 (int32_t)stride, wl_format);
}
