/* SPDX-License-Identifier: MIT */
/*
 * The display core on Weston's harness (pixman and GL): the 2D path shows
 * the guest's exact pixels, the cursor appears, injected input arrives as
 * evdev codes and guest coordinates, and pacing holds and releases the guest.
 */
#include "config.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"

#include "core.h"
#include "fourcc.h"
#include "producer.h"
#include "shot-compare.h"

#define OUT_W 320
#define OUT_H 240
#define GUEST_W 200
#define GUEST_H 150
#define BORDER 2
#define FRAME_ARGB 0xff303030u
#define BACKGROUND 0xff29527au

VMP_FIXTURE_PIXMAN_AND_GL(OUT_W, OUT_H);

struct expect {
	uint32_t seed, alt_seed;
	struct vmpd_rect alt;   /* area showing alt_seed */
	int cur_x, cur_y, cur_w, cur_h;
	uint32_t cur_argb;
};

static uint32_t expected(int x, int y, void *data)
{
	const struct expect *e = data;
	if (e->cur_w && x >= e->cur_x && x < e->cur_x + e->cur_w && y >= e->cur_y &&
			y < e->cur_y + e->cur_h)
		return e->cur_argb;
	if (x >= GUEST_W + 2 * BORDER || y >= GUEST_H + 2 * BORDER)
		return BACKGROUND;
	int gx = x - BORDER, gy = y - BORDER;
	if (gx < 0 || gy < 0 || gx >= GUEST_W || gy >= GUEST_H)
		return FRAME_ARGB;
	uint32_t seed = e->seed;
	if ((uint32_t)gx >= e->alt.x && (uint32_t)gx < e->alt.x + e->alt.width &&
			(uint32_t)gy >= e->alt.y && (uint32_t)gy < e->alt.y + e->alt.height)
		seed = e->alt_seed;
	return producer_pattern((uint32_t)gx, (uint32_t)gy, seed);
}

static void check_screen(struct client *client, const struct expect *e, const char *what)
{
	struct buffer *shot = capture_screenshot_of_output(client);
	struct shot_report report;
	bool ok = shot_matches(shot->image, expected, (void *)e, 0, BACKGROUND, 1,
		&report);
	shot_report_print(what, &report);
	if (!ok) {
		char name[128];
		snprintf(name, sizeof(name), "qemu-ui-wayland-%s-failed.png", what);
		write_image_as_png(shot->image, name);
	}
	assert(ok);
	buffer_destroy(shot);
}

/* Pumps the core until the frame has been taken and the guest let go. */
static void present(struct producer *p, const struct vmpd_rect *damage)
{
	int before = p->releases;
	assert(vmpd_head_update(p->head, damage, -1) == VMPD_OK);
	/* Never released inside the call: only a compositor event may do it. */
	assert(p->blocked);
	assert(producer_wait(p, producer_released, 2000));
	assert(p->releases == before + 1);
}

static struct client *start(struct producer *p, uint32_t win_w, uint32_t win_h,
	uint32_t watchdog_ms)
{
	struct client *client = create_client();
	assert(client);
	assert(producer_init(p, client->wl_display, NULL, GUEST_W, GUEST_H, watchdog_ms, win_w,
		win_h));
	return client;
}

TEST(shm_path_shows_exact_guest_pixels)
{
	struct producer p;
	struct client *client = start(&p, 0, 0, 500);
	struct vmpd_stats st;

	producer_fill(&p, 1);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	present(&p, NULL);
	struct expect e = { .seed = 1 };
	check_screen(client, &e, "full");

	/* Only a damaged rectangle changes; everything else must stay. */
	struct vmpd_rect r = { 37, 21, 50, 40 };
	for (uint32_t y = r.y; y < r.y + r.height; y++)
		for (uint32_t x = r.x; x < r.x + r.width; x++)
			p.pixels[y * GUEST_W + x] = producer_pattern(x, y, 9);
	present(&p, &r);
	e.alt = r;
	e.alt_seed = 9;
	check_screen(client, &e, "damage");

	vmpd_head_get_stats(p.head, &st);
	assert(st.frames_submitted == 2);
	assert(st.watchdog_releases == 0);
	assert(st.copies == 2);
	producer_fini(&p);
	client_destroy(client);
}

