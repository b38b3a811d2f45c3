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

#include <errno.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <poll.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"
#include "weston-test-runner.h"

#include "e2e-control.h"
#include "pattern.h"
#include "vmplane/clock.h"

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

/* The patched binary: $VMPLANE_QEMU, else what scripts/build-qemu has cached. */
static char *
find_qemu(void)
{
	const char *env = getenv("VMPLANE_QEMU");
	const char *script = getenv("VMPLANE_BUILD_QEMU");
	char line[4096] = "", *cmd;
	FILE *p;

	if (env && *env)
		return access(env, X_OK) == 0 ? strdup(env) : NULL;
	if (!script || asprintf(&cmd, "'%s' --check 2>/dev/null", script) < 0)
		return NULL;
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return NULL;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	if (pclose(p) != 0)
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	return line[0] && access(line, X_OK) == 0 ? strdup(line) : NULL;
}

static enum test_result_code
fixture_setup(struct weston_test_harness *harness, const struct fixture *f)
{
	struct compositor_setup setup;
	char *qemu = find_qemu();

	if (!qemu) {
		fprintf(stderr, "skip: the patched QEMU is not built (run scripts/build-qemu)\n");
		return RESULT_SKIP;
	}
	/* Pinned for the run: the cache key moves whenever the sources do. */
	setenv("VMPLANE_QEMU", qemu, 1);
	free(qemu);
	if (!getenv("VMPLANE_GUEST_IMG") || access(getenv("VMPLANE_GUEST_IMG"), R_OK) != 0) {
		fprintf(stderr, "skip: the test guest image is missing ($VMPLANE_GUEST_IMG)\n");
		return RESULT_SKIP;
	}

	int os = f->output_scale ? f->output_scale : 1;

	VMP_SETUP_HEADLESS(&setup, RENDERER_PIXMAN, f->width / os, f->height / os);
	setup.scale = os;
	setup.shell = f->shell;
	setup.logging_scopes = "log,test-harness-plugin";
	setup.extra_module = getenv("VMPLANE_E2E_CONTROL");
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP_WITH_ARG(fixture_setup, fixtures, meta);

static int64_t
now_ms(void)
{
	return (int64_t)(vmplane_now_ns() / 1000000);
}

/* QEMU as a child that e2e-control.so reaps in the compositor. */
struct qemu {
	pid_t pid;
	bool exited;
	int status;
	char log[256];
	int cmd_fd, reply_fd;
};

/* One request to e2e-control.so; its exit report may come in between. */
static int32_t
ctl_call(struct qemu *q, char op, int32_t value)
{
	struct e2e_msg msg = { .op = op, .value = value };

	assert(write(q->cmd_fd, &msg, sizeof(msg)) == sizeof(msg));
	for (;;) {
		struct pollfd pfd = { .fd = q->reply_fd, .events = POLLIN };

		assert(poll(&pfd, 1, 10000) == 1);
		assert(read(q->reply_fd, &msg, sizeof(msg)) == sizeof(msg));
		if (msg.op == E2E_EXITED) {
			q->exited = true;
			q->status = msg.value;
			continue;
		}
		assert(msg.op == op);
		return msg.value;
	}
}

static bool
wait_for_exit(struct qemu *q, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	struct e2e_msg msg;

	while (!q->exited && now_ms() < end) {
		struct pollfd pfd = { .fd = q->reply_fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) == 1 &&
		    read(q->reply_fd, &msg, sizeof(msg)) == sizeof(msg) &&
		    msg.op == E2E_EXITED) {
			q->exited = true;
			q->status = msg.value;
		}
	}
	return q->exited;
}

