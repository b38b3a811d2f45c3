/* SPDX-License-Identifier: MIT */
/*
 * Without --debug nobody reaches the fault injector. Runs the real weston
 * binary (headless, GL through our renderer via WESTON_MODULE_MAP, our
 * module via --modules, no --debug) and checks, as an ordinary client:
 *   - vmplane_reset_notifier_v1 is advertised, vmplane_debug_v1 is not;
 *   - binding vmplane_debug_v1 under every global name in use (and a few
 *     beyond) is refused with a protocol error, and no request gets an
 *     answer;
 *   - the log has exactly one robustness warning on softpipe and none on
 *     llvmpipe, and the renderer came up.
 * usage: test-module-nodebug RENDERER.so vmplane.so DRIVER
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "tap.h"
#include "vmplane-debug-v1-client-protocol.h"

struct globals {
	bool notifier, debug;
	uint32_t max_name;
};

static void
global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
       uint32_t version)
{
	struct globals *g = data;

	if (strcmp(iface, "vmplane_reset_notifier_v1") == 0)
		g->notifier = true;
	if (strcmp(iface, "vmplane_debug_v1") == 0)
		g->debug = true;
	if (name > g->max_name)
		g->max_name = name;
}

static void
global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

static void
counters(void *data, struct vmplane_debug_v1 *d, uint32_t a, uint32_t b,
	 uint32_t c, uint32_t e, uint32_t f)
{
	*(bool *)data = true;
}

static const struct vmplane_debug_v1_listener debug_listener = {
	.counters = counters,
};

static pid_t
spawn_weston(const char *renderer, const char *module, const char *driver,
	     const char *socket, const char *log)
{
	pid_t pid = fork();
	char map[4096], mods[4096], logarg[4096], sockarg[256];

	if (pid != 0)
		return pid;
	snprintf(map, sizeof map, "gl-renderer.so=%s;", renderer);
	snprintf(mods, sizeof mods, "--modules=%s", module);
	snprintf(logarg, sizeof logarg, "--log=%s", log);
	snprintf(sockarg, sizeof sockarg, "--socket=%s", socket);
	setenv("WESTON_MODULE_MAP", map, 1);
	setenv("GALLIUM_DRIVER", driver, 1);
	unsetenv("WAYLAND_DISPLAY");
	execl(WESTON_BIN, "weston", "--backend=headless-backend.so", "--use-gl",
	      "--width=320", "--height=240", "--no-config",
	      "--shell=fullscreen-shell.so", sockarg, mods, logarg, (char *)NULL);
	perror("exec weston");
	_exit(127);
}

static struct wl_display *
connect_retry(const char *socket, pid_t weston)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	struct wl_display *d;
	int status;

	for (int i = 0; i < 400; i++) {
		d = wl_display_connect(socket);
		if (d)
			return d;
		if (waitpid(weston, &status, WNOHANG) == weston) {
			fprintf(stderr, "weston exited early (status 0x%x)\n", status);
			return NULL;
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* True when the bind under `name` gave a usable vmplane_debug_v1. */
static bool
try_bind(const char *socket, uint32_t name)
{
	struct wl_display *d = wl_display_connect(socket);
	struct wl_registry *reg;
	struct vmplane_debug_v1 *debug;
	bool answered = false;
	int rt;

	if (!d)
		return false;
	reg = wl_display_get_registry(d);
	debug = wl_registry_bind(reg, name, &vmplane_debug_v1_interface, 1);
	vmplane_debug_v1_add_listener(debug, &debug_listener, &answered);
	vmplane_debug_v1_get_counters(debug);
	vmplane_debug_v1_inject_reset(debug, VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
	rt = wl_display_roundtrip(d);
	if (rt >= 0 || wl_display_get_error(d) == 0 || answered)
		fprintf(stderr, "name %u: bind not refused (roundtrip %d, error %d, "
			"answered %d)\n", name, rt, wl_display_get_error(d), answered);
	vmplane_debug_v1_destroy(debug);
	wl_registry_destroy(reg);
	wl_display_disconnect(d);
	return rt >= 0 || answered;
}

static int
count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

int
main(int argc, char *argv[])
{
	const char *driver;
	char socket[64], log[256];
	struct globals g = { 0 };
	struct wl_display *d;
	struct wl_registry *reg;
	int status = 0, usable = 0, warnings;
	pid_t weston;

	if (argc != 4) {
		fprintf(stderr, "usage: %s RENDERER.so vmplane.so DRIVER\n", argv[0]);
		return 2;
	}
	driver = argv[3];
	if (!getenv("XDG_RUNTIME_DIR")) {
		fprintf(stderr, "XDG_RUNTIME_DIR is not set\n");
		return 2;
	}
	snprintf(socket, sizeof socket, "vmplane-nodebug-%d", (int)getpid());
	snprintf(log, sizeof log, "%s/%s.log", getenv("XDG_RUNTIME_DIR"), socket);

	weston = spawn_weston(argv[1], argv[2], driver, socket, log);
	if (weston < 0)
		return 1;
	d = connect_retry(socket, weston);
	if (!d) {
		fprintf(stderr, "could not connect to weston\n");
		kill(weston, SIGKILL);
		waitpid(weston, NULL, 0);
		return 1;
	}
	reg = wl_display_get_registry(d);
	wl_registry_add_listener(reg, &registry_listener, &g);
	CHECK(wl_display_roundtrip(d) >= 0);
	CHECK(g.notifier);
	CHECK(!g.debug);

	/* Guess every name the registry handed out, and a few more. */
	for (uint32_t name = 1; name <= g.max_name + 3; name++)
		usable += try_bind(socket, name);
	CHECK(usable == 0);
	fprintf(stderr, "%u global names tried, %d gave a debug object\n",
		g.max_name + 3, usable);

	/* The ordinary client was not disturbed by any of it. */
	CHECK(wl_display_roundtrip(d) >= 0);
	wl_registry_destroy(reg);
	wl_display_disconnect(d);

	kill(weston, SIGTERM);
	waitpid(weston, &status, 0);
	CHECK(WIFEXITED(status));

	CHECK(count_lines(log, "vmplane GL renderer ready") == 1);
	CHECK(count_lines(log, "vmplane: module ready (reset notifications)") == 1);
	CHECK(count_lines(log, "debug interface") == 0);
	warnings = count_lines(log, "vgr: warning:");
	fprintf(stderr, "%s: %d robustness warning(s) in %s\n", driver, warnings, log);
	if (strcmp(driver, "softpipe") == 0) {
		CHECK(warnings == 1);
		CHECK(count_lines(log, "GPU reset recovery disabled") == 1);
	} else {
		CHECK(warnings == 0);
	}
	if (tap_finish() != 0)
		return 1;
	unlink(log);
	return 0;
}
