#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "fourcc.h"
#include "gpu-blit.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"

/* ---- feedback (v4) and format lists (v3) ---- */

static void fb_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *f)
{
	vmpd_feedback_done(data);
}

static void fb_format_table(void *data, struct zwp_linux_dmabuf_feedback_v1 *f, int32_t fd,
	uint32_t size)
{
	struct vmpd_feedback *fb = data;
	if (!vmpd_format_table_load_fd(&fb->table, fd, size))
		fprintf(stderr, "vmplane display: unusable dma-buf format table (%u bytes)\n", size);
	close(fd);
}

static void fb_main_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
	struct wl_array *dev)
{
	vmpd_feedback_main_device(data, dev->data, dev->size);
}

static void fb_tranche_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *f)
{
	vmpd_feedback_tranche_done(data);
}

static void fb_tranche_target_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
	struct wl_array *dev)
{
	vmpd_feedback_tranche_target(data, dev->data, dev->size);
}

static void fb_tranche_formats(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
	struct wl_array *indices)
{
	vmpd_feedback_tranche_formats(data, indices->data, indices->size);
}

static void fb_tranche_flags(void *data, struct zwp_linux_dmabuf_feedback_v1 *f, uint32_t flags)
{
	vmpd_feedback_tranche_flags(data, flags);
}

static const struct zwp_linux_dmabuf_feedback_v1_listener feedback_listener = {
	.done = fb_done,
	.format_table = fb_format_table,
	.main_device = fb_main_device,
	.tranche_done = fb_tranche_done,
	.tranche_target_device = fb_tranche_target_device,
	.tranche_formats = fb_tranche_formats,
	.tranche_flags = fb_tranche_flags,
};

static void dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *dmabuf, uint32_t format)
{
}

static void dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *dmabuf, uint32_t format,
	uint32_t mod_hi, uint32_t mod_lo)
{
	struct vmpd_display *d = data;
	if (d->n_v3_formats >= VMPD_FORMAT_TABLE_MAX_ENTRIES)
		return;
	struct vmpd_format *f = realloc(d->v3_formats, (d->n_v3_formats + 1) * sizeof(*f));
	if (!f)
		return;
	d->v3_formats = f;
	f[d->n_v3_formats++] = (struct vmpd_format){
		format, ((uint64_t)mod_hi << 32) | mod_lo };
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
	.format = dmabuf_format,
	.modifier = dmabuf_modifier,
};

void vmpd_dmabuf_bind(struct vmpd_display *d, struct wl_registry *reg, uint32_t name,
	uint32_t version)
{
	d->dmabuf_version = version >= 4 ? 4 : 3;
	d->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface, d->dmabuf_version);
	if (d->dmabuf_version >= 4) {
		d->default_feedback = zwp_linux_dmabuf_v1_get_default_feedback(d->dmabuf);
		zwp_linux_dmabuf_feedback_v1_add_listener(d->default_feedback, &feedback_listener,
			&d->feedback);
	} else {
		zwp_linux_dmabuf_v1_add_listener(d->dmabuf, &dmabuf_listener, d);
	}
}

void vmpd_dmabuf_finish(struct vmpd_display *d)
{
	if (d->default_feedback)
		zwp_linux_dmabuf_feedback_v1_destroy(d->default_feedback);
	d->default_feedback = NULL;
	if (d->dmabuf)
		zwp_linux_dmabuf_v1_destroy(d->dmabuf);
	d->dmabuf = NULL;
	vmpd_feedback_finish(&d->feedback);
	free(d->v3_formats);
	d->v3_formats = NULL;
	vmpd_gpu_blit_destroy(d->gpu);
	d->gpu = NULL;
	d->n_v3_formats = 0;
}

void vmpd_dmabuf_head_init(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	vmpd_feedback_init(&head->feedback);
	if (d->dmabuf && d->dmabuf_version >= 4 && head->scanout) {
		head->surface_feedback = zwp_linux_dmabuf_v1_get_surface_feedback(d->dmabuf,
			head->scanout);
		zwp_linux_dmabuf_feedback_v1_add_listener(head->surface_feedback,
			&feedback_listener, &head->feedback);
	}
}

