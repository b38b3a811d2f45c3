/* SPDX-License-Identifier: MIT */
/*
 * A rig client that commits one buffer and then only waits: a LINEAR
 * XRGB8888 dma-buf from udmabuf or vgem, or (--source=shm) a shm buffer it
 * commits again on request, to make the compositor repaint. The GPU reset
 * restore test (reset-restore.sh) checks that the dma-buf content comes
 * back after a reset although its client never commits again.
 *
 * Usage: rig-restore-client --source=udmabuf|vgem|shm --steps=<prefix>
 * Writes "<prefix>.ready" (rig-wb-capture checks for its two-colour
 * pattern) once its frame was drawn; with --source=shm, each
 * "<prefix>.nudge.<n>" makes it commit the same buffer again; it exits on
 * "<prefix>.quit", checking how many buffers it committed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <wayland-client.h>

#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "rig-card.h"
#include "rig-toplevel.h"
#include "rig-udmabuf.h"
#include "rig-vgem.h"
#include "tap.h"
#include "vmplane/clock.h"
#include "xdg-shell-client-protocol.h"

#define SIZE 128

enum restore_source { SOURCE_UDMABUF, SOURCE_VGEM, SOURCE_SHM };

struct restore_client {
	enum restore_source source;
	const char *name;
	const char *steps;
	uint32_t left, right;	/* the pattern: two halves */

	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwp_linux_dmabuf_v1 *dmabuf;

	struct rig_toplevel *window;
	struct wl_buffer *buffer;
	bool frame_done;
	unsigned int buffer_commits, dmabuf_failed;

	struct rig_udmabuf *udma;
	struct rig_vgem_buf *vgem;
	int vgem_card;
	uint32_t *shm_pixels;
	int shm_fd;
};

static void registry_global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct restore_client *c = data;
	if (strcmp(iface, wl_compositor_interface.name) == 0)
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	else if (strcmp(iface, wl_shm_interface.name) == 0)
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	else if (strcmp(iface, xdg_wm_base_interface.name) == 0)
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
	else if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0 && version >= 3)
		c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, 3);
}

static void registry_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_remove,
};

static void params_created(void *data, struct zwp_linux_buffer_params_v1 *p,
	struct wl_buffer *buffer)
{
}

static void params_failed(void *data, struct zwp_linux_buffer_params_v1 *p)
{
	struct restore_client *c = data;
	c->dmabuf_failed++;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static void frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct restore_client *c = data;
	c->frame_done = true;
	wl_callback_destroy(cb);
}

static const struct wl_callback_listener frame_listener = { .done = frame_done };

static void paint(struct restore_client *c, uint32_t *px, uint32_t stride_px)
{
	for (int y = 0; y < SIZE; y++)
		for (int x = 0; x < SIZE; x++)
			px[y * stride_px + x] = x < SIZE / 2 ? c->left : c->right;
}

static struct wl_buffer *dmabuf_buffer(struct restore_client *c, int fd, uint32_t stride)
{
	struct zwp_linux_buffer_params_v1 *p = zwp_linux_dmabuf_v1_create_params(c->dmabuf);
	zwp_linux_buffer_params_v1_add_listener(p, &params_listener, c);
	zwp_linux_buffer_params_v1_add(p, fd, 0, 0, stride,
		(uint32_t)(DRM_FORMAT_MOD_LINEAR >> 32),
		(uint32_t)(DRM_FORMAT_MOD_LINEAR & 0xffffffff));
	struct wl_buffer *b = zwp_linux_buffer_params_v1_create_immed(p, SIZE, SIZE,
		DRM_FORMAT_XRGB8888, 0);
	zwp_linux_buffer_params_v1_destroy(p);
	return b;
}

static struct wl_buffer *shm_buffer(struct restore_client *c)
{
	size_t bytes = (size_t)SIZE * SIZE * 4;
	c->shm_fd = memfd_create("rig-restore", MFD_CLOEXEC);
	if (c->shm_fd < 0 || ftruncate(c->shm_fd, (off_t)bytes) < 0)
		return NULL;
	c->shm_pixels = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, c->shm_fd, 0);
	if (c->shm_pixels == MAP_FAILED) {
		c->shm_pixels = NULL;
		return NULL;
	}
	paint(c, c->shm_pixels, SIZE);
	struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, c->shm_fd, (int32_t)bytes);
	struct wl_buffer *b = wl_shm_pool_create_buffer(pool, 0, SIZE, SIZE, SIZE * 4,
		WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	return b;
}

static bool buffer_create(struct restore_client *c)
{
	switch (c->source) {
	case SOURCE_UDMABUF:
		c->udma = rig_udmabuf_create((size_t)SIZE * SIZE * 4);
		if (!c->udma)
			return false;
		paint(c, c->udma->pixels, SIZE);
		c->buffer = dmabuf_buffer(c, c->udma->dmabuf_fd, SIZE * 4);
		break;
	case SOURCE_VGEM:
		c->vgem_card = rig_open_card("vgem");
		c->vgem = c->vgem_card >= 0 ? rig_vgem_buf_create(c->vgem_card, SIZE, SIZE) : NULL;
		if (!c->vgem)
			return false;
		paint(c, c->vgem->pixels, c->vgem->pitch / 4);
		c->buffer = dmabuf_buffer(c, c->vgem->dmabuf_fd, c->vgem->pitch);
		break;
	case SOURCE_SHM:
		c->buffer = shm_buffer(c);
		break;
	}
	return c->buffer != NULL;
}

