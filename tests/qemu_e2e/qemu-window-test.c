/* SPDX-License-Identifier: MIT */
/*
 * The patched QEMU's window as a desktop user meets it: Weston 10's real
 * desktop shell (headless, our renderer), QEMU booting our test guest with
 * -display wayland, and the title bar libdecor draws because Weston 10 has
 * no server-side decorations. The title bar is looked at by pixels, dragged
 * with the harness's pointer, and its close button clicked; decorations=off
 * shows none. Skips (77) when no patched QEMU is built.
 */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"
#include "weston-test-runner.h"

#include "e2e-capture.h"
#include "e2e-control.h"
#include "e2e-pattern.h"
#include "linux-guest-util.h"
#include "pattern.h"
#include "vmplane/clock.h"

#define OUT_W 1024
#define OUT_H 768
#define BOOT_TIMEOUT_MS 60000
#define STEP_TIMEOUT_MS 20000
/* The guest's mode 13h, every pixel doubled by QEMU's VGA: the window's content. */
#define CONTENT_W (2 * PAT_WIDTH)
#define CONTENT_H (2 * PAT_HEIGHT)
/* Where the test puts the window (the shell places it at random). */
#define PLACE_X 200
#define PLACE_Y 150
/* libdecor's title bar is this tall or more; the band looked at. */
#define TITLE_MIN 16
/*
 * desktop-shell's panel along the output's top, drawn above every window:
 * the shell may place a window with no title bar partly under it.
 */
#define PANEL_H 32

struct fixture {
	struct fixture_metadata meta;
	const char *display_opts;
	bool decorated;
	bool close_quits;
};

static const struct fixture fixtures[] = {
	{ .meta.name = "decorated", .display_opts = "", .decorated = true,
	  .close_quits = true },
	{ .meta.name = "window-close-off", .display_opts = ",window-close=off",
	  .decorated = true, .close_quits = false },
	{ .meta.name = "decorations-off", .display_opts = ",decorations=off",
	  .decorated = false },
};

static char qemu_bin[4096];