/* Whether the compositor lists the pair; unknown lists count as yes. */
static bool compositor_lists(const struct vmpd_head *head, uint32_t fourcc, uint64_t mod,
	bool *known)
{
	const struct vmpd_display *d = head->display;
	const struct vmpd_feedback *fb = head->feedback.complete ? &head->feedback : &d->feedback;
	if (fb->complete) {
		*known = true;
		return vmpd_feedback_has(fb, fourcc, mod, 0);
	}
	if (d->n_v3_formats) {
		*known = true;
		for (size_t i = 0; i < d->n_v3_formats; i++) {
			if (d->v3_formats[i].fourcc == fourcc && d->v3_formats[i].modifier == mod)
				return true;
		}
		return false;
	}
	*known = false;
	return true;
}

/* ---- the cache ---- */

static void entry_destroy(struct vmpd_dmabuf_entry *e)
{
	if (!e)
		return;
	if (e->params)
		zwp_linux_buffer_params_v1_destroy(e->params);
	if (e->wl)
		wl_buffer_destroy(e->wl);
	vmpd_gpu_target_destroy(e->target);
	if (e->map)
		munmap(e->map, e->map_size);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

void vmpd_dmabuf_flush_cache(struct vmpd_head *head)
{
	for (int i = 0; i < VMPD_DMABUF_CACHE; i++) {
		entry_destroy(head->cache[i]);
		head->cache[i] = NULL;
	}
	head->current = NULL;
}

void vmpd_dmabuf_head_finish(struct vmpd_head *head)
{
	vmpd_dmabuf_flush_cache(head);
	if (head->surface_feedback)
		zwp_linux_dmabuf_feedback_v1_destroy(head->surface_feedback);
	head->surface_feedback = NULL;
	vmpd_feedback_finish(&head->feedback);
	if (head->acquire_fence >= 0)
		close(head->acquire_fence);
	head->acquire_fence = -1;
}

static void buffer_release(void *data, struct wl_buffer *wl)
{
	struct vmpd_dmabuf_entry *e = data;
	e->busy = false;
	vmpd_pacing_buffer_released(e->head, (uint64_t)(uintptr_t)e);
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_release,
};

static bool enter_fallback(struct vmpd_dmabuf_entry *e);
static bool enter_gpu_fallback(struct vmpd_dmabuf_entry *e);

static void params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
	struct wl_buffer *buffer)
{
	struct vmpd_dmabuf_entry *e = data;
	zwp_linux_buffer_params_v1_destroy(e->params);
	e->params = NULL;
	e->wl = buffer;
	wl_buffer_add_listener(buffer, &buffer_listener, e);
	e->state = VMPD_IMPORT_READY;
	e->head->stats.dmabuf_imports++;
	if (e->head->current == e)
		vmpd_pacing_import_done(e->head);
}

