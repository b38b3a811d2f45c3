/* SPDX-License-Identifier: MIT */
/* linux-dmabuf v4 feedback as a rig client sees it, parsed by the display
 * core's own parser (qemu_ui_wayland/src/feedback-table.c). */
#ifndef RIG_FEEDBACK_H
#define RIG_FEEDBACK_H

#include <stdint.h>
#include <sys/types.h>

#include "feedback-table.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"

struct rig_feedback {
	struct zwp_linux_dmabuf_feedback_v1 *obj;
	/* The last completed set (valid once done_count > 0). */
	struct vmpd_feedback parsed;
	unsigned done_count;
};

/* Listens on `obj` (surface or default feedback); NULL on failure. */
struct rig_feedback *rig_feedback_create(struct zwp_linux_dmabuf_feedback_v1 *obj);
void rig_feedback_destroy(struct rig_feedback *fb);

/* The last completed tranche with exactly these flags and this target, or NULL. */
const struct vmpd_tranche *rig_feedback_find(const struct rig_feedback *fb,
	uint32_t flags, dev_t target);

#endif
