/* SPDX-License-Identifier: MIT */
/*
 * First placement (placement.c) against the scripted compositor: no map
 * before the first frame, one unmap and new role per early growth of the
 * guest's mode, at most two, and none for shrinking or an imposed size.
 */
#include <stdlib.h>
#include <unistd.h>

#include "fourcc.h"
#include "fake-compositor.h"
#include "producer.h"
#include "tap.h"

static struct fake_stats
stats_after(struct producer *p, struct fake_compositor *fc, int ms)
{
	struct fake_stats st;

	/* The scripted compositor runs on its own thread: give it time to answer. */
	producer_pump(p, ms);
	usleep(50 * 1000);
	producer_pump(p, 0);
	usleep(50 * 1000);
	fake_compositor_get_stats(fc, &st);
	return st;
}

/* The guest switches to a w x h surface and shows one frame. */
static void
mode(struct producer *p, uint32_t w, uint32_t h)
{
	free(p->pixels);
	p->width = w;
	p->height = h;
	p->pixels = calloc((size_t)w * h, 4);
	REQUIRE(p->pixels);
	REQUIRE(vmpd_head_set_surface(p->head, w, h, w * 4,
				      VMPD_FOURCC_XRGB8888,
				      p->pixels) == VMPD_OK);
	REQUIRE(vmpd_head_update(p->head, NULL, -1) == VMPD_OK);
}

static void
growth_remaps_twice(void)
{
	struct fake_config cfg = { 0 };
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	struct producer p;
	struct fake_stats st;

	REQUIRE(fc);
	REQUIRE(producer_init(&p, NULL, fake_compositor_socket(fc), 1, 1, 0, 0,
			      0));
	/* Configured, but no frame yet: nothing is mapped at a guessed size. */
	st = stats_after(&p, fc, 200);
	REQUIRE(st.toplevels == 1 && st.role_maps == 0);

	mode(&p, 640, 480); /* QEMU's placeholder */
	st = stats_after(&p, fc, 200);
	REQUIRE(st.toplevels == 1 && st.role_maps == 1 && st.role_unmaps == 0);

	mode(&p, 720, 400); /* wider: firmware text mode */
	st = stats_after(&p, fc, 200);
	REQUIRE(st.role_unmaps == 1 && st.toplevels == 2 && st.role_maps == 2);

	mode(&p, 640, 400); /* smaller: stays where it is */
	st = stats_after(&p, fc, 200);
	REQUIRE(st.role_unmaps == 1 && st.toplevels == 2);

	mode(&p, 1024, 768); /* the guest's mode */
	st = stats_after(&p, fc, 200);
	REQUIRE(st.role_unmaps == 2 && st.toplevels == 3 && st.role_maps >= 3);

	mode(&p, 1280, 800); /* a third growth keeps the window in place */
	st = stats_after(&p, fc, 200);
	REQUIRE(st.role_unmaps == 2 && st.toplevels == 3);
	/* Still showing frames after all that. */
	REQUIRE(producer_flush(&p));
	producer_fini(&p);
	fake_compositor_stop(fc);
}

static void
imposed_size_never_remaps(void)
{
	struct fake_config cfg = { .configure_width = 800,
				   .configure_height = 600 };
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	struct producer p;
	struct fake_stats st;

	REQUIRE(fc);
	REQUIRE(producer_init(&p, NULL, fake_compositor_socket(fc), 1, 1, 0, 0,
			      0));
	mode(&p, 640, 480);
	mode(&p, 1024, 768);
	st = stats_after(&p, fc, 300);
	REQUIRE(st.toplevels == 1 && st.role_unmaps == 0 && st.role_maps >= 1);
	producer_fini(&p);
	fake_compositor_stop(fc);
}

int
main(void)
{
	growth_remaps_twice();
	imposed_size_never_remaps();
	return tap_finish();
}
