/* SPDX-License-Identifier: MIT */
/* sw_sync timelines: each open of the sw_sync node is a fresh timeline. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uapi.h"
#include "vmplane/sync_timeline.h"

struct vmsync_timeline {
	int fd;
};

static const char *const sw_sync_nodes[] = {
	"/dev/sw_sync",
	"/sys/kernel/debug/sync/sw_sync",
};

const char *
vmsync_timeline_node(void)
{
	for (size_t i = 0; i < sizeof(sw_sync_nodes) / sizeof(sw_sync_nodes[0]);
	     i++) {
		if (access(sw_sync_nodes[i], R_OK | W_OK) == 0)
			return sw_sync_nodes[i];
	}
	return NULL;
}

enum vmsync_result
vmsync_timeline_create(struct vmsync_timeline **out)
{
	if (!out)
		return VMSYNC_INVALID;
	*out = NULL;
	const char *node = vmsync_timeline_node();
	if (!node)
		return VMSYNC_UNSUPPORTED;
	struct vmsync_timeline *timeline = calloc(1, sizeof(*timeline));
	if (!timeline)
		return VMSYNC_ERROR;
	/* Each open of the node is a fresh timeline starting at 0. */
	timeline->fd = open(node, O_RDWR | O_CLOEXEC);
	if (timeline->fd < 0) {
		int err = errno;
		free(timeline);
		errno = err;
		return err == ENOENT || err == ENODEV ? VMSYNC_UNSUPPORTED
						      : VMSYNC_ERROR;
	}
	*out = timeline;
	return VMSYNC_OK;
}

void
vmsync_timeline_destroy(struct vmsync_timeline *timeline)
{
	if (!timeline)
		return;
	close(timeline->fd);
	free(timeline);
}

enum vmsync_result
vmsync_timeline_fence(struct vmsync_timeline *timeline, uint32_t point,
		      const char *name, int *out_fd)
{
	if (out_fd)
		*out_fd = -1;
	if (!timeline || !out_fd)
		return VMSYNC_INVALID;
	struct vmsync_sw_sync_create_fence arg;
	memset(&arg, 0, sizeof(arg));
	arg.value = point;
	strncpy(arg.name, name ? name : "vmplane", sizeof(arg.name) - 1);
	if (ioctl(timeline->fd, VMSYNC_SW_SYNC_IOC_CREATE_FENCE, &arg) < 0)
		return errno == ENOTTY ? VMSYNC_UNSUPPORTED : VMSYNC_ERROR;
	*out_fd = arg.fence;
	return VMSYNC_OK;
}

enum vmsync_result
vmsync_timeline_advance(struct vmsync_timeline *timeline, uint32_t steps)
{
	if (!timeline)
		return VMSYNC_INVALID;
	__u32 inc = steps;
	if (ioctl(timeline->fd, VMSYNC_SW_SYNC_IOC_INC, &inc) < 0)
		return errno == ENOTTY ? VMSYNC_UNSUPPORTED : VMSYNC_ERROR;
	return VMSYNC_OK;
}
