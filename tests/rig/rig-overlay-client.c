/* SPDX-License-Identifier: MIT */
/*
 * Wayland client for the rig's Weston tests. A shm toplevel carries
 * subsurfaces showing LINEAR XRGB8888 dma-bufs: one from udmabuf and,
 * with --vgem, one allocated on vgem and PRIME-exported, so a KMS
 * compositor can scan each out from an overlay plane. Every dma-buf commit
 * asks for presentation feedback; frames presented and those flagged
 * ZERO_COPY are counted per phase.
 *
 * Phases, each ending in a checkpoint where the caller captures the screen:
 *   overlay: the udmabuf and (--vgem) the vgem dma-buf flip together for
 *      --frames frames, each on its own overlay plane (needs a zpos
 *      property on the planes: tests/rig/patches/vkms-plane-zpos.patch);
 *   --feedback=<card> (after the udmabuf phase): linux-dmabuf v4 default
 *      and surface feedback name that card, and implicit-modifier buffers
 *      make the compositor add a scanout tranche;
 *   --composite: a translucent shm subsurface over the udmabuf forces it
 *      through the renderer (no ZERO_COPY), the vgem one stays on a plane;
 *   --reset: inject a GPU reset through vmplane_debug_v1, wait for the
 *      recovery; the capture must equal the one before.
 *
 * A checkpoint writes "<prefix>.<n>.ready" holding rig-wb-capture checks and
 * waits for "<prefix>.<n>.go" (--steps=<prefix>). --direct marks the
 * buffers for direct display (stock Weston must never sample them);
 * --direct-global only checks that weston_direct_display_v1 is offered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <wayland-client.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "rig-card.h"
#include "rig-feedback.h"
#include "rig-toplevel.h"
#include "rig-udmabuf.h"
#include "rig-vgem.h"
#include "tap.h"
#include "vmplane-debug-v1-client-protocol.h"
#include "vmplane/clock.h"
#include "weston-direct-display-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define NBUF 2
#define PARENT_W 560
#define PARENT_H 320
#define PARENT_COLOUR 0x00404040u
/* Last colours of the udmabuf (overlay, then composited) and vgem views. */
#define UDMA_COLOUR 0x00ff8000u
#define UDMA_COMPOSITED_COLOUR 0x0020c040u
#define VGEM_COLOUR 0x0000c0ffu
/*
 * The translucent cover: premultiplied ARGB, half alpha, across the
 * udmabuf up to the vgem view. Wider than the 512-pixel cursor plane so
 * that KMS cannot blend it: our renderer must.
 */
#define COVER_PIXEL 0x80000080u
#define COVER_X (-200)
#define COVER_Y 96
#define COVER_W 520
#define COVER_H 128

struct rig_buffer {
	struct rig_udmabuf *udma;
	struct rig_vgem_buf *vgem;
	uint32_t *pixels;
	uint32_t stride;
	struct wl_buffer *buffer;
	bool busy;
};

struct rig_sub {
	const char *name;
	struct wl_surface *surface;
	struct wl_subsurface *subsurface;
	int x, y, size;
	struct rig_buffer bufs[NBUF];
	unsigned presented, zero_copy, discarded, pending;
};

struct rig_client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	uint32_t dmabuf_version;
	struct wp_presentation *presentation;
	struct weston_direct_display_v1 *direct;
	struct vmplane_debug_v1 *debug;

	struct rig_toplevel *window;
	struct wl_surface *parent; /* the window's surface */
	struct wl_buffer *parent_buffer, *cover_buffer;
	struct wl_surface *cover;
	struct wl_subsurface *cover_sub;

	struct rig_sub udma, vgem;
	int vgem_card;
	unsigned failed;
	bool frame_done;
	const char *steps;

	struct {
		uint32_t resets, recoveries, rebuilt, usec, safe_mode;
		bool received;
	} counters;
};

