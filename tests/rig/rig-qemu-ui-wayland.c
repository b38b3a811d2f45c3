/* SPDX-License-Identifier: MIT */
/*
 * Our QEMU display core (qemu_ui_wayland/) on Weston 10's DRM backend in
 * the rig, driven the way the QEMU glue drives it.
 *
 * Test mode (default), each step ending in a writeback checkpoint (see
 * rig-overlay-client.c for --steps):
 *   1. a udmabuf "guest" scanout flips between 3 buffers: it is on an
 *      overlay plane with 0 copies, and each release of the producer comes
 *      only after the compositor presented the frame before;
 *   2. a frame behind a sw_sync acquire fence is not shown until the fence
 *      signals;
 *   3. PRIME: a vgem buffer (another GPU) is taken as is, on the plane;
 *      a format nobody can take is refused with a clear status;
 *   4. with the compositor's dma-buf path unusable the vgem buffer goes
 *      through the core's fallback, one copy per frame;
 *   glue (after 3, on a display of its own): a udmabuf described as QEMU's QemuDmaBuf of each UI API
 *      generation (7.2, 10.0, 10.1), with a scanout rectangle inside a
 *      larger backing, goes through the glue's own mapping
 *      (rig-glue-map.c): on a plane, ZERO_COPY, 0 copies, and writeback
 *      shows exactly the rectangle's quadrants; with y0_top the same
 *      rectangle (composited: Weston 10 puts no Y_INVERT buffer on a
 *      plane) shows upside down, still without a copy in the core.
 *
 * --bench=N: N frames of a flipping 3-buffer udmabuf scanout through the
 * dma-buf path, then through the 2D path (a copy into shm every frame);
 * prints frames on a plane, copies per frame and submit->presented
 * latency (median, p99) for both, and the ratios.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <vmplane/display.h>

#include "rig-card.h"
#include "rig-glue-map.h"
#include "rig-udmabuf.h"
#include "rig-vgem.h"
#include "tap.h"
#include "vmplane/clock.h"
#include "vmplane/sync_timeline.h"

#define GUEST_W 320
#define GUEST_H 240
#define NBUF 3

struct core_rig {
	struct vmpd_display *display;
	struct vmpd_head *head;
	bool blocked;
	unsigned blocks, releases;
	/* Compositor-driven releases, and those that came before it presented the frame before. */
	unsigned compositor_releases, early_releases;
	uint64_t watchdog_seen;
	const char *steps;
	int checkpoints;   /* the last one reached */
};

static void on_block(void *data, struct vmpd_head *head, bool block)
{
	struct core_rig *r = data;
	r->blocked = block;
	if (block) {
		r->blocks++;
		return;
	}
	r->releases++;
	struct vmpd_stats st;
	vmpd_head_get_stats(head, &st);
	/* The watchdog's releases (a slow TCG repaint) are its own business. */
	if (st.watchdog_releases != r->watchdog_seen) {
		r->watchdog_seen = st.watchdog_releases;
		return;
	}
	r->compositor_releases++;
	/* One frame in flight: release k follows the presentation of frame k-1,
	 * except that each watchdog release let the producer run one frame ahead. */
	if (st.frames_presented + st.frames_dropped + 1 + st.watchdog_releases < r->releases)
		r->early_releases++;
}

static const struct vmpd_callbacks callbacks = { .block = on_block };

static void pump(struct core_rig *r, int ms)
{
	struct pollfd pfd = { .fd = vmpd_display_get_fd(r->display), .events = POLLIN };
	poll(&pfd, 1, ms);
	vmpd_display_dispatch(r->display);
}

static bool wait_released(struct core_rig *r, int ms)
{
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)ms * 1000000;
	while (r->blocked && (int64_t)vmplane_now_ns() < end && vmpd_display_connected(r->display))
		pump(r, 20);
	return !r->blocked;
}

static uint64_t presented(struct core_rig *r)
{
	struct vmpd_stats st;
	vmpd_head_get_stats(r->head, &st);
	return st.frames_presented;
}

