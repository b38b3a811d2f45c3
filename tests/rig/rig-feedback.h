/* Records linux-dmabuf v4 feedback (main device, tranches) for rig clients. */
#ifndef RIG_FEEDBACK_H
#define RIG_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"

#define RIG_FEEDBACK_MAX_TRANCHES 8

/* One zwp_linux_dmabuf_feedback_v1 (linux-dmabuf v4), as last completed. */
struct rig_tranche {
	dev_t target;
	uint32_t flags;
	unsigned n_formats;
};

struct rig_feedback {
	struct zwp_linux_dmabuf_feedback_v1 *obj;
	unsigned done_count;
	bool have_table;
	/* The last completed set (after a done event). */
	dev_t main_device;
	unsigned n_tranches;
	struct rig_tranche tranches[RIG_FEEDBACK_MAX_TRANCHES];
	/* Being received. */
	dev_t pending_main;
	unsigned pending_n;
	struct rig_tranche pending[RIG_FEEDBACK_MAX_TRANCHES];
	struct rig_tranche cur;
};

/* Listens on `obj` (surface or default feedback); NULL on failure. */
struct rig_feedback *rig_feedback_create(struct zwp_linux_dmabuf_feedback_v1 *obj);
void rig_feedback_destroy(struct rig_feedback *fb);

/* The last completed tranche with these flags and target, or NULL. */
const struct rig_tranche *rig_feedback_find(const struct rig_feedback *fb,
	uint32_t flags, dev_t target);

#endif
