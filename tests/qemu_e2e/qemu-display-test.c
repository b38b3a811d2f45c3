/*
 * The patched QEMU with -display wayland on headless Weston (pixman),
 * booting our test guest (tests/guest) on -device virtio-vga.
 *
 * Runs inside the compositor (plugin test), so it can read the output's
 * pixels, give the QEMU window keyboard focus, send keys and close the
 * toplevel the way a user would. Skips (77) when no patched QEMU is built.
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

#include <libweston/libweston.h>
#include <libweston-desktop/libweston-desktop.h>
#include <weston.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "weston-test-runner.h"

#include "pattern.h"

/* Exported by libweston-10 for backends, not in its public headers. */
void
notify_key(struct weston_seat *seat, const struct timespec *time, uint32_t key,
	   enum wl_keyboard_key_state state,
	   enum weston_key_state_update update_state);

#define BOOT_TIMEOUT_MS 60000
#define STEP_TIMEOUT_MS 20000

struct fixture {
	struct fixture_metadata meta;
	enum shell_type shell;
	int width, height;
	const char *display_opts;
	int scale; /* output pixels per guest pixel */
};

static const struct fixture fixtures[] = {
	/* Room for the core's thin border around an undecorated window. */
	{ .meta.name = "window", .shell = SHELL_TEST_DESKTOP,
	  .width = PAT_WIDTH + 4, .height = PAT_HEIGHT + 4, .display_opts = "", .scale = 1 },
	{ .meta.name = "fullscreen", .shell = SHELL_DESKTOP,
	  .width = 2 * PAT_WIDTH, .height = 2 * PAT_HEIGHT,
	  .display_opts = ",fullscreen=on", .scale = 2 },
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
	free(qemu);
	if (!getenv("VMPLANE_GUEST_IMG") || access(getenv("VMPLANE_GUEST_IMG"), R_OK) != 0) {
		fprintf(stderr, "skip: the test guest image is missing ($VMPLANE_GUEST_IMG)\n");
		return RESULT_SKIP;
	}

	compositor_setup_defaults(&setup);
	setup.renderer = RENDERER_PIXMAN;
	setup.shell = f->shell;
	setup.width = f->width;
	setup.height = f->height;
	setup.logging_scopes = "log,test-harness-plugin";
	return weston_test_harness_execute_as_plugin(harness, &setup);
}
DECLARE_FIXTURE_SETUP_WITH_ARG(fixture_setup, fixtures, meta);

/* QEMU as a child the compositor's SIGCHLD handler reaps for us. */
struct qemu {
	struct weston_process proc;
	bool exited;
	int status;
	char log[256];
};

static void
qemu_exited(struct weston_process *proc, int status)
{
	struct qemu *q = wl_container_of(proc, q, proc);

	q->exited = true;
	q->status = status;
}

static void
qemu_start(struct weston_compositor *compositor, struct qemu *q, const char *opts)
{
	char *bin = find_qemu(), *display, *drive;
	const char *out = getenv("WESTON_TEST_OUTPUT_PATH");
	pid_t pid;

	assert(bin);
	memset(q, 0, sizeof(*q));
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
			"-device", "virtio-vga", "-drive", drive,
			"-display", display, NULL,
		};

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(bin, argv);
		_exit(127);
	}
	q->proc.pid = pid;
	q->proc.cleanup = qemu_exited;
	wet_watch_process(compositor, &q->proc);
	testlog("started %s -display %s (pid %d), log %s\n", bin, display, pid, q->log);
	free(bin);
	free(display);
	free(drive);
}

static void
qemu_kill(struct qemu *q)
{
	if (!q->exited && q->proc.pid > 0) {
		kill(q->proc.pid, SIGKILL);
		wl_list_remove(&q->proc.link);
		waitpid(q->proc.pid, NULL, 0);
		q->exited = true;
	}
}

