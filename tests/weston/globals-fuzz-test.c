/* SPDX-License-Identifier: MIT */
/*
 * Wire-level fuzzing of vmplane_reset_notifier_v1 and vmplane_debug_v1:
 * seeded random requests from many clients, bad arguments, unknown opcodes,
 * truncated messages, requests to destroyed objects, binds above the
 * advertised version and disconnects in the middle of a recovery.
 *
 * Each misuse must end that client alone with the protocol error it
 * deserves; the compositor, a bystander client and every well-behaved
 * client stay up, and every reset the bystander hears is recovered. Leaks
 * show under the sanitize setup (the compositor runs in this process).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"

#define N_SLOTS 12
#define N_STEPS 600
#define MAX_INJECTIONS 10
#define MAX_OBJS 4

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	return reset_run_compositor(harness, THIS_TEST_NAME, VMPLANE_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

struct rng {
	uint64_t s;
};

static uint32_t
rng_next(struct rng *r)
{
	/* xorshift64*: deterministic by seed, good enough to pick actions. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return rng_next(r) % n;
}

/* One fuzzing client. Only misbehaving ones ever send a bad message, and
 * each sends exactly one, after which it must be dead. */
struct fuzz_client {
	struct wl_display *display;
	struct wl_registry *registry;
	uint32_t notifier_name, debug_name;
	struct wl_proxy *objs[MAX_OBJS];
	bool misbehaves;
};

static void
handle_global(void *data, struct wl_registry *registry, uint32_t name,
	      const char *interface, uint32_t version)
{
	struct fuzz_client *fc = data;

	if (strcmp(interface, vmplane_reset_notifier_v1_interface.name) == 0)
		fc->notifier_name = name;
	else if (strcmp(interface, vmplane_debug_v1_interface.name) == 0)
		fc->debug_name = name;
}

static void
handle_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

static void
fuzz_connect(struct fuzz_client *fc, struct rng *r)
{
	memset(fc, 0, sizeof(*fc));
	fc->display = wl_display_connect(NULL);
	assert(fc->display);
	fc->registry = wl_display_get_registry(fc->display);
	wl_registry_add_listener(fc->registry, &registry_listener, fc);
	assert(wl_display_roundtrip(fc->display) >= 0);
	assert(fc->notifier_name && fc->debug_name);
	fc->misbehaves = rng_below(r, 3) == 0;
}

static void
fuzz_disconnect(struct fuzz_client *fc)
{
	for (int i = 0; i < MAX_OBJS; i++)
		if (fc->objs[i])
			wl_proxy_destroy(fc->objs[i]);
	wl_registry_destroy(fc->registry);
	wl_display_disconnect(fc->display);
	memset(fc, 0, sizeof(*fc));
}

static int
free_obj(struct fuzz_client *fc)
{
	for (int i = 0; i < MAX_OBJS; i++)
		if (!fc->objs[i])
			return i;
	return -1;
}

/* A random live object of the client, or -1. */
static int
pick_obj(struct fuzz_client *fc, struct rng *r, const struct wl_interface *iface)
{
	int start = (int)rng_below(r, MAX_OBJS);

	for (int i = 0; i < MAX_OBJS; i++) {
		struct wl_proxy *p = fc->objs[(start + i) % MAX_OBJS];

		if (p && (!iface || wl_proxy_get_class(p) == iface->name ||
			  strcmp(wl_proxy_get_class(p), iface->name) == 0))
			return (start + i) % MAX_OBJS;
	}
	return -1;
}

static bool
is_debug(struct wl_proxy *p)
{
	return strcmp(wl_proxy_get_class(p), vmplane_debug_v1_interface.name) == 0;
}

/* Bypasses libwayland's marshalling: what a broken client could send. */
static void
send_raw(struct fuzz_client *fc, uint32_t id, uint32_t opcode,
	 const uint32_t *args, int n_args, int claimed_args)
{
	uint32_t msg[8];

	assert(n_args <= 6);
	assert(wl_display_flush(fc->display) >= 0);
	msg[0] = id;
	msg[1] = ((uint32_t)(2 + claimed_args) * 4) << 16 | opcode;
	memcpy(&msg[2], args, (size_t)n_args * 4);
	assert(write(wl_display_get_fd(fc->display), msg,
		     (size_t)(2 + n_args) * 4) == (ssize_t)(2 + n_args) * 4);
}

