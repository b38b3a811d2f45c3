/* SPDX-License-Identifier: MIT */
/* Public API of sw_sync software fence timelines, for tests without a GPU. */
#ifndef VMPLANE_SYNC_TIMELINE_H
#define VMPLANE_SYNC_TIMELINE_H

#include <stdint.h>

#include "vmplane/sync_result.h"

/*
 * A software fence timeline (the kernel's sw_sync debug interface), for
 * tests that need real sync_file fences without a GPU. Needs
 * CONFIG_SW_SYNC and either /dev/sw_sync or debugfs at
 * /sys/kernel/debug/sync/sw_sync; otherwise create reports UNSUPPORTED.
 */
struct vmsync_timeline;

/* UNSUPPORTED when no sw_sync node exists; *out is NULL unless OK. */
enum vmsync_result vmsync_timeline_create(struct vmsync_timeline **out);

/* Closing the timeline signals its unsignalled fences with an error. */
void vmsync_timeline_destroy(struct vmsync_timeline *timeline);

/* A new sync_file that signals once the timeline reaches `point`. */
enum vmsync_result vmsync_timeline_fence(struct vmsync_timeline *timeline,
					 uint32_t point, const char *name,
					 int *out_fd);

/* Advance the timeline by `steps`, signalling the fences it passes. */
enum vmsync_result vmsync_timeline_advance(struct vmsync_timeline *timeline,
					   uint32_t steps);

/* Where the node was found ("/dev/sw_sync", ...), for skip messages. */
const char *vmsync_timeline_node(void);

#endif