/* Attaches the one buffer, with damage and a frame callback, and commits. */
static void commit_buffer(struct restore_client *c)
{
	wl_surface_attach(c->window->surface, c->buffer, 0, 0);
	wl_surface_damage(c->window->surface, 0, 0, SIZE, SIZE);
	c->frame_done = false;
	wl_callback_add_listener(wl_surface_frame(c->window->surface), &frame_listener, c);
	wl_surface_commit(c->window->surface);
	c->buffer_commits++;
}

static bool file_exists(const char *fmt, const char *prefix, unsigned int n)
{
	char path[4096];
	snprintf(path, sizeof(path), fmt, prefix, n);
	return access(path, F_OK) == 0;
}

static bool write_ready(struct restore_client *c)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s.ready", c->steps);
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	/* Each half must show somewhere, whole. */
	fprintf(f, "find:%dx%d=%06x find:%dx%d=%06x\n", SIZE / 2, SIZE, c->left,
		SIZE / 2, SIZE, c->right);
	return fclose(f) == 0;
}

/* Serves the caller's nudges (shm only) until it says quit. */
static bool wait_for_quit(struct restore_client *c)
{
	unsigned int next_nudge = 1;
	int64_t end = (int64_t)vmplane_now_ns() + (int64_t)600 * 1000000000;
	while (!file_exists("%s.quit", c->steps, 0)) {
		if (!rig_dispatch_for(c->display, 50))
			return false;
		if ((int64_t)vmplane_now_ns() > end)
			return CHECK_MSG(false, "%s: told to quit within 600 s", c->name);
		if (c->source == SOURCE_SHM &&
		    file_exists("%s.nudge.%u", c->steps, next_nudge)) {
			commit_buffer(c);
			next_nudge++;
		}
	}
	return true;
}

static void client_destroy(struct restore_client *c)
{
	if (c->buffer)
		wl_buffer_destroy(c->buffer);
	rig_udmabuf_destroy(c->udma);
	rig_vgem_buf_destroy(c->vgem);
	if (c->vgem_card >= 0)
		close(c->vgem_card);
	if (c->shm_pixels)
		munmap(c->shm_pixels, (size_t)SIZE * SIZE * 4);
	if (c->shm_fd >= 0)
		close(c->shm_fd);
	if (c->display)
		wl_display_disconnect(c->display);
}

static bool parse_options(int argc, char **argv, struct restore_client *c)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--source=udmabuf") == 0)
			c->source = SOURCE_UDMABUF;
		else if (strcmp(argv[i], "--source=vgem") == 0)
			c->source = SOURCE_VGEM;
		else if (strcmp(argv[i], "--source=shm") == 0)
			c->source = SOURCE_SHM;
		else if (strncmp(argv[i], "--steps=", 8) == 0)
			c->steps = argv[i] + 8;
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return false;
		}
	}
	if (!c->steps) {
		fprintf(stderr, "usage: %s --source=udmabuf|vgem|shm --steps=<prefix>\n", argv[0]);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	/* Distinct colours per source, so each find: check names one client. */
	static const struct {
		const char *name;
		uint32_t left, right;
	} sources[] = {
		[SOURCE_UDMABUF] = { "udmabuf", 0x00ff8000u, 0x000040c0u },
		[SOURCE_VGEM] = { "vgem", 0x0000c0ffu, 0x00c00060u },
		[SOURCE_SHM] = { "shm", 0x0060ff60u, 0x00606060u },
	};
	struct restore_client c = { .vgem_card = -1, .shm_fd = -1, .source = SOURCE_UDMABUF };

	if (!parse_options(argc, argv, &c))
		return 2;
	c.name = sources[c.source].name;
	c.left = sources[c.source].left;
	c.right = sources[c.source].right;

	c.display = wl_display_connect(NULL);
	if (!CHECK_MSG(c.display != NULL, "%s: connected", c.name))
		return tap_finish();
	struct wl_registry *reg = wl_display_get_registry(c.display);
	wl_registry_add_listener(reg, &registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (!CHECK_MSG(c.compositor && c.shm && c.wm_base &&
			(c.dmabuf || c.source == SOURCE_SHM),
			"%s: globals: compositor, shm, xdg_wm_base, linux-dmabuf", c.name))
		goto out;

	c.window = rig_toplevel_create(c.compositor, c.wm_base, c.name);
	/* Hang guards only: the rig's TCG guest on a loaded host can take
	 * a minute for Weston's first GL frame. */
	if (!CHECK_MSG(c.window && rig_dispatch_until(c.display, &c.window->configured, 180000),
			"%s: toplevel configured", c.name))
		goto out;
	if (!CHECK_MSG(buffer_create(&c), "%s: buffer created", c.name))
		goto out;

	commit_buffer(&c);
	if (!CHECK_MSG(rig_dispatch_until(c.display, &c.frame_done, 180000),
			"%s: the committed frame was drawn", c.name))
		goto out;
	CHECK_MSG(c.dmabuf_failed == 0, "%s: the compositor accepted the buffer", c.name);
	if (!CHECK_MSG(write_ready(&c), "%s: ready file written", c.name))
		goto out;

	bool connected = wait_for_quit(&c);
	CHECK_MSG(connected && wl_display_get_error(c.display) == 0,
		"%s: still connected, no protocol error", c.name);
	printf("RIG-COMMITS source=%s buffer_commits=%u\n", c.name, c.buffer_commits);
	if (c.source != SOURCE_SHM)
		CHECK_MSG(c.buffer_commits == 1, "%s: committed its buffer exactly once (%u)",
			c.name, c.buffer_commits);
out:
	rig_toplevel_destroy(c.window);
	client_destroy(&c);
	return tap_finish();
}
