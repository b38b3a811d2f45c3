/* SPDX-License-Identifier: MIT */
/* linux-dmabuf v4 feedback for the rig's clients: the protocol events go
 * straight to the display core's parser, so the rig checks what it parses. */
#include "rig-feedback.h"

#include <stdlib.h>
#include <unistd.h>

static void fb_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj)
{
	struct rig_feedback *fb = data;
	vmpd_feedback_done(&fb->parsed);
	fb->done_count++;
}

static void fb_format_table(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	int32_t fd, uint32_t size)
{
	struct rig_feedback *fb = data;
	/* A table that does not load stays empty; the checks see that. */
	vmpd_format_table_load_fd(&fb->parsed.table, fd, size);
	close(fd);
}

static void fb_main_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	struct wl_array *device)
{
	struct rig_feedback *fb = data;
	vmpd_feedback_main_device(&fb->parsed, device->data, device->size);
}

static void fb_tranche_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj)
{
	struct rig_feedback *fb = data;
	vmpd_feedback_tranche_done(&fb->parsed);
}

static void fb_tranche_target_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	struct wl_array *device)
{
	struct rig_feedback *fb = data;
	vmpd_feedback_tranche_target(&fb->parsed, device->data, device->size);
}

static void fb_tranche_formats(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	struct wl_array *indices)
{
	struct rig_feedback *fb = data;
	vmpd_feedback_tranche_formats(&fb->parsed, indices->data, indices->size);
}

static void fb_tranche_flags(void *data, struct zwp_linux_dmabuf_feedback_v1 *obj,
	uint32_t flags)
{
	struct rig_feedback *fb = data;
	vmpd_feedback_tranche_flags(&fb->parsed, flags);
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
	vmpd_feedback_init(&fb->parsed);
	zwp_linux_dmabuf_feedback_v1_add_listener(obj, &feedback_listener, fb);
	return fb;
}

void rig_feedback_destroy(struct rig_feedback *fb)
{
	if (!fb)
		return;
	zwp_linux_dmabuf_feedback_v1_destroy(fb->obj);
	vmpd_feedback_fini(&fb->parsed);
	free(fb);
}

const struct vmpd_tranche *rig_feedback_find(const struct rig_feedback *fb,
	uint32_t flags, dev_t target)
{
	for (size_t i = 0; i < fb->parsed.n_tranches; i++) {
		const struct vmpd_tranche *t = &fb->parsed.tranches[i];
		if (t->flags == flags && t->target_device == target)
			return t;
	}
	return NULL;
}
