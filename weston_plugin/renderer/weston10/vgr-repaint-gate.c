/* SPDX-License-Identifier: MIT */
/*
 * The repaint gate's libweston 10 part: the wrapped output->repaint (the
 * rest is ../common/vgr-repaint-gate.c).
 *
 * Weston 10 enters the renderer only from inside the backend's repaint, so
 * a reset found there still costs a frame that the backend completes with
 * nothing drawn (headless: a fixed 16 ms), then the wait for the next one.
 * Wrapped:
 * - start_repaint_loop checks the status when an idle output wakes up, so
 *   the rebuild overlaps the backend's wait for its first frame;
 * - repaint fails while a recovery runs: Weston keeps the damage and takes
 *   the output out of its repaint loop, and the damage that ends the
 *   recovery starts it again at once.
 */
#include <libweston/libweston.h>

#include "vgr.h"

int
vgr_repaint_gate_repaint(struct weston_output *output,
			 pixman_region32_t *damage, void *repaint_data)
{
	struct vgr_output *vo = output->renderer_state;
	/* Making the output's surface current is a detection point too: a
	 * lost context fails it (EGL_CONTEXT_LOST) before Weston commits. */
	bool usable = vgr_make_current(vo->gr, vo->egl_surface) &&
		      vgr_reset_check(vo->gr);

	if (vgr_repaint_gate_refuse(output, usable))
		return -1;
	vgr_repaint_gate_pass(vo);
	return vo->backend_repaint(output, damage, repaint_data);
}