/* The misuse was answered with this error, and the connection is gone. */
static void
expect_error(struct fuzz_client *fc, const struct wl_interface *iface,
	     uint32_t id, uint32_t code, const char *what)
{
	const struct wl_interface *got_iface = NULL;
	uint32_t got_id = 0, got_code;

	for (int n = 0; n < 4 && wl_display_roundtrip(fc->display) >= 0; n++)
		;
	/* libwayland-client reports the core's invalid_object and
	 * invalid_method as EINVAL, without the protocol error details. */
	if (iface == &wl_display_interface) {
		if (wl_display_get_error(fc->display) != EINVAL) {
			fprintf(stderr, "%s: no core protocol error (%d)\n",
				what, wl_display_get_error(fc->display));
			assert(0);
		}
		fuzz_disconnect(fc);
		return;
	}
	if (wl_display_get_error(fc->display) != EPROTO) {
		fprintf(stderr, "%s: no protocol error (%d)\n", what,
			wl_display_get_error(fc->display));
		assert(0);
	}
	got_code = wl_display_get_protocol_error(fc->display, &got_iface, &got_id);
	if (got_iface != iface || got_code != code || (id && got_id != id)) {
		fprintf(stderr, "%s: got %s@%u error %u, want %s@%u error %u\n",
			what, got_iface ? got_iface->name : "?", got_id, got_code,
			iface->name, id, code);
		assert(0);
	}
	fuzz_disconnect(fc);
}

static void
bind_global(struct fuzz_client *fc, struct rng *r)
{
	int slot = free_obj(fc);
	bool debug = rng_below(r, 2);

	if (slot < 0)
		return;
	fc->objs[slot] = wl_registry_bind(fc->registry,
		debug ? fc->debug_name : fc->notifier_name,
		debug ? &vmplane_debug_v1_interface : &vmplane_reset_notifier_v1_interface,
		debug ? 1 + rng_below(r, 2) : 1);
}

/* A valid request; returns true when it was an injection. */
static bool
valid_step(struct fuzz_client *fc, struct rng *r, bool may_inject)
{
	int i = pick_obj(fc, r, NULL);

	switch (rng_below(r, 6)) {
	case 0:
	case 1:
		bind_global(fc, r);
		return false;
	case 2:
		if (i < 0)
			return false;
		/* Out of order: the client's other objects outlive this one. */
		if (is_debug(fc->objs[i]))
			vmplane_debug_v1_destroy((struct vmplane_debug_v1 *)fc->objs[i]);
		else
			vmplane_reset_notifier_v1_destroy(
				(struct vmplane_reset_notifier_v1 *)fc->objs[i]);
		fc->objs[i] = NULL;
		return false;
	case 3:
	case 4:
		i = pick_obj(fc, r, &vmplane_debug_v1_interface);
		if (i < 0)
			return false;
		if (may_inject && rng_below(r, 3) == 0) {
			vmplane_debug_v1_inject_reset(
				(struct vmplane_debug_v1 *)fc->objs[i],
				1 + rng_below(r, 3));
			return true;
		}
		vmplane_debug_v1_get_counters((struct vmplane_debug_v1 *)fc->objs[i]);
		return false;
	default:
		/* Some requests stay unflushed until the next roundtrip. */
		if (rng_below(r, 2))
			assert(wl_display_roundtrip(fc->display) >= 0);
		else
			wl_display_flush(fc->display);
		return false;
	}
}

/* Exactly one misuse, then the client must be dead. */
static void
misuse(struct fuzz_client *fc, struct rng *r, uint32_t seed)
{
	int i = pick_obj(fc, r, NULL);
	uint32_t id, args[2] = { rng_next(r), rng_next(r) };
	char what[96];

	if (i < 0 && rng_below(r, 3)) {
		bind_global(fc, r);
		assert(wl_display_roundtrip(fc->display) >= 0);
		i = pick_obj(fc, r, NULL);
	}
	if (i < 0) {
		/* A bind above the advertised version. */
		snprintf(what, sizeof what, "seed %u: bind above version", seed);
		fc->objs[0] = wl_registry_bind(fc->registry, fc->notifier_name,
			&vmplane_reset_notifier_v1_interface, 2 + rng_below(r, 5));
		expect_error(fc, &wl_registry_interface,
			     wl_proxy_get_id((struct wl_proxy *)fc->registry),
			     WL_DISPLAY_ERROR_INVALID_OBJECT, what);
		return;
	}
	id = wl_proxy_get_id(fc->objs[i]);
	switch (rng_below(r, 4)) {
	case 0:
		if (is_debug(fc->objs[i])) {
			uint32_t status = rng_below(r, 2) ? 0 : 4 + rng_next(r) % 1000;

			snprintf(what, sizeof what, "seed %u: status %u", seed, status);
			vmplane_debug_v1_inject_reset(
				(struct vmplane_debug_v1 *)fc->objs[i], status);
			expect_error(fc, &vmplane_debug_v1_interface, id,
				     VMPLANE_DEBUG_V1_ERROR_BAD_STATUS, what);
			return;
		}
		/* fall through - the notifier has no argument to get wrong */
	case 1:
		snprintf(what, sizeof what, "seed %u: unknown opcode", seed);
		send_raw(fc, id, is_debug(fc->objs[i]) ? 3 + rng_below(r, 100) :
			 1 + rng_below(r, 100), args, 2, 2);
		expect_error(fc, &wl_display_interface, 0,
			     WL_DISPLAY_ERROR_INVALID_METHOD, what);
		return;
	case 2:
		/* inject_reset without its argument (or the notifier's destroy
		 * with a stray one cut short: both fail to demarshal). */
		snprintf(what, sizeof what, "seed %u: truncated", seed);
		send_raw(fc, id, is_debug(fc->objs[i]) ? 1 : 7, args, 0, 0);
		expect_error(fc, &wl_display_interface, 0,
			     WL_DISPLAY_ERROR_INVALID_METHOD, what);
		return;
	default:
		/* A request to an object the client already destroyed. */
		snprintf(what, sizeof what, "seed %u: destroyed object", seed);
		if (is_debug(fc->objs[i]))
			vmplane_debug_v1_destroy((struct vmplane_debug_v1 *)fc->objs[i]);
		else
			vmplane_reset_notifier_v1_destroy(
				(struct vmplane_reset_notifier_v1 *)fc->objs[i]);
		fc->objs[i] = NULL;
		send_raw(fc, id, 2, args, 0, 0);
		expect_error(fc, &wl_display_interface, 0,
			     WL_DISPLAY_ERROR_INVALID_OBJECT, what);
		return;
	}
}