static void registry_global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct rig_client *c = data;
	if (strcmp(iface, wl_compositor_interface.name) == 0)
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	else if (strcmp(iface, wl_subcompositor_interface.name) == 0)
		c->subcompositor = wl_registry_bind(reg, name, &wl_subcompositor_interface, 1);
	else if (strcmp(iface, wl_shm_interface.name) == 0)
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	else if (strcmp(iface, xdg_wm_base_interface.name) == 0)
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
	else if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0 && version >= 3) {
		c->dmabuf_version = version < 4 ? version : 4;
		c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface,
			c->dmabuf_version);
	} else if (strcmp(iface, wp_presentation_interface.name) == 0)
		c->presentation = wl_registry_bind(reg, name, &wp_presentation_interface, 1);
	else if (strcmp(iface, weston_direct_display_v1_interface.name) == 0)
		c->direct = wl_registry_bind(reg, name, &weston_direct_display_v1_interface, 1);
	else if (strcmp(iface, vmplane_debug_v1_interface.name) == 0)
		c->debug = wl_registry_bind(reg, name, &vmplane_debug_v1_interface, 1);
}

static void registry_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_remove,
};

static void buffer_release(void *data, struct wl_buffer *buffer)
{
	struct rig_buffer *b = data;
	b->busy = false;
}

static const struct wl_buffer_listener buffer_listener = { .release = buffer_release };

static void params_created(void *data, struct zwp_linux_buffer_params_v1 *p,
	struct wl_buffer *buffer)
{
}

static void params_failed(void *data, struct zwp_linux_buffer_params_v1 *p)
{
	struct rig_client *c = data;
	c->failed++;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static void fb_sync_output(void *data, struct wp_presentation_feedback *fb,
	struct wl_output *output)
{
}

static void fb_presented(void *data, struct wp_presentation_feedback *fb,
	uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec, uint32_t refresh,
	uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
	struct rig_sub *s = data;
	s->presented++;
	if (flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY)
		s->zero_copy++;
	s->pending--;
	wp_presentation_feedback_destroy(fb);
}

static void fb_discarded(void *data, struct wp_presentation_feedback *fb)
{
	struct rig_sub *s = data;
	s->discarded++;
	s->pending--;
	wp_presentation_feedback_destroy(fb);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	.sync_output = fb_sync_output,
	.presented = fb_presented,
	.discarded = fb_discarded,
};

static void frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct rig_client *c = data;
	c->frame_done = true;
	wl_callback_destroy(cb);
}

static const struct wl_callback_listener frame_listener = { .done = frame_done };

static void debug_counters(void *data, struct vmplane_debug_v1 *d, uint32_t resets,
	uint32_t recoveries, uint32_t rebuilt, uint32_t usec, uint32_t safe_mode)
{
	struct rig_client *c = data;
	c->counters.resets = resets;
	c->counters.recoveries = recoveries;
	c->counters.rebuilt = rebuilt;
	c->counters.usec = usec;
	c->counters.safe_mode = safe_mode;
	c->counters.received = true;
}

static const struct vmplane_debug_v1_listener debug_listener = { .counters = debug_counters };

static struct wl_buffer *shm_buffer(struct wl_shm *shm, int w, int h, uint32_t pixel,
	uint32_t format)
{
	size_t bytes = (size_t)w * h * 4;
	int fd = memfd_create("rig-shm", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	uint32_t *px = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	for (size_t i = 0; i < bytes / 4; i++)
		px[i] = pixel;
	munmap(px, bytes);
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, (int32_t)bytes);
	struct wl_buffer *b = wl_shm_pool_create_buffer(pool, 0, w, h, w * 4, format);
	wl_shm_pool_destroy(pool);
	close(fd);
	return b;
}

/* Wraps one dma-buf in a wl_buffer with the given modifier. */
static struct wl_buffer *dmabuf_wl_buffer(struct rig_client *c, int fd, uint32_t stride,
	int size, uint64_t modifier, bool direct)
{
	struct zwp_linux_buffer_params_v1 *p = zwp_linux_dmabuf_v1_create_params(c->dmabuf);
	zwp_linux_buffer_params_v1_add_listener(p, &params_listener, c);
	zwp_linux_buffer_params_v1_add(p, fd, 0, 0, stride, (uint32_t)(modifier >> 32),
		(uint32_t)(modifier & 0xffffffff));
	if (direct && c->direct)
		weston_direct_display_v1_enable(c->direct, p);
	struct wl_buffer *b = zwp_linux_buffer_params_v1_create_immed(p, size, size,
		DRM_FORMAT_XRGB8888, 0);
	zwp_linux_buffer_params_v1_destroy(p);
	return b;
}