TEST(cursor_appears_at_pointer)
{
	struct producer p;
	struct client *client = start(&p, 0, 0, 500);
	uint32_t img[16 * 16];
	const uint32_t argb = 0xffd02060u;

	producer_fill(&p, 2);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	present(&p, NULL);
	for (int i = 0; i < 16 * 16; i++)
		img[i] = argb;
	assert(vmpd_head_set_cursor(p.head, img, 16, 16, 4, 5) == VMPD_OK);
	weston_test_move_pointer(client->test->weston_test, 0, 1, 0, 60, 70);
	client_roundtrip(client);
	for (int i = 0; i < 20; i++)
		producer_pump(&p, 5);
	client_roundtrip(client);

	struct expect e = { .seed = 2, .cur_x = 60 - 4, .cur_y = 70 - 5, .cur_w = 16,
		.cur_h = 16, .cur_argb = argb };
	check_screen(client, &e, "cursor");
	producer_fini(&p);
	client_destroy(client);
}

static bool got_two_keys(struct producer *p)
{
	return p->n_keys >= 2;
}

static bool got_abs_31_17(struct producer *p)
{
	return p->n_abs > 0 && p->abs_x == 31 && p->abs_y == 17;
}

static bool got_button(struct producer *p)
{
	return p->n_buttons > 0;
}

static bool got_shift(struct producer *p)
{
	return p->modifiers & VMPD_MODIFIER_SHIFT;
}

TEST(input_arrives_as_evdev_and_guest_coordinates)
{
	struct producer p;
	/* The window is twice the guest: pointer positions must be scaled back. */
	struct client *client = start(&p, 2 * GUEST_W + 2 * BORDER, 2 * GUEST_H + 2 * BORDER, 500);
	struct weston_test *wt = client->test->weston_test;

	producer_fill(&p, 3);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	present(&p, NULL);
	assert(p.head->dst_w == 2 * GUEST_W && p.head->dst_h == 2 * GUEST_H);

	weston_test_activate_surface(wt, p.head->surface);
	weston_test_send_key(wt, 0, 1, 0, KEY_A, WL_KEYBOARD_KEY_STATE_PRESSED);
	weston_test_send_key(wt, 0, 1, 0, KEY_A, WL_KEYBOARD_KEY_STATE_RELEASED);
	client_roundtrip(client);
	assert(producer_wait(&p, got_two_keys, 2000));
	assert(p.keys[0].code == KEY_A && p.keys[0].pressed);
	assert(p.keys[1].code == KEY_A && !p.keys[1].pressed);

	weston_test_send_key(wt, 0, 1, 0, KEY_LEFTSHIFT, WL_KEYBOARD_KEY_STATE_PRESSED);
	client_roundtrip(client);
	assert(producer_wait(&p, got_shift, 2000));
	weston_test_send_key(wt, 0, 1, 0, KEY_LEFTSHIFT, WL_KEYBOARD_KEY_STATE_RELEASED);

	/* Screen (2 + 2*31 + 1, 2 + 2*17 + 1) is guest pixel (31, 17). */
	weston_test_move_pointer(wt, 0, 1, 0, BORDER + 2 * 31 + 1, BORDER + 2 * 17 + 1);
	client_roundtrip(client);
	producer_wait(&p, got_abs_31_17, 2000);
	testlog("pointer: guest %u,%u of %ux%u\n", p.abs_x, p.abs_y, p.abs_w, p.abs_h);
	assert(p.abs_x == 31 && p.abs_y == 17);
	assert(p.abs_w == GUEST_W && p.abs_h == GUEST_H);

	weston_test_send_button(wt, 0, 1, 0, BTN_LEFT, WL_POINTER_BUTTON_STATE_PRESSED);
	client_roundtrip(client);
	assert(producer_wait(&p, got_button, 2000));
	assert(p.last_button == BTN_LEFT && p.last_button_pressed);
	weston_test_send_button(wt, 0, 1, 0, BTN_LEFT, WL_POINTER_BUTTON_STATE_RELEASED);
	client_roundtrip(client);

	/* Ctrl+Alt+G is ours: the guest sees Ctrl and Alt but never the G. */
	p.n_keys = 0;
	weston_test_send_key(wt, 0, 1, 0, KEY_LEFTCTRL, WL_KEYBOARD_KEY_STATE_PRESSED);
	weston_test_send_key(wt, 0, 1, 0, KEY_LEFTALT, WL_KEYBOARD_KEY_STATE_PRESSED);
	client_roundtrip(client);
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 2);
	assert(p.modifiers & VMPD_MODIFIER_CTRL);
	assert(p.modifiers & VMPD_MODIFIER_ALT);
	weston_test_send_key(wt, 0, 1, 0, KEY_G, WL_KEYBOARD_KEY_STATE_PRESSED);
	weston_test_send_key(wt, 0, 1, 0, KEY_G, WL_KEYBOARD_KEY_STATE_RELEASED);
	weston_test_send_key(wt, 0, 1, 0, KEY_LEFTALT, WL_KEYBOARD_KEY_STATE_RELEASED);
	weston_test_send_key(wt, 0, 1, 0, KEY_LEFTCTRL, WL_KEYBOARD_KEY_STATE_RELEASED);
	client_roundtrip(client);
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 2);
	assert(p.n_keys == 4);
	for (int i = 0; i < p.n_keys; i++)
		assert(p.keys[i].code != KEY_G);
	/* The lock was requested (the test shell never activates it: no click-to-activate). */
	assert(p.head->locked != NULL);
	assert(vmpd_head_set_grab(p.head, false));
	assert(p.head->locked == NULL && !vmpd_head_grabbed(p.head));
	producer_fini(&p);
	client_destroy(client);
}

