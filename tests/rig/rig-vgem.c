/* SPDX-License-Identifier: MIT */
/*
 * vgem dumb buffers exported as dma-bufs, standing in for a second GPU in
 * the rig.
 */
#include "rig-vgem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

struct rig_vgem_buf *rig_vgem_buf_create(int card_fd, uint32_t width, uint32_t height)
{
	int saved;
	struct rig_vgem_buf *buf = calloc(1, sizeof(*buf));
	if (!buf)
		return NULL;
	buf->card_fd = card_fd;
	buf->dmabuf_fd = -1;
	buf->pixels = MAP_FAILED;

	struct drm_mode_create_dumb create = { .width = width, .height = height, .bpp = 32 };
	if (drmIoctl(card_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0)
		goto fail;
	buf->handle = create.handle;
	buf->pitch = create.pitch;
	buf->size = create.size;
	if (drmPrimeHandleToFD(card_fd, buf->handle, DRM_CLOEXEC | DRM_RDWR, &buf->dmabuf_fd) != 0)
		goto fail;
	struct drm_mode_map_dumb map = { .handle = buf->handle };
	if (drmIoctl(card_fd, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0)
		goto fail;
	buf->pixels = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, card_fd,
		(off_t)map.offset);
	if (buf->pixels == MAP_FAILED)
		goto fail;
	return buf;

fail:
	saved = errno;
	rig_vgem_buf_destroy(buf);
	errno = saved;
	return NULL;
}

void rig_vgem_buf_destroy(struct rig_vgem_buf *buf)
{
	if (!buf)
		return;
	if (buf->pixels != MAP_FAILED)
		munmap(buf->pixels, buf->size);
	if (buf->dmabuf_fd >= 0)
		close(buf->dmabuf_fd);
	if (buf->handle) {
		struct drm_mode_destroy_dumb d = { .handle = buf->handle };
		drmIoctl(buf->card_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	free(buf);
}
