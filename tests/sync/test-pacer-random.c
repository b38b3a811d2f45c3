/* SPDX-License-Identifier: MIT */
/*
 * Property tests of the pacer over deterministic random event sequences:
 *  1. byte-string runs through the fuzz interpreter (any input, junk too);
 *  2. a model of a Weston-like compositor and a double-buffering guest,
 *     visible and hidden, shm and dma-buf, checking pacing outcomes.
 * Arguments, if any, are files to replay instead (libFuzzer crash inputs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacer-fuzz-run.h"
#include "pacer-sim.h"
#include "tap.h"

#define MS (1000ull * 1000)
#define VBLANK 16666667ull

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, same sequence on every machine. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t rnd_range(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static int replay_files(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		REQUIRE(f != NULL);
		static uint8_t buf[1 << 16];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		const char *err = pacer_fuzz_run(buf, n);
		if (err)
			FAIL("%s: %s", argv[i], err);
	}
	return tap_finish();
}

static void fuzz_replay(void)
{
	static uint8_t buf[2048];
	rng_state = 0x5eed0001;
	for (int run = 0; run < 600; run++) {
		size_t n = rnd_range(0, sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		const char *err = pacer_fuzz_run(buf, n);
		if (err)
			FAIL("random run %d (%zu bytes): %s", run, n, err);
	}
	/* Degenerate inputs. */
	REQUIRE(pacer_fuzz_run(NULL, 0) == NULL);
	memset(buf, 0, sizeof(buf));
	REQUIRE(pacer_fuzz_run(buf, sizeof(buf)) == NULL);
	memset(buf, 0xff, sizeof(buf));
	REQUIRE(pacer_fuzz_run(buf, sizeof(buf)) == NULL);
}

/* ---- compositor + guest model ---- */

enum ev_type { EV_APPLY, EV_RELEASE, EV_DONE, EV_PRESENTED, EV_DISCARDED };

struct ev {
	uint64_t t;
	enum ev_type type;
	uint64_t arg;
};

struct model {
	struct sim s;
	bool dmabuf;
	bool visible;
	uint64_t visible_since, next_toggle, next_vblank;

	struct ev evs[256];
	uint32_t n_evs;

	/* Compositor side. */
	uint64_t attached;            /* buffer id, 0 = none */
	uint64_t pending_seqs[64];    /* applied commits awaiting repaint */
	uint32_t n_pending_seqs;
	/* Client side: buffers the compositor may still read. */
	bool held[4];

	/* Guest. */
	bool rendering;
	uint64_t render_done_at;
	uint64_t render_buffer;
	uint64_t last_buffer;
	enum vmsync_reason last_release;

	uint64_t visible_vblanks, presented_visible;
	uint64_t unsafe_writes, visible_watchdog_releases;
};

static void push_ev(struct model *m, uint64_t t, enum ev_type type, uint64_t arg)
{
	INVARIANT(m->n_evs < 256);
	m->evs[m->n_evs++] = (struct ev){ .t = t, .type = type, .arg = arg };
}

/* Look at what the pacer asked for since the last call. */
static void scan_actions(struct model *m)
{
	for (uint32_t i = 0; i < m->s.log_len; i++) {
		const struct vmsync_action *a = &m->s.log[i];
		if (a->type == VMSYNC_ACTION_SUBMIT) {
			m->held[a->buffer] = true;
			push_ev(m, m->s.now + 200000, EV_APPLY, a->seq | (a->buffer << 32));
		} else if (a->type == VMSYNC_ACTION_RELEASE) {
			m->last_release = a->reason;
			if (a->reason == VMSYNC_REASON_TIMEOUT && m->visible &&
					m->visible_since + VBLANK <= m->s.block_since)
				m->visible_watchdog_releases++;
		}
	}
	m->s.log_len = 0;
}

static void guest_step(struct model *m)
{
	if (m->rendering || m->s.blocked)
		return;
	m->rendering = true;
	m->render_done_at = m->s.now + rnd_range(2 * MS, 12 * MS);
	m->render_buffer = m->last_buffer == 1 ? 2 : 1;
	/* Rendering into a buffer the compositor may read tears the image. */
	if (m->dmabuf && m->last_release == VMSYNC_REASON_POLICY && m->held[m->render_buffer])
		m->unsafe_writes++;
}

static void compositor_event(struct model *m, const struct ev *e)
{
	struct vmsync_pacer *p = m->s.pacer;
	switch (e->type) {
	case EV_APPLY: {
		uint64_t seq = e->arg & 0xffffffffu, buffer = e->arg >> 32;
		/* dma-bufs: the replaced buffer goes back at once (GL composited). */
		if (m->dmabuf && m->attached && m->attached != buffer)
			push_ev(m, m->s.now, EV_RELEASE, m->attached);
		m->attached = buffer;
		INVARIANT(m->n_pending_seqs < 64);
		m->pending_seqs[m->n_pending_seqs++] = seq;
		break;
	}
	case EV_RELEASE:
		m->held[e->arg] = false;
		INVARIANT(vmsync_pacer_buffer_released(p, e->arg));
		break;
	case EV_DONE:
		INVARIANT(vmsync_pacer_frame_done(p, e->arg));
		break;
	case EV_PRESENTED:
		if (m->visible)
			m->presented_visible++;
		INVARIANT(vmsync_pacer_presented(p, e->arg, 0,
			m->dmabuf ? VMSYNC_PRESENTED_ZERO_COPY : 0));
		break;
	case EV_DISCARDED:
		INVARIANT(vmsync_pacer_discarded(p, e->arg));
		break;
	}
	sim_drain(&m->s);
}

