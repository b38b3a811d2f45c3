/* SPDX-License-Identifier: MIT */
/*
 * The renderer-bench scene (32 overlapping ARGB surfaces on a 1920x1080
 * headless output, 8 redrawn and damaged per frame), measured in a way that
 * still says something on a fast GPU. Weston 10's headless output paces
 * itself with a 16 ms timer, so frames per second saturate there; the CPU
 * time the compositor thread spends per frame does not. The harness runs
 * the compositor on the process's main thread and this client on its own.
 *
 * Prints one line:
 *   device-bench: fps=F compositor_ms=C other_ms=O client_ms=K frames=N
 * compositor_ms: main-thread CPU per frame; other_ms: CPU of every other
 * thread except this client (driver worker threads) per frame.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"
#include "vmplane/clock.h"

#define OUT_W 1920
#define OUT_H 1080
#define N_SURF 32
#define SURF_W 640
#define SURF_H 480
#define DAMAGED_PER_FRAME 8
#define WARMUP 30
#define DEFAULT_FRAMES 600

VMP_FIXTURE(RENDERER_GL, OUT_W, OUT_H);

static void
paint(struct buffer *buf, int frame, int idx)
{
	uint32_t *pix = pixman_image_get_data(buf->image);
	int stride = pixman_image_get_stride(buf->image) / 4;
	uint32_t a = 0xa0, c = (uint32_t)(frame * 7 + idx * 31) & 0x9f;
	uint32_t v = a << 24 | c << 16 | (0x9f - c) << 8 | (c / 2);

	for (int y = 0; y < SURF_H; y++)
		for (int x = 0; x < SURF_W; x++)
			pix[y * stride + x] = v;
}

static double
wall_s(void)
{
	return vmplane_now_ns() / 1e9;
}

static double
rusage_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The main thread's CPU time: schedstat has nanoseconds, stat only ticks. */
static double
compositor_cpu_s(void)
{
	char path[64];
	unsigned long long ns, ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)getpid());
	f = fopen(path, "r");
	if (f) {
		int n = fscanf(f, "%llu", &ns);

		fclose(f);
		if (n == 1 && ns > 0)
			return ns / 1e9;
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)getpid());
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* Fields 14 and 15 follow the parenthesised command name. */
	if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		ut = st = 0;
	fclose(f);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

TEST(overlapping_argb_surfaces_cpu)
{
	struct client *client = create_client();
	struct surface *surf[N_SURF];
	const char *env = getenv("DEVBENCH_FRAMES");
	int frames = env ? atoi(env) : DEFAULT_FRAMES;
	double t0 = 0, comp0 = 0, self0 = 0, cli0 = 0;
	double t, comp, self, cli, other;
	int i, f;

	if (frames <= 0)
		frames = DEFAULT_FRAMES;
	for (i = 0; i < N_SURF; i++) {
		int done = 0;

		surf[i] = create_test_surface(client);
		surf[i]->width = SURF_W;
		surf[i]->height = SURF_H;
		surf[i]->buffer = create_shm_buffer_a8r8g8b8(client, SURF_W, SURF_H);
		paint(surf[i]->buffer, 0, i);
		weston_test_move_surface(client->test->weston_test,
					 surf[i]->wl_surface,
					 (i % 8) * 180, (i / 8) * 150);
		wl_surface_attach(surf[i]->wl_surface, surf[i]->buffer->proxy, 0, 0);
		wl_surface_damage(surf[i]->wl_surface, 0, 0, SURF_W, SURF_H);
		frame_callback_set(surf[i]->wl_surface, &done);
		wl_surface_commit(surf[i]->wl_surface);
		frame_callback_wait(client, &done);
	}

	for (f = 0; f < WARMUP + frames; f++) {
		int done = 0;

		if (f == WARMUP) {
			t0 = wall_s();
			comp0 = compositor_cpu_s();
			self0 = rusage_s(RUSAGE_SELF);
			cli0 = rusage_s(RUSAGE_THREAD);
		}
		for (i = 0; i < DAMAGED_PER_FRAME; i++) {
			struct surface *s = surf[(f * DAMAGED_PER_FRAME + i) % N_SURF];

			paint(s->buffer, f, i);
			wl_surface_attach(s->wl_surface, s->buffer->proxy, 0, 0);
			wl_surface_damage(s->wl_surface, 0, 0, SURF_W, SURF_H);
			if (i == DAMAGED_PER_FRAME - 1)
				frame_callback_set(s->wl_surface, &done);
			wl_surface_commit(s->wl_surface);
		}
		frame_callback_wait(client, &done);
	}
	t = wall_s() - t0;
	comp = compositor_cpu_s() - comp0;
	self = rusage_s(RUSAGE_SELF) - self0;
	cli = rusage_s(RUSAGE_THREAD) - cli0;
	other = self - comp - cli;
	/* Clocks sampled apart can leave a few nanoseconds below zero. */
	if (other < 0)
		other = 0;
	printf("device-bench: fps=%.2f compositor_ms=%.3f other_ms=%.3f client_ms=%.3f frames=%d\n",
	       frames / t, comp * 1e3 / frames,
	       other * 1e3 / frames, cli * 1e3 / frames, frames);
	client_destroy(client);
}
