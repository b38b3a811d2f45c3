/* SPDX-License-Identifier: MIT */
/*
 * Weston 14 end-to-end check of the vmplane renderer: a client of a real
 * headless Weston (kiosk shell) draws known content (ARGB8888, XRGB8888,
 * NV12, a dma-buf and a single-pixel solid buffer over the shell's solid
 * background; the dma-buf is a memfd, which llvmpipe's CPU path maps),
 * captures the output through weston_capture_v1 and checks every pixel;
 * then injects GPU resets through vmplane_debug_v1 and checks that each
 * is recovered, notified, and leaves the capture identical.
 *
 * Usage: w14-scene-client RESETS  (the loop count after guilty, innocent
 * and unknown). Exit 0 on success, 1 on failure (with the reason).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "single-pixel-buffer-v1-client-protocol.h"
#include "weston-output-capture-client-protocol.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "vmplane-debug-v1-client-protocol.h"
#include "vmplane-reset-v1-client-protocol.h"

/* The runner starts Weston with this output size and background. */
#define OUT_W 320
#define OUT_H 240
#define BG_R 0x30
#define BG_G 0x60
#define BG_B 0xc0

#define DRM_ARGB8888 0x34325241
#define DRM_XRGB8888 0x34325258
#define DRM_ABGR8888 0x34324241
#define DRM_XBGR8888 0x34324258

#define TIMEOUT_MS 15000

struct client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wp_viewporter *viewporter;
	struct wp_single_pixel_buffer_manager_v1 *spb;
	struct weston_capture_v1 *capture;
	struct wl_output *output;
	struct vmplane_debug_v1 *debug;
	struct vmplane_reset_notifier_v1 *notifier;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	bool has_nv12;
	int params_state;	/* 0 pending, 1 created, -1 failed */
	struct wl_buffer *params_buffer;

	bool configured;
	bool frame_done;

	/* A subsurface committed again on every frame: the repaint loop
	 * keeps running while resets are injected. */
	struct wl_surface *anim;
	struct wl_subsurface *anim_sub;
	struct wl_buffer *anim_buffer;
	unsigned anim_frames;

	/* Capture source state. */
	uint32_t cap_format;
	int cap_w, cap_h;
	int cap_state;	/* 0 pending, 1 complete, 2 retry, 3 failed */

	/* Reset events. */
	uint32_t reset_serial, reset_status, recovered_serial;
	unsigned resets_seen, recovered_seen, degraded_seen;

	uint32_t resets, recoveries, safe_mode;
	uint32_t drawn, undrawn;
	bool have_counters, have_frames;
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* ---- shm ---- */

struct shm_buf {
	struct wl_buffer *buffer;
	uint8_t *data;
	size_t size;
	int fd;		/* closed unless the buffer is only memory */
};

static void
shm_buf_create(struct client *c, struct shm_buf *b, int w, int h, int stride,
	       size_t size, uint32_t format)
{
	struct wl_shm_pool *pool;
	int fd = memfd_create("w14-scene", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, size) < 0)
		die("memfd: %s", strerror(errno));
	b->data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b->data == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	b->size = size;
	pool = wl_shm_create_pool(c->shm, fd, size);
	b->buffer = wl_shm_pool_create_buffer(pool, 0, w > 0 ? w : 1,
					      h > 0 ? h : 1, stride > 0 ? stride : 4,
					      format);
	wl_shm_pool_destroy(pool);
	b->fd = -1;
	if (w > 0)
		close(fd);
	else
		b->fd = fd;
}

static void
shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct client *c = data;

	if (format == WL_SHM_FORMAT_NV12)
		c->has_nv12 = true;
}

static const struct wl_shm_listener shm_listener = { .format = shm_format };

/* ---- registry ---- */

static void
wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { .ping = wm_ping };

static void
cap_format(void *data, struct weston_capture_source_v1 *s, uint32_t format)
{
	((struct client *)data)->cap_format = format;
}

static void
cap_size(void *data, struct weston_capture_source_v1 *s, int32_t w, int32_t h)
{
	struct client *c = data;

	c->cap_w = w;
	c->cap_h = h;
}

static void
cap_complete(void *data, struct weston_capture_source_v1 *s)
{
	((struct client *)data)->cap_state = 1;
}