static bool wait_presented(struct core_rig *r, uint64_t count, int ms)
{
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)ms * 1000000;
	while (presented(r) < count && (int64_t)vmplane_now_ns() < end && vmpd_display_connected(r->display))
		pump(r, 20);
	return presented(r) >= count;
}

static void core_log(void *data, enum vmpd_log_level level, const char *fmt, va_list args)
{
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

static bool core_open(struct core_rig *r, bool disable_dmabuf, const char *title)
{
	struct vmpd_display_config cfg = {
		.max_frames_in_flight = 1,
		.watchdog_ms = 1000,
		.disable_dmabuf = disable_dmabuf,
		.log = { core_log, NULL },
		/* The checks measure the thin border's layout; rig-qemu-blob runs libdecor's. */
		.no_libdecor = true,
	};
	r->blocked = false;
	r->blocks = r->releases = r->early_releases = r->compositor_releases = 0;
	r->watchdog_seen = 0;
	r->display = vmpd_display_create(&cfg, &callbacks, r);
	struct vmpd_head_config hc = { .title = title, .app_id = "rig-qemu-ui-wayland" };
	r->head = r->display ? vmpd_head_create(r->display, &hc) : NULL;
	return r->head != NULL;
}

static void core_close(struct core_rig *r)
{
	vmpd_head_destroy(r->head);
	vmpd_display_destroy(r->display);
	r->head = NULL;
	r->display = NULL;
}

static void fill(uint32_t *px, uint32_t stride, uint32_t colour)
{
	for (uint32_t y = 0; y < GUEST_H; y++)
		for (uint32_t x = 0; x < GUEST_W; x++)
			px[y * (stride / 4) + x] = colour;
}

static struct vmpd_dmabuf describe(int fd, uint32_t stride, uint32_t fourcc, uint64_t mod)
{
	struct vmpd_dmabuf d = {
		.n_planes = 1,
		.fd = { fd, -1, -1, -1 },
		.stride = { stride },
		.fourcc = fourcc,
		.modifier = mod,
		.width = GUEST_W,
		.height = GUEST_H,
		.src = { 0, 0, GUEST_W, GUEST_H },
	};
	return d;
}

/* Scan out `d` and present it; returns the update's status. */
static enum vmpd_status show(struct core_rig *r, const struct vmpd_dmabuf *d, int fence)
{
	enum vmpd_status st = vmpd_head_set_dmabuf(r->head, d);
	if (st != VMPD_OK) {
		if (fence >= 0)
			close(fence);
		return st;
	}
	return vmpd_head_update(r->head, NULL, fence);
}

static bool checkpoint(struct core_rig *r, const char *checks)
{
	int n = ++r->checkpoints;
	if (!r->steps)
		return true;
	char path[4096];
	snprintf(path, sizeof(path), "%s.%d.ready", r->steps, n);
	FILE *f = fopen(path, "w");
	if (!f)
		return CHECK_MSG(false, "checkpoint %d: cannot write %s", n, path);
	fprintf(f, "%s\n", checks);
	fclose(f);
	snprintf(path, sizeof(path), "%s.%d.go", r->steps, n);
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)300 * 1000000000;
	while (access(path, F_OK) != 0 && (int64_t)vmplane_now_ns() < end)
		pump(r, 50);
	return CHECK_MSG(access(path, F_OK) == 0, "checkpoint %d: captured", n);
}

static uint32_t frame_colour(unsigned f)
{
	return 0x00100000u + ((f * 53u) & 0xffu) * 0x101u;
}

