/* SPDX-License-Identifier: MIT */
/*
 * The patched QEMU with -display wayland on headless Weston (pixman),
 * booting our test guest (tests/guest) on -device virtio-vga.
 *
 * A client test: screenshots and keys go through the harness's
 * weston_test and screenshooter protocols; focusing and closing the QEMU
 * toplevel and reaping QEMU go through e2e-control.so, which runs in the
 * compositor. Skips (77) when no patched QEMU is built.
 */
#include "config.h"

#include <linux/input-event-codes.h>
#include <signal.h>
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

#define BOOT_TIMEOUT_MS 60000
#define STEP_TIMEOUT_MS 20000

struct fixture {
	struct fixture_metadata meta;
	enum shell_type shell;
	int width, height;
	const char *display_opts;
	int scale;     /* output pixels per guest pixel */
	bool filtered; /* the compositor scales, so colour edges blend */
	const char *device;
	bool gl;       /* gl=on: resets are injected into QEMU's contexts */
	int output_scale; /* Weston's --scale (0: 1); width and height are output pixels */
};

/* QEMU's VGA shows mode 13h as a 640x400 surface, every pixel doubled. */
static const struct fixture fixtures[] = {
	/*
	 * decorations=off: the window is the guest's screen alone (libdecor's
	 * title bar is qemu-window-test.c's business), filling the output.
	 */
	{ .meta.name = "window", .shell = SHELL_TEST_DESKTOP,
	  .width = 2 * PAT_WIDTH, .height = 2 * PAT_HEIGHT,
	  .display_opts = ",decorations=off", .scale = 2, .filtered = false,
	  .device = "virtio-vga" },
	{ .meta.name = "fullscreen", .shell = SHELL_DESKTOP,
	  .width = 4 * PAT_WIDTH, .height = 4 * PAT_HEIGHT,
	  .display_opts = ",fullscreen=on", .scale = 4, .filtered = true, .device = "virtio-vga" },
	/* OpenGL on (virglrenderer's device) with a debug switch for resets. */
	{ .meta.name = "gl", .shell = SHELL_TEST_DESKTOP,
	  .width = 2 * PAT_WIDTH, .height = 2 * PAT_HEIGHT,
	  .display_opts = ",gl=on,decorations=off", .scale = 2, .filtered = false,
	  .device = "virtio-vga-gl", .gl = true },
	/*
	 * HiDPI (issue 16, item 2): on a scale-2 output the 640x400 guest
	 * surface is 320x200 surface units, each guest pixel one output pixel.
	 */
	{ .meta.name = "hidpi", .shell = SHELL_TEST_DESKTOP,
	  .width = 2 * PAT_WIDTH, .height = 2 * PAT_HEIGHT,
	  .display_opts = ",decorations=off", .scale = 2, .filtered = false, .device = "virtio-vga",
	  .output_scale = 2 },
};

/* Found once: scripts/build-qemu's cache key moves whenever the sources do. */
static char qemu_bin[4096];