static void
cap_retry(void *data, struct weston_capture_source_v1 *s)
{
	((struct client *)data)->cap_state = 2;
}

static void
cap_failed(void *data, struct weston_capture_source_v1 *s, const char *msg)
{
	fprintf(stderr, "capture failed: %s\n", msg ? msg : "(no reason)");
	((struct client *)data)->cap_state = 3;
}

static const struct weston_capture_source_v1_listener cap_listener = {
	.format = cap_format,
	.size = cap_size,
	.complete = cap_complete,
	.retry = cap_retry,
	.failed = cap_failed,
};

static void
on_reset(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	 uint32_t status)
{
	struct client *c = data;

	c->reset_serial = serial;
	c->reset_status = status;
	c->resets_seen++;
}

static void
on_recovered(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	     uint32_t usec)
{
	struct client *c = data;

	c->recovered_serial = serial;
	c->recovered_seen++;
}

static void
on_degraded(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial)
{
	((struct client *)data)->degraded_seen++;
}

static const struct vmplane_reset_notifier_v1_listener notifier_listener = {
	.reset = on_reset,
	.recovered = on_recovered,
	.degraded = on_degraded,
};

static void
on_counters(void *data, struct vmplane_debug_v1 *d, uint32_t resets,
	    uint32_t recoveries, uint32_t rebuilt, uint32_t usec,
	    uint32_t safe_mode)
{
	struct client *c = data;

	c->resets = resets;
	c->recoveries = recoveries;
	c->safe_mode = safe_mode;
	c->have_counters = true;
}

static void
on_frames(void *data, struct vmplane_debug_v1 *d, uint32_t drawn,
	  uint32_t undrawn)
{
	struct client *c = data;

	c->drawn = drawn;
	c->undrawn = undrawn;
	c->have_frames = true;
}

static const struct vmplane_debug_v1_listener debug_listener = {
	.counters = on_counters,
	.frames = on_frames,
};

static void
on_global(void *data, struct wl_registry *reg, uint32_t name,
	  const char *iface, uint32_t version)
{
	struct client *c = data;

#define BIND(ptr, intf, ver) \
	(ptr) = wl_registry_bind(reg, name, &(intf), (ver))
	if (strcmp(iface, wl_compositor_interface.name) == 0)
		BIND(c->compositor, wl_compositor_interface, 4);
	else if (strcmp(iface, wl_subcompositor_interface.name) == 0)
		BIND(c->subcompositor, wl_subcompositor_interface, 1);
	else if (strcmp(iface, wl_shm_interface.name) == 0) {
		BIND(c->shm, wl_shm_interface, 1);
		wl_shm_add_listener(c->shm, &shm_listener, c);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
		BIND(c->wm_base, xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(c->wm_base, &wm_listener, c);
	} else if (strcmp(iface, wp_viewporter_interface.name) == 0)
		BIND(c->viewporter, wp_viewporter_interface, 1);
	else if (strcmp(iface, wp_single_pixel_buffer_manager_v1_interface.name) == 0)
		BIND(c->spb, wp_single_pixel_buffer_manager_v1_interface, 1);
	else if (strcmp(iface, weston_capture_v1_interface.name) == 0)
		BIND(c->capture, weston_capture_v1_interface, 1);
	else if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0)
		BIND(c->dmabuf, zwp_linux_dmabuf_v1_interface, 3);
	else if (strcmp(iface, wl_output_interface.name) == 0 && !c->output)
		BIND(c->output, wl_output_interface, 1);
	else if (strcmp(iface, vmplane_debug_v1_interface.name) == 0) {
		BIND(c->debug, vmplane_debug_v1_interface, version < 2 ? version : 2);
		vmplane_debug_v1_add_listener(c->debug, &debug_listener, c);
	} else if (strcmp(iface, vmplane_reset_notifier_v1_interface.name) == 0) {
		BIND(c->notifier, vmplane_reset_notifier_v1_interface, 1);
		vmplane_reset_notifier_v1_add_listener(c->notifier,
						       &notifier_listener, c);
	}
#undef BIND
}

static void
on_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = on_global,
	.global_remove = on_global_remove,
};

