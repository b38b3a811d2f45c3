/* SPDX-License-Identifier: MIT */
/*
 * CPU-mapped dma-bufs for the rig, made by /dev/udmabuf from a memfd sealed
 * against shrinking.
 */
#include "rig-udmabuf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct rig_udmabuf *rig_udmabuf_create(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int dev, saved;
	struct rig_udmabuf *buf = calloc(1, sizeof(*buf));
	if (!buf)
		return NULL;
	buf->memfd = buf->dmabuf_fd = -1;
	buf->pixels = MAP_FAILED;
	buf->size = (size + page - 1) / page * page;

	buf->memfd = memfd_create("rig-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (buf->memfd < 0 || ftruncate(buf->memfd, (off_t)buf->size) < 0)
		goto fail;
	/* udmabuf refuses memfds that could still shrink under it. */
	if (fcntl(buf->memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		goto fail;
	buf->pixels = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		buf->memfd, 0);
	if (buf->pixels == MAP_FAILED)
		goto fail;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		goto fail;
	struct udmabuf_create create = {
		.memfd = (uint32_t)buf->memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 0,
		.size = buf->size,
	};
	buf->dmabuf_fd = ioctl(dev, UDMABUF_CREATE, &create);
	saved = errno;
	close(dev);
	errno = saved;
	if (buf->dmabuf_fd < 0)
		goto fail;
	return buf;

fail:
	saved = errno;
	rig_udmabuf_destroy(buf);
	errno = saved;
	return NULL;
}

void rig_udmabuf_destroy(struct rig_udmabuf *buf)
{
	if (!buf)
		return;
	if (buf->pixels != MAP_FAILED)
		munmap(buf->pixels, buf->size);
	if (buf->dmabuf_fd >= 0)
		close(buf->dmabuf_fd);
	if (buf->memfd >= 0)
		close(buf->memfd);
	free(buf);
}
