/*
 * Wayland client for the rig's Weston tests: a shm toplevel with a
 * subsurface showing LINEAR XRGB8888 dma-bufs from udmabuf, so a KMS
 * compositor can scan the subsurface out from an overlay plane. Every
 * subsurface commit asks for presentation feedback; the client counts the
 * frames presented and those flagged ZERO_COPY.
 *
 * Options: --frames=N (default 30), --hold=S seconds to keep the last frame
 * up (default 0), --ready=<file> created when holding, --direct (mark the
 * buffers for direct display so the renderer never samples them).
 * Prints "RIG-STATS presented=P zero_copy=Z discarded=D failed=F".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <wayland-client.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "rig-check.h"
#include "rig-udmabuf.h"
#include "weston-direct-display-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define SUB_SIZE 256
#define PARENT_SIZE 320
#define SUB_OFFSET 32
#define NBUF 2
/* The colour of the last frame, checked in the writeback capture. */
#define FINAL_COLOUR 0x00ff8000u

struct rig_buffer {
	struct rig_udmabuf *mem;
	struct wl_buffer *buffer;
	bool busy;
};

struct rig_client {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct wp_presentation *presentation;
	struct weston_direct_display_v1 *direct;

	struct wl_surface *parent, *child;
	struct wl_subsurface *subsurface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct wl_buffer *parent_buffer;
	bool configured;

	struct rig_buffer bufs[NBUF];
	unsigned failed, presented, zero_copy, discarded, pending_feedback;
	bool frame_done;
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
	else if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0 && version >= 3)
		c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 3);
	else if (strcmp(iface, wp_presentation_interface.name) == 0)
		c->presentation = wl_registry_bind(reg, name, &wp_presentation_interface, 1);
	else if (strcmp(iface, weston_direct_display_v1_interface.name) == 0)
		c->direct = wl_registry_bind(reg, name, &weston_direct_display_v1_interface, 1);
}

static void registry_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_remove,
};

static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { .ping = wm_ping };

static void xdg_configure(void *data, struct xdg_surface *surface, uint32_t serial)
{
	struct rig_client *c = data;
	xdg_surface_ack_configure(surface, serial);
	c->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = { .configure = xdg_configure };

static void toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
	struct wl_array *states)
{
}

static void toplevel_close(void *data, struct xdg_toplevel *t)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
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
	struct rig_client *c = data;
	c->presented++;
	if (flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY)
		c->zero_copy++;
	c->pending_feedback--;
	wp_presentation_feedback_destroy(fb);
}

static void fb_discarded(void *data, struct wp_presentation_feedback *fb)
{
	struct rig_client *c = data;
	c->discarded++;
	c->pending_feedback--;
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

static struct wl_buffer *shm_buffer(struct wl_shm *shm, int size, uint32_t colour)
{
	size_t bytes = (size_t)size * size * 4;
	int fd = memfd_create("rig-shm", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0)
		return NULL;
	uint32_t *px = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	for (size_t i = 0; i < bytes / 4; i++)
		px[i] = colour;
	munmap(px, bytes);
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, (int32_t)bytes);
	struct wl_buffer *b = wl_shm_pool_create_buffer(pool, 0, size, size, size * 4,
		WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	return b;
}

static bool dmabuf_buffers(struct rig_client *c, bool direct)
{
	for (int i = 0; i < NBUF; i++) {
		struct rig_buffer *b = &c->bufs[i];
		b->mem = rig_udmabuf_create(SUB_SIZE * SUB_SIZE * 4);
		if (!b->mem)
			return false;
		struct zwp_linux_buffer_params_v1 *p = zwp_linux_dmabuf_v1_create_params(c->dmabuf);
		zwp_linux_buffer_params_v1_add_listener(p, &params_listener, c);
		zwp_linux_buffer_params_v1_add(p, b->mem->dmabuf_fd, 0, 0, SUB_SIZE * 4,
			(uint32_t)(DRM_FORMAT_MOD_LINEAR >> 32),
			(uint32_t)(DRM_FORMAT_MOD_LINEAR & 0xffffffff));
		if (direct && c->direct)
			weston_direct_display_v1_enable(c->direct, p);
		b->buffer = zwp_linux_buffer_params_v1_create_immed(p, SUB_SIZE, SUB_SIZE,
			DRM_FORMAT_XRGB8888, 0);
		zwp_linux_buffer_params_v1_destroy(p);
		wl_buffer_add_listener(b->buffer, &buffer_listener, b);
	}
	return true;
}

static void paint(struct rig_buffer *b, unsigned frame, bool last)
{
	uint32_t colour = last ? FINAL_COLOUR : 0x00000040u + ((frame * 37u) & 0xffu) * 0x10100u;
	for (int i = 0; i < SUB_SIZE * SUB_SIZE; i++)
		b->mem->pixels[i] = colour;
}

static bool dispatch_until(struct rig_client *c, bool *flag, int timeout_ms)
{
	int64_t deadline = rig_now_ns() + (int64_t)timeout_ms * 1000000;
	while (!*flag) {
		if (wl_display_flush(c->display) < 0)
			return false;
		int64_t left = (deadline - rig_now_ns()) / 1000000;
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = wl_display_get_fd(c->display), .events = POLLIN };
		if (poll(&pfd, 1, (int)left) > 0 && wl_display_dispatch(c->display) < 0)
			return false;
		if (pfd.revents == 0 && wl_display_dispatch_pending(c->display) < 0)
			return false;
	}
	return true;
}

