/* SPDX-License-Identifier: MIT */
/*
 * A compositor restart under the core (config.reconnect): the scripted fake
 * compositor stops and a new one starts on the same socket, five times. The
 * window, the last frame (2D and dma-buf) and the keyboard must come back
 * without a call from the guest; the guest is never held while no one is
 * there; and the lifetime counters keep counting across it all.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "core.h"
#include "fake-compositor.h"
#include "fourcc.h"
#include "producer.h"
#include "vmplane/clock.h"

#define W 64
#define H 48
#define RESTARTS 5

static char socket_name[64];

static const struct fake_format formats[] = {
	{ VMPD_FOURCC_XRGB8888, VMPD_MOD_LINEAR, true },
};

static struct fake_compositor *start_fake(void)
{
	struct fake_config cfg = {
		.dmabuf_version = 4, .formats = formats, .n_formats = 1,
		.socket_name = socket_name, .seat = true,
	};
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	REQUIRE(fc);
	return fc;
}

static int want_reconnects;

static bool reconnected(struct producer *p)
{
	return p->reconnects >= want_reconnects;
}

static bool gone(struct producer *p)
{
	return p->disconnected;
}

/* Pumps until the fake saw what the predicate wants, or timeout_ms passed. */
static bool wait_fake(struct producer *p, struct fake_compositor *fc,
	bool (*cond)(const struct fake_stats *st), int timeout_ms)
{
	uint64_t end = vmplane_now_ns() + (uint64_t)timeout_ms * 1000000u;
	struct fake_stats st;
	for (;;) {
		fake_compositor_get_stats(fc, &st);
		if (cond(&st))
			return true;
		if (vmplane_now_ns() >= end)
			return false;
		producer_pump(p, 5);
	}
}

static bool shm_shown(const struct fake_stats *st)
{
	return st->toplevels == 1 && st->shm_commits >= 1;
}

static bool dmabuf_shown(const struct fake_stats *st)
{
	return st->toplevels == 1 && st->params_created >= 1 && st->dmabuf_commits >= 1;
}

static bool has_keyboard(const struct fake_stats *st)
{
	return st->keyboards >= 1;
}

static bool has_pointer(const struct fake_stats *st)
{
	return st->pointers >= 1;
}

static bool cursor_set(const struct fake_stats *st)
{
	return st->cursor_sets >= 1;
}

static bool typed(struct producer *p)
{
	return p->n_keys >= 2;
}

/* A key typed on the fake reaches the producer: press and release. */
static void type_key(struct producer *p, struct fake_compositor *fc, uint32_t key)
{
	p->n_keys = 0;
	REQUIRE(wait_fake(p, fc, has_keyboard, 2000));
	fake_compositor_key(fc, key);
	REQUIRE(producer_wait(p, typed, 2000));
	REQUIRE(p->keys[0].code == key && p->keys[0].pressed);
	REQUIRE(p->keys[1].code == key && !p->keys[1].pressed);
}

/* The compositor goes: the guest is released, and frames end at once, dropped. */
static void lose(struct producer *p, struct fake_compositor *fc, uint64_t *dropped)
{
	struct vmpd_stats before, after;
	vmpd_head_get_stats(p->head, &before);
	REQUIRE(vmpd_head_update(p->head, NULL, -1) == VMPD_OK);
	fake_compositor_stop(fc);
	REQUIRE(producer_wait(p, gone, 2000));
	REQUIRE(!p->blocked);
	REQUIRE(p->blocks == p->releases);
	REQUIRE(!vmpd_display_connected(p->display));
	int blocks = p->blocks;
	for (int i = 0; i < 10; i++) {
		REQUIRE(vmpd_head_update(p->head, NULL, -1) == VMPD_ERR_DISCONNECTED);
		producer_pump(p, 0);
	}
	REQUIRE(p->blocks == blocks && !p->blocked);
	*dropped += 10;
	vmpd_head_get_stats(p->head, &after);
	/* The pacer went with the link; what it counted did not. */
	REQUIRE(after.frames_presented >= before.frames_presented);
	REQUIRE(after.frames_presented > 0);
	REQUIRE(after.frames_submitted >= before.frames_submitted);
	REQUIRE(after.frames_dropped_disconnected == *dropped);
}