/* Step 1: three udmabufs flip on a plane with zero copies and honest pacing. */
static bool flip_step(struct core_rig *r, struct rig_udmabuf **bufs, unsigned frames,
	uint32_t last)
{
	unsigned ok = 0;
	for (unsigned f = 0; f < frames; f++) {
		struct rig_udmabuf *b = bufs[f % NBUF];
		fill(b->pixels, GUEST_W * 4, f + 1 == frames ? last : frame_colour(f));
		struct vmpd_dmabuf d = describe(b->dmabuf_fd, GUEST_W * 4, DRM_FORMAT_XRGB8888,
			DRM_FORMAT_MOD_LINEAR);
		if (show(r, &d, -1) != VMPD_OK || !wait_released(r, 10000))
			break;
		ok++;
	}
	wait_presented(r, frames, 10000);
	struct vmpd_stats st;
	vmpd_head_get_stats(r->head, &st);
	CHECK_MSG(ok == frames, "flip: %u of %u frames submitted and released", ok, frames);
	/* A watchdog release lets the next frame replace a pending one. */
	CHECK_MSG(st.frames_presented + st.frames_dropped >= frames - 1 &&
		st.frames_presented >= frames / 2, "flip: %llu presented, %llu replaced",
		(unsigned long long)st.frames_presented, (unsigned long long)st.frames_dropped);
	CHECK_MSG(st.copies == 0 && st.bytes_copied == 0, "flip: 0 copies (%llu, %llu bytes)",
		(unsigned long long)st.copies, (unsigned long long)st.bytes_copied);
	CHECK_MSG(st.dmabuf_imports == NBUF, "flip: %llu imports for %d buffers, %llu cache hits",
		(unsigned long long)st.dmabuf_imports, NBUF, (unsigned long long)st.dmabuf_cache_hits);
	/* Planes are chosen per repaint: the first frame may still be composited. */
	CHECK_MSG(st.frames_zero_copy + 1 >= st.frames_presented,
		"flip: %llu of %llu frames presented ZERO_COPY (on a plane)",
		(unsigned long long)st.frames_zero_copy, (unsigned long long)st.frames_presented);
	CHECK_MSG(r->blocks == r->releases && r->blocks >= frames,
		"flip: producer blocked %u times, released %u times", r->blocks, r->releases);
	CHECK_MSG(r->compositor_releases >= frames / 2 && r->early_releases == 0,
		"flip: each of the compositor's %u releases followed its presentation of the frame "
		"before (%u early; %llu by the watchdog)", r->compositor_releases, r->early_releases,
		(unsigned long long)st.watchdog_releases);
	printf("RIG-STATS core flip frames=%u presented=%llu zero_copy=%llu copies=%llu "
		"latency_ms=%.1f\n", frames, (unsigned long long)st.frames_presented,
		(unsigned long long)st.frames_zero_copy, (unsigned long long)st.copies,
		st.last_latency_ns / 1e6);
	return ok == frames;
}

/* Step 2: a frame behind an unsignalled acquire fence stays off the screen. */
static void fence_step(struct core_rig *r, struct rig_udmabuf *b, uint32_t old, uint32_t colour,
	char *checks, size_t len)
{
	struct vmsync_timeline *tl = NULL;
	int fence = -1;
	if (!CHECK_MSG(vmsync_timeline_create(&tl) == VMSYNC_OK &&
			vmsync_timeline_fence(tl, 1, "rig-acquire", &fence) == VMSYNC_OK,
			"fence: sw_sync timeline and fence (%s)", vmsync_timeline_node()))
		goto out;
	uint64_t before = presented(r);
	fill(b->pixels, GUEST_W * 4, colour);
	struct vmpd_dmabuf d = describe(b->dmabuf_fd, GUEST_W * 4, DRM_FORMAT_XRGB8888,
		DRM_FORMAT_MOD_LINEAR);
	CHECK_MSG(show(r, &d, fence) == VMPD_OK, "fence: update with the acquire fence");
	for (int i = 0; i < 30; i++)
		pump(r, 50);
	CHECK_MSG(presented(r) == before, "fence: nothing presented while the fence is pending");
	snprintf(checks, len, "plane:%ux%u=%06x", GUEST_W, GUEST_H, old);
	checkpoint(r, checks);
	CHECK_MSG(vmsync_timeline_advance(tl, 1) == VMSYNC_OK, "fence: signalled");
	CHECK_MSG(wait_released(r, 10000) && wait_presented(r, before + 1, 10000),
		"fence: the frame was presented after the signal");
	snprintf(checks, len, "plane:%ux%u=%06x", GUEST_W, GUEST_H, colour);
	checkpoint(r, checks);
out:
	vmsync_timeline_destroy(tl);
}

