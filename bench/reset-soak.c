/* SPDX-License-Identifier: MIT */
/*
 * GPU reset soak on Weston's harness, headless GL on llvmpipe: many resets
 * in a row (1000 by default, RESET_SOAK_COUNT to change) with the reset
 * tests' scene (shm ARGB with alpha, shm YUV, a subsurface tree) and a
 * plain client that knows nothing of the protocol.
 *
 * Printed: resets injected, recovered events, screenshots identical to the
 * one taken before the first reset, clients still connected, recovery time
 * median and p99 (injected -> recovered event on the client, and the
 * renderer's detection -> first good frame) as ratios against an ordinary
 * repaint of the same run, and the heap of the process (the compositor and
 * the clients share it) at every tenth of the run against the heap after
 * the warm-up. Only correctness is asserted (a screenshot that differs, a
 * missing event, a lost client); times and growth are reported.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"

#include "reset-common.h"
#include "reset-scene.h"
#include "vmplane/clock.h"

#define WARM_UP 20

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	return reset_run_compositor(harness, THIS_TEST_NAME, VMPLANE_MODULE_PATH);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

static double
now_ms(void)
{
	return vmplane_now_ns() / 1e6;
}

/* Bytes malloc hands out (arena and mmapped chunks), process-wide. */
static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Resident set in kB, from /proc/self/statm. */
static long
rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of v, which it sorts. */
static double
quantile(double *v, int n, double q)
{
	int i = (int)(q * n + 0.999999) - 1;

	qsort(v, n, sizeof(*v), cmp_double);
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* An ordinary repaint, for the ratios: move the plain client's surface and
 * wait for its frame. */
static double
repaint_ms(struct client *plain, int i)
{
	double t0 = now_ms();

	move_client(plain, 200 + (i & 1), 150);
	return now_ms() - t0;
}

TEST(reset_soak)
{
	const char *env = getenv("RESET_SOAK_COUNT");
	int count = env ? atoi(env) : 1000;
	struct client *plain, *client;
	struct reset_scene *scene;
	struct reset_watch w;
	struct buffer *first, *shot;
	double *client_ms, *event_ms, base[16];
	int recovered = 0, identical = 0, alive = 2;
	size_t heap_warm = 0, heap_peak = 0, heap;
	long rss_warm = 0, rss;

	assert(count > WARM_UP);
	client_ms = calloc(count, sizeof(double));
	event_ms = calloc(count, sizeof(double));
	assert(client_ms && event_ms);

	plain = create_client_and_test_surface(200, 150, 40, 30);
	client = create_client();
	reset_watch_init(&w, client);
	scene = reset_scene_create(client, 20, 40);
	for (int i = 0; i < 16; i++)
		base[i] = repaint_ms(plain, i);
	/* Back where the reference screenshot sees it. */
	move_client(plain, 200, 150);
	first = capture_screenshot_of_output(client);

	for (int n = 0; n < count; n++) {
		double t0 = now_ms();
		int i;

		w.n_log = 0;
		i = reset_inject_and_wait(&w, n % 2 ? VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT
						     : VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY);
		client_ms[n] = now_ms() - t0;
		if (w.log[i + 1].kind == RESET_LOG_RECOVERED) {
			recovered++;
			event_ms[n] = w.log[i + 1].arg / 1e3;
		}
		shot = capture_screenshot_of_output(client);
		if (reset_images_identical(first->image, shot->image)) {
			identical++;
		} else if (n == identical) {
			fprintf(stderr, "soak: screenshot after reset %d differs\n", n + 1);
			write_image_as_png(first->image, "reset-soak-first.png");
			write_image_as_png(shot->image, "reset-soak-bad.png");
		}
		buffer_destroy(shot);

		if (n + 1 == WARM_UP) {
			heap_warm = heap_in_use();
			rss_warm = rss_kb();
		}
		if (n + 1 > WARM_UP && (n + 1) % (count / 10 ? count / 10 : 1) == 0) {
			alive = reset_client_alive(plain) + reset_client_alive(client);
			heap = heap_in_use();
			rss = rss_kb();
			heap_peak = heap > heap_peak ? heap : heap_peak;
			printf("reset-soak %5d resets: heap %zu bytes (%+ld since reset %d), "
			       "rss %ld kB (%+ld), %d/2 clients connected\n",
			       n + 1, heap, (long)(heap - heap_warm), WARM_UP,
			       rss, rss - rss_warm, alive);
			fflush(stdout);
		}
	}
	alive = reset_client_alive(plain) + reset_client_alive(client);
	reset_get_counters(&w);
	heap = heap_in_use();

	{
		double b = quantile(base, 16, 0.5);
		double c50 = quantile(client_ms, count, 0.5);
		double c99 = quantile(client_ms, count, 0.99);
		double e50 = quantile(event_ms, count, 0.5);
		double e99 = quantile(event_ms, count, 0.99);

		printf("reset-soak counts: %d resets injected, %d recovered events, "
		       "%d/%d screenshots identical, %d/2 clients connected, "
		       "renderer counters %u resets %u recoveries %u safe mode, "
		       "frames %u drawn %u undrawn\n",
		       count, recovered, identical, count, alive,
		       w.counters[0], w.counters[1], w.counters[4],
		       w.frames_drawn, w.frames_undrawn);
		printf("reset-soak recovery injected->recovered: median %.1f ms, "
		       "p99 %.1f ms; renderer detection->first good frame: median "
		       "%.1f ms, p99 %.1f ms; ordinary repaint %.1f ms "
		       "(ratios %.2fx, %.2fx)\n", c50, c99, e50, e99, b,
		       c50 / b, c99 / b);
		if (heap_warm == 0)
			/* ASan or valgrind: their allocator, their leak check;
			 * RSS then includes ASan's quarantine of freed blocks. */
			printf("reset-soak heap: malloc is not glibc's here, no "
			       "heap figures (the sanitizer checks leaks); rss "
			       "%+ld kB after reset %d\n", rss_kb() - rss_warm,
			       WARM_UP);
		else
			printf("reset-soak heap: %zu bytes after %d resets, %zu at "
			       "the end (growth %+ld bytes = %+.1f bytes per reset, "
			       "ratio %.4f), peak %zu\n", heap_warm, WARM_UP, heap,
			       (long)(heap - heap_warm),
			       (double)((long)(heap - heap_warm)) / (count - WARM_UP),
			       (double)heap / (double)heap_warm, heap_peak);
	}
	fflush(stdout);

	assert(recovered == count);
	assert(identical == count);
	assert(alive == 2);
	assert(w.counters[4] == 0);
	assert(w.frames_undrawn == 0);

	free(client_ms);
	free(event_ms);
	buffer_destroy(first);
	reset_scene_destroy(scene);
	reset_watch_fini(&w);
	client_destroy(client);
	client_destroy(plain);
}