TEST(pacing_holds_until_the_compositor_has_the_frame)
{
	struct producer p;
	struct client *client = start(&p, 0, 0, 500);
	struct vmpd_stats st;

	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	for (uint32_t i = 0; i < 6; i++) {
		producer_fill(&p, 10 + i);
		present(&p, NULL);
	}
	vmpd_head_get_stats(p.head, &st);
	assert(st.watchdog_releases == 0);
	assert(p.blocks == 6 && p.releases == 6);
	struct expect e = { .seed = 15 };
	check_screen(client, &e, "paced");
	producer_fini(&p);
	client_destroy(client);
}

TEST(pacing_watchdog_releases_a_hidden_window)
{
	struct producer p;
	const uint32_t watchdog_ms = 60;
	struct client *client = start(&p, 0, 0, watchdog_ms);
	struct vmpd_stats st;

	producer_fill(&p, 4);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	present(&p, NULL);

	/* Pointer off the window first, so no focus events name the unmapped surface. */
	weston_test_move_pointer(client->test->weston_test, 0, 1, 0, OUT_W - 5, OUT_H - 5);
	client_roundtrip(client);
	producer_pump(&p, 20);
	/* Unmapping the window hides it: no frame events come back any more. */
	wl_surface_attach(p.head->surface, NULL, 0, 0);
	wl_surface_commit(p.head->surface);
	client_roundtrip(client);
	producer_pump(&p, 20);
	vmpd_head_get_stats(p.head, &st);
	uint64_t before = st.watchdog_releases;

	for (int i = 0; i < 3; i++) {
		present(&p, NULL);
		testlog("hidden frame %d: held %.1f ms\n", i, p.last_block_ns / 1e6);
		assert(p.last_block_ns >= (uint64_t)watchdog_ms * 1000000u * 9 / 10);
		assert(p.last_block_ns < (uint64_t)watchdog_ms * 1000000u * 3);
	}
	vmpd_head_get_stats(p.head, &st);
	assert(st.watchdog_releases == before + 3);
	producer_fini(&p);
	/* The harness's own queue may still hold events naming our surfaces. */
	client_roundtrip(client);
	client_destroy(client);
}

