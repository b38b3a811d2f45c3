/* SPDX-License-Identifier: MIT */
/* The GL-independent reset status shared by the robustness library. */
#ifndef VMPLANE_RB_STATUS_H
#define VMPLANE_RB_STATUS_H

/*
 * What a reset query reports, independent of GL enums:
 * NONE = GL_NO_ERROR, GUILTY = GL_GUILTY_CONTEXT_RESET,
 * INNOCENT = GL_INNOCENT_CONTEXT_RESET, UNKNOWN = GL_UNKNOWN_CONTEXT_RESET
 * (also used for a failed eglMakeCurrent, EGL_CONTEXT_LOST or a failed swap).
 */
enum rb_reset_status {
	RB_RESET_NONE = 0,
	RB_RESET_GUILTY,
	RB_RESET_INNOCENT,
	RB_RESET_UNKNOWN,
};

/* "none", "guilty", "innocent", "unknown"; never NULL. */
const char *rb_reset_status_name(enum rb_reset_status status);

#endif
