/* SPDX-License-Identifier: MIT */
/*
 * vmplane-debug: a command-line client of vmplane_debug_v1 and
 * vmplane_reset_notifier_v1, for a Weston started with --debug and the
 * vmplane module. Prints the recovery and frame counters, injects a reset
 * and waits for its outcome, or prints reset events as they come.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wayland-client.h>

#include "vmplane-debug-v1-client-protocol.h"
#include "vmplane-reset-v1-client-protocol.h"
#include "vmplane/clock.h"

#define INJECT_TIMEOUT_MS 10000

struct tool {
	struct wl_display *display;
	struct vmplane_debug_v1 *debug;
	uint32_t debug_version;
	struct vmplane_reset_notifier_v1 *notifier;
	bool have_counters, have_frames;
	/* Set by the recovered or degraded event of the watched reset. */
	bool done;
	bool degraded;
	bool refused;
};

static const char *
status_name(uint32_t status)
{
	switch (status) {
	case VMPLANE_RESET_NOTIFIER_V1_STATUS_GUILTY:
		return "guilty";
	case VMPLANE_RESET_NOTIFIER_V1_STATUS_INNOCENT:
		return "innocent";
	case VMPLANE_RESET_NOTIFIER_V1_STATUS_UNKNOWN:
		return "unknown";
	}
	return "invalid";
}

static void
on_counters(void *data, struct vmplane_debug_v1 *d, uint32_t resets,
	    uint32_t recoveries, uint32_t rebuilt, uint32_t usec,
	    uint32_t safe_mode)
{
	struct tool *t = data;

	printf("resets %u\nrecoveries %u\nlast_rebuilt %u\n"
	       "last_recovery_usec %u\nsafe_mode %u\n",
	       resets, recoveries, rebuilt, usec, safe_mode);
	t->have_counters = true;
}

static void
on_frames(void *data, struct vmplane_debug_v1 *d, uint32_t drawn,
	  uint32_t undrawn)
{
	struct tool *t = data;

	printf("frames_drawn %u\nframes_undrawn %u\n", drawn, undrawn);
	t->have_frames = true;
}

static void
on_refused(void *data, struct vmplane_debug_v1 *d, uint32_t reason,
	   const char *message)
{
	struct tool *t = data;

	fprintf(stderr, "vmplane-debug: the renderer refused the injection: %s\n",
		message);
	t->refused = true;
	t->done = true;
}

static const struct vmplane_debug_v1_listener debug_listener = {
	.counters = on_counters,
	.frames = on_frames,
	.refused = on_refused,
};

static void
on_reset(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	 uint32_t status)
{
	printf("reset %u status=%s\n", serial, status_name(status));
	fflush(stdout);
}

static void
on_recovered(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	     uint32_t usec)
{
	struct tool *t = data;

	printf("recovered %u after %u.%03u ms\n", serial, usec / 1000,
	       usec % 1000);
	fflush(stdout);
	t->done = true;
}

static void
on_degraded(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial)
{
	struct tool *t = data;

	printf("degraded %u: the renderer is in safe mode\n", serial);
	fflush(stdout);
	t->done = true;
	t->degraded = true;
}

static const struct vmplane_reset_notifier_v1_listener notifier_listener = {
	.reset = on_reset,
	.recovered = on_recovered,
	.degraded = on_degraded,
};

static void
on_global(void *data, struct wl_registry *registry, uint32_t name,
	  const char *interface, uint32_t version)
{
	struct tool *t = data;

	if (strcmp(interface, vmplane_debug_v1_interface.name) == 0 && !t->debug) {
		t->debug_version = version < 3 ? version : 3;
		t->debug = wl_registry_bind(registry, name,
					    &vmplane_debug_v1_interface,
					    t->debug_version);
		vmplane_debug_v1_add_listener(t->debug, &debug_listener, t);
	} else if (strcmp(interface, vmplane_reset_notifier_v1_interface.name) == 0 &&
		   !t->notifier) {
		t->notifier = wl_registry_bind(registry, name,
					       &vmplane_reset_notifier_v1_interface, 1);
		vmplane_reset_notifier_v1_add_listener(t->notifier,
						       &notifier_listener, t);
	}
}

static void
on_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = on_global,
	.global_remove = on_global_remove,
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vmplane-debug counters\n"
		"       vmplane-debug inject guilty|innocent|unknown\n"
		"       vmplane-debug watch\n"
		"Talks to the Weston of WAYLAND_DISPLAY, which must run with --debug\n"
		"and the vmplane module (weston-vmplane --debug).\n");
}

