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
	E2E_KEY = 'y',        /* value: evdev key, pressed and released on the module's
	                       * own seat; reply 1 when it has one (standalone only) */
	/* Several toplevels, told apart by title order ("QEMU - 0" first). */
	E2E_COUNT = 'N',      /* reply: how many toplevels are mapped */
	E2E_PLACE = 'p',      /* value: index << 28 | x << 14 | y; put it there */
	E2E_ACTIVATE = 'a',   /* value: index; focus it as a click would */
	E2E_GRAB_TITLE = 'g', /* value: index; reply 1 when its title says "grabbed" */
	E2E_RESIZE = 'r',     /* value: index << 28 | w << 14 | h; configure that size */
	/* Window tests (qemu-window-test.c); E2E_NONE when there is no toplevel. */
	E2E_VIEW_X = 'X',     /* reply: the main surface's x on the output */
	E2E_VIEW_Y = 'Y',     /* reply: its y */
	E2E_GEOMETRY = 'G',   /* value 0..3: the window geometry's x, y, width, height */
	E2E_PLACE_MAIN = 'P', /* value x << 16 | y: put the main surface there */
	E2E_MOVING = 'm',     /* reply 1 while a pointer grab (a shell move) runs */
	/* value: axis << 16 | (int16_t)clicks; wheel clicks (axis_discrete, 15 units
	 * each, as libinput's wheel) on the seat whose pointer has focus; reply 1 if one */
	E2E_WHEEL = 'W',
};

/*
 * Standalone Weston (no harness): $VMPLANE_E2E_CTL_FDS = "<command fd>,<reply
 * fd>", inherited from the test, which keeps the other ends; the module
 * then also adds a seat with a keyboard, since a headless Weston has none.
 */

#define E2E_NONE (-100000)

struct e2e_msg {
	char op;
	int32_t value;
};

#endif