/* Step 3: a vgem (other GPU) buffer goes straight to the plane; junk is refused. */
static void prime_step(struct core_rig *r, struct rig_vgem_buf *v, uint32_t colour,
	char *checks, size_t len)
{
	struct vmpd_stats st;
	vmpd_head_get_stats(r->head, &st);
	uint64_t copies = st.copies, before = presented(r);
	fill(v->pixels, v->pitch, colour);
	struct vmpd_dmabuf d = describe(v->dmabuf_fd, v->pitch, DRM_FORMAT_XRGB8888,
		DRM_FORMAT_MOD_LINEAR);
	for (int i = 0; i < 3; i++) {
		CHECK_MSG(show(r, &d, -1) == VMPD_OK && wait_released(r, 10000),
			"prime: vgem frame %d shown", i);
	}
	wait_presented(r, before + 3, 10000);
	vmpd_head_get_stats(r->head, &st);
	CHECK_MSG(st.copies == copies && !st.fallback, "prime: the vgem buffer was not copied "
		"(%llu copies, fallback %d)", (unsigned long long)(st.copies - copies), st.fallback);
	snprintf(checks, len, "plane:%ux%u=%06x", GUEST_W, GUEST_H, colour);
	checkpoint(r, checks);

	/* No compositor, GPU copy or CPU path takes 10-bit RGB here. */
	struct vmpd_dmabuf junk = describe(v->dmabuf_fd, v->pitch, DRM_FORMAT_XRGB2101010,
		DRM_FORMAT_MOD_LINEAR);
	enum vmpd_status s = vmpd_head_set_dmabuf(r->head, &junk);
	CHECK_MSG(s == VMPD_ERR_UNSUPPORTED || s == VMPD_ERR_IMPORT,
		"prime: XRGB2101010 nobody can take is refused (%s)", vmpd_status_str(s));
}

/* Step 4: the compositor cannot take the buffer: the fallback copies once a frame. */
static void fallback_step(struct core_rig *r, struct rig_vgem_buf *v, uint32_t colour,
	char *checks, size_t len)
{
	if (!CHECK_MSG(core_open(r, true, "rig-core-fallback"), "fallback: display without "
			"linux-dmabuf"))
		return;
	const unsigned frames = 4;
	unsigned ok = 0;
	for (unsigned f = 0; f < frames; f++) {
		fill(v->pixels, v->pitch, f + 1 == frames ? colour : frame_colour(f));
		struct vmpd_dmabuf d = describe(v->dmabuf_fd, v->pitch, DRM_FORMAT_XRGB8888,
			DRM_FORMAT_MOD_LINEAR);
		enum vmpd_status s = show(r, &d, -1);
		if (f == 0)
			CHECK_MSG(s == VMPD_OK, "fallback: vgem buffer accepted (%s)",
				vmpd_status_str(s));
		if (s != VMPD_OK || !wait_released(r, 10000))
			break;
		ok++;
	}
	wait_presented(r, frames, 10000);
	struct vmpd_stats st;
	vmpd_head_get_stats(r->head, &st);
	CHECK_MSG(ok == frames && st.fallback, "fallback: %u of %u frames through the fallback",
		ok, frames);
	CHECK_MSG(st.copies == frames && st.bytes_copied >= (uint64_t)frames * GUEST_W * GUEST_H * 4,
		"fallback: one copy per frame (%llu copies, %llu bytes, %u frames)",
		(unsigned long long)st.copies, (unsigned long long)st.bytes_copied, frames);
	CHECK_MSG(st.frames_zero_copy == 0, "fallback: no frame claimed ZERO_COPY");
	snprintf(checks, len, "find:%ux%u=%06x", GUEST_W, GUEST_H, colour);
	checkpoint(r, checks);
}

/* The glue step's backing buffer: larger than the scanout rectangle. */
#define GLUE_BW 400
#define GLUE_BH 300
#define GLUE_JUNK 0x00e000e0u

struct glue_api {
	const char *name;
	void (*describe)(const struct rig_glue_scanout *s, struct vmpd_dmabuf *out);
	uint64_t modifier;   /* what that QEMU's udmabuf scanouts carry */
	uint32_t quad[4];    /* top-left, top-right, bottom-left, bottom-right */
};