static bool
log_contains(const struct qemu *q, const char *needle)
{
	char buf[16384];
	FILE *f = fopen(q->log, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the compositor's own event loop from inside the test. */
static void
pump(struct weston_compositor *compositor, int ms)
{
	struct wl_event_loop *loop = wl_display_get_event_loop(compositor->wl_display);

	wl_display_flush_clients(compositor->wl_display);
	wl_event_loop_dispatch(loop, ms);
}

static struct weston_output *
the_output(struct weston_compositor *compositor)
{
	struct weston_output *output;

	wl_list_for_each(output, &compositor->output_list, link)
		return output;
	return NULL;
}

/* The QEMU toplevel: the only client surface with a desktop role. */
static struct weston_desktop_surface *
find_toplevel(struct weston_compositor *compositor, struct weston_surface **surface)
{
	struct weston_view *view;

	wl_list_for_each(view, &compositor->view_list, link) {
		struct weston_surface *main = weston_surface_get_main_surface(view->surface);
		struct weston_desktop_surface *ds;

		if (!main->resource || !weston_surface_is_desktop_surface(main))
			continue;
		ds = weston_surface_get_desktop_surface(main);
		if (surface)
			*surface = main;
		return ds;
	}
	return NULL;
}

struct capture {
	struct wl_listener frame;
	struct weston_compositor *compositor;
	uint32_t *pixels;
	int width, height;
	bool done;
};

static void
capture_frame(struct wl_listener *listener, void *data)
{
	struct capture *c = wl_container_of(listener, c, frame);
	struct weston_output *output = data;

	c->compositor->renderer->read_pixels(output, PIXMAN_a8r8g8b8, c->pixels,
					     0, 0, c->width, c->height);
	c->done = true;
	wl_list_remove(&c->frame.link);
}

/* Reads the output right after its next repaint. */
static bool
capture_output(struct weston_compositor *compositor, struct capture *c)
{
	struct weston_output *output = the_output(compositor);
	int64_t end = now_ms() + 2000;

	c->compositor = compositor;
	c->width = output->width;
	c->height = output->height;
	if (!c->pixels)
		c->pixels = calloc((size_t)c->width * c->height, 4);
	c->done = false;
	c->frame.notify = capture_frame;
	wl_signal_add(&output->frame_signal, &c->frame);
	weston_compositor_damage_all(compositor);
	while (!c->done && now_ms() < end)
		pump(compositor, 20);
	if (!c->done)
		wl_list_remove(&c->frame.link);
	return c->done;
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
count_mismatches(const struct capture *c, int scale, int key, bool verbose)
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

			if (scale > 1) {
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
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, c->width,
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
wait_for_screen(struct weston_compositor *compositor, struct capture *c, int scale,
		int key, int timeout_ms, const char *what)
{
	int64_t end = now_ms() + timeout_ms;
	int bad = -1;

	while (now_ms() < end) {
		if (capture_output(compositor, c)) {
			bad = count_mismatches(c, scale, key, false);
			if (bad == 0)
				return true;
		}
		pump(compositor, 100);
	}
	if (c->pixels) {
		testlog("%s: %d pixels differ\n", what, count_mismatches(c, scale, key, true));
		save_capture(c, what);
	}
	return false;
}

static void
send_key(struct weston_compositor *compositor, struct weston_surface *target,
	 uint32_t key)
{
	struct weston_seat *seat;
	struct timespec ts;

	wl_list_for_each(seat, &compositor->seat_list, link) {
		if (!weston_seat_get_keyboard(seat))
			continue;
		weston_seat_set_keyboard_focus(seat, target);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		notify_key(seat, &ts, key, WL_KEYBOARD_KEY_STATE_PRESSED,
			   STATE_UPDATE_AUTOMATIC);
		pump(compositor, 50);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		notify_key(seat, &ts, key, WL_KEYBOARD_KEY_STATE_RELEASED,
			   STATE_UPDATE_AUTOMATIC);
		return;
	}
	assert(!"no seat with a keyboard");
}

static struct weston_desktop_surface *
wait_for_toplevel(struct weston_compositor *compositor, struct qemu *q,
		  struct weston_surface **surface)
{
	int64_t end = now_ms() + STEP_TIMEOUT_MS;
	struct weston_desktop_surface *ds = NULL;

	while (!ds && !q->exited && now_ms() < end) {
		pump(compositor, 50);
		ds = find_toplevel(compositor, surface);
	}
	if (!ds)
		testlog("no QEMU window appeared (exited: %d); see %s\n", q->exited, q->log);
	return ds;
}

static bool
wait_for_exit(struct weston_compositor *compositor, struct qemu *q, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (!q->exited && now_ms() < end)
		pump(compositor, 50);
	return q->exited;
}

PLUGIN_TEST(guest_screen_keys_and_close)
{
	const struct fixture *f = &fixtures[get_test_fixture_index()];
	struct weston_desktop_surface *ds;
	struct weston_surface *surface = NULL;
	struct capture cap = { 0 };
	struct qemu q;
	bool ok;

	qemu_start(compositor, &q, f->display_opts);
	ds = wait_for_toplevel(compositor, &q, &surface);
	if (!ds)
		qemu_kill(&q);
	assert(ds);

	/* Boot: the pattern at the right place and the right way up. */
	ok = wait_for_screen(compositor, &cap, f->scale, -1, BOOT_TIMEOUT_MS, "boot");
	if (!ok)
		qemu_kill(&q);
	assert(ok);
	testlog("guest pattern on screen, exact\n");

	if (f->scale > 1) {
		/* Fullscreen: the compositor was asked and the window fills the output. */
		assert(weston_desktop_surface_get_fullscreen(ds));
	}

	/* A key reaches the guest, which repaints the key box. */
	send_key(compositor, surface, KEY_A);
	ok = wait_for_screen(compositor, &cap, f->scale, 0x1e, STEP_TIMEOUT_MS, "key");
	if (!ok)
		qemu_kill(&q);
	assert(ok);
	testlog("key A reached the guest\n");

	/* Closing the window shuts QEMU down cleanly. */
	weston_desktop_surface_close(ds);
	ok = wait_for_exit(compositor, &q, STEP_TIMEOUT_MS);
	if (!ok)
		qemu_kill(&q);
	assert(ok);
	testlog("QEMU exited with status %#x\n", q.status);
	assert(WIFEXITED(q.status) && WEXITSTATUS(q.status) == 0);
	assert(!log_contains(&q, "error"));
	free(cap.pixels);
}

/* The comparison must notice one wrong pixel, or the test above could pass on anything. */
PLUGIN_TEST(one_wrong_pixel_is_caught)
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
	assert(count_mismatches(&c, f->scale, -1, false) == 0);
	/* Inside the red quadrant, away from every edge. */
	c.pixels[(oy + 40 * f->scale) * c.width + ox + 100 * f->scale] ^= 0x00000100u;
	assert(count_mismatches(&c, f->scale, -1, false) == 1);
	/* Upside down fails everywhere the quadrants differ. */
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.pixels[y * c.width + x] = guest_pixel((x - ox) / f->scale,
				PAT_HEIGHT - 1 - (y - oy) / f->scale, -1);
	assert(count_mismatches(&c, f->scale, -1, false) > area / 2);
	/* Unscaled, one pixel to the right fails along every vertical edge. */
	for (int y = oy; y < oy + PAT_HEIGHT * f->scale; y++)
		for (int x = ox; x < ox + PAT_WIDTH * f->scale; x++)
			c.pixels[y * c.width + x] = guest_pixel((x - ox) / f->scale - 1,
				(y - oy) / f->scale, -1);
	assert(f->scale > 1 || count_mismatches(&c, f->scale, -1, false) > 0);
	free(c.pixels);
}