static bool buffers_create(struct rig_client *c, struct rig_buffer *bufs, int size,
	bool vgem, uint64_t modifier, bool direct)
{
	for (int i = 0; i < NBUF; i++) {
		struct rig_buffer *b = &bufs[i];
		int fd;
		if (vgem) {
			b->vgem = rig_vgem_buf_create(c->vgem_card, (uint32_t)size, (uint32_t)size);
			if (!b->vgem)
				return false;
			fd = b->vgem->dmabuf_fd;
			b->pixels = b->vgem->pixels;
			b->stride = b->vgem->pitch;
		} else {
			b->udma = rig_udmabuf_create((size_t)size * size * 4);
			if (!b->udma)
				return false;
			fd = b->udma->dmabuf_fd;
			b->pixels = b->udma->pixels;
			b->stride = (uint32_t)size * 4;
		}
		b->buffer = dmabuf_wl_buffer(c, fd, b->stride, size, modifier, direct);
		wl_buffer_add_listener(b->buffer, &buffer_listener, b);
	}
	return true;
}

static void buffers_destroy(struct rig_buffer *bufs)
{
	for (int i = 0; i < NBUF; i++) {
		if (bufs[i].buffer)
			wl_buffer_destroy(bufs[i].buffer);
		rig_udmabuf_destroy(bufs[i].udma);
		rig_vgem_buf_destroy(bufs[i].vgem);
		memset(&bufs[i], 0, sizeof(bufs[i]));
	}
}

static bool dispatch_until(struct rig_client *c, bool *flag, int timeout_ms)
{
	return rig_dispatch_until(c->display, flag, timeout_ms);
}

static void dispatch_for(struct rig_client *c, int ms)
{
	rig_dispatch_for(c->display, ms);
}

static struct rig_buffer *free_buffer(struct rig_client *c, struct rig_buffer *bufs)
{
	for (int t = 0; t < 3000; t++) {
		for (int i = 0; i < NBUF; i++)
			if (!bufs[i].busy)
				return &bufs[i];
		dispatch_for(c, 20);
	}
	return NULL;
}

/* Paint a buffer of `s` from `bufs`, attach and commit it with feedback. */
static bool submit(struct rig_client *c, struct rig_sub *s, struct rig_buffer *bufs,
	uint32_t colour, bool want_frame)
{
	struct rig_buffer *b = free_buffer(c, bufs);
	if (!b || c->failed)
		return false;
	for (int y = 0; y < s->size; y++)
		for (int x = 0; x < s->size; x++)
			b->pixels[y * (b->stride / 4) + x] = colour;
	wl_surface_attach(s->surface, b->buffer, 0, 0);
	wl_surface_damage(s->surface, 0, 0, s->size, s->size);
	struct wp_presentation_feedback *fb = wp_presentation_feedback(c->presentation, s->surface);
	wp_presentation_feedback_add_listener(fb, &feedback_listener, s);
	s->pending++;
	if (want_frame) {
		c->frame_done = false;
		wl_callback_add_listener(wl_surface_frame(s->surface), &frame_listener, c);
	}
	wl_surface_commit(s->surface);
	b->busy = true;
	return true;
}

static void sub_reset_stats(struct rig_sub *s)
{
	s->presented = s->zero_copy = s->discarded = 0;
}

static void drain_feedback(struct rig_client *c)
{
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)15 * 1000000000;
	while ((c->udma.pending || c->vgem.pending) && (int64_t)vmplane_now_ns() < end)
		dispatch_for(c, 20);
}

static uint32_t frame_colour(unsigned f)
{
	return 0x00000040u + ((f * 37u) & 0xffu) * 0x10100u;
}

/* `frames` frames on each listed subsurface; the last one in its final colour. */
static unsigned flip(struct rig_client *c, struct rig_sub **subs, const uint32_t *last,
	int n, unsigned frames)
{
	unsigned done = 0;
	for (int i = 0; i < n; i++)
		sub_reset_stats(subs[i]);
	for (unsigned f = 0; f < frames; f++) {
		bool ok = true;
		for (int i = 0; i < n && ok; i++)
			ok = submit(c, subs[i], subs[i]->bufs, f + 1 == frames ? last[i] :
				frame_colour(f + (unsigned)i * 7), i + 1 == n);
		if (!ok || !dispatch_until(c, &c->frame_done, 30000))
			break;
		done++;
	}
	drain_feedback(c);
	return done;
}