static enum test_result_code
fixture_setup(struct weston_test_harness *harness, const struct fixture *f)
{
	struct compositor_setup setup;

	if (!e2e_pattern_find(qemu_bin, sizeof(qemu_bin)))
		return RESULT_SKIP;
	VMP_SETUP_HEADLESS(&setup, RENDERER_GL, OUT_W, OUT_H);
	setup.shell = SHELL_DESKTOP;
	setup.logging_scopes = "log,test-harness-plugin";
	setup.extra_module = getenv("VMPLANE_E2E_CONTROL");
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP_WITH_ARG(fixture_setup, fixtures, meta);

static void
qemu_start(struct lg_qemu *q, const struct fixture *f)
{
	char *display, *drive, *name;

	assert(asprintf(&display, "wayland%s", f->display_opts) > 0);
	assert(asprintf(&drive, "file=%s,format=raw,if=ide,snapshot=on",
			getenv("VMPLANE_GUEST_IMG")) > 0);
	assert(asprintf(&name, "qemu-window-%s", f->meta.name) > 0);
	/* No -L: the build finds Debian's firmware by itself. */
	char *argv[] = {
		qemu_bin, "-nodefaults", "-no-user-config", "-machine", "pc",
		"-accel", "tcg", "-m", "32", "-device", "virtio-vga",
		"-drive", drive, "-display", display,
		"-trace", "wayland_decorations", "-trace", "wayland_close", NULL,
	};

	lg_start(q, name, argv);
	testlog("-display %s\n", display);
	free(display);
	free(drive);
	free(name);
}

static bool
log_contains(const struct lg_qemu *q, const char *needle)
{
	return lg_count(q->log, needle) > 0;
}

/* Fails the test, QEMU killed first so that nothing outlives it. */
#define CHECK(q, cond) LG_CHECK(q, cond)

static uint32_t
px(const struct e2e_capture *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return 0;
	return c->px[y * c->w + x] | 0xff000000u;
}

static void
save_capture(const struct e2e_capture *c, const char *what)
{
	e2e_capture_save(c, "qemu-window-%s-%s.png",
			 fixtures[get_test_fixture_index()].meta.name, what);
}

/* Pixels of the guest's screen (every one, 1:1) that differ at content origin (ox, oy). */
static int
pattern_mismatches(const struct e2e_capture *c, int ox, int oy)
{
	int bad = 0;

	for (int y = 0; y < CONTENT_H; y++) {
		if (oy + y < PANEL_H)
			continue;
		for (int x = 0; x < CONTENT_W; x++)
			if (px(c, ox + x, oy + y) != e2e_pattern_pixel(x / 2, y / 2, -1))
				bad++;
	}
	return bad;
}

struct where {
	int x, y; /* the content's (main surface's) top left on the output */
};

static struct where
window_pos(struct lg_qemu *q)
{
	struct where w = { lg_ctl(q, E2E_VIEW_X, 0), lg_ctl(q, E2E_VIEW_Y, 0) };

	return w;
}

/* Polls until the guest's pattern shows, 1:1, where the compositor says the window is. */
static bool
wait_for_pattern(struct lg_qemu *q, struct client *client, struct e2e_capture *c,
		 int timeout_ms, const char *what, struct where *at)
{
	int64_t end = lg_now_ms() + timeout_ms;
	int bad = -1;

	while (!q->exited && lg_now_ms() < end) {
		*at = window_pos(q);
		if (at->x != E2E_NONE && e2e_capture_output(client, c)) {
			bad = pattern_mismatches(c, at->x, at->y);
			if (bad == 0)
				return true;
		}
		usleep(100 * 1000);
	}
	testlog("%s: the pattern at (%d,%d) has %d wrong pixels\n", what, at->x, at->y, bad);
	if (c->px)
		save_capture(c, what);
	return false;
}

/*
 * The band of rows right above the content: how many of its pixels show
 * the desktop's background (sampled well left of the window, beyond any
 * shadow) and how many show its most frequent other colour.
 */
struct band {
	uint32_t background, title;
	int background_px, title_px, total;
};

static struct band
title_band(const struct e2e_capture *c, struct where at)
{
	struct band b = { .background = px(c, at.x - 80, at.y - TITLE_MIN / 2) };
	uint32_t seen[8] = { 0 };
	int counts[8] = { 0 }, n = 0;

	for (int y = at.y - TITLE_MIN; y < at.y; y++) {
		for (int x = at.x; x < at.x + CONTENT_W; x++) {
			uint32_t p = px(c, x, y);
			int i;

			b.total++;
			if (p == b.background) {
				b.background_px++;
				continue;
			}
			for (i = 0; i < n && seen[i] != p; i++)
				;
			if (i == n && n < 8)
				seen[n++] = p;
			if (i < n)
				counts[i]++;
		}
	}
	for (int i = 0; i < n; i++) {
		if (counts[i] > b.title_px) {
			b.title_px = counts[i];
			b.title = seen[i];
		}
	}
	return b;
}

/*
 * Real event times: libdecor takes two title bar presses less than a
 * double-click time apart for a double click (maximise), so time 0 for
 * every event would never start a move.
 */
static void
event_time(uint32_t *hi, uint32_t *lo, uint32_t *nsec)
{
	uint64_t ns = vmplane_now_ns();
	uint64_t sec = ns / 1000000000u;

	*hi = (uint32_t)(sec >> 32);
	*lo = (uint32_t)sec;
	*nsec = (uint32_t)(ns % 1000000000u);
}

static void
pointer_to(struct client *client, int x, int y)
{
	uint32_t hi, lo, nsec;

	event_time(&hi, &lo, &nsec);
	weston_test_move_pointer(client->test->weston_test, hi, lo, nsec, x, y);
	client_roundtrip(client);
}

static void
button(struct client *client, bool pressed)
{
	uint32_t hi, lo, nsec;

	event_time(&hi, &lo, &nsec);
	weston_test_send_button(client->test->weston_test, hi, lo, nsec, BTN_LEFT,
				pressed ? WL_POINTER_BUTTON_STATE_PRESSED
					: WL_POINTER_BUTTON_STATE_RELEASED);
	client_roundtrip(client);
}

/* Over the panel, where no window goes: its image must not cover guest pixels. */
static void
park_pointer(struct client *client)
{
	pointer_to(client, 0, 0);
}

/* Boots the guest and puts its window at (PLACE_X, PLACE_Y), pattern checked there. */
static struct where
boot_and_place(struct lg_qemu *q, struct client *client, struct e2e_capture *cap)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	struct where at;

	park_pointer(client);
	qemu_start(q, f);
	CHECK(q, wait_for_pattern(q, client, cap, BOOT_TIMEOUT_MS, "boot", &at));
	testlog("guest pattern on screen where the shell put it, (%d,%d)\n", at.x, at.y);
	CHECK(q, lg_ctl(q, E2E_PLACE_MAIN, PLACE_X << 16 | PLACE_Y) == 1);
	CHECK(q, wait_for_pattern(q, client, cap, STEP_TIMEOUT_MS, "placed", &at));
	CHECK(q, at.x == PLACE_X && at.y == PLACE_Y);
	return at;
}

