/* SPDX-License-Identifier: MIT */
/*
 * The repaint gate's libweston 14 part: the wrapped output->repaint (the
 * rest is ../common/vgr-repaint-gate.c; the timing is as on Weston 10,
 * see weston10/vgr-repaint-gate.c and the README).
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

int
vgr_repaint_gate_repaint(struct weston_output *output)
{
	struct vgr_output *vo = output->renderer_state;

	if (vgr_repaint_gate_refuse(output, vgr_reset_check(vo->gr)))
		return -1;
	vgr_repaint_gate_pass(vo);
	return vo->backend_repaint(output);
}