static struct rig_buffer *free_buffer(struct rig_client *c)
{
	for (int i = 0; i < NBUF; i++)
		if (!c->bufs[i].busy)
			return &c->bufs[i];
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned frames = 30, hold = 0;
	bool direct = false;
	const char *ready = NULL;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--frames=", 9) == 0)
			frames = (unsigned)atoi(argv[i] + 9);
		else if (strncmp(argv[i], "--hold=", 7) == 0)
			hold = (unsigned)atoi(argv[i] + 7);
		else if (strncmp(argv[i], "--ready=", 8) == 0)
			ready = argv[i] + 8;
		else if (strcmp(argv[i], "--direct") == 0)
			direct = true;
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}

	struct rig_client c = { 0 };
	c.display = wl_display_connect(NULL);
	if (!rig_check(c.display != NULL, "connected to the compositor"))
		return rig_finish("rig-overlay-client");
	struct wl_registry *reg = wl_display_get_registry(c.display);
	wl_registry_add_listener(reg, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (!rig_check(c.compositor && c.subcompositor && c.shm && c.wm_base && c.dmabuf &&
			c.presentation, "globals: compositor, subcompositor, shm, xdg_wm_base, "
			"linux-dmabuf v3+, presentation"))
		return rig_finish("rig-overlay-client");
	if (direct)
		rig_check(c.direct != NULL, "weston_direct_display_v1 present");
	xdg_wm_base_add_listener(c.wm_base, &wm_listener, &c);

	c.parent = wl_compositor_create_surface(c.compositor);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.parent);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, &c);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
	xdg_toplevel_set_title(c.toplevel, "rig-overlay-client");
	c.child = wl_compositor_create_surface(c.compositor);
	c.subsurface = wl_subcompositor_get_subsurface(c.subcompositor, c.child, c.parent);
	wl_subsurface_set_position(c.subsurface, SUB_OFFSET, SUB_OFFSET);
	wl_subsurface_set_desync(c.subsurface);
	wl_surface_commit(c.parent);
	if (!rig_check(dispatch_until(&c, &c.configured, 10000), "toplevel configured"))
		return rig_finish("rig-overlay-client");

	c.parent_buffer = shm_buffer(c.shm, PARENT_SIZE, 0x00404040u);
	if (!rig_check(dmabuf_buffers(&c, direct) && c.parent_buffer, "udmabuf and shm buffers"))
		return rig_finish("rig-overlay-client");
	wl_surface_attach(c.parent, c.parent_buffer, 0, 0);
	wl_surface_damage(c.parent, 0, 0, PARENT_SIZE, PARENT_SIZE);
	wl_surface_commit(c.parent);

	unsigned submitted = 0;
	int64_t t0 = rig_now_ns();
	for (unsigned f = 0; f < frames; f++) {
		struct rig_buffer *b = free_buffer(&c);
		while (!b) {
			bool never = false;
			dispatch_until(&c, &never, 20);
			b = free_buffer(&c);
			if (!b && rig_now_ns() - t0 > (int64_t)60 * 1000000000)
				break;
		}
		if (!b || c.failed)
			break;
		paint(b, f, f + 1 == frames);
		wl_surface_attach(c.child, b->buffer, 0, 0);
		wl_surface_damage(c.child, 0, 0, SUB_SIZE, SUB_SIZE);
		struct wp_presentation_feedback *fb = wp_presentation_feedback(c.presentation, c.child);
		wp_presentation_feedback_add_listener(fb, &feedback_listener, &c);
		c.pending_feedback++;
		c.frame_done = false;
		wl_callback_add_listener(wl_surface_frame(c.child), &frame_listener, &c);
		wl_surface_commit(c.child);
		b->busy = true;
		submitted++;
		if (!dispatch_until(&c, &c.frame_done, 30000))
			break;
	}
	/* Let the last feedback arrive. */
	int64_t end = rig_now_ns() + (int64_t)15 * 1000000000;
	while (c.pending_feedback > 0 && rig_now_ns() < end) {
		bool never = false;
		dispatch_until(&c, &never, 20);
	}
	double secs = (rig_now_ns() - t0) / 1e9;
	printf("RIG-STATS presented=%u zero_copy=%u discarded=%u failed=%u submitted=%u "
		"seconds=%.2f\n", c.presented, c.zero_copy, c.discarded, c.failed, submitted, secs);

	rig_check(c.failed == 0, "compositor accepted the LINEAR udmabuf buffers");
	rig_check(submitted == frames, "submitted %u of %u frames", submitted, frames);
	rig_check(c.presented >= frames / 2, "%u frames presented", c.presented);
	/* Planes are chosen per repaint: the first frame may still be composited. */
	rig_check(c.presented > 0 && c.zero_copy + 1 >= c.presented,
		"presentation feedback says ZERO_COPY (%u of %u)", c.zero_copy, c.presented);

	if (hold && ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dprintf(fd, "%u %u %u %u %06x\n", PARENT_SIZE, SUB_OFFSET, SUB_SIZE,
				SUB_SIZE, FINAL_COLOUR);
			close(fd);
		}
	}
	for (unsigned s = 0; s < hold * 50; s++) {
		bool never = false;
		dispatch_until(&c, &never, 20);
	}

	for (int i = 0; i < NBUF; i++) {
		if (c.bufs[i].buffer)
			wl_buffer_destroy(c.bufs[i].buffer);
		rig_udmabuf_destroy(c.bufs[i].mem);
	}
	if (c.parent_buffer)
		wl_buffer_destroy(c.parent_buffer);
	wl_display_disconnect(c.display);
	return rig_finish("rig-overlay-client");
}