static bool sub_create(struct rig_client *c, struct rig_sub *s, const char *name, int x,
	int y, int size)
{
	s->name = name;
	s->x = x;
	s->y = y;
	s->size = size;
	s->surface = wl_compositor_create_surface(c->compositor);
	s->subsurface = wl_subcompositor_get_subsurface(c->subcompositor, s->surface, c->parent);
	wl_subsurface_set_position(s->subsurface, x, y);
	wl_subsurface_set_desync(s->subsurface);
	return s->surface && s->subsurface;
}

static void sub_destroy(struct rig_sub *s)
{
	buffers_destroy(s->bufs);
	if (s->subsurface)
		wl_subsurface_destroy(s->subsurface);
	if (s->surface)
		wl_surface_destroy(s->surface);
}

static void check_zero_copy(struct rig_sub *s, unsigned frames, const char *phase)
{
	CHECK_MSG(s->presented >= frames / 2, "%s: %s: %u of %u frames presented", phase,
		s->name, s->presented, frames);
	/* Planes are chosen per repaint: the first frame may still be composited. */
	CHECK_MSG(s->presented > 0 && s->zero_copy + 1 >= s->presented,
		"%s: %s: presentation feedback says ZERO_COPY (%u of %u)", phase, s->name,
		s->zero_copy, s->presented);
	printf("RIG-STATS phase=%s sub=%s presented=%u zero_copy=%u discarded=%u\n", phase,
		s->name, s->presented, s->zero_copy, s->discarded);
}

/* Hand the caller a list of capture checks and wait until it has captured. */
static bool checkpoint(struct rig_client *c, int n, const char *checks)
{
	if (!c->steps)
		return true;
	char path[4096];
	snprintf(path, sizeof(path), "%s.%d.ready", c->steps, n);
	FILE *f = fopen(path, "w");
	if (!f)
		return CHECK_MSG(false, "checkpoint %d: cannot write %s", n, path);
	fprintf(f, "%s\n", checks);
	fclose(f);
	snprintf(path, sizeof(path), "%s.%d.go", c->steps, n);
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)300 * 1000000000;
	while (access(path, F_OK) != 0 && (int64_t)vmplane_now_ns() < end)
		dispatch_for(c, 50);
	return CHECK_MSG(access(path, F_OK) == 0, "checkpoint %d: captured", n);
}

static dev_t card_rdev(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_rdev : 0;
}

/* linux-dmabuf v4: default and surface feedback name the card; a scanout tranche follows. */
static void feedback_phase(struct rig_client *c, const char *card, unsigned frames)
{
	dev_t dev = card_rdev(card);
	CHECK_MSG(dev != 0, "feedback: %s exists", card);
	if (!CHECK_MSG(c->dmabuf_version >= 4, "feedback: linux-dmabuf v4 offered (got v%u)",
			c->dmabuf_version))
		return;
	struct rig_feedback *def = rig_feedback_create(
		zwp_linux_dmabuf_v1_get_default_feedback(c->dmabuf));
	struct rig_feedback *surf = rig_feedback_create(
		zwp_linux_dmabuf_v1_get_surface_feedback(c->dmabuf, c->udma.surface));
	wl_display_roundtrip(c->display);
	wl_display_roundtrip(c->display);
	if (!CHECK_MSG(def && surf && def->done_count > 0 && surf->done_count > 0,
			"feedback: default and surface feedback received"))
		goto out;
	CHECK_MSG(def->parsed.table.n_entries > 0, "feedback: format table received (%zu entries)",
		def->parsed.table.n_entries);
	CHECK_MSG(def->parsed.has_main_device && surf->parsed.has_main_device &&
		def->parsed.main_device == dev && surf->parsed.main_device == dev,
		"feedback: main device is %s (%u:%u; default %u:%u, surface %u:%u)", card,
		major(dev), minor(dev),
		major(def->parsed.main_device), minor(def->parsed.main_device),
		major(surf->parsed.main_device), minor(surf->parsed.main_device));
	const struct vmpd_tranche *t = rig_feedback_find(def, 0, dev);
	CHECK_MSG(t && t->n_formats > 0, "feedback: renderer tranche targets %s with %zu formats",
		card, t ? t->n_formats : 0);

	/* Implicit-modifier buffers cannot go to KMS: Weston offers a scanout tranche. */
	struct rig_buffer implicit[NBUF] = { 0 };
	if (!CHECK_MSG(buffers_create(c, implicit, c->udma.size, false, DRM_FORMAT_MOD_INVALID,
			false), "feedback: implicit-modifier udmabufs"))
		goto out_bufs;
	const struct vmpd_tranche *scanout = NULL;
	unsigned f = 0;
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)60 * 1000000000;
	for (; f < frames * 10 && (int64_t)vmplane_now_ns() < end && !scanout; f++) {
		if (!submit(c, &c->udma, implicit, frame_colour(f), true) ||
		    !dispatch_until(c, &c->frame_done, 30000))
			break;
		scanout = rig_feedback_find(surf, ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT,
			dev);
	}
	CHECK_MSG(scanout != NULL, "feedback: surface feedback gained a scanout tranche on %s "
		"after %u implicit-modifier frames (%zu formats, %zu tranches, %u updates)", card, f,
		scanout ? scanout->n_formats : 0, surf->parsed.n_tranches, surf->done_count);
	drain_feedback(c);
