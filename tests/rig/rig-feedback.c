/*
 * Records linux-dmabuf v4 feedback (main device, tranches) for rig clients;
 * only a done event makes a received set current.
 */
#include "rig-feedback.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static dev_t dev_from_array(const struct wl_array *a)
{
	dev_t d = 0;
	if (a->size == sizeof(d))
		memcpy(&d, a->data, sizeof(d));
	return d;
}

static void fb_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj)
{
	struct rig_feedback *fb = data;
	fb->main_device = fb->pending_main;
	fb->n_tranches = fb->pending_n;
	memcpy(fb->tranches, fb->pending, sizeof(fb->tranches));
	fb->pending_n = 0;
	fb->done_count++;
}

static void fb_format_table(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	int32_t fd, uint32_t size)
{
	struct rig_feedback *fb = data;
	fb->have_table = size > 0;
	close(fd);
}

static void fb_main_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	struct wl_array *device)
{
	struct rig_feedback *fb = data;
	fb->pending_main = dev_from_array(device);
}

static void fb_tranche_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj)
{
	struct rig_feedback *fb = data;
	if (fb->pending_n < RIG_FEEDBACK_MAX_TRANCHES)
		fb->pending[fb->pending_n++] = fb->cur;
	memset(&fb->cur, 0, sizeof(fb->cur));
}

static void fb_tranche_target_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	struct wl_array *device)
{
	struct rig_feedback *fb = data;
	fb->cur.target = dev_from_array(device);
}

static void fb_tranche_formats(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	struct wl_array *indices)
{
	struct rig_feedback *fb = data;
	fb->cur.n_formats += (unsigned)(indices->size / sizeof(uint16_t));
}

static void fb_tranche_flags(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	uint32_t flags)
{
	struct rig_feedback *fb = data;
	fb->cur.flags = flags;
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

struct rig_feedback *rig_feedback_create(struct zwp_linux_dmabuf_feedback_v1 *obj)
{
	struct rig_feedback *fb = obj ? calloc(1, sizeof(*fb)) : NULL;
	if (!fb)
		return NULL;
	fb->obj = obj;
	zwp_linux_dmabuf_feedback_v1_add_listener(obj, &feedback_listener, fb);
	return fb;
}

void rig_feedback_destroy(struct rig_feedback *fb)
{
	if (!fb)
		return;
	zwp_linux_dmabuf_feedback_v1_destroy(fb->obj);
	free(fb);
}

const struct rig_tranche *rig_feedback_find(const struct rig_feedback *fb,
	uint32_t flags, dev_t target)
{
	for (unsigned i = 0; i < fb->n_tranches; i++) {
		if (fb->tranches[i].flags == flags && fb->tranches[i].target == target)
			return &fb->tranches[i];
	}
	return NULL;
}
