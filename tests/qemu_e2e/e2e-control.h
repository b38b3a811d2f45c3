/* SPDX-License-Identifier: MIT */
/* The pipe protocol between the QEMU e2e test and its compositor-side module. */
#ifndef VMPLANE_E2E_CONTROL_H
#define VMPLANE_E2E_CONTROL_H

#include <fcntl.h>
#include <stdint.h>

enum e2e_op {
	E2E_WATCH = 'w',      /* value: pid to reap; an E2E_EXITED reply follows later */
	E2E_EXITED = 'x',     /* reply only; value: wait status */
	E2E_FIND = 'n',       /* reply 1 when a toplevel is mapped */
	E2E_FOCUS = 'k',      /* give every keyboard's focus to the toplevel */
	E2E_FULLSCREEN = 'f', /* reply 1 when the shell made it fullscreen, -1 when none */
	E2E_CLOSE = 'c',      /* send xdg_toplevel.close */
	/* Window tests (qemu-window-test.c); E2E_NONE when there is no toplevel. */
	E2E_VIEW_X = 'X',     /* reply: the main surface's x on the output */
	E2E_VIEW_Y = 'Y',     /* reply: its y */
	E2E_GEOMETRY = 'g',   /* value 0..3: the window geometry's x, y, width, height */
	E2E_PLACE = 'p',      /* value x << 16 | y: put the main surface there */
	E2E_MOVING = 'm',     /* reply 1 while a pointer grab (a shell move) runs */
};

#define E2E_NONE (-100000)

struct e2e_msg {
	char op;
	int32_t value;
};

#endif
