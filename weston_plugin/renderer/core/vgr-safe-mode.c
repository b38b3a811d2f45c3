/* SPDX-License-Identifier: MIT */
/*
 * The renderer's safe mode from outside: a timer that probes the GPU and
 * leaves safe mode once it stayed usable for a quiet period (robustness/'s
 * rb_recovery_safe_mode_poll() decides, with its backoff), and read_pixels
 * answering at once instead of reading a context that is gone.
 */
#include <stdlib.h>
#include <string.h>

#include "vgr-core.h"

/* Owned by the reset state (vgr-reset.c), which creates it. */
struct vgr_safe_mode {
	struct vgr_renderer *gr;
	struct wl_event_source *timer;
	/* One log line per episode, not one per screenshot. */
	bool read_logged;
};

static void
arm(struct vgr_safe_mode *sm)
{
	uint64_t ms = vgr_reset_safe_mode_delay_ns(sm->gr) / 1000000;

	wl_event_source_timer_update(sm->timer,
				     ms < 1 ? 1 : ms > INT32_MAX ? INT32_MAX : (int)ms);
}

static int
safe_timer(void *data)
{
	struct vgr_safe_mode *sm = data;

	switch (vgr_reset_safe_mode_poll(sm->gr)) {
	case RB_SAFE_POLL_STAY:
		arm(sm);
		break;
	case RB_SAFE_POLL_LEAVE:
		vgr_reset_schedule_recovery(sm->gr);
		break;
	case RB_SAFE_POLL_IDLE:
		break;
	}
	return 0;
}

struct vgr_safe_mode *
vgr_safe_mode_create(struct vgr_renderer *gr)
{
	struct wl_event_loop *loop = vgr_frontend_event_loop(gr);
	struct vgr_safe_mode *sm = calloc(1, sizeof *sm);

	if (!sm)
		return NULL;
	sm->gr = gr;
	sm->timer = wl_event_loop_add_timer(loop, safe_timer, sm);
	if (!sm->timer) {
		free(sm);
		return NULL;
	}
	return sm;
}

void
vgr_safe_mode_destroy(struct vgr_safe_mode *sm)
{
	if (!sm)
		return;
	wl_event_source_remove(sm->timer);
	free(sm);
}

void
vgr_safe_mode_entered(struct vgr_safe_mode *sm)
{
	sm->read_logged = false;
	arm(sm);
}

/* Weston 10's screenshooter ignores the result and copies the buffer out
 * anyway: blank, not whatever malloc left there. */
int
vgr_safe_mode_read_pixels(struct vgr_renderer *gr, void *pixels,
			  uint32_t width, uint32_t height)
{
	struct vgr_safe_mode *sm = vgr_reset_safe_mode(gr);

	memset(pixels, 0, (size_t)width * height * 4);
	if (sm && !sm->read_logged)
		vgr_log("vgr: read_pixels refused: the renderer is in safe "
			"mode (GPU given up), screenshots are blank until "
			"it leaves it\n");
	if (sm)
		sm->read_logged = true;
	return -1;
}