static void vblank(struct model *m)
{
	if (!m->visible)
		return;
	m->visible_vblanks++;
	if (m->n_pending_seqs == 0)
		return;
	/* shm: the GL renderer uploads, then releases before presenting. */
	if (!m->dmabuf && m->attached)
		push_ev(m, m->s.now + 1 * MS, EV_RELEASE, m->attached);
	uint64_t t = m->s.now + 2 * MS;
	for (uint32_t i = 0; i < m->n_pending_seqs; i++) {
		uint64_t seq = m->pending_seqs[i];
		push_ev(m, t, EV_DONE, seq);
		push_ev(m, t, i + 1 == m->n_pending_seqs ? EV_PRESENTED : EV_DISCARDED, seq);
	}
	m->n_pending_seqs = 0;
}

static void run_model(bool dmabuf, uint32_t release_on, uint64_t seed)
{
	struct model m;
	memset(&m, 0, sizeof(m));
	rng_state = seed;
	m.dmabuf = dmabuf;
	struct vmsync_pacer_config c;
	vmsync_pacer_config_defaults(&c);
	c.release_on = release_on;
	REQUIRE(sim_init(&m.s, &c));
	m.visible = true;
	m.visible_since = m.s.now;
	m.next_toggle = m.s.now + rnd_range(500 * MS, 2000 * MS);
	m.next_vblank = m.s.now + VBLANK;
	const uint64_t end = m.s.now + 30000 * MS;

	guest_step(&m);
	while (m.s.now < end && !m.s.error[0]) {
		/* The earliest of: compositor event, guest done, vblank, toggle. */
		uint64_t t = m.next_vblank;
		int ev = -1;
		for (uint32_t i = 0; i < m.n_evs; i++) {
			if (m.evs[i].t < t) {
				t = m.evs[i].t;
				ev = (int)i;
			}
		}
		if (m.rendering && m.render_done_at < t) {
			t = m.render_done_at;
			ev = -2;
		}
		if (m.next_toggle < t) {
			t = m.next_toggle;
			ev = -3;
		}
		sim_advance_to(&m.s, t);
		scan_actions(&m);
		if (ev >= 0) {
			struct ev e = m.evs[ev];
			m.evs[ev] = m.evs[--m.n_evs];
			compositor_event(&m, &e);
		} else if (ev == -2) {
			m.rendering = false;
			m.last_buffer = m.render_buffer;
			sim_frame(&m.s, m.render_buffer, dmabuf ? 0 : VMSYNC_FRAME_COPIED);
		} else if (ev == -3) {
			m.visible = !m.visible;
			m.visible_since = m.s.now;
			m.next_toggle = m.s.now + (m.visible ? rnd_range(500 * MS, 2000 * MS) :
				rnd_range(150 * MS, 1000 * MS));
		} else {
			vblank(&m);
			m.next_vblank += VBLANK;
		}
		scan_actions(&m);
		guest_step(&m);
	}
	if (m.s.error[0])
		FAIL("model (%s, release_on %#x): %s",
			dmabuf ? "dma-buf" : "shm", release_on, m.s.error);
	struct vmsync_pacer_stats st;
	vmsync_pacer_get_stats(m.s.pacer, &st);
	tap_note("model %-7s release_on %#x: %llu frames, %llu presented (%llu zero-copy),"
		" %llu/%llu visible vblanks shown, %llu dropped, %llu watchdog releases,"
		" max hold %.1f ms",
		dmabuf ? "dma-buf" : "shm", release_on,
		(unsigned long long)st.frames_new, (unsigned long long)st.frames_presented,
		(unsigned long long)st.frames_zero_copy,
		(unsigned long long)m.presented_visible, (unsigned long long)m.visible_vblanks,
		(unsigned long long)st.frames_dropped, (unsigned long long)st.watchdog_releases,
		(double)st.max_block_ns / 1e6);

	/* While visible, the compositor's events pace the guest, not the watchdog. */
	REQUIRE_EQ_U64(m.visible_watchdog_releases, 0);
	/* The guest never draws into a buffer the compositor still holds. */
	REQUIRE_EQ_U64(m.unsafe_writes, 0);
	/* Renders take <= 12 ms: nearly every visible vblank shows a new frame. */
	REQUIRE(m.presented_visible * 10 >= m.visible_vblanks * 8);
	REQUIRE(st.max_block_ns <= VMSYNC_PACER_DEFAULT_WATCHDOG_NS);
	/* A blocked guest cannot produce, so nothing it made is thrown away. */
	REQUIRE_EQ_U64(st.frames_dropped, 0);
	if (dmabuf)
		REQUIRE_EQ_U64(st.frames_zero_copy, st.frames_presented);
	sim_check_all_ended(&m.s);
	REQUIRE(m.s.error[0] == 0);
	sim_fini(&m.s);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return replay_files(argc, argv);
	fuzz_replay();
	tap_note("fuzz replay: 603 runs ok");
	const uint32_t policies[] = {
		VMSYNC_RELEASE_ON_DEFAULT,
		VMSYNC_RELEASE_ON_FRAME_DONE,
		VMSYNC_RELEASE_ON_PRESENTATION,
		VMSYNC_RELEASE_ON_BUFFER | VMSYNC_RELEASE_ON_FRAME_DONE,
	};
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		run_model(true, policies[i], 0xc0ffee + i);
		run_model(false, policies[i], 0xbeef + i);
	}
	return tap_finish();
}
