/*
 * The renderer's safe mode from outside: a timer that probes the GPU and
 * leaves safe mode once it stayed usable for a quiet period (robustness/'s
 * rb_recovery_safe_mode_poll() decides, with its backoff), and read_pixels
 * answering at once instead of reading a context that is gone.
 */
#include <string.h>
#include <libweston/libweston.h>

#include "vgr.h"

static void
arm(struct vgr_renderer *gr)
{
	uint64_t ms = rb_recovery_safe_mode_delay_ns(gr->recovery) / 1000000;

	wl_event_source_timer_update(gr->safe_timer,
				     ms < 1 ? 1 : ms > INT32_MAX ? INT32_MAX : (int)ms);
}

static int
safe_timer(void *data)
{
	struct vgr_renderer *gr = data;

	switch (rb_recovery_safe_mode_poll(gr->recovery)) {
	case RB_SAFE_POLL_STAY:
		arm(gr);
		break;
	case RB_SAFE_POLL_LEAVE:
		vgr_reset_schedule_recovery(gr);
		break;
	case RB_SAFE_POLL_IDLE:
		break;
	}
	return 0;
}

bool
vgr_safe_mode_init(struct vgr_renderer *gr)
{
	struct wl_event_loop *loop =
		wl_display_get_event_loop(gr->compositor->wl_display);

	gr->safe_timer = wl_event_loop_add_timer(loop, safe_timer, gr);
	return gr->safe_timer != NULL;
}

void
vgr_safe_mode_fini(struct vgr_renderer *gr)
{
	if (gr->safe_timer)
		wl_event_source_remove(gr->safe_timer);
	gr->safe_timer = NULL;
}

void
vgr_safe_mode_entered(struct vgr_renderer *gr)
{
	gr->safe_read_logged = false;
	if (gr->safe_timer)
		arm(gr);
}

bool
vgr_safe_mode_active(struct vgr_renderer *gr)
{
	return gr->recovery &&
	       rb_recovery_get_state(gr->recovery) == RB_STATE_SAFE_MODE;
}

/* Weston 10's screenshooter ignores the result and copies the buffer out
 * anyway: blank, not whatever malloc left there. */
int
vgr_safe_mode_read_pixels(struct vgr_renderer *gr, void *pixels,
			  uint32_t width, uint32_t height)
{
	memset(pixels, 0, (size_t)width * height * 4);
	if (!gr->safe_read_logged)
		weston_log("vgr: read_pixels refused: the renderer is in safe "
			   "mode (GPU given up), screenshots are blank until "
			   "it leaves it\n");
	gr->safe_read_logged = true;
	return -1;
}
