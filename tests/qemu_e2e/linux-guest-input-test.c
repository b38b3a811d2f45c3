/* SPDX-License-Identifier: MIT */
/*
 * Issue 16, items 3, 4, 5 and 8: the Linux test guest on the patched QEMU with
 * -device virtio-vga,max_outputs=2 -display wayland, on headless Weston 10
 * with its desktop shell and our GL renderer.
 *
 * Multi-head: the guest sees both connectors connected (its sysfs, printed
 * on the serial line), each window shows the guest's console (pixels: both
 * outputs show fbcon's one framebuffer), a resized window gives its size to
 * the guest, and the output the guest turns off unmaps its window, which
 * maps again when the output comes back.
 * Wheel and buttons: every button and both wheels, sent through the
 * Wayland seat, read back by the guest from its PS/2 mouse's evdev node.
 * Cursor: the guest's hardware cursor (tests/guest/cursor-set.c) is the
 * pointer's image, unflipped, with its hotspot on the pointer.
 * Grab: Ctrl+Alt+G after a click locks the pointer (the title says so),
 * motion reaches the guest as relative events and no absolute ones; a
 * second Ctrl+Alt+G releases it and absolute motion resumes.
 * Skips (77) without the patched QEMU or the guest.
 */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"
#include "weston-test-runner.h"

#include "e2e-capture.h"
#include "e2e-control.h"
#include "linux-guest-util.h"

#define OUT_W 2200
#define OUT_H 900
/* Window tops below nothing (no panel); second window's left edge. */
#define WIN_Y 20
#define WIN1_X 1320
#define STEP_MS 60000
#define CPU "Haswell-v4,avx=off,avx2=off,fma=off,f16c=off"

static char qemu_bin[4096], kernel[4096], initrd[4096];

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	struct compositor_setup setup;

	if (!lg_find(qemu_bin, sizeof(qemu_bin), kernel, initrd, sizeof(kernel)))
		return RESULT_SKIP;
	VMP_SETUP_HEADLESS(&setup, RENDERER_GL, OUT_W, OUT_H);
	/* The real desktop shell: it maps any number of windows and never sizes them. */
	setup.shell = SHELL_DESKTOP;
	setup.logging_scopes = "log,test-harness-plugin";
	setup.extra_module = getenv("VMPLANE_E2E_CONTROL");
	weston_ini_setup(&setup, cfgln("[core]"), cfgln("idle-time=0"), cfgln("[shell]"), cfgln("panel-position=none"),
			 cfgln("startup-animation=none"), cfgln("animation=none"),
			 cfgln("focus-animation=none"), cfgln("close-animation=none"),
			 cfgln("background-color=0xff000040"));
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

static uint32_t
at(const struct e2e_capture *c, int x, int y)
{
	return c->px[y * c->w + x] | 0xff000000u;
}

/* fbcon's text: light grey, unsaturated. */
static bool
is_text(uint32_t p)
{
	int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
	int lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
	int hi = r > g ? (r > b ? r : b) : (g > b ? g : b);

	return lo >= 128 && hi - lo < 16;
}

/*
 * Both outputs scan out fbcon's one framebuffer from its top left: the w x h
 * guest image of the second window at (x1, y1) must match the first one's
 * top left at (x0, y0) and hold text. Up to two character cells may differ
 * (the blinking cursor, caught between the two outputs' refreshes).
 */
static bool
same_console(const struct e2e_capture *c, int x0, int y0, int x1, int y1, int w, int h,
	     int min_text, int *text, int *differ)
{
	*text = *differ = 0;
	if (x1 + w > c->w || y1 + h > c->h || x0 + w > c->w || y0 + h > c->h)
		return false;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t a = at(c, x0 + x, y0 + y), b = at(c, x1 + x, y1 + y);

			*text += is_text(b);
			*differ += a != b;
		}
	return *text >= min_text && *differ <= 2 * 8 * 16;
}