static enum test_result_code
fixture_setup(struct weston_test_harness *harness, const struct fixture *f)
{
	struct compositor_setup setup;

	if (!e2e_pattern_find(qemu_bin, sizeof(qemu_bin)))
		return RESULT_SKIP;

	int os = f->output_scale ? f->output_scale : 1;

	VMP_SETUP_HEADLESS(&setup, RENDERER_PIXMAN, f->width / os, f->height / os);
	setup.scale = os;
	setup.shell = f->shell;
	setup.logging_scopes = "log,test-harness-plugin";
	setup.extra_module = getenv("VMPLANE_E2E_CONTROL");
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP_WITH_ARG(fixture_setup, fixtures, meta);

/* QEMU as a child that e2e-control.so reaps in the compositor. */
static void
qemu_start(struct lg_qemu *q, const char *opts)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	const char *seabios = getenv("VMPLANE_SEABIOS_DIR");
	char *display, *drive, *name;

	assert(asprintf(&display, "wayland%s", opts) > 0);
	assert(asprintf(&drive, "file=%s,format=raw,if=ide,snapshot=on",
			getenv("VMPLANE_GUEST_IMG")) > 0);
	assert(asprintf(&name, "qemu-%s", f->meta.name) > 0);
	char *argv[] = {
		"VMPLANE_QEMU_FAULT=1", "VMPLANE_STATS=1",
		qemu_bin, "-nodefaults", "-no-user-config", "-machine", "pc",
		"-accel", "tcg", "-m", "32",
		"-L", (char *)(seabios ? seabios : "/usr/share/seabios"),
		"-device", (char *)f->device, "-drive", drive,
		"-display", display, NULL,
	};

	/* gl: SIGUSR2 injects resets into QEMU's contexts. */
	lg_start(q, name, f->gl ? argv : argv + 1);
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

/* The display counters QEMU printed at exit ($VMPLANE_STATS). */
static bool
log_stats(const struct lg_qemu *q, unsigned long long *submitted,
	  unsigned long long *copies)
{
	char *buf = lg_slurp(q->log), *line;
	unsigned long long presented, plane;
	bool ok;

	line = strstr(buf, "wayland stats: console 0: ");
	ok = line && sscanf(line, "wayland stats: console 0: %llu frames submitted, "
			    "%llu presented, %llu on a plane (zero-copy), %llu copies",
			    submitted, &presented, &plane, copies) == 4;
	free(buf);
	return ok;
}

/*
 * Compares the output with the guest screen scaled by `scale` and centred
 * in the output (the window fills it). When scaled, pixels whose guest
 * neighbourhood is not one colour are left out (filtering blends them);
 * every other pixel of the guest's area must match exactly.
 */
static int
count_mismatches(const struct e2e_capture *c, int scale, bool filtered, int key, bool verbose)
{
	int w = PAT_WIDTH * scale, h = PAT_HEIGHT * scale;
	int ox = (c->w - w) / 2, oy = (c->h - h) / 2;
	int bad = 0;

	assert(ox >= 0 && oy >= 0);
	for (int y = oy; y < oy + h; y++) {
		for (int x = ox; x < ox + w; x++) {
			int gx = (x - ox) / scale, gy = (y - oy) / scale;
			uint32_t want = e2e_pattern_pixel(gx, gy, key);
			uint32_t got = c->px[y * c->w + x] | 0xff000000u;

			if (filtered) {
				bool uniform = true;

				for (int dy = -1; dy <= 1 && uniform; dy++)
					for (int dx = -1; dx <= 1 && uniform; dx++)
						uniform = e2e_pattern_pixel(gx + dx, gy + dy, key) == want;
				if (!uniform)
					continue;
			}
			if (got != want) {
				if (verbose && bad < 5)
					testlog("pixel (%d,%d): got %08x want %08x\n", x, y, got, want);
				bad++;
			}
		}
	}
	return bad;
}

static void
save_capture(const struct e2e_capture *c, const char *what)
{
	e2e_capture_save(c, "qemu-%s-%s.png", fixtures[get_test_fixture_index()].meta.name, what);
}

/* Polls the output until it shows the guest screen, or the time runs out. */
static bool
wait_for_screen(struct client *client, struct e2e_capture *c, int scale, bool filtered,
		int key, int timeout_ms, const char *what)
{
	int64_t end = lg_now_ms() + timeout_ms;

	while (lg_now_ms() < end) {
		if (e2e_capture_output(client, c) && count_mismatches(c, scale, filtered, key, false) == 0)
			return true;
		usleep(100 * 1000);
	}
	if (c->px) {
		testlog("%s: %d pixels differ\n", what, count_mismatches(c, scale, filtered, key, true));
		save_capture(c, what);
	}
	return false;
}

static void
send_key(struct client *client, uint32_t key)
{
	weston_test_send_key(client->test->weston_test, 0, 0, 0, key,
			     WL_KEYBOARD_KEY_STATE_PRESSED);
	client_roundtrip(client);
	weston_test_send_key(client->test->weston_test, 0, 0, 0, key,
			     WL_KEYBOARD_KEY_STATE_RELEASED);
	client_roundtrip(client);
}

static bool
wait_for_toplevel(struct lg_qemu *q)
{
	int64_t end = lg_now_ms() + STEP_TIMEOUT_MS;

	while (!q->exited && lg_now_ms() < end) {
		if (lg_ctl(q, E2E_FIND, 0) == 1)
			return true;
		usleep(50 * 1000);
	}
	testlog("no QEMU window appeared (exited: %d); see %s\n", q->exited, q->log);
	return false;
}

/*
 * gl=on: resets injected into QEMU's real contexts (guilty, innocent, then
 * ten more, alternating): each one detected and recovered, QEMU running,
 * and the window showing the guest again each time.
 */
static void
inject_resets(struct lg_qemu *q, struct client *client, struct e2e_capture *cap,
	      const struct fixture *f)
{
	for (int i = 1; i <= 12; i++) {
		char want[64];
		bool ok;

		assert(kill(q->pid, SIGUSR2) == 0);
		snprintf(want, sizeof(want), "recovered from GPU reset %d ", i);
		ok = lg_wait_count(q, q->log, want, 1, STEP_TIMEOUT_MS) &&
		     wait_for_screen(client, cap, f->scale, f->filtered, -1,
				     STEP_TIMEOUT_MS, "after a reset");
		if (!ok)
			lg_kill(q);
		assert(ok);
		assert(!q->exited);
	}
	assert(log_contains(q, "contexts (guilty)"));
	assert(log_contains(q, "contexts (innocent)"));
	testlog("12 injected resets recovered, guest on screen after each\n");
}

TEST(guest_screen_keys_and_close)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	struct client *client = create_client();
	struct e2e_capture cap = { 0 };
	struct lg_qemu q;
	bool ok;

	qemu_start(&q, f->display_opts);
	ok = wait_for_toplevel(&q);
	if (!ok)
		lg_kill(&q);
	assert(ok);

	/* Boot: the pattern at the right place and the right way up, exactly. */
	ok = wait_for_screen(client, &cap, f->scale, f->filtered, -1, BOOT_TIMEOUT_MS, "boot");
	if (!ok)
		lg_kill(&q);
	assert(ok);
	testlog("guest pattern on screen\n");
	if (f->gl)
		inject_resets(&q, client, &cap, f);

	/* fullscreen=on reached the shell, which made the window fill the output. */
	if (f->filtered)
		assert(lg_ctl(&q, E2E_FULLSCREEN, 0) == 1);

	/* A key reaches the guest, which repaints the key box. */
	assert(lg_ctl(&q, E2E_FOCUS, 0) == 1);
	send_key(client, KEY_A);
	ok = wait_for_screen(client, &cap, f->scale, f->filtered, 0x1e, STEP_TIMEOUT_MS, "key");
	if (!ok)
		lg_kill(&q);
	assert(ok);
	testlog("key A reached the guest\n");

	/* Closing the window shuts QEMU down cleanly. */
	assert(lg_ctl(&q, E2E_CLOSE, 0) == 1);
	ok = lg_wait_exit(&q, STEP_TIMEOUT_MS);
	if (!ok)
		lg_kill(&q);
	assert(ok);
	testlog("QEMU exited with status %#x\n", q.status);
	assert(WIFEXITED(q.status) && WEXITSTATUS(q.status) == 0);
	assert(!log_contains(&q, "error"));
	/* The VGA guest went through the shm path: frames, each one a copy. */
	{
		unsigned long long submitted = 0, copies = 0;

		assert(log_stats(&q, &submitted, &copies));
		testlog("stats: %llu frames submitted, %llu copies\n", submitted, copies);
		assert(submitted > 0 && copies > 0);
	}
	free(cap.px);
	client_destroy(client);
}