static int64_t
now_ms(void)
{
	return (int64_t)(vmplane_now_ns() / 1000000);
}

/* Dispatches until *flag is set; false on a dead connection or timeout
 * (timeout_ms < 0: none). */
static bool
dispatch_until(struct tool *t, bool *flag, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = wl_display_get_fd(t->display), .events = POLLIN };

	while (!*flag) {
		int left = timeout_ms < 0 ? -1 : (int)(deadline - now_ms());
		int r;

		if (wl_display_dispatch_pending(t->display) < 0)
			return false;
		if (*flag)
			break;
		if (wl_display_flush(t->display) < 0 && errno != EAGAIN)
			return false;
		if (timeout_ms >= 0 && left <= 0) {
			fprintf(stderr, "vmplane-debug: no answer from the compositor "
				"within %d ms\n", timeout_ms);
			return false;
		}
		r = poll(&pfd, 1, left);
		if (r < 0 && errno != EINTR)
			return false;
		if (r > 0 && wl_display_dispatch(t->display) < 0)
			return false;
	}
	return true;
}

static int
connection_error(struct tool *t)
{
	const struct wl_interface *iface;
	uint32_t id;
	int code = wl_display_get_protocol_error(t->display, &iface, &id);

	if (iface)
		fprintf(stderr, "vmplane-debug: the compositor refused us: %s error %d\n",
			iface->name, code);
	else
		fprintf(stderr, "vmplane-debug: lost the compositor: %s\n",
			strerror(wl_display_get_error(t->display)));
	return 1;
}

static bool
parse_status(const char *s, uint32_t *out)
{
	if (strcmp(s, "guilty") == 0)
		*out = VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY;
	else if (strcmp(s, "innocent") == 0)
		*out = VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT;
	else if (strcmp(s, "unknown") == 0)
		*out = VMPLANE_DEBUG_V1_RESET_STATUS_UNKNOWN;
	else
		return false;
	return true;
}

static int
run(struct tool *t, int argc, char **argv)
{
	const char *cmd = argv[1];
	uint32_t status = 0;
	bool got, never = false;

	if (strcmp(cmd, "watch") == 0) {
		if (!t->notifier) {
			fprintf(stderr, "vmplane-debug: vmplane_reset_notifier_v1 is not "
				"advertised: is the vmplane module loaded?\n");
			return 1;
		}
		dispatch_until(t, &never, -1);
		return connection_error(t);
	}
	if (!t->debug) {
		fprintf(stderr, "vmplane-debug: vmplane_debug_v1 is not advertised: "
			"run weston with --debug and the vmplane module\n");
		return 1;
	}
	if (strcmp(cmd, "counters") == 0) {
		vmplane_debug_v1_get_counters(t->debug);
		got = dispatch_until(t, &t->have_counters, INJECT_TIMEOUT_MS);
		if (got && t->debug_version >= VMPLANE_DEBUG_V1_FRAMES_SINCE_VERSION)
			got = dispatch_until(t, &t->have_frames, INJECT_TIMEOUT_MS);
		return got ? 0 : connection_error(t);
	}
	if (strcmp(cmd, "inject") == 0) {
		if (argc != 3 || !parse_status(argv[2], &status)) {
			usage(stderr);
			return 2;
		}
		if (!t->notifier) {
			fprintf(stderr, "vmplane-debug: vmplane_reset_notifier_v1 is not "
				"advertised\n");
			return 1;
		}
		vmplane_debug_v1_inject_reset(t->debug, status);
		if (!dispatch_until(t, &t->done, INJECT_TIMEOUT_MS))
			return wl_display_get_error(t->display) ? connection_error(t) : 1;
		if (t->refused)
			return 4;
		return t->degraded ? 3 : 0;
	}
	usage(stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	struct tool t = { 0 };
	struct wl_registry *registry;
	int ret;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	t.display = wl_display_connect(NULL);
	if (!t.display) {
		fprintf(stderr, "vmplane-debug: cannot connect to the Wayland display "
			"'%s': %s\n", getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY")
							   : "wayland-0",
			strerror(errno));
		return 1;
	}
	registry = wl_display_get_registry(t.display);
	wl_registry_add_listener(registry, &registry_listener, &t);
	if (wl_display_roundtrip(t.display) < 0) {
		ret = connection_error(&t);
	} else {
		ret = run(&t, argc, argv);
	}
	if (t.debug)
		vmplane_debug_v1_destroy(t.debug);
	if (t.notifier)
		vmplane_reset_notifier_v1_destroy(t.notifier);
	wl_registry_destroy(registry);
	wl_display_disconnect(t.display);
	return ret;
}