int main(void)
{
	snprintf(socket_name, sizeof(socket_name), "vmpd-reconnect-%d", (int)getpid());
	struct vmpd_display_config cfg = {
		.socket_name = socket_name, .log = producer_log, .reconnect = true,
	};
	struct producer p;
	struct fake_compositor *fc = start_fake();
	REQUIRE(producer_init_config(&p, &cfg, W, H, 0, 0));
	int fd = vmpd_display_get_fd(p.display);

	/* 2D: three frames presented on the first compositor, a key typed. */
	producer_fill(&p, 1);
	REQUIRE(vmpd_head_set_surface(p.head, W, H, W * 4, VMPD_FOURCC_XRGB8888, p.pixels) ==
		VMPD_OK);
	for (int i = 0; i < 3; i++)
		REQUIRE(producer_flush(&p));
	type_key(&p, fc, KEY_A);
	struct vmpd_stats st;
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(st.frames_presented >= 3 && st.reconnects == 0);
	/* libdecor's frame: no border, the guest 1:1 in the window. */
	bool decorated = vmpd_display_decorations(p.display) == VMPD_DECORATIONS_LIBDECOR;
	tap_note("decorations: %s", decorated ? "libdecor" : "border");
	CHECK(!decorated || (p.head->win_w == W && p.head->win_h == H && p.head->dst_w == W &&
			     p.head->dst_h == H && p.head->border == 0));

	uint64_t dropped = 0;
	for (int round = 1; round <= RESTARTS; round++) {
		lose(&p, fc, &dropped);
		/* Kept for the next compositor while none is there. */
		producer_fill(&p, (uint32_t)round + 1);
		REQUIRE(vmpd_head_set_surface(p.head, W, H, W * 4, VMPD_FOURCC_XRGB8888,
			p.pixels) == VMPD_OK);
		uint32_t cursor[4] = { 0xffffffffu, 0xff000000u, 0xff000000u, 0xffffffffu };
		REQUIRE(vmpd_head_set_cursor(p.head, cursor, 2, 2, 0, 0) == VMPD_OK);
		REQUIRE(vmpd_head_set_cursor(p.head, cursor, 0, 2, 0, 0) == VMPD_ERR_SIZE);
		vmpd_head_move_cursor(p.head, 5, 5, true);
		/* A little wait: the first attempts find no one and back off. */
		producer_pump(&p, 150);

		uint64_t t0 = vmplane_now_ns();
		fc = start_fake();
		want_reconnects = round;
		REQUIRE(producer_wait(&p, reconnected, 3000));
		fprintf(stderr, "round %d: reconnected %.1f ms after the compositor started\n",
			round, (double)(vmplane_now_ns() - t0) / 1e6);
		REQUIRE(vmpd_display_connected(p.display));
		/* The same fd all along: the caller never re-registers it. */
		REQUIRE(vmpd_display_get_fd(p.display) == fd);
		/* Window and frame back with no call from the guest. */
		REQUIRE(wait_fake(&p, fc, shm_shown, 2000));
		REQUIRE(producer_wait(&p, producer_released, 2000));
		type_key(&p, fc, KEY_B);
		/* The cursor given while no one was there shows once the pointer enters. */
		REQUIRE(wait_fake(&p, fc, has_pointer, 2000));
		fake_compositor_pointer_enter(fc);
		REQUIRE(wait_fake(&p, fc, cursor_set, 2000));
		REQUIRE(producer_flush(&p));
		vmpd_head_get_stats(p.head, &st);
		REQUIRE(st.reconnects == (uint64_t)round);
		REQUIRE(st.frames_dropped_disconnected == dropped);
		/* The same window as before: a libdecor frame has no border to fit. */
		CHECK_MSG(!decorated || (p.head->win_w == W && p.head->win_h == H &&
					 p.head->dst_w == W && p.head->dst_h == H),
			  "round %d: window %ux%u, guest shown %ux%u", round, p.head->win_w,
			  p.head->win_h, p.head->dst_w, p.head->dst_h);
	}

	/* dma-buf: the guest's buffer is imported again on the next compositor. */
	int mem = memfd_create("fake-udmabuf", MFD_CLOEXEC);
	REQUIRE(mem >= 0 && ftruncate(mem, W * H * 4) == 0);
	struct vmpd_dmabuf desc = {
		.n_planes = 1, .fd = { mem, -1, -1, -1 }, .stride = { W * 4 },
		.fourcc = VMPD_FOURCC_XRGB8888, .modifier = VMPD_MOD_LINEAR, .width = W,
		.height = H, .src = { 0, 0, W, H },
	};
	REQUIRE(vmpd_head_set_dmabuf(p.head, &desc) == VMPD_OK);
	REQUIRE(producer_flush(&p));
	REQUIRE(wait_fake(&p, fc, dmabuf_shown, 2000));
	lose(&p, fc, &dropped);
	/* The caller's fd may go: the core holds its own. */
	close(mem);
	fc = start_fake();
	want_reconnects = RESTARTS + 1;
	REQUIRE(producer_wait(&p, reconnected, 3000));
	REQUIRE(wait_fake(&p, fc, dmabuf_shown, 2000));
	REQUIRE(producer_wait(&p, producer_released, 2000));
	REQUIRE(producer_flush(&p));

	vmpd_head_get_stats(p.head, &st);
	fprintf(stderr, "stats: %llu submitted, %llu presented, %llu dropped while disconnected, "
		"%llu reconnects\n", (unsigned long long)st.frames_submitted,
		(unsigned long long)st.frames_presented,
		(unsigned long long)st.frames_dropped_disconnected,
		(unsigned long long)st.reconnects);
	REQUIRE(st.reconnects == RESTARTS + 1);
	REQUIRE(st.frames_presented >= 3 + 2 * RESTARTS);
	REQUIRE(st.frames_dropped_disconnected == 10 * (RESTARTS + 1));
	REQUIRE(p.blocks == p.releases);

	/* Destroyed while waiting for a compositor: nothing left behind (ASan). */
	fake_compositor_stop(fc);
	REQUIRE(producer_wait(&p, gone, 2000));
	producer_pump(&p, 50);
	producer_fini(&p);
	return tap_finish();
}