static uint32_t only_background(int x, int y, void *data)
{
	return BACKGROUND;
}

/* A guest output turned off unmaps the window; turned on, the same frame comes back. */
TEST(unmapped_head_leaves_the_screen_and_comes_back)
{
	struct producer p;
	struct client *client = start(&p, 0, 0, 500);
	struct shot_report report;
	struct buffer *shot;

	producer_fill(&p, 4);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	present(&p, NULL);
	assert(vmpd_head_mapped(p.head));

	vmpd_head_set_mapped(p.head, false);
	assert(!vmpd_head_mapped(p.head));
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 5);
	client_roundtrip(client);
	shot = capture_screenshot_of_output(client);
	bool gone = shot_matches(shot->image, only_background, NULL, 0, BACKGROUND, 1, &report);
	shot_report_print("unmapped", &report);
	buffer_destroy(shot);
	assert(gone);

	vmpd_head_set_mapped(p.head, true);
	assert(vmpd_head_mapped(p.head));
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 5);
	present(&p, NULL);
	struct expect e = { .seed = 4 };
	check_screen(client, &e, "mapped-again");
	producer_fini(&p);
	client_destroy(client);
}

/* A cursor image that shows its orientation: a colour per quadrant. */
#define CUR_W 16
#define CUR_H 8
#define CUR_HOT_X 3
#define CUR_HOT_Y 6
#define CUR_AT_X 60
#define CUR_AT_Y 70

static uint32_t cursor_quadrant(int x, int y)
{
	static const uint32_t colours[4] = { 0xffff0000u, 0xff00ff00u, 0xff0000ffu, 0xffffffffu };
	return colours[(y >= CUR_H / 2) * 2 + (x >= CUR_W / 2)];
}

static uint32_t expected_with_cursor(int x, int y, void *data)
{
	int cx = x - (CUR_AT_X - CUR_HOT_X), cy = y - (CUR_AT_Y - CUR_HOT_Y);
	if (cx >= 0 && cy >= 0 && cx < CUR_W && cy < CUR_H)
		return cursor_quadrant(cx, cy);
	return expected(x, y, data);
}

/* The guest's cursor image is neither flipped nor mirrored, and its hotspot is at the pointer. */
TEST(cursor_orientation_and_hotspot)
{
	struct producer p;
	struct client *client = start(&p, 0, 0, 500);
	uint32_t img[CUR_W * CUR_H];
	struct shot_report report;

	producer_fill(&p, 5);
	assert(vmpd_head_set_surface(p.head, GUEST_W, GUEST_H, GUEST_W * 4,
		VMPD_FOURCC_XRGB8888, p.pixels) == VMPD_OK);
	present(&p, NULL);
	for (int y = 0; y < CUR_H; y++)
		for (int x = 0; x < CUR_W; x++)
			img[y * CUR_W + x] = cursor_quadrant(x, y);
	assert(vmpd_head_set_cursor(p.head, img, CUR_W, CUR_H, CUR_HOT_X, CUR_HOT_Y) == VMPD_OK);
	weston_test_move_pointer(client->test->weston_test, 0, 1, 0, CUR_AT_X, CUR_AT_Y);
	client_roundtrip(client);
	for (int i = 0; i < 20; i++)
		producer_pump(&p, 5);
	client_roundtrip(client);

	struct expect e = { .seed = 5 };
	struct buffer *shot = capture_screenshot_of_output(client);
	bool ok = shot_matches(shot->image, expected_with_cursor, &e, 0, BACKGROUND, 1, &report);
	shot_report_print("cursor-orientation", &report);
	if (!ok)
		write_image_as_png(shot->image, "qemu-ui-wayland-cursor-orientation-failed.png");
	buffer_destroy(shot);
	assert(ok);
	producer_fini(&p);
	client_destroy(client);
}