out_bufs:
	buffers_destroy(implicit);
out:
	rig_feedback_destroy(def);
	rig_feedback_destroy(surf);
}

static uint32_t blend(uint32_t src_premul, uint32_t dst)
{
	uint32_t a = src_premul >> 24, out = 0;
	for (int shift = 0; shift < 24; shift += 8) {
		uint32_t s = (src_premul >> shift) & 0xff, d = (dst >> shift) & 0xff;
		uint32_t v = s + (d * (255 - a) + 127) / 255;
		out |= (v > 255 ? 255 : v) << shift;
	}
	return out;
}

/* Checks of the composited scene, relative to the vgem plane's origin. */
static void composite_checks(struct rig_client *c, char *out, size_t len)
{
	struct rig_sub *u = &c->udma, *v = &c->vgem;
	int ox = -v->x, oy = -v->y; /* parent origin relative to the anchor */
	int a = v->size, below = COVER_Y + COVER_H, right = u->x + u->size;
	snprintf(out, len,
		"plane:%dx%d=%06x "
		"rect:%dx%d:%d,%d,%d,%d=%06x/1 "
		"rect:%dx%d:%d,%d,%d,%d=%06x/1 "
		"rect:%dx%d:%d,%d,%d,%d=%06x/2 "
		"rect:%dx%d:%d,%d,%d,%d=%06x/2",
		a, a, VGEM_COLOUR,
		/* the udmabuf above the cover, and below it */
		a, a, ox + u->x, oy + u->y, u->size, COVER_Y - u->y, UDMA_COMPOSITED_COLOUR,
		a, a, ox + u->x, oy + below, u->size, u->y + u->size - below,
		UDMA_COMPOSITED_COLOUR,
		/* the cover over the udmabuf, and over the parent right of it */
		a, a, ox + u->x, oy + COVER_Y, u->size, COVER_H,
		blend(COVER_PIXEL, UDMA_COMPOSITED_COLOUR),
		a, a, ox + right, oy + COVER_Y, COVER_X + COVER_W - right, COVER_H,
		blend(COVER_PIXEL, PARENT_COLOUR));
}

/* A translucent window part over the udmabuf: it must be composited. */
static bool composite_phase(struct rig_client *c, unsigned frames, char *checks, size_t len)
{
	c->cover_buffer = shm_buffer(c->shm, COVER_W, COVER_H, COVER_PIXEL,
		WL_SHM_FORMAT_ARGB8888);
	c->cover = wl_compositor_create_surface(c->compositor);
	c->cover_sub = wl_subcompositor_get_subsurface(c->subcompositor, c->cover, c->parent);
	if (!CHECK_MSG(c->cover_buffer && c->cover && c->cover_sub, "composite: cover surface"))
		return false;
	wl_subsurface_set_position(c->cover_sub, COVER_X, COVER_Y);
	wl_subsurface_set_desync(c->cover_sub);
	wl_surface_attach(c->cover, c->cover_buffer, 0, 0);
	wl_surface_damage(c->cover, 0, 0, COVER_W, COVER_H);
	wl_surface_commit(c->cover);
	wl_surface_commit(c->parent);

	struct rig_sub *subs[] = { &c->udma };
	uint32_t last[] = { UDMA_COMPOSITED_COLOUR };
	unsigned done = flip(c, subs, last, 1, frames);
	CHECK_MSG(done == frames, "composite: submitted %u of %u frames", done, frames);
	CHECK_MSG(c->udma.presented > 0 && c->udma.zero_copy == 0,
		"composite: the covered udmabuf went through the renderer (%u presented, "
		"%u ZERO_COPY)", c->udma.presented, c->udma.zero_copy);
	printf("RIG-STATS phase=composite sub=%s presented=%u zero_copy=%u discarded=%u\n",
		c->udma.name, c->udma.presented, c->udma.zero_copy, c->udma.discarded);
	composite_checks(c, checks, len);
	return true;
}

