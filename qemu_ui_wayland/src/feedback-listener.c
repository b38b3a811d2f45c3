/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf's global and what the compositor says it takes: v4 feedback
 * events fed into feedback-table.c (per display and per head), v3 format lists.
 */
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"

static void
fb_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *f)
{
	vmpd_feedback_done(data);
}

static void
fb_format_table(void *data, struct zwp_linux_dmabuf_feedback_v1 *f, int32_t fd,
		uint32_t size)
{
	struct vmpd_feedback *fb = data;
	if (!vmpd_format_table_load_fd(&fb->table, fd, size))
		vmpd_log_emit(fb->log, VMPD_LOG_WARNING,
			      "vmplane display: unusable dma-buf format table "
			      "(%u bytes)",
			      size);
	close(fd);
}

static void
fb_main_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
	       struct wl_array *dev)
{
	vmpd_feedback_main_device(data, dev->data, dev->size);
}

static void
fb_tranche_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *f)
{
	vmpd_feedback_tranche_done(data);
}

static void
fb_tranche_target_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
			 struct wl_array *dev)
{
	vmpd_feedback_tranche_target(data, dev->data, dev->size);
}

static void
fb_tranche_formats(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
		   struct wl_array *indices)
{
	vmpd_feedback_tranche_formats(data, indices->data, indices->size);
}

static void
fb_tranche_flags(void *data, struct zwp_linux_dmabuf_feedback_v1 *f,
		 uint32_t flags)
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

static void
dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *dmabuf, uint32_t format)
{
}

static void
dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *dmabuf, uint32_t format,
		uint32_t mod_hi, uint32_t mod_lo)
{
	struct vmpd_display *d = data;
	if (d->n_v3_formats >= VMPD_FORMAT_TABLE_MAX_ENTRIES)
		return;
	struct vmpd_format *f = realloc(d->v3_formats,
					(d->n_v3_formats + 1) * sizeof(*f));
	if (!f)
		return;
	d->v3_formats = f;
	f[d->n_v3_formats++] = (struct vmpd_format){
		format, ((uint64_t)mod_hi << 32) | mod_lo
	};
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
	.format = dmabuf_format,
	.modifier = dmabuf_modifier,
};

void
vmpd_feedback_bind(struct vmpd_display *d, struct wl_registry *reg,
		   uint32_t name, uint32_t version)
{
	d->dmabuf_version = version >= 4 ? 4 : 3;
	d->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface,
				     d->dmabuf_version);
	if (d->dmabuf_version >= 4) {
		d->feedback.log = &d->log;
		d->default_feedback = zwp_linux_dmabuf_v1_get_default_feedback(
			d->dmabuf);
		zwp_linux_dmabuf_feedback_v1_add_listener(
			d->default_feedback, &feedback_listener, &d->feedback);
	} else {
		zwp_linux_dmabuf_v1_add_listener(d->dmabuf, &dmabuf_listener,
						 d);
	}
}

void
vmpd_feedback_release(struct vmpd_display *d)
{
	if (d->default_feedback)
		zwp_linux_dmabuf_feedback_v1_destroy(d->default_feedback);
	d->default_feedback = NULL;
	if (d->dmabuf)
		zwp_linux_dmabuf_v1_destroy(d->dmabuf);
	d->dmabuf = NULL;
	vmpd_feedback_fini(&d->feedback);
	free(d->v3_formats);
	d->v3_formats = NULL;
	d->n_v3_formats = 0;
}

void
vmpd_feedback_head_init(struct vmpd_head *head)
{
	struct vmpd_display *d = head->display;
	vmpd_feedback_init(&head->feedback);
	head->feedback.log = &d->log;
	if (d->dmabuf && d->dmabuf_version >= 4 && head->scanout) {
		head->surface_feedback =
			zwp_linux_dmabuf_v1_get_surface_feedback(d->dmabuf,
								 head->scanout);
		zwp_linux_dmabuf_feedback_v1_add_listener(
			head->surface_feedback, &feedback_listener,
			&head->feedback);
	}
}

void
vmpd_feedback_head_fini(struct vmpd_head *head)
{
	if (head->surface_feedback)
		zwp_linux_dmabuf_feedback_v1_destroy(head->surface_feedback);
	head->surface_feedback = NULL;
	vmpd_feedback_fini(&head->feedback);
}

bool
vmpd_feedback_lists(const struct vmpd_head *head, uint32_t fourcc, uint64_t mod,
		    bool *known)
{
	const struct vmpd_display *d = head->display;
	const struct vmpd_feedback *fb = head->feedback.complete
						 ? &head->feedback
						 : &d->feedback;
	if (fb->complete) {
		*known = true;
		return vmpd_feedback_has(fb, fourcc, mod, 0);
	}
	if (d->n_v3_formats) {
		*known = true;
		for (size_t i = 0; i < d->n_v3_formats; i++) {
			if (d->v3_formats[i].fourcc == fourcc &&
			    d->v3_formats[i].modifier == mod)
				return true;
		}
		return false;
	}
	/* Unknown lists count as yes: the import's answer will tell. */
	*known = false;
	return true;
}