/* Waits (bounded) until the newest reset is answered: the recovered
 * event follows the first good frame, after the counters move. */
static void
settle(struct reset_watch *w)
{
	for (int i = 0; i < 500; i++) {
		reset_get_counters(w);
		if (w->n_log > 0 && w->log[w->n_log - 1].kind != RESET_LOG_RESET)
			return;
		usleep(10 * 1000);
	}
	assert(!"recovery did not finish within 5 s");
}

static void
fuzz_run(struct reset_watch *w, uint32_t seed)
{
	struct fuzz_client fcs[N_SLOTS];
	struct rng r = { 0x9e3779b97f4a7c15ull ^ seed };
	int injections = 0, misuses = 0, drops = 0;

	for (int s = 0; s < N_SLOTS; s++)
		fuzz_connect(&fcs[s], &r);
	for (int step = 0; step < N_STEPS; step++) {
		struct fuzz_client *fc = &fcs[rng_below(&r, N_SLOTS)];

		if (!fc->display)
			fuzz_connect(fc, &r);
		if (fc->misbehaves && rng_below(&r, 8) == 0) {
			misuse(fc, &r, seed);
			misuses++;
		} else if (rng_below(&r, 40) == 0) {
			/* Gone without a word, maybe in the middle of the
			 * recovery it just asked for. */
			wl_display_flush(fc->display);
			fuzz_disconnect(fc);
			drops++;
		} else if (valid_step(fc, &r, injections < MAX_INJECTIONS)) {
			injections++;
			/* Half the injectors leave while their reset is
			 * being recovered. */
			if (rng_below(&r, 2)) {
				wl_display_flush(fc->display);
				fuzz_disconnect(fc);
				drops++;
			}
		}
		wl_display_dispatch_pending(w->client->wl_display);
	}
	for (int s = 0; s < N_SLOTS; s++) {
		if (!fcs[s].display)
			continue;
		/* Every client that did not misbehave is still connected. */
		assert(wl_display_roundtrip(fcs[s].display) >= 0);
		assert(wl_display_get_error(fcs[s].display) == 0);
		fuzz_disconnect(&fcs[s]);
	}
	fprintf(stderr, "seed %u: %d injections, %d misuses, %d drops\n",
		seed, injections, misuses, drops);
	assert(misuses > 0 && drops > 0);
}

TEST(globals_survive_wire_fuzzing)
{
	struct client *client = create_client_and_test_surface(10, 10, 40, 40);
	const char *env = getenv("VMPLANE_FUZZ_SEEDS");
	uint32_t first = env ? (uint32_t)strtoul(env, NULL, 0) : 1;
	struct reset_watch w;
	uint32_t last_serial = 0;
	int resets = 0;

	reset_watch_init(&w, client);
	for (uint32_t seed = first; seed < first + 4; seed++)
		fuzz_run(&w, seed);
	settle(&w);

	/* The bystander heard every reset, with rising serials; a reset
	 * during a recovery supersedes the running one, and each recovered
	 * event answers the newest reset before it. */
	assert(reset_client_alive(client));
	for (int i = 0; i < w.n_log; i++) {
		fprintf(stderr, "event %d: kind %d serial %u\n", i,
			w.log[i].kind, w.log[i].serial);
		assert(w.log[i].kind != RESET_LOG_DEGRADED);
		if (w.log[i].kind == RESET_LOG_RESET) {
			assert(w.log[i].serial > last_serial);
			last_serial = w.log[i].serial;
			resets++;
		} else {
			assert(i > 0 && w.log[i - 1].kind == RESET_LOG_RESET);
			assert(w.log[i].serial == last_serial);
		}
	}
	assert(w.n_log > 0 && w.log[w.n_log - 1].kind == RESET_LOG_RECOVERED);
	assert(resets > 0);
	assert(resets == (int)w.counters[0]);
	assert(w.counters[4] == 0);
	reset_watch_fini(&w);
	client_destroy(client);
}