static bool get_counters(struct rig_client *c)
{
	c->counters.received = false;
	vmplane_debug_v1_get_counters(c->debug);
	return dispatch_until(c, &c->counters.received, 10000);
}

/* Inject a reset and wait for the renderer to recover. */
static bool reset_phase(struct rig_client *c)
{
	if (!c->debug) {
		printf("RIG-SKIP reset: no vmplane_debug_v1 global (module not loaded or no --debug)\n");
		return false;
	}
	vmplane_debug_v1_add_listener(c->debug, &debug_listener, c);
	if (!CHECK_MSG(get_counters(c), "reset: counters before"))
		return false;
	uint32_t recoveries = c->counters.recoveries, resets = c->counters.resets;
	vmplane_debug_v1_inject_reset(c->debug, VMPLANE_DEBUG_V1_RESET_STATUS_INNOCENT);
	/* A repaint makes the renderer notice. */
	submit(c, &c->udma, c->udma.bufs, UDMA_COMPOSITED_COLOUR, true);
	dispatch_until(c, &c->frame_done, 30000);
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)60 * 1000000000;
	while ((int64_t)vmplane_now_ns() < end && get_counters(c) && c->counters.recoveries == recoveries &&
	       !c->counters.safe_mode)
		dispatch_for(c, 200);
	CHECK_MSG(c->counters.resets > resets, "reset: detected (%u resets)", c->counters.resets);
	CHECK_MSG(c->counters.recoveries > recoveries && !c->counters.safe_mode,
		"reset: recovered (%u recoveries, %u objects rebuilt in %u us, safe mode %u)",
		c->counters.recoveries, c->counters.rebuilt, c->counters.usec,
		c->counters.safe_mode);
	/* Fresh frames with the same content after the recovery. */
	for (int i = 0; i < 3; i++) {
		submit(c, &c->udma, c->udma.bufs, UDMA_COMPOSITED_COLOUR, true);
		dispatch_until(c, &c->frame_done, 30000);
	}
	drain_feedback(c);
	return true;
}

struct rig_options {
	unsigned frames;
	bool direct, vgem, composite, reset;
	bool direct_global; /* only check that the global is advertised */
	const char *feedback_card;
};

static bool parse_options(int argc, char **argv, struct rig_options *o, const char **steps)
{
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--frames=", 9) == 0)
			o->frames = (unsigned)atoi(argv[i] + 9);
		else if (strncmp(argv[i], "--steps=", 8) == 0)
			*steps = argv[i] + 8;
		else if (strncmp(argv[i], "--feedback=", 11) == 0)
			o->feedback_card = argv[i] + 11;
		else if (strcmp(argv[i], "--direct") == 0)
			o->direct = true;
		else if (strcmp(argv[i], "--direct-global") == 0)
			o->direct_global = true;
		else if (strcmp(argv[i], "--vgem") == 0)
			o->vgem = true;
		else if (strcmp(argv[i], "--composite") == 0)
			o->composite = true;
		else if (strcmp(argv[i], "--reset") == 0)
			o->reset = true;
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return false;
		}
	}
	/* The composited checks are anchored on the vgem plane. */
	if ((o->composite || o->reset) && !o->vgem) {
		fprintf(stderr, "--composite and --reset need --vgem\n");
		return false;
	}
	/* The reset capture is compared with the composited one. */
	if (o->reset && !o->composite) {
		fprintf(stderr, "--reset needs --composite\n");
		return false;
	}
	if (o->frames < 2)
		o->frames = 2;
	return true;
}

static bool window_create(struct rig_client *c)
{
	c->window = rig_toplevel_create(c->compositor, c->wm_base, "rig-overlay-client");
	if (!c->window)
		return false;
	c->parent = c->window->surface;
	if (!CHECK_MSG(dispatch_until(c, &c->window->configured, 10000), "toplevel configured"))
		return false;
	c->parent_buffer = shm_buffer(c->shm, PARENT_W, PARENT_H, PARENT_COLOUR,
		WL_SHM_FORMAT_XRGB8888);
	if (!c->parent_buffer)
		return false;
	wl_surface_attach(c->parent, c->parent_buffer, 0, 0);
	wl_surface_damage(c->parent, 0, 0, PARENT_W, PARENT_H);
	wl_surface_commit(c->parent);
	return true;
}

