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

/* Weston moved the frame's presentation feedback to the output before
 * asking for it. Left there after a refusal, it would meet the completion
 * without a timestamp (WP_PRESENTATION_FEEDBACK_INVALID) that restarts
 * the repaint loop on headless (and on DRM without a vblank time), which
 * libweston asserts never carries feedback: Weston aborts. Held here, it
 * is presented with the next frame drawn. */
static void
hold_feedback(struct vgr_output *vo)
{
	wl_list_insert_list(vo->held_feedback.prev, &vo->output->feedback_list);
	wl_list_init(&vo->output->feedback_list);
}

bool
vgr_repaint_gate_refuse(struct weston_output *output, bool usable)
{
	struct vgr_output *vo = output->renderer_state;
	bool refuse = !usable && vgr_reset_recovering(vo->gr) &&
		      !others_repainted(output);

	if (refuse)
		hold_feedback(vo);
	return refuse;
}

void
vgr_repaint_gate_pass(struct vgr_output *vo)
{
	wl_list_insert_list(vo->output->feedback_list.prev, &vo->held_feedback);
	wl_list_init(&vo->held_feedback);
}

/* The output goes: Weston discards its feedback list, before this when the
 * output is destroyed, after it when it is only disabled. Feedback that
 * would miss the discard is unlinked (its layout is libweston's own), to
 * go unanswered rather than dangle. */
static void
drop_held_feedback(struct vgr_output *vo)
{
	struct wl_list *link;

	if (!vo->output->destroying) {
		vgr_repaint_gate_pass(vo);
		return;
	}
	while (!wl_list_empty(&vo->held_feedback)) {
		link = vo->held_feedback.next;
		wl_list_remove(link);
		wl_list_init(link);
	}
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

	drop_held_feedback(vo);
	if (output->start_repaint_loop == gate_start_repaint_loop)
		output->start_repaint_loop = vo->backend_start_repaint_loop;
	if (output->repaint == vgr_repaint_gate_repaint)
		output->repaint = vo->backend_repaint;
	vo->backend_start_repaint_loop = NULL;
	vo->backend_repaint = NULL;
}
