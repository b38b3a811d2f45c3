/* SPDX-License-Identifier: MIT */
/*
 * Public API for sync_file fences and dma-buf implicit fences: wait, merge,
 * query, export and import. No call takes ownership of an fd it is given.
 */
#ifndef VMPLANE_SYNC_FILE_H
#define VMPLANE_SYNC_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmplane/sync_result.h"

/*
 * Helpers for Linux sync_file fence fds (and any pollable fd for the wait).
 * No call takes ownership of an fd it is given; fds it returns belong to
 * the caller. EINTR is retried with the remaining time.
 */

/*
 * Wait until `fd` is readable (a sync_file is readable once signalled).
 * timeout_ns: 0 polls, VMSYNC_WAIT_FOREVER blocks, otherwise nanoseconds.
 * Returns OK, TIMEOUT, INVALID (fd < 0, fd not open) or ERROR (POLLERR).
 */
enum vmsync_result vmsync_fd_wait(int fd, int64_t timeout_ns);

/* Non-blocking check: true only when vmsync_fd_wait(fd, 0) is OK. */
bool vmsync_fd_is_signalled(int fd);

/*
 * Merge two fences into a new sync_file that signals when both have
 * (SYNC_IOC_MERGE). If one input is -1 the other is duplicated; if both are
 * -1, *out_fd is -1 and the result is OK. UNSUPPORTED: an fd is not a
 * sync_file (ENOTTY) or the kernel lacks sync_file.
 */
enum vmsync_result vmsync_file_merge(const char *name, int fd1, int fd2,
				     int *out_fd);

enum vmsync_fence_status {
	VMSYNC_FENCE_ERROR = -1, /* signalled with an error */
	VMSYNC_FENCE_ACTIVE = 0,
	VMSYNC_FENCE_SIGNALLED = 1,
};

struct vmsync_file_info {
	char name[32];
	char driver[32]; /* driver of the first fence, "" if none */
	enum vmsync_fence_status status;
	int32_t error; /* negative errno when status is ERROR */
	uint32_t num_fences;
	uint64_t
		timestamp_ns; /* latest signal time among the fences, 0 if none */
};

/*
 * Query a sync_file (SYNC_IOC_FILE_INFO). UNSUPPORTED when `fd` is not a
 * sync_file or the kernel does not implement the ioctl.
 */
enum vmsync_result vmsync_file_info(int fd, struct vmsync_file_info *info);

/* Flags for the dma-buf implicit-fence helpers. */
#define VMSYNC_DMABUF_READ (1u << 0)
#define VMSYNC_DMABUF_WRITE (1u << 1)

/*
 * Snapshot a dma-buf's implicit fences into a new sync_file
 * (DMA_BUF_IOCTL_EXPORT_SYNC_FILE, Linux >= 6.0). flags: READ to wait for
 * writers only, WRITE (or both) to wait for all users.
 * UNSUPPORTED when the kernel or the fd does not know the ioctl.
 */
enum vmsync_result vmsync_dmabuf_export_sync_file(int dmabuf_fd, uint32_t flags,
						  int *out_fd);

/*
 * Add `sync_fd` to a dma-buf's implicit fences
 * (DMA_BUF_IOCTL_IMPORT_SYNC_FILE). flags: READ adds a read fence, WRITE a
 * write fence. The dma-buf takes its own reference; the caller keeps sync_fd.
 */
enum vmsync_result vmsync_dmabuf_import_sync_file(int dmabuf_fd, uint32_t flags,
						  int sync_fd);

#endif