static void client_destroy(struct rig_client *c)
{
	sub_destroy(&c->udma);
	sub_destroy(&c->vgem);
	if (c->cover_sub)
		wl_subsurface_destroy(c->cover_sub);
	if (c->cover)
		wl_surface_destroy(c->cover);
	if (c->cover_buffer)
		wl_buffer_destroy(c->cover_buffer);
	if (c->parent_buffer)
		wl_buffer_destroy(c->parent_buffer);
	rig_toplevel_destroy(c->window);
	if (c->vgem_card >= 0)
		close(c->vgem_card);
	if (c->display)
		wl_display_disconnect(c->display);
}

int main(int argc, char **argv)
{
	struct rig_options o = { .frames = 20 };
	struct rig_client c = { .vgem_card = -1 };
	char checks[1024];
	if (!parse_options(argc, argv, &o, &c.steps))
		return 2;

	c.display = wl_display_connect(NULL);
	if (!CHECK_MSG(c.display != NULL, "connected to the compositor"))
		return tap_finish();
	struct wl_registry *reg = wl_display_get_registry(c.display);
	wl_registry_add_listener(reg, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (!CHECK_MSG(c.compositor && c.subcompositor && c.shm && c.wm_base && c.dmabuf &&
			c.presentation, "globals: compositor, subcompositor, shm, xdg_wm_base, "
			"linux-dmabuf v%u, presentation", c.dmabuf_version))
		goto out;
	if (o.direct || o.direct_global)
		CHECK_MSG(c.direct != NULL, "weston_direct_display_v1 present");
	if (!window_create(&c))
		goto out;

	/* Phase 1: LINEAR dma-bufs from udmabuf and vgem, each on an overlay plane. */
	sub_create(&c, &c.udma, "udmabuf", 32, 32, 256);
	bool ok = CHECK_MSG(buffers_create(&c, c.udma.bufs, 256, false, DRM_FORMAT_MOD_LINEAR,
		o.direct), "udmabuf buffers");
	struct rig_sub *subs[2] = { &c.udma, &c.vgem };
	uint32_t last[2] = { UDMA_COLOUR, VGEM_COLOUR };
	int n = 1;
	if (o.vgem) {
		c.vgem_card = rig_open_card("vgem");
		sub_create(&c, &c.vgem, "vgem", 320, 32, 192);
		ok = CHECK_MSG(c.vgem_card >= 0 && buffers_create(&c, c.vgem.bufs, 192, true,
			DRM_FORMAT_MOD_LINEAR, o.direct), "vgem dumb buffers exported as dma-bufs") && ok;
		n = 2;
	}
	if (!ok)
		goto out;
	unsigned done = flip(&c, subs, last, n, o.frames);
	CHECK_MSG(c.failed == 0, "compositor accepted the LINEAR dma-bufs");
	CHECK_MSG(done == o.frames, "overlay: submitted %u of %u frames", done, o.frames);
	for (int i = 0; i < n; i++)
		check_zero_copy(subs[i], o.frames, "overlay");
	if (o.vgem)
		snprintf(checks, sizeof(checks), "plane:256x256=%06x plane:192x192=%06x",
			UDMA_COLOUR, VGEM_COLOUR);
	else
		snprintf(checks, sizeof(checks), "plane:256x256=%06x", UDMA_COLOUR);
	if (!checkpoint(&c, 1, checks))
		goto out;
	if (o.feedback_card)
		feedback_phase(&c, o.feedback_card, o.frames);
	if (o.composite) {
		if (!composite_phase(&c, o.frames / 2, checks, sizeof(checks)) ||
		    !checkpoint(&c, 2, checks))
			goto out;
	}
	if (o.reset && reset_phase(&c)) {
		char with_ref[1200];
		snprintf(with_ref, sizeof(with_ref), "same:%s.2.ppm %s", c.steps ? c.steps : "",
			checks);
		checkpoint(&c, 3, with_ref);
	}
	CHECK_MSG(c.failed == 0, "no dma-buf was refused");
out:
	client_destroy(&c);
	return tap_finish();
}