/* ---- waiting ---- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Dispatches until *flag is true; false on timeout. */
static bool
wait_for(struct client *c, bool (*done)(struct client *), const char *what)
{
	int64_t end = now_ms() + TIMEOUT_MS;
	struct pollfd pfd = { .fd = wl_display_get_fd(c->display),
			      .events = POLLIN };

	while (!done(c)) {
		if (now_ms() > end)
			die("timed out waiting for %s", what);
		while (wl_display_prepare_read(c->display) != 0)
			wl_display_dispatch_pending(c->display);
		wl_display_flush(c->display);
		if (poll(&pfd, 1, 100) > 0)
			wl_display_read_events(c->display);
		else
			wl_display_cancel_read(c->display);
		if (wl_display_dispatch_pending(c->display) < 0)
			die("connection lost waiting for %s", what);
	}
	return true;
}

static bool is_configured(struct client *c) { return c->configured; }
static bool params_done(struct client *c) { return c->params_state != 0; }
static bool is_frame_done(struct client *c) { return c->frame_done; }
static bool cap_done(struct client *c) { return c->cap_state != 0; }
static bool got_counters(struct client *c)
{
	return c->have_counters && c->have_frames;
}

/* ---- the scene ---- */

static void
params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
	       struct wl_buffer *buffer)
{
	struct client *c = data;

	c->params_state = 1;
	c->params_buffer = buffer;
}

static void
params_failed(void *data, struct zwp_linux_buffer_params_v1 *params)
{
	((struct client *)data)->params_state = -1;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static void
xdg_surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
	xdg_surface_ack_configure(s, serial);
	((struct client *)data)->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void
toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
		   struct wl_array *states)
{
}

static void
toplevel_close(void *data, struct xdg_toplevel *t)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void
frame_done(void *data, struct wl_callback *cb, uint32_t t)
{
	((struct client *)data)->frame_done = true;
	wl_callback_destroy(cb);
}

static const struct wl_callback_listener frame_listener = { .done = frame_done };

static void anim_commit(struct client *c);

static void
anim_done(void *data, struct wl_callback *cb, uint32_t t)
{
	struct client *c = data;

	wl_callback_destroy(cb);
	c->anim_frames++;
	anim_commit(c);
}

static const struct wl_callback_listener anim_listener = { .done = anim_done };

/* The same pixels, damaged again: a frame that changes nothing on screen. */
static void
anim_commit(struct client *c)
{
	struct wl_callback *cb;

	wl_surface_attach(c->anim, c->anim_buffer, 0, 0);
	wl_surface_damage(c->anim, 0, 0, 16, 16);
	cb = wl_surface_frame(c->anim);
	wl_callback_add_listener(cb, &anim_listener, c);
	wl_surface_commit(c->anim);
}

/* Expected output, 0xRRGGBB per pixel. */
static uint32_t expected[OUT_H][OUT_W];
/* Per-pixel tolerance per channel (YUV conversion rounding). */
static uint8_t tolerance[OUT_H][OUT_W];

/* Main surface: opaque position pattern on top, transparent below. */
static uint32_t
main_pixel(int x, int y)
{
	if (y < OUT_H / 2)
		return 0xff000000u | (uint32_t)(x & 0xff) << 16 |
		       (uint32_t)(y * 2 & 0xff) << 8 | (uint32_t)((x + y) & 0xff);
	return 0;	/* premultiplied transparent */
}

#define XR_X 20
#define XR_Y 140
#define XR_W 64
#define XR_H 48

/* XRGB8888 with a zero X byte: must still be drawn opaque. */
static uint32_t
xrgb_pixel(int x, int y)
{
	return (uint32_t)(x * 4 & 0xff) << 16 | (uint32_t)(y * 5 & 0xff) << 8 | 0x55;
}

#define SOLID_X 100
#define SOLID_Y 150
#define SOLID_W 40
#define SOLID_H 30
#define SOLID_R 0x20
#define SOLID_G 0xd0
#define SOLID_B 0x70

#define DMA_X 220
#define DMA_Y 150
#define DMA_W 48
#define DMA_H 32
#define DMA_STRIDE (DMA_W * 4 + 64)	/* padded rows must be honoured */