static void params_failed(void *data, struct zwp_linux_buffer_params_v1 *params)
{
	struct vmpd_dmabuf_entry *e = data;
	zwp_linux_buffer_params_v1_destroy(e->params);
	e->params = NULL;
	/* The guest's buffer was refused: a GPU copy first, then the CPU. */
	bool gpu_copy_refused = e->target != NULL;
	vmpd_gpu_target_destroy(e->target);
	e->target = NULL;
	if ((gpu_copy_refused || !enter_gpu_fallback(e)) && !enter_fallback(e))
		e->state = VMPD_IMPORT_FAILED;
	if (e->head->current == e)
		vmpd_pacing_import_done(e->head);
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static bool is_udmabuf_linear_format(uint32_t fourcc)
{
	uint32_t bpp, planes;
	return vmpd_fourcc_info(fourcc, &bpp, &planes) && planes == 1;
}

static struct vmpd_dmabuf_entry *entry_create(struct vmpd_head *head, const struct vmpd_dmabuf *b,
	dev_t dev, ino_t ino)
{
	struct vmpd_dmabuf_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->head = head;
	e->dev = dev;
	e->ino = ino;
	e->fourcc = b->fourcc;
	e->modifier = b->modifier;
	e->width = b->width;
	e->height = b->height;
	e->stride = b->stride[0];
	e->offset = b->offset[0];
	e->y_invert = b->y0_top;
	e->fd = dup(b->fd[0]);
	e->desc = *b;
	e->desc.fd[0] = e->fd;
	if (e->fd < 0) {
		free(e);
		return NULL;
	}
	e->state = VMPD_IMPORT_FAILED;

	struct vmpd_display *d = head->display;
	uint64_t mod = b->modifier;
	bool known = false;
	/* Guest memory is linear; say so when the compositor knows the word. */
	if (mod == VMPD_MOD_INVALID && is_udmabuf_linear_format(b->fourcc) &&
			compositor_lists(head, b->fourcc, VMPD_MOD_LINEAR, &known) && known)
		mod = VMPD_MOD_LINEAR;
	bool listed = compositor_lists(head, b->fourcc, mod, &known);
	if (d->dmabuf && listed) {
		e->params = zwp_linux_dmabuf_v1_create_params(d->dmabuf);
		for (uint32_t p = 0; p < b->n_planes; p++)
			zwp_linux_buffer_params_v1_add(e->params, b->fd[p], p, b->offset[p],
				b->stride[p], (uint32_t)(mod >> 32), (uint32_t)mod);
		/* Async create: a refused import is an event, not a protocol error. */
		zwp_linux_buffer_params_v1_add_listener(e->params, &params_listener, e);
		zwp_linux_buffer_params_v1_create(e->params, (int32_t)b->width,
			(int32_t)b->height, b->fourcc,
			b->y0_top ? ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT : 0);
		e->state = VMPD_IMPORT_PENDING;
	} else if (!enter_gpu_fallback(e) && !enter_fallback(e)) {
		entry_destroy(e);
		return NULL;
	}
	return e;
}

/* GPU fallback: blit into a LINEAR buffer of ours and offer that instead. */
static bool enter_gpu_fallback(struct vmpd_dmabuf_entry *e)
{
	struct vmpd_head *head = e->head;
	struct vmpd_display *d = head->display;
	bool known;
	if (!d->dmabuf || e->desc.n_planes != 1 ||
			!compositor_lists(head, VMPD_FOURCC_XRGB8888, VMPD_MOD_LINEAR, &known))
		return false;
	if (!d->gpu && !d->gpu_tried) {
		d->gpu_tried = true;
		d->gpu = vmpd_gpu_blit_create(d->feedback.main_device, d->feedback.has_main_device);
	}
	if (!d->gpu)
		return false;
	uint32_t w = e->desc.src.width, h = e->desc.src.height;
	e->target = vmpd_gpu_target_create(d->gpu, w, h);
	if (!e->target || !vmpd_gpu_blit_copy(d->gpu, e->target, &e->desc)) {
		vmpd_gpu_target_destroy(e->target);
		e->target = NULL;
		return false;
	}
	head->stats.copies++;
	head->stats.bytes_copied += (uint64_t)w * h * 4;
	e->params = zwp_linux_dmabuf_v1_create_params(d->dmabuf);
	zwp_linux_buffer_params_v1_add(e->params, vmpd_gpu_target_fd(e->target), 0, 0,
		vmpd_gpu_target_stride(e->target), (uint32_t)(VMPD_MOD_LINEAR >> 32),
		(uint32_t)VMPD_MOD_LINEAR);
	zwp_linux_buffer_params_v1_add_listener(e->params, &params_listener, e);
	zwp_linux_buffer_params_v1_create(e->params, (int32_t)w, (int32_t)h, VMPD_FOURCC_XRGB8888, 0);
	e->state = VMPD_IMPORT_PENDING;
	return true;
}

void vmpd_dmabuf_gpu_recover(struct vmpd_display *d)
{
	if (d->gpu && !vmpd_gpu_blit_recover(d->gpu)) {
		/* Copies cannot be made any more; the CPU path remains. */
		fprintf(stderr, "vmplane display: GPU fallback context lost for good\n");
	}
}

/* CPU fallback: map the buffer and show it through the shm path. */
static bool enter_fallback(struct vmpd_dmabuf_entry *e)
{
	uint32_t bpp, planes;
	if (!vmpd_fourcc_info(e->fourcc, &bpp, &planes) || planes != 1 || bpp != 4 ||
			(e->fourcc != VMPD_FOURCC_XRGB8888 && e->fourcc != VMPD_FOURCC_ARGB8888))
		return false;
	if (e->modifier != VMPD_MOD_LINEAR && e->modifier != VMPD_MOD_INVALID)
		return false;
	size_t size = (size_t)e->offset + (size_t)e->stride * e->height;
	void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, e->fd, 0);
	if (map == MAP_FAILED)
		return false;
	e->map = map;
	e->map_size = size;
	e->state = VMPD_IMPORT_FALLBACK;
	return true;
}