/* Where the guest image of toplevel `index` starts: its top-left non-background pixel. */
static bool
find_window(const struct e2e_capture *c, int x_from, int x_to, int *x, int *y)
{
	const uint32_t bg = 0xff000040u;

	for (int yy = 0; yy < c->h; yy++)
		for (int xx = x_from; xx < x_to && xx < c->w; xx++)
			if (at(c, xx, yy) != bg) {
				/* decorations=off: no border, the guest image itself. */
				*x = xx;
				*y = yy;
				return true;
			}
	return false;
}

static void
place(struct lg_qemu *q, int index, int x)
{
	LG_CHECK(q, lg_ctl(q, E2E_PLACE, index << 28 | x << 14 | WIN_Y) == 1);
}

static bool
wait_toplevels(struct lg_qemu *q, int n)
{
	int64_t end = lg_now_ms() + STEP_MS;

	while (!q->exited && lg_now_ms() < end) {
		if (lg_ctl(q, E2E_COUNT, 0) == n)
			return true;
		usleep(100 * 1000);
	}
	testlog("%d toplevels, want %d\n", lg_ctl(q, E2E_COUNT, 0), n);
	return false;
}

/* The guest's preferred mode for connector Virtual-<n> from its last DRM line. */
static bool
guest_mode(struct lg_qemu *q, int n, const char *status, int *w, int *h)
{
	char *text = lg_slurp(q->serial), *p = text, *last = NULL, want[64];

	snprintf(want, sizeof(want), "GUEST DRM Virtual-%d ", n);
	while ((p = strstr(p, want))) {
		last = p + strlen(want);
		p = last;
	}
	bool ok = last && !strncmp(last, status, strlen(status)) && last[strlen(status)] == ' ' &&
		  sscanf(last + strlen(status), " %dx%d", w, h) == 2;
	free(text);
	return ok;
}

static bool
wait_mode(struct lg_qemu *q, int n, const char *status, int *w, int *h)
{
	int64_t end = lg_now_ms() + STEP_MS;

	while (!q->exited && lg_now_ms() < end) {
		if (guest_mode(q, n, status, w, h))
			return true;
		lg_poll_exit(q, 200);
	}
	testlog("Virtual-%d never %s\n", n, status);
	return false;
}

/* Both windows placed side by side, each guest image found and checked. */
static void
check_two_heads(struct lg_qemu *q, struct client *client, int w0, int h0, int w1, int h1,
		int min_text)
{
	struct e2e_capture cap = { 0 };
	int64_t end = lg_now_ms() + STEP_MS;
	int x0 = 0, y0 = 0, x1 = 0, y1 = 0, text = 0, differ = 0;
	bool ok = false;

	place(q, 0, 0);
	place(q, 1, WIN1_X);
	while (!ok && !q->exited && lg_now_ms() < end) {
		usleep(300 * 1000);
		ok = e2e_capture_output(client, &cap) && find_window(&cap, 0, WIN1_X, &x0, &y0) &&
		     find_window(&cap, WIN1_X, OUT_W, &x1, &y1) &&
		     same_console(&cap, x0, y0, x1, y1, w1, h1, min_text, &text, &differ);
	}
	testlog("window 0 image at %d,%d (%dx%d), window 1 at %d,%d (%dx%d): %d text "
		"pixels, %d differ\n", x0, y0, w0, h0, x1, y1, w1, h1, text, differ);
	if (!ok && cap.px)
		e2e_capture_save(&cap, "qemu-linux-input-heads");
	free(cap.px);
	LG_CHECK(q, ok);
}

/* The evdev node number, from "GUEST EVDEV <n> <name>", of a device named *what*. */
static int
evdev_node(struct lg_qemu *q, const char *what)
{
	char *text = lg_slurp(q->serial), *p = text;
	int n = -1;

	while ((p = strstr(p, "GUEST EVDEV "))) {
		int node;
		char name[128];

		if (sscanf(p, "GUEST EVDEV %d %127[^\n]", &node, name) == 2 &&
		    strstr(name, what))
			n = node;
		p += 12;
	}
	free(text);
	return n;
}