static uint32_t
dmabuf_pixel(int x, int y)
{
	return 0xff000000u | (uint32_t)(255 - x * 5) << 16 |
	       (uint32_t)(y * 7) << 8 | (uint32_t)(x * 3 + y);
}

#define ANIM_X 290
#define ANIM_Y 210

#define YUV_X 160
#define YUV_Y 140
#define YUV_W 32
#define YUV_H 32

/* Left half white, right half a red; BT.601 limited range. */
static void
yuv_at(int x, int *y, int *u, int *v)
{
	if (x < YUV_W / 2) {
		*y = 235; *u = 128; *v = 128;
	} else {
		*y = 81; *u = 90; *v = 240;
	}
}

static uint32_t
yuv_rgb(int y, int u, int v)
{
	double yy = 1.164383 * (y - 16);
	double r = yy + 1.596027 * (v - 128);
	double g = yy - 0.391762 * (u - 128) - 0.812968 * (v - 128);
	double b = yy + 2.017232 * (u - 128);
	double ch[3] = { r, g, b };
	uint32_t out = 0;
	int i;

	for (i = 0; i < 3; i++) {
		int q = (int)(ch[i] + 0.5);

		q = q < 0 ? 0 : q > 255 ? 255 : q;
		out = out << 8 | (uint32_t)q;
	}
	return out;
}

static struct wl_surface *
subsurface(struct client *c, struct wl_surface *parent, int x, int y,
	   struct wl_subsurface **out)
{
	struct wl_surface *s = wl_compositor_create_surface(c->compositor);
	struct wl_subsurface *sub;

	sub = wl_subcompositor_get_subsurface(c->subcompositor, s, parent);
	wl_subsurface_set_position(sub, x, y);
	if (out)
		*out = sub;
	return s;
}