/* The frame libdecor draws: geometry above the content, and pixels there. */
static int
check_decorations(struct lg_qemu *q, const struct e2e_capture *cap, struct where at, bool decorated)
{
	int gy = lg_ctl(q, E2E_GEOMETRY, 1), gw = lg_ctl(q, E2E_GEOMETRY, 2),
	    gh = lg_ctl(q, E2E_GEOMETRY, 3);
	struct band b = title_band(cap, at);

	testlog("window geometry y %d, %dx%d; band above the content: %d of %d pixels "
		"background %08x, %d title colour %08x\n", gy, gw, gh, b.background_px,
		b.total, b.background, b.title_px, b.title);
	if (!decorated) {
		/* Exactly the content; the pixels above it: desktop_above_unchanged(). */
		CHECK(q, gy == 0 && gw == CONTENT_W && gh == CONTENT_H);
		CHECK(q, b.title_px * 2 < b.total);
		return 0;
	}
	/* The title bar sits above the content, inside the window geometry... */
	CHECK(q, gy <= -TITLE_MIN && gh >= CONTENT_H + TITLE_MIN && gw >= CONTENT_W);
	/* ...and covers the band: no desktop shows through, one colour dominates. */
	CHECK(q, b.background_px == 0);
	CHECK(q, b.title_px * 2 > b.total);
	CHECK(q, b.title != e2e_pattern_pixel(0, 0, -1) &&
		 b.title != e2e_pattern_pixel(PAT_WIDTH - 1, 0, -1));
	return -gy;
}

/*
 * decorations=off: the rows above the content show the same desktop
 * whether the window is there or 200 pixels lower (the desktop's
 * background is a pattern, so it is compared with itself).
 */
static void
desktop_above_unchanged(struct lg_qemu *q, struct client *client, struct e2e_capture *with)
{
	struct e2e_capture without = { 0 };
	struct where at;
	int differ = 0;

	CHECK(q, lg_ctl(q, E2E_PLACE_MAIN, PLACE_X << 16 | (PLACE_Y + 200)) == 1);
	CHECK(q, wait_for_pattern(q, client, &without, STEP_TIMEOUT_MS, "moved down", &at));
	for (int y = PLACE_Y - TITLE_MIN; y < PLACE_Y; y++)
		for (int x = PLACE_X; x < PLACE_X + CONTENT_W; x++)
			differ += px(with, x, y) != px(&without, x, y);
	testlog("rows above the undecorated window: %d pixels differ from the bare desktop\n",
		differ);
	CHECK(q, differ == 0);
	free(without.px);
}