/* Sum of the values of guest events (type, code) on node, and their count. */
static int
ev_sum(struct lg_qemu *q, int node, int type, int code, int *count)
{
	char *text = lg_slurp(q->serial), *p = text;
	int sum = 0;

	*count = 0;
	while ((p = strstr(p, "GUEST EV "))) {
		int n, t, c, v;

		if (sscanf(p, "GUEST EV %d %d %d %d", &n, &t, &c, &v) == 4 && n == node &&
		    t == type && c == code) {
			sum += v;
			(*count)++;
		}
		p += 9;
	}
	free(text);
	return sum;
}

/* Waits until (type, code) events on node add up to `sum` over `count` events. */
static bool
wait_ev(struct lg_qemu *q, int node, int type, int code, int sum, int count)
{
	int64_t end = lg_now_ms() + STEP_MS / 2;
	int s = 0, c = 0;

	while (!q->exited && lg_now_ms() < end) {
		s = ev_sum(q, node, type, code, &c);
		if ((count < 0 || c >= count) && s == sum)
			return true;
		lg_poll_exit(q, 200);
	}
	testlog("guest event %d/%d: sum %d over %d, want %d over %d\n", type, code, s, c, sum,
		count);
	return false;
}

/* The guest's 64x64 quadrant cursor with its top left at (x, y), exactly. */
static bool
cursor_at(const struct e2e_capture *c, int x, int y)
{
	static const uint32_t colours[4] = { 0xffff0000u, 0xff00ff00u, 0xff0000ffu,
					     0xffffffffu };

	if (x < 1 || y < 1 || x + 65 > c->w || y + 65 > c->h)
		return false;
	for (int q = 0; q < 4; q++) {
		int qx = x + (q & 1) * 32, qy = y + (q >> 1) * 32;

		/* Each quadrant's corners and centre. */
		if (at(c, qx, qy) != colours[q] || at(c, qx + 31, qy + 31) != colours[q] ||
		    at(c, qx + 16, qy + 16) != colours[q])
			return false;
	}
	/* Nothing of it outside: the pixels just left of and above it differ. */
	return at(c, x - 1, y) != colours[0] && at(c, x, y - 1) != colours[0];
}

static bool
wait_cursor(struct lg_qemu *q, struct client *client, int x, int y)
{
	struct e2e_capture cap = { 0 };
	int64_t end = lg_now_ms() + STEP_MS / 2;
	bool ok = false;

	while (!ok && !q->exited && lg_now_ms() < end) {
		usleep(300 * 1000);
		ok = e2e_capture_output(client, &cap) && cursor_at(&cap, x, y);
	}
	if (!ok && cap.px) {
		testlog("the guest's cursor is not at %d,%d\n", x, y);
		e2e_capture_save(&cap, "qemu-linux-input-cursor");
	}
	free(cap.px);
	return ok;
}

static void
key(struct client *client, uint32_t k, bool down)
{
	weston_test_send_key(client->test->weston_test, 0, 0, 0, k,
			     down ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED);
	client_roundtrip(client);
}

static void
grab_hotkey(struct client *client)
{
	key(client, KEY_LEFTCTRL, true);
	key(client, KEY_LEFTALT, true);
	key(client, KEY_G, true);
	key(client, KEY_G, false);
	key(client, KEY_LEFTALT, false);
	key(client, KEY_LEFTCTRL, false);
}