static struct vmpd_dmabuf_entry *cache_find(struct vmpd_head *head, const struct vmpd_dmabuf *b,
	dev_t dev, ino_t ino)
{
	for (int i = 0; i < VMPD_DMABUF_CACHE; i++) {
		struct vmpd_dmabuf_entry *e = head->cache[i];
		if (e && e->dev == dev && e->ino == ino && e->fourcc == b->fourcc &&
				e->modifier == b->modifier && e->stride == b->stride[0] &&
				e->width == b->width && e->height == b->height &&
				e->offset == b->offset[0] && e->y_invert == b->y0_top &&
				(!e->target || memcmp(&e->desc.src, &b->src, sizeof(b->src)) == 0))
			return e;
	}
	return NULL;
}

static void cache_insert(struct vmpd_head *head, struct vmpd_dmabuf_entry *e)
{
	int slot = 0;
	for (int i = 0; i < VMPD_DMABUF_CACHE; i++) {
		if (!head->cache[i]) {
			slot = i;
			break;
		}
		if (head->cache[i]->last_use < head->cache[slot]->last_use)
			slot = i;
	}
	/* Least recently used goes; the compositor keeps what it still shows. */
	if (head->cache[slot] == head->current)
		head->current = NULL;
	entry_destroy(head->cache[slot]);
	head->cache[slot] = e;
}

static enum vmpd_status show_fallback(struct vmpd_head *head, struct vmpd_dmabuf_entry *e)
{
	/* The entry's own rectangle: the shm path rewrites head->src to its buffer. */
	const struct vmpd_rect *r = &e->desc.src;
	const uint8_t *pixels = (const uint8_t *)e->map + e->offset + (size_t)r->y * e->stride +
		(size_t)r->x * 4;
	enum vmpd_status st = vmpd_shm_set_surface(head, r->width, r->height, e->stride, e->fourcc,
		pixels);
	if (st != VMPD_OK)
		return st;
	wl_surface_set_buffer_transform(head->scanout, e->y_invert ?
		WL_OUTPUT_TRANSFORM_FLIPPED_180 : WL_OUTPUT_TRANSFORM_NORMAL);
	head->stats.fallback = true;
	return VMPD_OK;
}

enum vmpd_status vmpd_dmabuf_set(struct vmpd_head *head, const struct vmpd_dmabuf *b)
{
	char why[160];
	enum vmpd_status st = vmpd_dmabuf_validate(b, why, sizeof(why));
	if (st != VMPD_OK) {
		fprintf(stderr, "vmplane display: rejected dma-buf: %s\n", why);
		return st;
	}
	struct stat s;
	if (fstat(b->fd[0], &s) != 0)
		return VMPD_ERR_BAD_FD;
	struct vmpd_dmabuf_entry *e = cache_find(head, b, s.st_dev, s.st_ino);
	if (e) {
		head->stats.dmabuf_cache_hits++;
		/* Same buffer, maybe another scanout rectangle (the GPU copy's is in the key). */
		e->desc.src = b->src;
	} else {
		e = entry_create(head, b, s.st_dev, s.st_ino);
		if (!e)
			return VMPD_ERR_UNSUPPORTED;
		cache_insert(head, e);
	}
	e->last_use = ++head->use_clock;
	if (e->state == VMPD_IMPORT_FAILED)
		return VMPD_ERR_IMPORT;

	bool resized = head->guest_w != b->src.width || head->guest_h != b->src.height;
	head->current = e;
	head->src = b->src;
	head->y_invert = b->y0_top;
	head->guest_w = b->src.width;
	head->guest_h = b->src.height;
	head->stats.scanout_tranche = vmpd_feedback_has(&head->feedback, b->fourcc, b->modifier,
		ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT) ||
		(b->modifier == VMPD_MOD_INVALID && vmpd_feedback_has(&head->feedback, b->fourcc,
		VMPD_MOD_LINEAR, ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT));
	if (resized && !head->size_from_compositor && !head->size_from_config)
		head->win_w = head->win_h = 0;
	if (e->state == VMPD_IMPORT_FALLBACK)
		return show_fallback(head, e);