static void
build_scene(struct client *c)
{
	struct wl_surface *top, *s;
	struct xdg_surface *xs;
	struct xdg_toplevel *tl;
	struct wp_viewport *vp;
	struct wl_buffer *solid;
	struct shm_buf b;
	struct wl_callback *cb;
	int x, y;

	for (y = 0; y < OUT_H; y++)
		for (x = 0; x < OUT_W; x++) {
			uint32_t p = main_pixel(x, y);

			expected[y][x] = p ? p & 0xffffff :
				(BG_R << 16 | BG_G << 8 | BG_B);
		}

	top = wl_compositor_create_surface(c->compositor);
	xs = xdg_wm_base_get_xdg_surface(c->wm_base, top);
	xdg_surface_add_listener(xs, &xdg_surface_listener, c);
	tl = xdg_surface_get_toplevel(xs);
	xdg_toplevel_add_listener(tl, &toplevel_listener, c);
	xdg_toplevel_set_title(tl, "w14-scene");
	wl_surface_commit(top);
	wait_for(c, is_configured, "the first configure");

	/* XRGB8888 subsurface. */
	s = subsurface(c, top, XR_X, XR_Y, NULL);
	shm_buf_create(c, &b, XR_W, XR_H, XR_W * 4, XR_W * XR_H * 4,
		       WL_SHM_FORMAT_XRGB8888);
	for (y = 0; y < XR_H; y++)
		for (x = 0; x < XR_W; x++) {
			((uint32_t *)b.data)[y * XR_W + x] = xrgb_pixel(x, y);
			expected[XR_Y + y][XR_X + x] = xrgb_pixel(x, y);
		}
	wl_surface_attach(s, b.buffer, 0, 0);
	wl_surface_damage(s, 0, 0, XR_W, XR_H);
	wl_surface_commit(s);

	/* A single-pixel solid buffer scaled by the viewporter. */
	s = subsurface(c, top, SOLID_X, SOLID_Y, NULL);
	solid = wp_single_pixel_buffer_manager_v1_create_u32_rgba_buffer(c->spb,
		SOLID_R * 0x01010101u, SOLID_G * 0x01010101u,
		SOLID_B * 0x01010101u, 0xffffffffu);
	vp = wp_viewporter_get_viewport(c->viewporter, s);
	wp_viewport_set_destination(vp, SOLID_W, SOLID_H);
	wl_surface_attach(s, solid, 0, 0);
	wl_surface_damage(s, 0, 0, SOLID_W, SOLID_H);
	wl_surface_commit(s);
	for (y = 0; y < SOLID_H; y++)
		for (x = 0; x < SOLID_W; x++)
			expected[SOLID_Y + y][SOLID_X + x] =
				SOLID_R << 16 | SOLID_G << 8 | SOLID_B;

	/* NV12: luma plane, then interleaved U, V at half resolution. */
	if (!c->has_nv12)
		die("the compositor does not offer NV12 shm buffers");
	s = subsurface(c, top, YUV_X, YUV_Y, NULL);
	shm_buf_create(c, &b, YUV_W, YUV_H, YUV_W, YUV_W * YUV_H * 3 / 2,
		       WL_SHM_FORMAT_NV12);
	for (y = 0; y < YUV_H; y++)
		for (x = 0; x < YUV_W; x++) {
			int yy, u, v;

			yuv_at(x, &yy, &u, &v);
			b.data[y * YUV_W + x] = (uint8_t)yy;
			if (x % 2 == 0 && y % 2 == 0) {
				uint8_t *uv = b.data + YUV_W * YUV_H +
					      (y / 2) * YUV_W + x;

				uv[0] = (uint8_t)u;
				uv[1] = (uint8_t)v;
			}
			expected[YUV_Y + y][YUV_X + x] = yuv_rgb(yy, u, v);
			tolerance[YUV_Y + y][YUV_X + x] = 2;
		}
	/* Chroma is sampled between texels at the colour edge. */
	for (y = 0; y < YUV_H; y++)
		for (x = YUV_W / 2 - 2; x < YUV_W / 2 + 2; x++)
			tolerance[YUV_Y + y][YUV_X + x] = 255;
	wl_surface_attach(s, b.buffer, 0, 0);
	wl_surface_damage(s, 0, 0, YUV_W, YUV_H);
	wl_surface_commit(s);

	/* An ARGB8888 dma-buf, LINEAR. */
	s = subsurface(c, top, DMA_X, DMA_Y, NULL);
	shm_buf_create(c, &b, 0, 0, 0, DMA_STRIDE * DMA_H, 0);
	wl_buffer_destroy(b.buffer);	/* only the memfd is wanted */
	for (y = 0; y < DMA_H; y++)
		for (x = 0; x < DMA_W; x++) {
			((uint32_t *)(b.data + y * DMA_STRIDE))[x] = dmabuf_pixel(x, y);
			expected[DMA_Y + y][DMA_X + x] = dmabuf_pixel(x, y) & 0xffffff;
		}
	{
		struct zwp_linux_buffer_params_v1 *params =
			zwp_linux_dmabuf_v1_create_params(c->dmabuf);

		zwp_linux_buffer_params_v1_add_listener(params, &params_listener, c);
		zwp_linux_buffer_params_v1_add(params, b.fd, 0, 0, DMA_STRIDE, 0, 0);
		zwp_linux_buffer_params_v1_create(params, DMA_W, DMA_H,
						  DRM_ARGB8888, 0);
		wait_for(c, params_done, "the dma-buf import");
		if (c->params_state < 0)
			die("the compositor refused the dma-buf");
		zwp_linux_buffer_params_v1_destroy(params);
	}
	close(b.fd);
	wl_surface_attach(s, c->params_buffer, 0, 0);
	wl_surface_damage(s, 0, 0, DMA_W, DMA_H);
	wl_surface_commit(s);

	/* The animated subsurface: opaque, desynchronised. */
	c->anim = subsurface(c, top, ANIM_X, ANIM_Y, &c->anim_sub);
	wl_subsurface_set_desync(c->anim_sub);
	shm_buf_create(c, &b, 16, 16, 16 * 4, 16 * 16 * 4, WL_SHM_FORMAT_ARGB8888);
	for (y = 0; y < 16; y++)
		for (x = 0; x < 16; x++) {
			((uint32_t *)b.data)[y * 16 + x] = 0xff102030u + (uint32_t)(x * 8 + y);
			expected[ANIM_Y + y][ANIM_X + x] = 0x102030u + (uint32_t)(x * 8 + y);
		}
	c->anim_buffer = b.buffer;

	/* The toplevel (ARGB8888) last: it applies the subsurfaces. */
	shm_buf_create(c, &b, OUT_W, OUT_H, OUT_W * 4, OUT_W * OUT_H * 4,
		       WL_SHM_FORMAT_ARGB8888);
	for (y = 0; y < OUT_H; y++)
		for (x = 0; x < OUT_W; x++)
			((uint32_t *)b.data)[y * OUT_W + x] = main_pixel(x, y);
	wl_surface_attach(top, b.buffer, 0, 0);
	wl_surface_damage(top, 0, 0, OUT_W, OUT_H);
	cb = wl_surface_frame(top);
	wl_callback_add_listener(cb, &frame_listener, c);
	wl_surface_commit(top);
	wait_for(c, is_frame_done, "the first frame");
	anim_commit(c);
}

