/* SPDX-License-Identifier: MIT */
/*
 * dma-bufs on a machine without EGL dma-buf import: the renderer's CPU path
 * maps the buffer and uploads it. A memfd stands in for the dma-buf (it can
 * be mapped the same way). Pixels are read back; buffers the renderer cannot
 * handle must fail cleanly through zwp_linux_buffer_params_v1.failed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <drm_fourcc.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"

#include "pixel-check.h"

#define OUT_W 320
#define OUT_H 240
#define SURF_X 50
#define SURF_Y 40
#define BUF_W 64
#define BUF_H 32
#define BACKGROUND 0xff29527au

VMP_FIXTURE(RENDERER_GL, OUT_W, OUT_H);

static uint32_t
pattern(int x, int y)
{
	return 0xff000000u | (uint32_t)(x * 3) << 16 | (uint32_t)(y * 7) << 8 |
	       (uint32_t)((x ^ y) * 5 & 0xff);
}

static uint32_t
expected_screen(int x, int y, void *data)
{
	(void)data;
	if (x >= SURF_X && x < SURF_X + BUF_W && y >= SURF_Y && y < SURF_Y + BUF_H)
		return pattern(x - SURF_X, y - SURF_Y);
	return BACKGROUND;
}

/* A memfd holding `size` bytes, the pattern written at `stride`. */
static int
make_pixels(size_t size, int stride)
{
	int fd = memfd_create("vmp-dmabuf", MFD_CLOEXEC);
	uint8_t *map;

	assert(fd >= 0);
	assert(ftruncate(fd, (off_t)size) == 0);
	map = mmap(NULL, size, PROT_WRITE, MAP_SHARED, fd, 0);
	assert(map != MAP_FAILED);
	for (int y = 0; y < BUF_H && (size_t)((y + 1) * stride) <= size; y++)
		for (int x = 0; x < BUF_W; x++)
			((uint32_t *)(map + y * stride))[x] = pattern(x, y);
	munmap(map, size);
	return fd;
}

struct params_result {
	int done;
	struct wl_buffer *buffer;
};

static void
params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
	       struct wl_buffer *buffer)
{
	struct params_result *r = data;

	r->done = 1;
	r->buffer = buffer;
}

static void
params_failed(void *data, struct zwp_linux_buffer_params_v1 *params)
{
	struct params_result *r = data;

	r->done = -1;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

/* Creates a buffer the asynchronous way; returns NULL when it failed. */
static struct wl_buffer *
try_create(struct client *client, struct zwp_linux_dmabuf_v1 *dmabuf, int fd,
	   uint32_t offset, uint32_t stride, uint64_t modifier, int w, int h,
	   uint32_t format)
{
	struct zwp_linux_buffer_params_v1 *params;
	struct params_result r = { 0 };

	params = zwp_linux_dmabuf_v1_create_params(dmabuf);
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &r);
	zwp_linux_buffer_params_v1_add(params, fd, 0, offset, stride,
				       (uint32_t)(modifier >> 32),
				       (uint32_t)(modifier & 0xffffffff));
	zwp_linux_buffer_params_v1_create(params, w, h, format, 0);
	while (!r.done)
		assert(wl_display_dispatch(client->wl_display) >= 0);
	zwp_linux_buffer_params_v1_destroy(params);
	return r.done > 0 ? r.buffer : NULL;
}

TEST(cpu_fallback_shows_dmabuf_pixels)
{
	struct client *client = create_client_and_test_surface(SURF_X, SURF_Y,
							       BUF_W, BUF_H);
	struct zwp_linux_dmabuf_v1 *dmabuf =
		bind_to_singleton_global(client, &zwp_linux_dmabuf_v1_interface, 3);
	int stride = BUF_W * 4 + 64; /* padded rows must be honoured */
	int fd = make_pixels((size_t)stride * BUF_H, stride);
	struct wl_buffer *buffer;
	struct vmp_pixel_report report;
	struct buffer *shot;
	int done = 0;
	bool ok;

	buffer = try_create(client, dmabuf, fd, 0, stride, DRM_FORMAT_MOD_LINEAR,
			    BUF_W, BUF_H, DRM_FORMAT_XRGB8888);
	close(fd);
	assert(buffer);

	wl_surface_attach(client->surface->wl_surface, buffer, 0, 0);
	wl_surface_damage(client->surface->wl_surface, 0, 0, BUF_W, BUF_H);
	frame_callback_set(client->surface->wl_surface, &done);
	wl_surface_commit(client->surface->wl_surface);
	frame_callback_wait(client, &done);

	shot = capture_screenshot_of_output(client);
	ok = vmp_pixels_match(shot->image, expected_screen, NULL, 1, &report);
	vmp_pixel_report_print("dma-buf via CPU path", &report);
	assert(ok);

	buffer_destroy(shot);
	wl_buffer_destroy(buffer);
	zwp_linux_dmabuf_v1_destroy(dmabuf);
	client_destroy(client);
}

TEST(bad_dmabufs_fail_cleanly)
{
	struct client *client = create_client_and_test_surface(SURF_X, SURF_Y,
							       BUF_W, BUF_H);
	struct zwp_linux_dmabuf_v1 *dmabuf =
		bind_to_singleton_global(client, &zwp_linux_dmabuf_v1_interface, 3);
	int stride = BUF_W * 4;
	int fd = make_pixels((size_t)stride * BUF_H, stride);
	struct wl_buffer *good;

	/* Out-of-bounds planes are a protocol error in libweston itself;
	 * these reach the renderer and must fail without one. */
	/* Rows shorter than the width. */
	assert(!try_create(client, dmabuf, fd, 0, BUF_W * 2, DRM_FORMAT_MOD_LINEAR,
			   BUF_W, BUF_H, DRM_FORMAT_XRGB8888));
	/* A tiled layout the CPU cannot untangle. */
	assert(!try_create(client, dmabuf, fd, 0, stride, I915_FORMAT_MOD_X_TILED,
			   BUF_W, BUF_H, DRM_FORMAT_XRGB8888));
	/* A format outside the CPU path's list. */
	assert(!try_create(client, dmabuf, fd, 0, stride, DRM_FORMAT_MOD_LINEAR,
			   BUF_W, BUF_H, DRM_FORMAT_RGB565));

	/* The compositor is still fine: a valid buffer still works. */
	good = try_create(client, dmabuf, fd, 0, stride, DRM_FORMAT_MOD_LINEAR,
			  BUF_W, BUF_H, DRM_FORMAT_ARGB8888);
	assert(good);
	wl_buffer_destroy(good);
	close(fd);
	zwp_linux_dmabuf_v1_destroy(dmabuf);
	client_destroy(client);
}
