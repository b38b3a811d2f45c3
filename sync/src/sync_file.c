/* SPDX-License-Identifier: MIT */
/*
 * sync_file and dma-buf fence ioctls behind sync_file.h: EINTR is retried
 * and every errno is mapped to a vmsync_result.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmplane/clock.h"
#include "uapi.h"
#include "vmplane/sync_file.h"

/* The most per-fence records read back; more are summarised only. */
#define VMSYNC_INFO_MAX_FENCES 64u

static int
ioctl_retry(int fd, unsigned long request, void *arg)
{
	int ret;
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

/* errno of a failed fence ioctl -> result. */
static enum vmsync_result
ioctl_failure(void)
{
	switch (errno) {
	case ENOTTY:
	case ENOENT: /* SYNC_IOC_MERGE: fd2 is not a sync_file */
	case EOPNOTSUPP:
		return VMSYNC_UNSUPPORTED;
	case EBADF:
		return VMSYNC_INVALID;
	default:
		return VMSYNC_ERROR;
	}
}

enum vmsync_result
vmsync_fd_wait(int fd, int64_t timeout_ns)
{
	if (fd < 0)
		return VMSYNC_INVALID;

	const bool forever = timeout_ns < 0;
	const uint64_t deadline = forever ? 0
					  : vmplane_now_ns() +
						    (uint64_t)timeout_ns;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		if (!forever) {
			uint64_t now = vmplane_now_ns();
			uint64_t left = now >= deadline ? 0 : deadline - now;
			ts.tv_sec = (time_t)(left / 1000000000ull);
			ts.tv_nsec = (long)(left % 1000000000ull);
			tsp = &ts;
		}
		int n = ppoll(&pfd, 1, tsp, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return VMSYNC_ERROR;
		}
		if (n == 0)
			return VMSYNC_TIMEOUT;
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			return VMSYNC_INVALID;
		}
		if (pfd.revents & POLLIN)
			return VMSYNC_OK;
		/* POLLERR or POLLHUP alone: this fd can never become ready. */
		errno = EPIPE;
		return VMSYNC_ERROR;
	}
}

bool
vmsync_fd_is_signalled(int fd)
{
	return vmsync_fd_wait(fd, 0) == VMSYNC_OK;
}

enum vmsync_result
vmsync_file_merge(const char *name, int fd1, int fd2, int *out_fd)
{
	if (!out_fd)
		return VMSYNC_INVALID;
	*out_fd = -1;
	if (fd1 < -1 || fd2 < -1)
		return VMSYNC_INVALID;
	if (fd1 == -1 && fd2 == -1)
		return VMSYNC_OK;
	if (fd1 == -1 || fd2 == -1) {
		int fd = fcntl(fd1 == -1 ? fd2 : fd1, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return errno == EBADF ? VMSYNC_INVALID : VMSYNC_ERROR;
		*out_fd = fd;
		return VMSYNC_OK;
	}

	struct sync_merge_data data;
	memset(&data, 0, sizeof(data));
	strncpy(data.name, name ? name : "vmplane-merge",
		sizeof(data.name) - 1);
	data.fd2 = fd2;
	if (ioctl_retry(fd1, SYNC_IOC_MERGE, &data) < 0)
		return ioctl_failure();
	*out_fd = data.fence;
	return VMSYNC_OK;
}

static enum vmsync_fence_status
status_of(int32_t status)
{
	if (status < 0)
		return VMSYNC_FENCE_ERROR;
	return status > 0 ? VMSYNC_FENCE_SIGNALLED : VMSYNC_FENCE_ACTIVE;
}

enum vmsync_result
vmsync_file_info(int fd, struct vmsync_file_info *info)
{
	if (fd < 0 || !info)
		return VMSYNC_INVALID;
	memset(info, 0, sizeof(*info));

	struct sync_file_info head;
	memset(&head, 0, sizeof(head));
	if (ioctl_retry(fd, SYNC_IOC_FILE_INFO, &head) < 0)
		return ioctl_failure();

	memcpy(info->name, head.name, sizeof(info->name) - 1);
	info->status = status_of(head.status);
	info->error = head.status < 0 ? head.status : 0;
	info->num_fences = head.num_fences;
	if (head.num_fences == 0 || head.num_fences > VMSYNC_INFO_MAX_FENCES)
		return VMSYNC_OK;

	struct sync_fence_info *fences = calloc(head.num_fences,
						sizeof(*fences));
	if (!fences)
		return VMSYNC_ERROR;
	struct sync_file_info full;
	memset(&full, 0, sizeof(full));
	full.num_fences = head.num_fences;
	full.sync_fence_info = (uint64_t)(uintptr_t)fences;
	if (ioctl_retry(fd, SYNC_IOC_FILE_INFO, &full) < 0) {
		/* The set cannot grow, but keep the summary if details fail. */
		free(fences);
		return VMSYNC_OK;
	}
	memcpy(info->driver, fences[0].driver_name, sizeof(info->driver) - 1);
	for (uint32_t i = 0; i < full.num_fences && i < head.num_fences; i++) {
		if (fences[i].status > 0 &&
		    fences[i].timestamp_ns > info->timestamp_ns)
			info->timestamp_ns = fences[i].timestamp_ns;
	}
	info->status = status_of(full.status);
	info->error = full.status < 0 ? full.status : 0;
	free(fences);
	return VMSYNC_OK;
}

static bool
dmabuf_flags(uint32_t flags, __u32 *out)
{
	if (flags == 0 || (flags & ~(VMSYNC_DMABUF_READ | VMSYNC_DMABUF_WRITE)))
		return false;
	*out = ((flags & VMSYNC_DMABUF_READ) ? DMA_BUF_SYNC_READ : 0) |
	       ((flags & VMSYNC_DMABUF_WRITE) ? DMA_BUF_SYNC_WRITE : 0);
	return true;
}

enum vmsync_result
vmsync_dmabuf_export_sync_file(int dmabuf_fd, uint32_t flags, int *out_fd)
{
	if (out_fd)
		*out_fd = -1;
	struct dma_buf_export_sync_file arg = { .fd = -1 };
	if (dmabuf_fd < 0 || !out_fd || !dmabuf_flags(flags, &arg.flags))
		return VMSYNC_INVALID;
	if (ioctl_retry(dmabuf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg) < 0)
		return ioctl_failure();
	*out_fd = arg.fd;
	return VMSYNC_OK;
}

enum vmsync_result
vmsync_dmabuf_import_sync_file(int dmabuf_fd, uint32_t flags, int sync_fd)
{
	struct dma_buf_import_sync_file arg = { .fd = sync_fd };
	if (dmabuf_fd < 0 || sync_fd < 0 || !dmabuf_flags(flags, &arg.flags))
		return VMSYNC_INVALID;
	if (ioctl_retry(dmabuf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg) < 0)
		return ioctl_failure();
	return VMSYNC_OK;
}