static const struct glue_api glue_apis[] = {
	{ "7.2", rig_glue_describe_702, 0,
		{ 0x00f04010u, 0x0010f040u, 0x004010f0u, 0x00f0f010u } },
	{ "10.0", rig_glue_describe_1000, 0,
		{ 0x00e05020u, 0x0020e050u, 0x005020e0u, 0x00e0e020u } },
	{ "10.1", rig_glue_describe_1001, DRM_FORMAT_MOD_INVALID,
		{ 0x00d06030u, 0x0030d060u, 0x006030d0u, 0x00d0d030u } },
};

/* Junk everywhere but the rectangle, whose quadrants are in memory order. */
static void fill_glue(struct rig_udmabuf *b, struct vmpd_rect rc, const uint32_t quad[4])
{
	for (uint32_t y = 0; y < GLUE_BH; y++) {
		for (uint32_t x = 0; x < GLUE_BW; x++) {
			uint32_t c = GLUE_JUNK;
			if (x >= rc.x && x < rc.x + rc.width && y >= rc.y && y < rc.y + rc.height)
				c = quad[(y - rc.y >= rc.height / 2) * 2 + (x - rc.x >= rc.width / 2)];
			b->pixels[y * GLUE_BW + x] = c;
		}
	}
}

/* Shows one glue-mapped scanout for a few frames; true if it was presented. */
static bool glue_show(struct core_rig *r, const struct glue_api *api, struct rig_udmabuf *b,
	struct vmpd_rect rc, bool y0_top, struct vmpd_stats *delta)
{
	struct rig_glue_scanout sc = {
		.fd = b->dmabuf_fd, .stride = GLUE_BW * 4, .fourcc = DRM_FORMAT_XRGB8888,
		.modifier = api->modifier, .backing_width = GLUE_BW, .backing_height = GLUE_BH,
		.rect = rc, .y0_top = y0_top,
	};
	struct vmpd_dmabuf d;
	struct vmpd_stats st0, st1;
	api->describe(&sc, &d);
	vmpd_head_get_stats(r->head, &st0);
	unsigned ok = 0;
	const unsigned frames = 3;
	fill_glue(b, rc, api->quad);
	for (unsigned f = 0; f < frames; f++) {
		enum vmpd_status s = show(r, &d, -1);
		if (f == 0)
			CHECK_MSG(s == VMPD_OK, "glue %s%s: the mapped QemuDmaBuf is accepted (%s)",
				api->name, y0_top ? " y0_top" : "", vmpd_status_str(s));
		if (s != VMPD_OK || !wait_released(r, 10000))
			break;
		ok++;
	}
	wait_presented(r, st0.frames_presented + frames, 10000);
	vmpd_head_get_stats(r->head, &st1);
	delta->frames_presented = st1.frames_presented - st0.frames_presented;
	delta->frames_zero_copy = st1.frames_zero_copy - st0.frames_zero_copy;
	delta->copies = st1.copies - st0.copies;
	delta->bytes_copied = st1.bytes_copied - st0.bytes_copied;
	delta->fallback = st1.fallback;
	CHECK_MSG(ok == frames && delta->frames_presented >= 1,
		"glue %s%s: %u of %u frames released, %llu presented", api->name,
		y0_top ? " y0_top" : "", ok, frames, (unsigned long long)delta->frames_presented);
	CHECK_MSG(delta->copies == 0 && delta->bytes_copied == 0 && !delta->fallback,
		"glue %s%s: 0 copies in the core (%llu, %llu bytes, fallback %d)", api->name,
		y0_top ? " y0_top" : "", (unsigned long long)delta->copies,
		(unsigned long long)delta->bytes_copied, delta->fallback);
	return ok == frames;
}

struct colour_box {
	uint32_t n;
	int64_t x0, y0;
};