/* The comparison must notice one wrong pixel, or the test above could pass on anything. */
TEST(one_wrong_pixel_is_caught)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	struct e2e_capture c = { .w = f->width, .h = f->height };
	int ox = (f->width - PAT_WIDTH * f->scale) / 2;
	int oy = (f->height - PAT_HEIGHT * f->scale) / 2;
	int area = PAT_WIDTH * PAT_HEIGHT * f->scale * f->scale;

	c.px = calloc((size_t)c.w * c.h, 4);
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.px[y * c.w + x] =
				e2e_pattern_pixel((x - ox) / f->scale, (y - oy) / f->scale, -1);
	assert(count_mismatches(&c, f->scale, f->filtered, -1, false) == 0);
	/* Inside the red quadrant, away from every edge. */
	c.px[(oy + 40 * f->scale) * c.w + ox + 100 * f->scale] ^= 0x00000100u;
	assert(count_mismatches(&c, f->scale, f->filtered, -1, false) == 1);
	/* Upside down fails everywhere the quadrants differ. */
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.px[y * c.w + x] = e2e_pattern_pixel((x - ox) / f->scale,
				PAT_HEIGHT - 1 - (y - oy) / f->scale, -1);
	assert(count_mismatches(&c, f->scale, f->filtered, -1, false) > area / 2);
	/* Unfiltered, one guest pixel to the right fails along every vertical edge. */
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.px[y * c.w + x] = e2e_pattern_pixel((x - ox) / f->scale - 1,
				(y - oy) / f->scale, -1);
	assert(f->filtered || count_mismatches(&c, f->scale, f->filtered, -1, false) > 0);
	free(c.px);
}