/* ---- capture and comparison ---- */

static uint32_t *
capture(struct client *c)
{
	struct weston_capture_source_v1 *src;
	struct shm_buf b;
	uint32_t *rgb;
	int attempt, i;

	src = weston_capture_v1_create(c->capture, c->output,
				       WESTON_CAPTURE_V1_SOURCE_FRAMEBUFFER);
	weston_capture_source_v1_add_listener(src, &cap_listener, c);
	for (attempt = 0; attempt < 3; attempt++) {
		c->cap_w = c->cap_h = 0;
		wl_display_roundtrip(c->display);
		if (c->cap_w != OUT_W || c->cap_h != OUT_H)
			die("capture size %dx%d, expected %dx%d", c->cap_w,
			    c->cap_h, OUT_W, OUT_H);
		if (c->cap_format != DRM_ARGB8888 && c->cap_format != DRM_XRGB8888 &&
		    c->cap_format != DRM_ABGR8888 && c->cap_format != DRM_XBGR8888)
			die("capture format 0x%08x not handled", c->cap_format);
		/* wl_shm codes are fourccs except these two. */
		shm_buf_create(c, &b, OUT_W, OUT_H, OUT_W * 4, OUT_W * OUT_H * 4,
			       c->cap_format == DRM_ARGB8888 ? WL_SHM_FORMAT_ARGB8888 :
			       c->cap_format == DRM_XRGB8888 ? WL_SHM_FORMAT_XRGB8888 :
			       c->cap_format);
		c->cap_state = 0;
		weston_capture_source_v1_capture(src, b.buffer);
		wait_for(c, cap_done, "a capture");
		if (c->cap_state == 1)
			break;
		if (c->cap_state == 3)
			die("the capture failed");
		wl_buffer_destroy(b.buffer);
		munmap(b.data, b.size);
	}
	if (c->cap_state != 1)
		die("the capture kept asking for a retry");
	weston_capture_source_v1_destroy(src);

	rgb = malloc(sizeof(*rgb) * OUT_W * OUT_H);
	if (!rgb)
		die("out of memory");
	for (i = 0; i < OUT_W * OUT_H; i++) {
		uint32_t p = ((uint32_t *)b.data)[i];

		if (c->cap_format == DRM_ABGR8888 || c->cap_format == DRM_XBGR8888)
			p = (p & 0xff) << 16 | (p & 0xff00) | (p >> 16 & 0xff);
		rgb[i] = p & 0xffffff;
	}
	wl_buffer_destroy(b.buffer);
	munmap(b.data, b.size);
	return rgb;
}

static int
channel_diff(uint32_t a, uint32_t b, int shift)
{
	return abs((int)(a >> shift & 0xff) - (int)(b >> shift & 0xff));
}

static void
check_expected(const uint32_t *rgb, const char *when)
{
	int x, y, bad = 0;

	for (y = 0; y < OUT_H; y++)
		for (x = 0; x < OUT_W; x++) {
			uint32_t got = rgb[y * OUT_W + x], want = expected[y][x];
			int tol = tolerance[y][x];

			if (channel_diff(got, want, 16) > tol ||
			    channel_diff(got, want, 8) > tol ||
			    channel_diff(got, want, 0) > tol) {
				if (bad < 5)
					fprintf(stderr, "%s: pixel (%d,%d) is "
						"%06x, expected %06x\n", when,
						x, y, got, want);
				bad++;
			}
		}
	if (bad)
		die("%s: %d pixels differ from the scene", when, bad);
}

/* ---- resets ---- */

static uint32_t want_resets, want_recovered;