/* Where `colour` first shows in a capture (row-major), and how often. */
static bool ppm_colour_box(const char *path, uint32_t colour, struct colour_box *box)
{
	FILE *f = fopen(path, "rb");
	unsigned w = 0, h = 0, max = 0;
	bool ok = f && fscanf(f, "P6 %u %u %u", &w, &h, &max) == 3 && fgetc(f) != EOF && max == 255;
	*box = (struct colour_box){ 0, -1, -1 };
	for (uint64_t i = 0; ok && i < (uint64_t)w * h; i++) {
		unsigned char rgb[3];
		ok = fread(rgb, 1, 3, f) == 3;
		if (ok && ((uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2]) == colour) {
			if (box->n++ == 0) {
				box->x0 = (int64_t)(i % w);
				box->y0 = (int64_t)(i / w);
			}
			if ((int64_t)(i % w) < box->x0)
				box->x0 = (int64_t)(i % w);
		}
	}
	if (f)
		fclose(f);
	return ok;
}

/*
 * glue: QemuDmaBuf of each API generation -> the glue's mapping -> the core
 * -> Weston on vkms. Without y0_top the rectangle is cropped on the plane.
 */
static void glue_step(struct core_rig *r)
{
	struct rig_udmabuf *b = rig_udmabuf_create((size_t)GLUE_BW * GLUE_BH * 4);
	if (!CHECK_MSG(b != NULL, "glue: %dx%d udmabuf backing", GLUE_BW, GLUE_BH))
		return;
	/* Same size as the other steps' scanouts: the window does not resize. */
	const struct vmpd_rect rc = { 48, 36, GUEST_W, GUEST_H };
	const uint32_t hw = GUEST_W / 2, hh = GUEST_H / 2;
	char checks[512];
	for (size_t a = 0; a < sizeof(glue_apis) / sizeof(glue_apis[0]); a++) {
		const struct glue_api *api = &glue_apis[a];
		struct vmpd_stats d;
		if (!glue_show(r, api, b, rc, false, &d))
			continue;
		/* Planes are chosen per repaint: the first frame may be composited. */
		CHECK_MSG(d.frames_zero_copy + 1 >= d.frames_presented && d.frames_zero_copy >= 1,
			"glue %s: %llu of %llu frames presented ZERO_COPY", api->name,
			(unsigned long long)d.frames_zero_copy,
			(unsigned long long)d.frames_presented);
		/* Anchored on the plane holding the 400x300 buffer: its CRTC origin. */
		snprintf(checks, sizeof(checks),
			"rect:%ux%u:0,0,%u,%u=%06x/0 rect:%ux%u:%u,0,%u,%u=%06x/0 "
			"rect:%ux%u:0,%u,%u,%u=%06x/0 rect:%ux%u:%u,%u,%u,%u=%06x/0",
			GLUE_BW, GLUE_BH, hw, hh, api->quad[0],
			GLUE_BW, GLUE_BH, hw, hw, hh, api->quad[1],
			GLUE_BW, GLUE_BH, hh, hw, hh, api->quad[2],
			GLUE_BW, GLUE_BH, hw, hh, hw, hh, api->quad[3]);
		checkpoint(r, checks);
	}

	/*
	 * y0_top: the core asks for Y_INVERT; the rectangle is centred
	 * vertically so either reading of its y under the flip picks it.
	 */
	const struct glue_api *api = &glue_apis[0];
	const struct vmpd_rect flip_rc = { 48, (GLUE_BH - GUEST_H) / 2, GUEST_W, GUEST_H };
	struct vmpd_stats d;
	if (!glue_show(r, api, b, flip_rc, true, &d))
		goto out;
	snprintf(checks, sizeof(checks), "find:%ux%u=%06x find:%ux%u=%06x find:%ux%u=%06x "
		"find:%ux%u=%06x", hw, hh, api->quad[0], hw, hh, api->quad[1], hw, hh,
		api->quad[2], hw, hh, api->quad[3]);
	checkpoint(r, checks);
	if (!r->steps)
		goto out;
	char path[4096];
	snprintf(path, sizeof(path), "%s.%d.ppm", r->steps, r->checkpoints);
	struct colour_box q[4], junk;
	bool read = true;
	for (int i = 0; i < 4; i++)
		read = read && ppm_colour_box(path, api->quad[i], &q[i]);
	read = read && ppm_colour_box(path, GLUE_JUNK, &junk);
	if (!CHECK_MSG(read, "glue y0_top: capture %s readable", path))
		goto out;
	CHECK_MSG(junk.n == 0, "glue y0_top: nothing outside the rectangle shows (%u pixels)",
		junk.n);
	/* Memory's bottom quadrants on top, left stays left. */
	CHECK_MSG(q[2].y0 >= 0 && q[0].y0 >= q[2].y0 + (int64_t)hh &&
		q[3].y0 >= 0 && q[1].y0 >= q[3].y0 + (int64_t)hh,
		"glue y0_top: upside down (top rows at y %lld/%lld, bottom rows at y %lld/%lld)",
		(long long)q[0].y0, (long long)q[1].y0, (long long)q[2].y0, (long long)q[3].y0);
	CHECK_MSG(q[0].x0 >= 0 && q[1].x0 == q[0].x0 + (int64_t)hw && q[2].x0 == q[0].x0 &&
		q[3].x0 == q[1].x0, "glue y0_top: not mirrored sideways (left at x %lld, right at "
		"x %lld)", (long long)q[0].x0, (long long)q[1].x0);
out:
	rig_udmabuf_destroy(b);
}