static bool
wait_grab_title(struct lg_qemu *q, int want)
{
	int64_t end = lg_now_ms() + 10000;

	while (lg_now_ms() < end) {
		if (lg_ctl(q, E2E_GRAB_TITLE, 0) == want)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/*
 * Types `text` (a-z, 0-9, space, newline) through the seat, each key
 * waiting (up to 3 s) until the guest's keyboard node `kbd` has its press
 * and release: QEMU's PS/2 queue holds 16 bytes and drops what comes faster
 * than a guest slowed down under TCG reads it.
 */
static void
type_keys(struct lg_qemu *q, int kbd, struct client *client, const char *text)
{
	for (const char *p = text; *p; p++) {
		static const char letters[] = "qwertyuiopasdfghjklzxcvbnm";
		static const uint32_t codes[] = {
			KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O,
			KEY_P, KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K,
			KEY_L, KEY_Z, KEY_X, KEY_C, KEY_V, KEY_B, KEY_N, KEY_M,
		};
		uint32_t k;

		if (*p >= 'a' && *p <= 'z')
			k = codes[strchr(letters, *p) - letters];
		else if (*p == '0')
			k = KEY_0;
		else if (*p >= '1' && *p <= '9')
			k = KEY_1 + (uint32_t)(*p - '1');
		else if (*p == ' ')
			k = KEY_SPACE;
		else
			k = KEY_ENTER;
		int before = 0, seen = 0;

		ev_sum(q, kbd, EV_KEY, (int)k, &before);
		key(client, k, true);
		key(client, k, false);
		for (int64_t end = lg_now_ms() + 3000; lg_now_ms() < end; usleep(20 * 1000)) {
			ev_sum(q, kbd, EV_KEY, (int)k, &seen);
			if (seen >= before + 2)
				break;
		}
	}
}

TEST(linux_guest_two_heads_wheel_buttons_grab)
{
	struct client *client = create_client();
	struct weston_test *wt = client->test->weston_test;
	char *argv[] = {
		qemu_bin, "-nodefaults", "-no-user-config", "-machine", "q35",
		"-accel", "tcg", "-cpu", CPU, "-smp", "2", "-m", "1G",
		"-device", "virtio-vga,max_outputs=2", "-display", "wayland,decorations=off",
		"-serial", "@SERIAL@", "-monitor", "none", "-no-reboot",
		"-trace", "enable=wayland_pointer_abs", "-D", "@TRACE@",
		"-kernel", kernel, "-initrd", initrd,
		"-append", LG_KERNEL_ARGS " guest.frames=0 guest.drm=1 guest.evdev=1",
		NULL,
	};
	static const uint32_t buttons[] = { BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA };
	struct lg_qemu q;
	int w0, h0, w1, h1, node, n, abs_before, kbd;

	lg_start(&q, "qemu-linux-input", argv);
	LG_CHECK(&q, wait_toplevels(&q, 2));

	/* Item 5: both connectors connected, each window showing its output. */
	LG_CHECK(&q, wait_mode(&q, 1, "connected", &w0, &h0));
	LG_CHECK(&q, wait_mode(&q, 2, "connected", &w1, &h1));
	testlog("ok: the guest sees Virtual-1 %dx%d and Virtual-2 %dx%d connected\n", w0, h0,
		w1, h1);
	LG_CHECK(&q, lg_wait_count(&q, q.serial, "GUEST SHELL READY", 1, STEP_MS));
	kbd = evdev_node(&q, "keyboard");
	LG_CHECK(&q, kbd >= 0);
	check_two_heads(&q, client, w0, h0, w1, h1, 500);
	testlog("ok: two windows, each with the guest's console\n");

	/* Item 4: buttons and wheels, from the seat to the guest's evdev. */
	node = evdev_node(&q, "Mouse");
	LG_CHECK(&q, node >= 0);
	place(&q, 0, 0);
	weston_test_move_pointer(wt, 0, 0, 0, 200, 200);
	client_roundtrip(client);
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
		weston_test_send_button(wt, 0, 0, 0, buttons[i], WL_POINTER_BUTTON_STATE_PRESSED);
		client_roundtrip(client);
		LG_CHECK(&q, wait_ev(&q, node, EV_KEY, buttons[i], 1, 1));
		weston_test_send_button(wt, 0, 0, 0, buttons[i], WL_POINTER_BUTTON_STATE_RELEASED);
		client_roundtrip(client);
		LG_CHECK(&q, wait_ev(&q, node, EV_KEY, buttons[i], 1, 2));
	}
	testlog("ok: left, right, middle, side and extra pressed and released in the guest\n");
	/* Down (Wayland +) is a negative REL_WHEEL in Linux; right is a positive REL_HWHEEL. */
	weston_test_send_axis(wt, 0, 0, 0, WL_POINTER_AXIS_VERTICAL_SCROLL, wl_fixed_from_int(10));
	client_roundtrip(client);
	LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_WHEEL, -1, 1));
	weston_test_send_axis(wt, 0, 0, 0, WL_POINTER_AXIS_VERTICAL_SCROLL, wl_fixed_from_int(-20));
	client_roundtrip(client);
	LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_WHEEL, 1, 3));
	/* Half clicks (touchpads) add up to one. */
	weston_test_send_axis(wt, 0, 0, 0, WL_POINTER_AXIS_HORIZONTAL_SCROLL, wl_fixed_from_int(5));
	client_roundtrip(client);
	usleep(500 * 1000);
	ev_sum(&q, node, EV_REL, REL_HWHEEL, &n);
	LG_CHECK(&q, n == 0);
	weston_test_send_axis(wt, 0, 0, 0, WL_POINTER_AXIS_HORIZONTAL_SCROLL, wl_fixed_from_int(5));
	client_roundtrip(client);
	LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_HWHEEL, 1, 1));
	weston_test_send_axis(wt, 0, 0, 0, WL_POINTER_AXIS_HORIZONTAL_SCROLL, wl_fixed_from_int(-10));
	client_roundtrip(client);
	LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_HWHEEL, 0, 2));
	testlog("ok: wheel down, up x2, right (two halves), left in the guest\n");
	/*
	 * A real wheel's clicks (axis_discrete, from e2e-control), one event a
	 * detent as a wheel sends them: 3 down and 2 right at 15 units a click.
	 * Read as continuous units (10 a click) they would add up to 1, 2 and 1
	 * steps (4 and 3); the guest must see exactly one step per click.
	 */
	for (int i = 1; i <= 3; i++) {
		LG_CHECK(&q, lg_ctl(&q, E2E_WHEEL, 0 << 16 | 1) == 1);
		client_roundtrip(client);
		LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_WHEEL, 1 - i, -1));
	}
	for (int i = 1; i <= 2; i++) {
		LG_CHECK(&q, lg_ctl(&q, E2E_WHEEL, 1 << 16 | 1) == 1);
		client_roundtrip(client);
		LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_HWHEEL, i, -1));
	}
	usleep(500 * 1000);
	LG_CHECK(&q, ev_sum(&q, node, EV_REL, REL_WHEEL, &n) == -2);
	LG_CHECK(&q, ev_sum(&q, node, EV_REL, REL_HWHEEL, &n) == 2);
	testlog("ok: 3 wheel clicks down and 2 right (axis_discrete) are 3 and 2 guest steps\n");

	/*
	 * Item 8: the guest's hardware cursor (virtio-gpu's cursor queue): a
	 * 64x64 image, a colour per quadrant, hotspot (5, 9), is the pointer's
	 * image with its hotspot on the pointer (window 0's guest image is 1:1).
	 */
	type_keys(&q, kbd, client, "cursorset 20\n");
	LG_CHECK(&q, lg_wait_count(&q, q.serial, "CURSOR SET", 1, STEP_MS));
	LG_CHECK(&q, wait_cursor(&q, client, 200 - 5, 200 - 9));
	testlog("ok: the guest's cursor at the pointer, hotspot and orientation right\n");

	/* Item 3: the click above focused window 0; Ctrl+Alt+G locks the pointer. */
	ev_sum(&q, node, EV_REL, REL_X, &n);
	LG_CHECK(&q, n == 0);
	abs_before = lg_count(q.trace, "wayland_pointer_abs");
	LG_CHECK(&q, abs_before > 0);
	grab_hotkey(client);
	LG_CHECK(&q, wait_grab_title(&q, 1));
	abs_before = lg_count(q.trace, "wayland_pointer_abs");
	for (int i = 0; i < 3; i++) {
		/* Locked: Weston's pointer stays at 200,200, each move is +40,+30 again. */
		weston_test_move_pointer(wt, 0, 0, 0, 240, 230);
		client_roundtrip(client);
	}
	LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_X, 120, -1));
	LG_CHECK(&q, wait_ev(&q, node, EV_REL, REL_Y, 90, -1));
	LG_CHECK(&q, lg_count(q.trace, "wayland_pointer_abs") == abs_before);
	testlog("ok: grabbed (title), relative motion 120,90 in the guest, no absolute\n");
	grab_hotkey(client);
	LG_CHECK(&q, wait_grab_title(&q, 0));
	weston_test_move_pointer(wt, 0, 0, 0, 300, 300);
	client_roundtrip(client);
	usleep(1000 * 1000);
	LG_CHECK(&q, lg_count(q.trace, "wayland_pointer_abs") > abs_before);
	LG_CHECK(&q, ev_sum(&q, node, EV_REL, REL_X, &n) == 120);
	testlog("ok: released (title), absolute motion again, no more relative\n");

	/*
	 * Item 5: a resized window's size reaches the guest. QEMU passes it on
	 * after a second; Linux's virtio-gpu re-reads a connector's modes when
	 * something probes it, as a compositor does on the hotplug event: here
	 * 'drmset 2 detect' (sysfs) probes until the new size is there.
	 */
	LG_CHECK(&q, lg_ctl(&q, E2E_ACTIVATE, 0) == 1);
	LG_CHECK(&q, lg_ctl(&q, E2E_RESIZE, 1 << 28 | 804 << 14 | 604) == 1);
	{
		int64_t end = lg_now_ms() + STEP_MS;
		int w = 0, h = 0, probes = 0;

		while (!q.exited && lg_now_ms() < end &&
		       !(guest_mode(&q, 2, "connected", &w, &h) && w == 804 && h == 604)) {
			type_keys(&q, kbd, client, "drmset 2 detect\n");
			probes++;
			lg_wait_count(&q, q.serial, "GUEST DRMSET 2 detect", probes, STEP_MS / 4);
			lg_poll_exit(&q, 2000);
		}
		testlog("after resizing window 1 to 804x604 (%d probes): the guest's Virtual-2 "
			"prefers %dx%d\n", probes, w, h);
		/* decorations=off: the whole window is the guest's. */
		LG_CHECK(&q, w == 804 && h == 604);
	}

	/*
	 * The guest turns output 2 off (a DRM client disables its CRTC) and, 15 s
	 * later, on again (fbcon takes the device back): its window goes and
	 * comes back.
	 */
	/* cursor-set holds the DRM device (master) until it ends. */
	LG_CHECK(&q, lg_wait_count(&q, q.serial, "CURSOR DONE", 1, STEP_MS));
	type_keys(&q, kbd, client, "crtcoff 2 15\n");
	LG_CHECK(&q, lg_wait_count(&q, q.serial, "CRTC OFF 2", 1, STEP_MS));
	LG_CHECK(&q, wait_toplevels(&q, 1));
	testlog("ok: output 2 off, its window unmapped\n");
	LG_CHECK(&q, lg_wait_count(&q, q.serial, "CRTC BACK 2", 1, STEP_MS));
	LG_CHECK(&q, wait_toplevels(&q, 2));
	LG_CHECK(&q, wait_mode(&q, 2, "connected", &w1, &h1));
	/*
	 * Text at the top, whatever the console showed before. In two CI runs
	 * this line never ran, three tries each, while it runs here every time;
	 * the guest's evdev log drops events even in passing runs, so it cannot
	 * say where the keys went. Keys go at the guest's pace (type_keys), the
	 * line is typed again, after an Enter, when it did not arrive, and a
	 * failure keeps a capture of both windows.
	 */
	bool marked = false;
	for (int i = 0; i < 3 && !marked; i++) {
		type_keys(&q, kbd, client, i ? "\nclear\nmark abcdefghijklmnopqrstuvwxyz\n"
					      : "clear\nmark abcdefghijklmnopqrstuvwxyz\n");
		marked = lg_wait_count(&q, q.serial, "GUEST MARK abcdefghijklmnopqrstuvwxyz", 1,
				       STEP_MS / 3);
		if (!marked)
			testlog("the typed line did not arrive (try %d of 3)\n", i + 1);
	}
	if (!marked) {
		struct e2e_capture cap = { 0 };

		if (e2e_capture_output(client, &cap))
			e2e_capture_save(&cap, "qemu-linux-input-no-mark");
		free(cap.px);
	}
	LG_CHECK(&q, marked);
	check_two_heads(&q, client, w0, h0, w1, h1, 500);
	testlog("ok: output 2 on again, its window mapped with the console\n");

	lg_kill(&q);
	client_destroy(client);
}