static bool
reset_done(struct client *c)
{
	return (c->resets_seen >= want_resets &&
		c->recovered_seen >= want_recovered) || c->degraded_seen;
}

static void
inject(struct client *c, uint32_t status, const char *name,
       const uint32_t *baseline)
{
	uint32_t *rgb;

	want_resets = c->resets_seen + 1;
	want_recovered = c->recovered_seen + 1;
	vmplane_debug_v1_inject_reset(c->debug, status);
	wait_for(c, reset_done, "the reset and its recovery");
	if (c->degraded_seen)
		die("%s reset: the renderer went to safe mode", name);
	/* The notifier's enum has unknown = 0; the injector's, 3. */
	if (c->reset_status != (status == VMPLANE_DEBUG_V1_RESET_STATUS_UNKNOWN ?
				VMPLANE_RESET_NOTIFIER_V1_STATUS_UNKNOWN : status))
		die("%s reset: notified status %u, injected %u", name,
		    c->reset_status, status);
	if (c->recovered_serial != c->reset_serial)
		die("%s reset: recovered serial %u for reset %u", name,
		    c->recovered_serial, c->reset_serial);
	rgb = capture(c);
	check_expected(rgb, name);
	if (memcmp(rgb, baseline, sizeof(*rgb) * OUT_W * OUT_H) != 0)
		die("%s reset: the capture differs from the one before", name);
	free(rgb);
	printf("ok - %s reset #%u recovered, capture identical\n", name,
	       c->reset_serial);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	static const struct { uint32_t status; const char *name; } kinds[] = {
		{ VMPLANE_DEBUG_V1_RESET_STATUS_GUILTY, "guilty" },
		{ VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT, "innocent" },
		{ VMPLANE_DEBUG_V1_RESET_STATUS_UNKNOWN, "unknown" },
	};
	struct client c = { 0 };
	struct wl_registry *reg;
	uint32_t *baseline;
	int loops = argc > 1 ? atoi(argv[1]) : 10;
	int i, total;

	c.display = wl_display_connect(NULL);
	if (!c.display)
		die("cannot connect to the compositor");
	reg = wl_display_get_registry(c.display);
	wl_registry_add_listener(reg, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	wl_display_roundtrip(c.display);
	if (!c.compositor || !c.subcompositor || !c.shm || !c.wm_base ||
	    !c.viewporter || !c.spb || !c.capture || !c.output)
		die("a required global is missing");
	if (!c.debug || !c.notifier)
		die("vmplane_debug_v1 / vmplane_reset_notifier_v1 missing "
		    "(module not loaded, or weston without --debug)");

	build_scene(&c);
	baseline = capture(&c);
	check_expected(baseline, "first capture");
	printf("ok - scene drawn exactly (ARGB8888, XRGB8888, NV12, dma-buf, "
	       "solid, background)\n");
	fflush(stdout);

	for (i = 0; i < 3; i++)
		inject(&c, kinds[i].status, kinds[i].name, baseline);
	for (i = 0; i < loops; i++)
		inject(&c, kinds[i % 3].status, kinds[i % 3].name, baseline);

	total = 3 + loops;
	vmplane_debug_v1_get_counters(c.debug);
	wait_for(&c, got_counters, "the counters");
	if (c.resets != (uint32_t)total || c.recoveries != (uint32_t)total ||
	    c.safe_mode)
		die("counters: %u resets, %u recoveries, safe mode %u; "
		    "expected %d of each", c.resets, c.recoveries, c.safe_mode,
		    total);
	if (c.resets_seen != (unsigned)total || c.recovered_seen != (unsigned)total)
		die("the client saw %u reset and %u recovered events, "
		    "expected %d", c.resets_seen, c.recovered_seen, total);
	/* The repaint gate: no frame completed undrawn by a recovery. */
	if (c.undrawn != 0)
		die("%u frames were completed undrawn", c.undrawn);
	if (c.anim_frames < (unsigned)total)
		die("the animation ran only %u frames", c.anim_frames);
	printf("ok - %d resets recovered while animating (%u frames), %u "
	       "frames drawn, none undrawn\n", total, c.anim_frames, c.drawn);
	free(baseline);
	wl_display_disconnect(c.display);
	return 0;
}
