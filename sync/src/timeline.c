/* sw_sync timelines: each open of the sw_sync node is a fresh timeline. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uapi.h"
#include "vmplane/sync_timeline.h"

struct vsync_timeline {
	int fd;
};

static const char *const sw_sync_nodes[] = {
	"/dev/sw_sync",
	"/sys/kernel/debug/sync/sw_sync",
};

const char *vsync_timeline_node(void)
{
	for (size_t i = 0; i < sizeof(sw_sync_nodes) / sizeof(sw_sync_nodes[0]); i++) {
		if (access(sw_sync_nodes[i], R_OK | W_OK) == 0)
			return sw_sync_nodes[i];
	}
	return NULL;
}

enum vsync_result vsync_timeline_create(struct vsync_timeline **out)
{
	if (!out)
		return VSYNC_INVALID;
	*out = NULL;
	const char *node = vsync_timeline_node();
	if (!node)
		return VSYNC_UNSUPPORTED;
	struct vsync_timeline *timeline = calloc(1, sizeof(*timeline));
	if (!timeline)
		return VSYNC_ERROR;
	/* Each open of the node is a fresh timeline starting at 0. */
	timeline->fd = open(node, O_RDWR | O_CLOEXEC);
	if (timeline->fd < 0) {
		int err = errno;
		free(timeline);
		errno = err;
		return err == ENOENT || err == ENODEV ? VSYNC_UNSUPPORTED : VSYNC_ERROR;
	}
	*out = timeline;
	return VSYNC_OK;
}

void vsync_timeline_destroy(struct vsync_timeline *timeline)
{
	if (!timeline)
		return;
	close(timeline->fd);
	free(timeline);
}

enum vsync_result vsync_timeline_fence(struct vsync_timeline *timeline,
	uint32_t point, const char *name, int *out_fd)
{
	if (out_fd)
		*out_fd = -1;
	if (!timeline || !out_fd)
		return VSYNC_INVALID;
	struct vsync_sw_sync_create_fence arg;
	memset(&arg, 0, sizeof(arg));
	arg.value = point;
	strncpy(arg.name, name ? name : "vmplane", sizeof(arg.name) - 1);
	if (ioctl(timeline->fd, VSYNC_SW_SYNC_IOC_CREATE_FENCE, &arg) < 0)
		return errno == ENOTTY ? VSYNC_UNSUPPORTED : VSYNC_ERROR;
	*out_fd = arg.fence;
	return VSYNC_OK;
}

enum vsync_result vsync_timeline_advance(struct vsync_timeline *timeline,
	uint32_t steps)
{
	if (!timeline)
		return VSYNC_INVALID;
	__u32 inc = steps;
	if (ioctl(timeline->fd, VSYNC_SW_SYNC_IOC_INC, &inc) < 0)
		return errno == ENOTTY ? VSYNC_UNSUPPORTED : VSYNC_ERROR;
	return VSYNC_OK;
}
