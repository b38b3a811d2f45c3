/* SPDX-License-Identifier: MIT */
/*
 * Explicit sync on our renderer (the headless backend always offers it):
 * per-commit releases come for dma-bufs, and an acquire fence that has not
 * signalled holds that surface's new buffer back without stalling the
 * compositor: others still repaint, and the buffer shows once the fence
 * signals. Acquire fences need sw_sync (the rig, rig-weston-explicit-sync);
 * memfds stand in for dma-bufs (the renderer's CPU path maps them).
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <drm_fourcc.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "vmplane/sync_timeline.h"

#include "pixel-check.h"

#define OUT_W 320
#define OUT_H 240
#define SURF_W 64
#define SURF_H 48
#define A_X 40
#define B_X 200
#define SURF_Y 60
#define BACKGROUND 0xff29527au

VMP_FIXTURE(RENDERER_GL, OUT_W, OUT_H);

/* A memfd dma-buf of one opaque colour. */
static struct wl_buffer *
solid_buffer(struct client *client, struct zwp_linux_dmabuf_v1 *dmabuf,
	     uint32_t argb)
{
	size_t size = (size_t)SURF_W * SURF_H * 4;
	struct zwp_linux_buffer_params_v1 *params;
	struct wl_buffer *buffer;
	uint32_t *map;
	int fd = memfd_create("vmp-explicit-sync", MFD_CLOEXEC);

	assert(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
	map = mmap(NULL, size, PROT_WRITE, MAP_SHARED, fd, 0);
	assert(map != MAP_FAILED);
	for (size_t i = 0; i < size / 4; i++)
		map[i] = argb;
	munmap(map, size);
	params = zwp_linux_dmabuf_v1_create_params(dmabuf);
	zwp_linux_buffer_params_v1_add(params, fd, 0, 0, SURF_W * 4,
				       DRM_FORMAT_MOD_LINEAR >> 32,
				       DRM_FORMAT_MOD_LINEAR & 0xffffffff);
	buffer = zwp_linux_buffer_params_v1_create_immed(params, SURF_W, SURF_H,
							 DRM_FORMAT_XRGB8888, 0);
	zwp_linux_buffer_params_v1_destroy(params);
	close(fd);
	return buffer;
}

struct scene {
	uint32_t a, b;
};

static uint32_t
expected(int x, int y, void *data)
{
	const struct scene *s = data;

	if (y >= SURF_Y && y < SURF_Y + SURF_H) {
		if (x >= A_X && x < A_X + SURF_W)
			return s->a;
		if (x >= B_X && x < B_X + SURF_W)
			return s->b;
	}
	return BACKGROUND;
}

static void
check_scene(struct client *client, uint32_t a, uint32_t b, const char *what)
{
	struct scene s = { a, b };
	struct vmp_pixel_report report;
	struct buffer *shot = capture_screenshot_of_output(client);
	bool ok = vmp_pixels_match(shot->image, expected, &s, 1, &report);

	vmp_pixel_report_print(what, &report);
	assert(ok);
	buffer_destroy(shot);
}

static void
show(struct client *client, struct wl_surface *surface, struct wl_buffer *buffer)
{
	int done = 0;

	wl_surface_attach(surface, buffer, 0, 0);
	wl_surface_damage(surface, 0, 0, SURF_W, SURF_H);
	frame_callback_set(surface, &done);
	wl_surface_commit(surface);
	frame_callback_wait(client, &done);
}

struct release_result {
	int events;
	int fence_fd;
};

static void
fenced(void *data, struct zwp_linux_buffer_release_v1 *release, int32_t fd)
{
	struct release_result *r = data;

	r->events++;
	r->fence_fd = fd;
	zwp_linux_buffer_release_v1_destroy(release);
}

static void
immediate(void *data, struct zwp_linux_buffer_release_v1 *release)
{
	struct release_result *r = data;

	r->events++;
	zwp_linux_buffer_release_v1_destroy(release);
}

static const struct zwp_linux_buffer_release_v1_listener release_listener = {
	.fenced_release = fenced,
	.immediate_release = immediate,
};

TEST(dmabuf_release_comes_per_commit)
{
	struct client *client = create_client_and_test_surface(A_X, SURF_Y,
							       SURF_W, SURF_H);
	struct zwp_linux_dmabuf_v1 *dmabuf =
		bind_to_singleton_global(client, &zwp_linux_dmabuf_v1_interface, 3);
	struct zwp_linux_explicit_synchronization_v1 *sync =
		bind_to_singleton_global(client,
			&zwp_linux_explicit_synchronization_v1_interface, 2);
	struct wl_surface *surface = client->surface->wl_surface;
	struct zwp_linux_surface_synchronization_v1 *ssync =
		zwp_linux_explicit_synchronization_v1_get_synchronization(sync,
									  surface);
	struct wl_buffer *red = solid_buffer(client, dmabuf, 0xffc00000u);
	struct wl_buffer *green = solid_buffer(client, dmabuf, 0xff00c000u);
	struct release_result r = { 0, -1 };

	zwp_linux_buffer_release_v1_add_listener(
		zwp_linux_surface_synchronization_v1_get_release(ssync),
		&release_listener, &r);
	show(client, surface, red);
	check_scene(client, 0xffc00000u, BACKGROUND, "red");
	assert(r.events == 0); /* still shown */
	show(client, surface, green);
	client_roundtrip(client);
	check_scene(client, 0xff00c000u, BACKGROUND, "green");
	/* Exactly one event; a fence (GPUs with native fences) must signal. */
	assert(r.events == 1);
	if (r.fence_fd >= 0) {
		struct pollfd p = { .fd = r.fence_fd, .events = POLLIN };

		assert(poll(&p, 1, 1000) == 1);
		close(r.fence_fd);
	}
	testlog("release of the replaced buffer: %s\n",
		r.fence_fd >= 0 ? "fenced" : "immediate");

	zwp_linux_surface_synchronization_v1_destroy(ssync);
	zwp_linux_explicit_synchronization_v1_destroy(sync);
	wl_buffer_destroy(red);
	wl_buffer_destroy(green);
	zwp_linux_dmabuf_v1_destroy(dmabuf);
	client_destroy(client);
}

TEST(pending_acquire_fence_does_not_stall)
{
	struct vmsync_timeline *timeline;
	struct client *client;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct zwp_linux_explicit_synchronization_v1 *sync;
	struct zwp_linux_surface_synchronization_v1 *ssync;
	struct surface *other;
	struct wl_buffer *red, *green, *blue, *white;
	int fence;

	if (vmsync_timeline_create(&timeline) != VMSYNC_OK) {
		/* In the rig sw_sync is there: not having it is a failure. */
		assert(!getenv("RIG_OUT"));
		testlog("no sw_sync here: the acquire-fence case runs in the "
			"rig, rig-weston-explicit-sync\n");
		return;
	}
	client = create_client_and_test_surface(A_X, SURF_Y, SURF_W, SURF_H);
	dmabuf = bind_to_singleton_global(client, &zwp_linux_dmabuf_v1_interface, 3);
	sync = bind_to_singleton_global(client,
		&zwp_linux_explicit_synchronization_v1_interface, 2);
	ssync = zwp_linux_explicit_synchronization_v1_get_synchronization(
		sync, client->surface->wl_surface);
	other = create_test_surface(client);
	weston_test_move_surface(client->test->weston_test, other->wl_surface,
				 B_X, SURF_Y);
	red = solid_buffer(client, dmabuf, 0xffc00000u);
	green = solid_buffer(client, dmabuf, 0xff00c000u);
	blue = solid_buffer(client, dmabuf, 0xff0000c0u);
	white = solid_buffer(client, dmabuf, 0xffe0e0e0u);

	show(client, client->surface->wl_surface, red);
	show(client, other->wl_surface, blue);
	check_scene(client, 0xffc00000u, 0xff0000c0u, "before");

	/* green behind a fence that has not signalled */
	assert(vmsync_timeline_fence(timeline, 1, "vmp-acquire", &fence) ==
	       VMSYNC_OK);
	zwp_linux_surface_synchronization_v1_set_acquire_fence(ssync, fence);
	close(fence);
	wl_surface_attach(client->surface->wl_surface, green, 0, 0);
	wl_surface_damage(client->surface->wl_surface, 0, 0, SURF_W, SURF_H);
	wl_surface_commit(client->surface->wl_surface);
	client_roundtrip(client);
	/* The compositor answers and repaints the other surface; the fenced
	 * one keeps its previous content (a blocking wait would have shown
	 * green after its timeout). */
	show(client, other->wl_surface, white);
	usleep(1200 * 1000);
	client_roundtrip(client);
	check_scene(client, 0xffc00000u, 0xffe0e0e0u, "fence pending");

	assert(vmsync_timeline_advance(timeline, 1) == VMSYNC_OK);
	/* The renderer repaints once the fence fd is readable. */
	for (int i = 0; i < 50; i++) {
		client_roundtrip(client);
		usleep(20 * 1000);
	}
	check_scene(client, 0xff00c000u, 0xffe0e0e0u, "fence signalled");

	zwp_linux_surface_synchronization_v1_destroy(ssync);
	zwp_linux_explicit_synchronization_v1_destroy(sync);
	surface_destroy(other);
	wl_buffer_destroy(red);
	wl_buffer_destroy(green);
	wl_buffer_destroy(blue);
	wl_buffer_destroy(white);
	zwp_linux_dmabuf_v1_destroy(dmabuf);
	client_destroy(client);
	vmsync_timeline_destroy(timeline);
}