static void
qemu_start(struct qemu *q, const char *opts)
{
	char *bin = find_qemu(), *display, *drive;
	const char *out = getenv("WESTON_TEST_OUTPUT_PATH");
	const char *ctl = getenv("VMPLANE_E2E_CTL");
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	pid_t pid;

	assert(bin);
	assert(ctl);
	memset(q, 0, sizeof(*q));
	assert(sscanf(ctl, "%d,%d", &q->cmd_fd, &q->reply_fd) == 2);
	snprintf(q->log, sizeof(q->log), "%s/qemu-%s.log", out ? out : ".",
		 fixtures[get_test_fixture_index()].meta.name);
	assert(asprintf(&display, "wayland%s", opts) > 0);
	assert(asprintf(&drive, "file=%s,format=raw,if=ide,snapshot=on",
			getenv("VMPLANE_GUEST_IMG")) > 0);

	pid = fork();
	assert(pid >= 0);
	if (pid == 0) {
		const char *seabios = getenv("VMPLANE_SEABIOS_DIR");
		int fd = open(q->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		char *argv[] = {
			bin, "-nodefaults", "-no-user-config", "-machine", "pc",
			"-accel", "tcg", "-m", "32",
			"-L", (char *)(seabios ? seabios : "/usr/share/seabios"),
			"-device", (char *)f->device, "-drive", drive,
			"-display", display, NULL,
		};

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		setenv("VMPLANE_STATS", "1", 1);
		if (f->gl) {
			sigset_t none;

			/* The harness blocks signals; QEMU must see SIGUSR2. */
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			setenv("VMPLANE_QEMU_FAULT", "1", 1);
		}
		execv(bin, argv);
		_exit(127);
	}
	q->pid = pid;
	ctl_call(q, E2E_WATCH, pid);
	testlog("started %s -display %s (pid %d), log %s\n", bin, display, pid, q->log);
	free(bin);
	free(display);
	free(drive);
}

static void
qemu_kill(struct qemu *q)
{
	if (!q->exited && q->pid > 0) {
		kill(q->pid, SIGKILL);
		wait_for_exit(q, 5000);
	}
}

static bool
read_log(const struct qemu *q, char *buf, size_t size)
{
	FILE *f = fopen(q->log, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return true;
}

static bool
log_contains(const struct qemu *q, const char *needle)
{
	char buf[16384];

	return read_log(q, buf, sizeof(buf)) && strstr(buf, needle) != NULL;
}

/* The display counters QEMU printed at exit ($VMPLANE_STATS). */
static bool
log_stats(const struct qemu *q, unsigned long long *submitted,
	  unsigned long long *copies)
{
	char buf[16384], *line;
	unsigned long long presented, plane;

	if (!read_log(q, buf, sizeof(buf)))
		return false;
	line = strstr(buf, "wayland stats: console 0: ");
	return line && sscanf(line, "wayland stats: console 0: %llu frames submitted, "
			      "%llu presented, %llu on a plane (zero-copy), %llu copies",
			      submitted, &presented, &plane, copies) == 4;
}

struct capture {
	uint32_t *pixels;
	int width, height;
};

/* Screenshot of the whole output through the harness. */
static bool
capture_output(struct client *client, struct capture *c)
{
	struct buffer *shot = capture_screenshot_of_output(client);
	pixman_image_t *img;

	if (!shot)
		return false;
	img = shot->image;
	c->width = pixman_image_get_width(img);
	c->height = pixman_image_get_height(img);
	free(c->pixels);
	c->pixels = malloc((size_t)c->width * c->height * 4);
	for (int y = 0; y < c->height; y++)
		memcpy(c->pixels + y * c->width,
		       (uint8_t *)pixman_image_get_data(img) + y * pixman_image_get_stride(img),
		       (size_t)c->width * 4);
	buffer_destroy(shot);
	return true;
}

static uint32_t
c6_to_8(uint32_t v)
{
	return (v << 2) | (v & 1) * 3;
}

static uint32_t
rgb6(uint32_t r, uint32_t g, uint32_t b)
{
	return 0xff000000u | c6_to_8(r) << 16 | c6_to_8(g) << 8 | c6_to_8(b);
}

/* The guest's screen at guest pixel (x, y); key_scancode < 0: key box black. */
static uint32_t
guest_pixel(int x, int y, int key_scancode)
{
	if (x >= PAT_KEY_X && x < PAT_KEY_X + PAT_KEY_W &&
	    y >= PAT_KEY_Y && y < PAT_KEY_Y + PAT_KEY_H) {
		uint32_t j = key_scancode < 0 ? 0 : (uint32_t)key_scancode & 0x3f;

		return key_scancode < 0 ? rgb6(PAT_BLACK_RGB6) : rgb6(j, 63 - j, 32);
	}
	if (x >= PAT_MARK_X && x < PAT_MARK_X + PAT_MARK_SIZE &&
	    y >= PAT_MARK_Y && y < PAT_MARK_Y + PAT_MARK_SIZE)
		return rgb6(PAT_YELLOW_RGB6);
	if (y < PAT_HEIGHT / 2)
		return x < PAT_WIDTH / 2 ? rgb6(PAT_RED_RGB6) : rgb6(PAT_GREEN_RGB6);
	return x < PAT_WIDTH / 2 ? rgb6(PAT_BLUE_RGB6) : rgb6(PAT_WHITE_RGB6);
}

/*
 * Compares the output with the guest screen scaled by `scale` and centred
 * in the output (the window fills it). When scaled, pixels whose guest
 * neighbourhood is not one colour are left out (filtering blends them);
 * every other pixel of the guest's area must match exactly.
 */
static int
count_mismatches(const struct capture *c, int scale, bool filtered, int key, bool verbose)
{
	int w = PAT_WIDTH * scale, h = PAT_HEIGHT * scale;
	int ox = (c->width - w) / 2, oy = (c->height - h) / 2;
	int bad = 0;

	assert(ox >= 0 && oy >= 0);
	for (int y = oy; y < oy + h; y++) {
		for (int x = ox; x < ox + w; x++) {
			int gx = (x - ox) / scale, gy = (y - oy) / scale;
			uint32_t want = guest_pixel(gx, gy, key);
			uint32_t got = c->pixels[y * c->width + x] | 0xff000000u;

			if (filtered) {
				bool uniform = true;

				for (int dy = -1; dy <= 1 && uniform; dy++)
					for (int dx = -1; dx <= 1 && uniform; dx++)
						uniform = guest_pixel(gx + dx, gy + dy, key) == want;
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
save_capture(const struct capture *c, const char *what)
{
	/* The output has no alpha; x8r8g8b8 keeps the PNG opaque. */
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, c->width,
		c->height, c->pixels, c->width * 4);
	char *name;

	assert(asprintf(&name, "qemu-%s-%s.png",
			fixtures[get_test_fixture_index()].meta.name, what) > 0);
	write_image_as_png(img, name);
	testlog("wrote %s\n", name);
	pixman_image_unref(img);
	free(name);
}

/* Polls the output until it shows the guest screen, or the time runs out. */
static bool
wait_for_screen(struct client *client, struct capture *c, int scale, bool filtered,
		int key, int timeout_ms, const char *what)
{
	int64_t end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (capture_output(client, c) && count_mismatches(c, scale, filtered, key, false) == 0)
			return true;
		usleep(100 * 1000);
	}
	if (c->pixels) {
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
wait_for_toplevel(struct qemu *q)
{
	int64_t end = now_ms() + STEP_TIMEOUT_MS;

	while (!q->exited && now_ms() < end) {
		if (ctl_call(q, E2E_FIND, 0) == 1)
			return true;
		usleep(50 * 1000);
	}
	testlog("no QEMU window appeared (exited: %d); see %s\n", q->exited, q->log);
	return false;
}

static bool
wait_for_log(struct qemu *q, const char *needle, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (!q->exited && now_ms() < end) {
		if (log_contains(q, needle))
			return true;
		usleep(50 * 1000);
	}
	testlog("'%s' not in %s\n", needle, q->log);
	return false;
}

/*
 * gl=on: resets injected into QEMU's real contexts (guilty, innocent, then
 * ten more, alternating): each one detected and recovered, QEMU running,
 * and the window showing the guest again each time.
 */
static void
inject_resets(struct qemu *q, struct client *client, struct capture *cap,
	      const struct fixture *f)
{
	for (int i = 1; i <= 12; i++) {
		char want[64];
		bool ok;

		assert(kill(q->pid, SIGUSR2) == 0);
		snprintf(want, sizeof(want), "recovered from GPU reset %d ", i);
		ok = wait_for_log(q, want, STEP_TIMEOUT_MS) &&
		     wait_for_screen(client, cap, f->scale, f->filtered, -1,
				     STEP_TIMEOUT_MS, "after a reset");
		if (!ok)
			qemu_kill(q);
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
	struct capture cap = { 0 };
	struct qemu q;
	bool ok;

	qemu_start(&q, f->display_opts);
	ok = wait_for_toplevel(&q);
	if (!ok)
		qemu_kill(&q);
	assert(ok);

	/* Boot: the pattern at the right place and the right way up, exactly. */
	ok = wait_for_screen(client, &cap, f->scale, f->filtered, -1, BOOT_TIMEOUT_MS, "boot");
	if (!ok)
		qemu_kill(&q);
	assert(ok);
	testlog("guest pattern on screen\n");
	if (f->gl)
		inject_resets(&q, client, &cap, f);

	/* fullscreen=on reached the shell, which made the window fill the output. */
	if (f->filtered)
		assert(ctl_call(&q, E2E_FULLSCREEN, 0) == 1);

	/* A key reaches the guest, which repaints the key box. */
	assert(ctl_call(&q, E2E_FOCUS, 0) == 1);
	send_key(client, KEY_A);
	ok = wait_for_screen(client, &cap, f->scale, f->filtered, 0x1e, STEP_TIMEOUT_MS, "key");
	if (!ok)
		qemu_kill(&q);
	assert(ok);
	testlog("key A reached the guest\n");

	/* Closing the window shuts QEMU down cleanly. */
	assert(ctl_call(&q, E2E_CLOSE, 0) == 1);
	ok = wait_for_exit(&q, STEP_TIMEOUT_MS);
	if (!ok)
		qemu_kill(&q);
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
	free(cap.pixels);
	client_destroy(client);
}

/* The comparison must notice one wrong pixel, or the test above could pass on anything. */
TEST(one_wrong_pixel_is_caught)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	struct capture c = { .width = f->width, .height = f->height };
	int ox = (f->width - PAT_WIDTH * f->scale) / 2;
	int oy = (f->height - PAT_HEIGHT * f->scale) / 2;
	int area = PAT_WIDTH * PAT_HEIGHT * f->scale * f->scale;

	c.pixels = calloc((size_t)c.width * c.height, 4);
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.pixels[y * c.width + x] =
				guest_pixel((x - ox) / f->scale, (y - oy) / f->scale, -1);
	assert(count_mismatches(&c, f->scale, f->filtered, -1, false) == 0);
	/* Inside the red quadrant, away from every edge. */
	c.pixels[(oy + 40 * f->scale) * c.width + ox + 100 * f->scale] ^= 0x00000100u;
	assert(count_mismatches(&c, f->scale, f->filtered, -1, false) == 1);
	/* Upside down fails everywhere the quadrants differ. */
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.pixels[y * c.width + x] = guest_pixel((x - ox) / f->scale,
				PAT_HEIGHT - 1 - (y - oy) / f->scale, -1);
	assert(count_mismatches(&c, f->scale, f->filtered, -1, false) > area / 2);
	/* Unfiltered, one guest pixel to the right fails along every vertical edge. */
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.pixels[y * c.width + x] = guest_pixel((x - ox) / f->scale - 1,
				(y - oy) / f->scale, -1);
	assert(f->filtered || count_mismatches(&c, f->scale, f->filtered, -1, false) > 0);
	free(c.pixels);
}
