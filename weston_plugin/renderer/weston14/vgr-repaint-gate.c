/* SPDX-License-Identifier: MIT */
/*
 * The backend's two repaint entry points of an output, wrapped so that a
 * GPU reset is found before Weston commits to a frame (as on Weston 10;
 * see weston10/vgr-repaint-gate.c and the README for the timing).
 *
 * libweston 14 drives the repaint the same way: a failed output->repaint
 * leaves the damage on the primary plane (the backend flushes it only
 * when it repaints), the output drops out of the repaint loop, and the
 * damage that ends the recovery starts it again. When a later output of a
 * cycle fails, outputs already repainted in it are reset while their
 * frames are pending, so only the first output of a cycle may fail.
 */
#include <libweston/libweston.h>

#include "vgr.h"

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
gate_repaint(struct weston_output *output)
{
	struct vgr_output *vo = output->renderer_state;

	if (!vgr_reset_check(vo->gr) && vgr_reset_recovering(vo->gr) &&
	    !others_repainted(output))
		return -1;
	return vo->backend_repaint(output);
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