	vmpd_shm_finish(head);
	head->mode = VMPD_MODE_DMABUF;
	head->stats.fallback = e->target != NULL;
	wl_surface_set_buffer_transform(head->scanout, WL_OUTPUT_TRANSFORM_NORMAL);
	pixman_region32_union_rect(&head->dmabuf_damage, &head->dmabuf_damage, 0, 0,
		b->width, b->height);
	vmpd_head_commit_parent(head);
	return VMPD_OK;
}

static void set_crop(struct vmpd_head *head, const struct vmpd_dmabuf_entry *e)
{
	if (e->target) {
		/* The GPU copy already holds just the scanout rectangle, upright. */
		wp_viewport_set_source(head->scanout_viewport, wl_fixed_from_int(-1),
			wl_fixed_from_int(-1), wl_fixed_from_int(-1), wl_fixed_from_int(-1));
		return;
	}
	/* Crop on the compositor (or the plane scaler): nothing is copied. */
	wp_viewport_set_source(head->scanout_viewport, wl_fixed_from_int((int)e->desc.src.x),
		wl_fixed_from_int((int)e->desc.src.y), wl_fixed_from_int((int)e->desc.src.width),
		wl_fixed_from_int((int)e->desc.src.height));
}

enum vmpd_status vmpd_dmabuf_prepare(struct vmpd_head *head, const struct vmpd_rect *damage,
	int acquire_fence_fd)
{
	struct vmpd_dmabuf_entry *e = head->current;
	if (!e) {
		if (acquire_fence_fd >= 0)
			close(acquire_fence_fd);
		return VMPD_ERR_STATE;
	}
	/* Newest wins for fences as for frames. */
	if (head->acquire_fence >= 0)
		close(head->acquire_fence);
	head->acquire_fence = acquire_fence_fd;
	if (damage)
		pixman_region32_union_rect(&head->dmabuf_damage, &head->dmabuf_damage,
			(int)(head->src.x + damage->x), (int)(head->src.y + damage->y),
			damage->width, damage->height);
	else
		pixman_region32_union_rect(&head->dmabuf_damage, &head->dmabuf_damage, 0, 0,
			e->width, e->height);
	return VMPD_OK;
}

bool vmpd_dmabuf_submit(struct vmpd_head *head, uint64_t seq)
{
	struct vmpd_dmabuf_entry *e = head->current;
	if (!e || e->state == VMPD_IMPORT_FAILED)
		return false;
	/* The pacer holds frames until the import is answered. */
	if (e->state == VMPD_IMPORT_PENDING)
		return false;
	if (e->state == VMPD_IMPORT_FALLBACK) {
		/* The entry went to the fallback after set: switch the head over now. */
		if (show_fallback(head, e) != VMPD_OK)
			return false;
		return vmpd_shm_submit(head, seq);
	}
	if (e->target) {
		/* The guest drew a new frame into its buffer: copy it again. */
		if (!vmpd_gpu_blit_copy(head->display->gpu, e->target, &e->desc))
			return false;
		head->stats.copies++;
		head->stats.bytes_copied += (uint64_t)e->desc.src.width * e->desc.src.height * 4;
		pixman_region32_clear(&head->dmabuf_damage);
		pixman_region32_union_rect(&head->dmabuf_damage, &head->dmabuf_damage, 0, 0,
			e->desc.src.width, e->desc.src.height);
	}
	/* The crop goes in the commit that attaches its buffer: applied
	 * earlier, the compositor would check it against the previous one. */
	set_crop(head, e);
	wl_surface_attach(head->scanout, e->wl, 0, 0);
	int n;
	pixman_box32_t *box = pixman_region32_rectangles(&head->dmabuf_damage, &n);
	for (int i = 0; i < n; i++)
		wl_surface_damage_buffer(head->scanout, box[i].x1, box[i].y1,
			box[i].x2 - box[i].x1, box[i].y2 - box[i].y1);
	pixman_region32_clear(&head->dmabuf_damage);
	if (head->acquire_fence >= 0) {
		if (head->surface_sync)
			zwp_linux_surface_synchronization_v1_set_acquire_fence(head->surface_sync,
				head->acquire_fence);
		close(head->acquire_fence);
		head->acquire_fence = -1;
	}
	vmpd_pacing_track(head, seq);
	wl_surface_commit(head->scanout);
	e->busy = true;
	return true;
}
