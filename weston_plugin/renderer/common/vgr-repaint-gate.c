/* SPDX-License-Identifier: MIT */
/*
 * The backend's two repaint entry points of an output, wrapped so that a
 * GPU reset is found before Weston commits to a frame (why, per libweston
 * version: the front end's vgr-repaint-gate.c, which wraps repaint).
 * The backend's pointers are kept and put back when the output goes. Some
 * backends (x11, wayland) set them after creating the renderer's output,
 * so the gate is also (re)installed from the renderer's repaint.
 */
#include <libweston/libweston.h>

#include "vgr.h"

/* libweston resets the repaint state of outputs already repainted in this
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

bool
vgr_repaint_gate_refuse(struct weston_output *output, bool usable)
{
	struct vgr_output *vo = output->renderer_state;

	return !usable && vgr_reset_recovering(vo->gr) &&
	       !others_repainted(output);
}

static int
gate_start_repaint_loop(struct weston_output *output)
{
	struct vgr_output *vo = output->renderer_state;

	vgr_reset_check(vo->gr);
	return vo->backend_start_repaint_loop(output);
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
	if (output->repaint && output->repaint != vgr_repaint_gate_repaint) {
		vo->backend_repaint = output->repaint;
		output->repaint = vgr_repaint_gate_repaint;
	}
}

void
vgr_repaint_gate_remove(struct vgr_output *vo)
{
	struct weston_output *output = vo->output;

	if (output->start_repaint_loop == gate_start_repaint_loop)
		output->start_repaint_loop = vo->backend_start_repaint_loop;
	if (output->repaint == vgr_repaint_gate_repaint)
		output->repaint = vo->backend_repaint;
	vo->backend_start_repaint_loop = NULL;
	vo->backend_repaint = NULL;
}
