/* SPDX-License-Identifier: MIT */
/*
 * The reset tests' client scene: shm ARGB with alpha, shm YUV and a
 * subsurface tree, committed once so only the renderer can restore them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reset-scene.h"

#define ARGB_W 80
#define ARGB_H 60
#define YUV_W 64
#define YUV_H 48
#define TREE_W 60

struct shm_buf {
	struct wl_buffer *proxy;
	void *data;
	size_t len;
};

/* One level of the subsurface tree. */
struct sub_level {
	struct wl_surface *surface;
	struct wl_subsurface *sub;
	struct buffer *buf;
};

struct reset_scene {
	struct client *client;
	int x, y;
	struct surface *argb, *yuv, *tree;
	struct buffer *argb_buf, *tree_buf;
	struct shm_buf yuv_buf;
	struct wl_subcompositor *subcompositor;
	struct sub_level child, grandchild;
};

static void
fill_argb(struct buffer *buf, int w, int h, int seed, bool translucent)
{
	uint32_t *pix = pixman_image_get_data(buf->image);
	int stride = pixman_image_get_stride(buf->image) / 4;

	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			/* Premultiplied: no channel above alpha. */
			uint32_t a = translucent ? 0x40 + (uint32_t)(x * 2) % 0xc0 : 0xff;
			uint32_t r = ((uint32_t)(x * 3 + seed) & 0xff) * a / 255;
			uint32_t g = ((uint32_t)(y * 4 + seed * 2) & 0xff) * a / 255;
			uint32_t b = ((uint32_t)(x * y + seed) & 0xff) * a / 255;

			pix[y * stride + x] = a << 24 | r << 16 | g << 8 | b;
		}
	}
}

static bool
yuv_buffer_create(struct client *client, struct shm_buf *out)
{
	int fd = memfd_create("reset-yuv", MFD_CLOEXEC);
	size_t luma = (size_t)YUV_W * YUV_H;
	size_t chroma = luma / 4;
	struct wl_shm_pool *pool;
	uint8_t *p;

	if (fd < 0)
		return false;
	out->len = luma + 2 * chroma;
	if (ftruncate(fd, (off_t)out->len) < 0) {
		close(fd);
		return false;
	}
	out->data = mmap(NULL, out->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (out->data == MAP_FAILED) {
		close(fd);
		return false;
	}
	p = out->data;
	for (int y = 0; y < YUV_H; y++)
		for (int x = 0; x < YUV_W; x++)
			p[y * YUV_W + x] = (uint8_t)(16 + (x * 3 + y * 2) % 220);
	for (int y = 0; y < YUV_H / 2; y++) {
		for (int x = 0; x < YUV_W / 2; x++) {
			p[luma + y * (YUV_W / 2) + x] = (uint8_t)(64 + x * 4);
			p[luma + chroma + y * (YUV_W / 2) + x] = (uint8_t)(200 - y * 4);
		}
	}
	pool = wl_shm_create_pool(client->wl_shm, fd, (int32_t)out->len);
	out->proxy = wl_shm_pool_create_buffer(pool, 0, YUV_W, YUV_H, YUV_W,
					       WL_SHM_FORMAT_YUV420);
	wl_shm_pool_destroy(pool);
	close(fd);
	return out->proxy != NULL;
}

static struct surface *
place(struct client *client, int x, int y, int w, int h)
{
	struct surface *s = create_test_surface(client);

	s->width = w;
	s->height = h;
	weston_test_move_surface(client->test->weston_test, s->wl_surface, x, y);
	return s;
}

static void
commit_and_wait(struct client *client, struct wl_surface *surface,
		struct wl_buffer *buffer, int w, int h)
{
	int done = 0;

	wl_surface_attach(surface, buffer, 0, 0);
	wl_surface_damage(surface, 0, 0, w, h);
	frame_callback_set(surface, &done);
	wl_surface_commit(surface);
	frame_callback_wait(client, &done);
}

/* A w x h subsurface of parent at (x, y), filled and committed. */
static void
sub_level_create(struct sub_level *l, struct reset_scene *s, struct client *client,
		 struct wl_surface *parent, int x, int y, int w, int h, int seed,
		 bool translucent)
{
	l->surface = wl_compositor_create_surface(client->wl_compositor);
	l->sub = wl_subcompositor_get_subsurface(s->subcompositor, l->surface, parent);
	wl_subsurface_set_position(l->sub, x, y);
	l->buf = create_shm_buffer_a8r8g8b8(client, w, h);
	fill_argb(l->buf, w, h, seed, translucent);
	wl_surface_attach(l->surface, l->buf->proxy, 0, 0);
	wl_surface_damage(l->surface, 0, 0, w, h);
	wl_surface_commit(l->surface);
}

struct reset_scene *
reset_scene_create(struct client *client, int x, int y)
{
	struct reset_scene *s = calloc(1, sizeof(*s));
	int tx = x + ARGB_W + YUV_W + 40;

	assert(s);
	s->client = client;
	s->x = x;
	s->y = y;

	s->argb = place(client, x, y, ARGB_W, ARGB_H);
	s->argb_buf = create_shm_buffer_a8r8g8b8(client, ARGB_W, ARGB_H);
	fill_argb(s->argb_buf, ARGB_W, ARGB_H, 17, true);
	commit_and_wait(client, s->argb->wl_surface, s->argb_buf->proxy,
			ARGB_W, ARGB_H);

	s->yuv = place(client, x + ARGB_W + 20, y, YUV_W, YUV_H);
	assert(yuv_buffer_create(client, &s->yuv_buf));
	commit_and_wait(client, s->yuv->wl_surface, s->yuv_buf.proxy,
			YUV_W, YUV_H);

	/* parent (opaque) > child (translucent) > grandchild (opaque) */
	s->subcompositor = bind_to_singleton_global(client,
		&wl_subcompositor_interface, 1);
	s->tree = place(client, tx, y, TREE_W, TREE_W);
	s->tree_buf = create_shm_buffer_a8r8g8b8(client, TREE_W, TREE_W);
	fill_argb(s->tree_buf, TREE_W, TREE_W, 90, false);
	sub_level_create(&s->child, s, client, s->tree->wl_surface, 20, 30, 50, 40, 150, true);
	sub_level_create(&s->grandchild, s, client, s->child.surface, 8, 6, 16, 12, 200, false);
	/* Synchronized subsurfaces apply with the parent's commit. */
	wl_surface_commit(s->child.surface);
	commit_and_wait(client, s->tree->wl_surface, s->tree_buf->proxy,
			TREE_W, TREE_W);
	return s;
}

void
reset_scene_probe_point(const struct reset_scene *s, int *x, int *y)
{
	*x = s->x + ARGB_W / 2;
	*y = s->y + ARGB_H / 2;
}

void
reset_scene_destroy(struct reset_scene *s)
{
	if (!s)
		return;
	wl_subsurface_destroy(s->grandchild.sub);
	wl_surface_destroy(s->grandchild.surface);
	wl_subsurface_destroy(s->child.sub);
	wl_surface_destroy(s->child.surface);
	wl_subcompositor_destroy(s->subcompositor);
	surface_destroy(s->tree);
	surface_destroy(s->yuv);
	surface_destroy(s->argb);
	buffer_destroy(s->grandchild.buf);
	buffer_destroy(s->child.buf);
	buffer_destroy(s->tree_buf);
	buffer_destroy(s->argb_buf);
	wl_buffer_destroy(s->yuv_buf.proxy);
	munmap(s->yuv_buf.data, s->yuv_buf.len);
	free(s);
}