static int run_test(struct core_rig *r)
{
	struct rig_udmabuf *bufs[NBUF] = { 0 };
	struct rig_vgem_buf *v = NULL;
	int vgem = rig_open_card("vgem");
	char checks[256];
	bool ok = CHECK_MSG(core_open(r, false, "rig-core"), "display core connected");
	for (int i = 0; ok && i < NBUF; i++)
		ok = (bufs[i] = rig_udmabuf_create((size_t)GUEST_W * GUEST_H * 4)) != NULL;
	ok = CHECK_MSG(ok, "three udmabuf guest buffers") && ok;
	if (ok)
		CHECK_MSG(vmpd_display_dmabuf_version(r->display) >= 3, "linux-dmabuf v%u",
			vmpd_display_dmabuf_version(r->display));
	if (ok && flip_step(r, bufs, 30, 0x00c03060u)) {
		snprintf(checks, sizeof(checks), "plane:%ux%u=%06x", GUEST_W, GUEST_H, 0x00c03060u);
		checkpoint(r, checks);
		fence_step(r, bufs[0], 0x00c03060u, 0x0060e0a0u, checks, sizeof(checks));
	}
	v = vgem >= 0 ? rig_vgem_buf_create(vgem, GUEST_W, GUEST_H) : NULL;
	if (CHECK_MSG(v != NULL, "vgem guest buffer") && r->head)
		prime_step(r, v, 0x00a0a0f0u, checks, sizeof(checks));
	/* The same display: a cropped scanout in a bigger buffer after a
	 * smaller one once drew a protocol error (crop applied too early). */
	if (CHECK_MSG(r->display && vmpd_display_connected(r->display),
		      "glue: display core still connected"))
		glue_step(r);
	core_close(r);
	if (v)
		fallback_step(r, v, 0x00f0d020u, checks, sizeof(checks));
	core_close(r);
	rig_vgem_buf_destroy(v);
	for (int i = 0; i < NBUF; i++)
		rig_udmabuf_destroy(bufs[i]);
	if (vgem >= 0)
		close(vgem);
	return tap_finish();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct bench_result {
	unsigned frames;
	uint64_t presented, zero_copy, copies;
	double median_ms, p99_ms;
};

/* N frames through the dma-buf path (shm = false) or the 2D copy path. */
static bool bench_run(struct core_rig *r, struct rig_udmabuf **bufs, unsigned n, bool shm,
	struct bench_result *res)
{
	uint64_t *lat = calloc(n, sizeof(*lat));
	unsigned got = 0;
	if (!lat || !core_open(r, false, shm ? "rig-bench-shm" : "rig-bench-dmabuf")) {
		free(lat);
		return false;
	}
	for (unsigned f = 0; f < n; f++) {
		struct rig_udmabuf *b = bufs[f % NBUF];
		fill(b->pixels, GUEST_W * 4, frame_colour(f));
		enum vmpd_status s;
		if (shm) {
			s = vmpd_head_set_surface(r->head, GUEST_W, GUEST_H, GUEST_W * 4,
				DRM_FORMAT_XRGB8888, b->pixels);
			if (s == VMPD_OK)
				s = vmpd_head_update(r->head, NULL, -1);
		} else {
			struct vmpd_dmabuf d = describe(b->dmabuf_fd, GUEST_W * 4,
				DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
			s = show(r, &d, -1);
		}
		uint64_t before = presented(r);
		if (s != VMPD_OK || !wait_released(r, 10000))
			break;
		/* One sample per frame: wait for its presentation. */
		if (wait_presented(r, before + 1, 2000)) {
			struct vmpd_stats st;
			vmpd_head_get_stats(r->head, &st);
			lat[got++] = st.last_latency_ns;
		}
	}
	struct vmpd_stats st;
	vmpd_head_get_stats(r->head, &st);
	res->frames = n;
	res->presented = st.frames_presented;
	res->zero_copy = st.frames_zero_copy;
	res->copies = st.copies;
	qsort(lat, got, sizeof(*lat), cmp_u64);
	res->median_ms = got ? lat[got / 2] / 1e6 : 0;
	res->p99_ms = got ? lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1] / 1e6 : 0;
	free(lat);
	core_close(r);
	return got > 0;
}

static void bench_print(const char *name, const struct bench_result *b)
{
	printf("%-28s frames=%u presented=%llu on_plane=%llu/%llu (%.1f%%) copies/frame=%.2f "
		"latency median=%.2f ms p99=%.2f ms\n", name, b->frames,
		(unsigned long long)b->presented, (unsigned long long)b->zero_copy,
		(unsigned long long)b->presented,
		b->presented ? 100.0 * (double)b->zero_copy / (double)b->presented : 0,
		(double)b->copies / b->frames, b->median_ms, b->p99_ms);
}

static int run_bench(struct core_rig *r, unsigned n)
{
	struct rig_udmabuf *bufs[NBUF] = { 0 };
	struct bench_result core = { 0 }, base = { 0 };
	bool ok = true;
	for (int i = 0; ok && i < NBUF; i++)
		ok = (bufs[i] = rig_udmabuf_create((size_t)GUEST_W * GUEST_H * 4)) != NULL;
	ok = CHECK_MSG(ok, "udmabuf guest buffers") &&
		CHECK_MSG(bench_run(r, bufs, n, false, &core), "core dma-buf run") &&
		CHECK_MSG(bench_run(r, bufs, n, true, &base), "shm-copy baseline run");
	if (ok) {
		printf("rig-core-bench: %u frames of a flipping %dx%d udmabuf scanout, Weston 10 DRM "
			"on vkms (TCG guest: latencies are relative)\n", n, GUEST_W, GUEST_H);
		bench_print("core (dma-buf, zero-copy)", &core);
		bench_print("baseline (copy into shm)", &base);
		printf("ratio baseline/core: latency median %.2fx, p99 %.2fx; copies/frame %.2f vs "
			"%.2f\n", core.median_ms > 0 ? base.median_ms / core.median_ms : 0,
			core.p99_ms > 0 ? base.p99_ms / core.p99_ms : 0, (double)core.copies / n,
			(double)base.copies / n);
		CHECK_MSG(core.copies == 0, "core: no copies");
		CHECK_MSG(base.copies >= base.presented, "baseline: a copy per frame");
	}
	for (int i = 0; i < NBUF; i++)
		rig_udmabuf_destroy(bufs[i]);
	return tap_finish();
}

int main(int argc, char **argv)
{
	struct core_rig r = { 0 };
	unsigned bench = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--steps=", 8) == 0)
			r.steps = argv[i] + 8;
		else if (strncmp(argv[i], "--bench=", 8) == 0)
			bench = (unsigned)atoi(argv[i] + 8);
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	return bench ? run_bench(&r, bench) : run_test(&r);
}
