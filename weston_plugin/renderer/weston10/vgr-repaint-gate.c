/* SPDX-License-Identifier: MIT */
/*
 * The backend's two repaint entry points of an output, wrapped so that a
 * GPU reset is found before Weston commits to a frame.
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
 * The backend's pointers are kept and put back when the output goes. Some
 * backends (x11, wayland) set them after creating the renderer's output,
 * so the gate is also (re)installed from the renderer's repaint.
 */
#include <libweston/libweston.h>

#include "vgr.h"

/* Weston 10 resets the repaint state of outputs already repainted in this
 * cycle when a later one fails, though their frames are still pending in
 * the backend; only the first output of a cycle may fail. */
static bool
others_repainted(struct weston_output *output)
{
	struct weston_output *o;

	wl_list_for_each(o, &output->compositor->output_list, link)
		if (o != output && o->repainted)
			return true;
	return false;
}

static int
gate_start_repaint_loop(struct weston_output *output)
{
	struct vgr_output *vo = output->renderer_state;

	vgr_reset_check(vo->gr);
	return vo->backend_start_repaint_loop(output);
}

static int
gate_repaint(struct weston_output *output, pixman_region32_t *damage,
	     void *repaint_data)
{
	struct vgr_output *vo = output->renderer_state;
	/* Making the output's surface current is a detection point too: a
	 * lost context fails it (EGL_CONTEXT_LOST) before Weston commits. */
	bool usable = vgr_make_current(vo->gr, vo->egl_surface) &&
		      vgr_reset_check(vo->gr);

	if (!usable && vgr_reset_recovering(vo->gr) && !others_repainted(output))
		return -1;
	return vo->backend_repaint(output, damage, repaint_data);
}

void
vgr_repaint_gate_install(struct vgr_output *vo)
{
	struct weston_output *output = vo->output;

	if (output->start_repaint_loop &&
	    output->start_repaint_loop != gate_start_repaint_loop) {
		vo->backend_start_repaint_loop = output->start_repaint_loop;
		output->start_repaint_loop = gate_start_repaint_loop;
	}
	if (output->repaint && output->repaint != gate_repaint) {
		vo->backend_repaint = output->repaint;
		output->repaint = gate_repaint;
	}
}

void
vgr_repaint_gate_remove(struct vgr_output *vo)
{
	struct weston_output *output = vo->output;

	if (output->start_repaint_loop == gate_start_repaint_loop)
		output->start_repaint_loop = vo->backend_start_repaint_loop;
	if (output->repaint == gate_repaint)
		output->repaint = vo->backend_repaint;
	vo->backend_start_repaint_loop = NULL;
	vo->backend_repaint = NULL;
}