TEST(title_bar_drag_and_close)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	struct client *client = create_client();
	struct e2e_capture cap = { 0 };
	struct where at, moved;
	struct lg_qemu q;
	int title_h, tx, ty;

	boot_and_place(&q, client, &cap);
	at = (struct where){ PLACE_X, PLACE_Y };
	CHECK(&q, e2e_capture_output(client, &cap));
	save_capture(&cap, "placed");
	title_h = check_decorations(&q, &cap, at, f->decorated);
	CHECK(&q, log_contains(&q, f->decorated ? "drawn by: libdecor" : "drawn by: nobody"));
	if (!f->decorated) {
		desktop_above_unchanged(&q, client, &cap);
		lg_kill(&q);
		free(cap.px);
		client_destroy(client);
		return;
	}

	/* Drag the title bar by (+150, +100): the shell's move grab follows. */
	tx = at.x + CONTENT_W / 3;
	ty = at.y - title_h / 2;
	pointer_to(client, tx, ty);
	button(client, true);
	{
		int64_t end = lg_now_ms() + STEP_TIMEOUT_MS;

		while (lg_ctl(&q, E2E_MOVING, 0) != 1 && lg_now_ms() < end)
			usleep(20 * 1000);
	}
	CHECK(&q, lg_ctl(&q, E2E_MOVING, 0) == 1);
	for (int i = 1; i <= 10; i++)
		pointer_to(client, tx + 15 * i, ty + 10 * i);
	button(client, false);
	CHECK(&q, lg_ctl(&q, E2E_MOVING, 0) == 0);
	park_pointer(client);
	CHECK(&q, wait_for_pattern(&q, client, &cap, STEP_TIMEOUT_MS, "dragged", &moved));
	testlog("dragged: content from (%d,%d) to (%d,%d)\n", at.x, at.y, moved.x, moved.y);
	CHECK(&q, moved.x == at.x + 150 && moved.y == at.y + 100);
	save_capture(&cap, "dragged");

	/* The close button: libdecor's rightmost, at the title bar's right end. */
	pointer_to(client, moved.x + CONTENT_W - title_h / 2, moved.y - title_h / 2);
	button(client, true);
	button(client, false);
	park_pointer(client);
	if (f->close_quits) {
		CHECK(&q, lg_wait_exit(&q, STEP_TIMEOUT_MS));
		testlog("QEMU exited with status %#x\n", q.status);
		CHECK(&q, WIFEXITED(q.status) && WEXITSTATUS(q.status) == 0);
		CHECK(&q, log_contains(&q, "wayland_close"));
	} else {
		/* window-close=off: the click arrives, and QEMU keeps running. */
		int64_t end = lg_now_ms() + STEP_TIMEOUT_MS;

		while (!log_contains(&q, "wayland_close") && lg_now_ms() < end)
			usleep(50 * 1000);
		CHECK(&q, log_contains(&q, "wayland_close"));
		CHECK(&q, !lg_wait_exit(&q, 3000));
		CHECK(&q, wait_for_pattern(&q, client, &cap, STEP_TIMEOUT_MS, "still running",
					   &moved));
		testlog("close clicked, QEMU still running and showing the guest\n");
		lg_kill(&q);
	}
	free(cap.px);
	client_destroy(client);
}

/* The title band check must tell a title bar from the bare desktop. */
TEST(band_check_tells_title_from_desktop)
{
	struct e2e_capture c = { .w = 800, .h = 600 };
	struct where at = { 100, 100 };
	struct band b;

	c.px = malloc((size_t)c.w * c.h * 4);
	for (int i = 0; i < c.w * c.h; i++)
		c.px[i] = 0xff002244u;
	b = title_band(&c, at);
	assert(b.background_px == b.total && b.title_px == 0);
	for (int y = at.y - 24; y < at.y; y++)
		for (int x = at.x - 4; x < at.x + CONTENT_W + 4; x++)
			c.px[y * c.w + x] = 0xff303030u;
	b = title_band(&c, at);
	assert(b.background_px == 0 && b.title_px == b.total && b.title == 0xff303030u);
	free(c.px);
}
