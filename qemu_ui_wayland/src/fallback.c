/* SPDX-License-Identifier: MIT */
/*
 * What happens to a guest dma-buf the compositor refuses or does not list:
 * a GPU copy into a LINEAR buffer of ours, else a CPU map shown through the
 * shm path. Every such decision is made here; the head carries it out.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "core.h"
#include "fourcc.h"
#include "gpu-blit.h"

/* GPU fallback: blit into a LINEAR buffer of ours; *copy describes it for import. */
static bool
enter_gpu_copy(struct vmpd_dmabuf_entry *e, struct vmpd_dmabuf *copy)
{
	struct vmpd_head *head = e->head;
	struct vmpd_display *d = head->display;
	bool known;
	if (!d->dmabuf || e->desc.n_planes != 1 ||
	    !vmpd_feedback_lists(head, VMPD_FOURCC_XRGB8888, VMPD_MOD_LINEAR,
				 &known))
		return false;
	if (!d->gpu && !d->gpu_tried) {
		d->gpu_tried = true;
		d->gpu = vmpd_gpu_blit_create(d->feedback.main_device,
					      d->feedback.has_main_device,
					      &d->log);
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
	*copy = (struct vmpd_dmabuf){
		.n_planes = 1,
		.fd = { vmpd_gpu_target_fd(e->target), -1, -1, -1 },
		.stride = { vmpd_gpu_target_stride(e->target) },
		.fourcc = VMPD_FOURCC_XRGB8888,
		.modifier = VMPD_MOD_LINEAR,
		.width = w,
		.height = h,
	};
	return true;
}

/* CPU fallback: map the buffer; the shm path shows it from the mapping. */
static bool
enter_cpu_map(struct vmpd_dmabuf_entry *e)
{
	uint32_t bpp, planes;
	if (!vmpd_fourcc_info(e->fourcc, &bpp, &planes) || planes != 1 ||
	    bpp != 4 ||
	    (e->fourcc != VMPD_FOURCC_XRGB8888 &&
	     e->fourcc != VMPD_FOURCC_ARGB8888))
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

/* Once per head, as the QEMU glue used to say it. */
static void
warn_copying(struct vmpd_dmabuf_entry *e, const char *why)
{
	struct vmpd_head *head = e->head;
	if (head->fallback_warned)
		return;
	head->fallback_warned = true;
	vmpd_log_emit(&head->display->log, VMPD_LOG_WARNING,
		      "vmplane display: the compositor "
		      "cannot take the guest's dma-buf directly (%s); copying "
		      "frames instead",
		      why);
}

bool
vmpd_fallback_unlisted(struct vmpd_dmabuf_entry *e, struct vmpd_dmabuf *import)
{
	import->n_planes = 0;
	if (!enter_gpu_copy(e, import) && !enter_cpu_map(e))
		return false;
	warn_copying(e, "format not listed");
	return true;
}

void
vmpd_fallback_refused(struct vmpd_dmabuf_entry *e, struct vmpd_dmabuf *import)
{
	/* The guest's buffer was refused: a GPU copy first, then the CPU. */
	bool gpu_copy_refused = e->target != NULL;
	vmpd_gpu_target_destroy(e->target);
	e->target = NULL;
	import->n_planes = 0;
	if ((gpu_copy_refused || !enter_gpu_copy(e, import)) &&
	    !enter_cpu_map(e))
		e->state = VMPD_IMPORT_FAILED;
	else
		warn_copying(e, "import refused");
}

enum vmpd_status
vmpd_fallback_show_mapped(struct vmpd_dmabuf_entry *e,
			  enum wl_output_transform *transform)
{
	struct vmpd_head *head = e->head;
	/* The entry's own rectangle: the mapping holds the whole guest buffer. */
	const struct vmpd_rect *r = &e->desc.src;
	const uint8_t *pixels = (const uint8_t *)e->map + e->offset +
				(size_t)r->y * e->stride + (size_t)r->x * 4;
	enum vmpd_status st = vmpd_shm_set_surface(
		&head->shm, r->width, r->height, e->stride, e->fourcc, pixels);
	if (st != VMPD_OK)
		return st;
	*transform = e->y_invert ? WL_OUTPUT_TRANSFORM_FLIPPED_180
				 : WL_OUTPUT_TRANSFORM_NORMAL;
	head->stats.fallback = true;
	return VMPD_OK;
}

bool
vmpd_fallback_recopy(struct vmpd_dmabuf_entry *e)
{
	struct vmpd_head *head = e->head;
	/* The guest drew a new frame into its buffer: copy it again. */
	if (!vmpd_gpu_blit_copy(head->display->gpu, e->target, &e->desc))
		return false;
	head->stats.copies++;
	head->stats.bytes_copied += (uint64_t)e->desc.src.width *
				    e->desc.src.height * 4;
	pixman_region32_clear(&head->dmabuf.damage);
	pixman_region32_union_rect(&head->dmabuf.damage, &head->dmabuf.damage,
				   0, 0, e->desc.src.width, e->desc.src.height);
	return true;
}

void
vmpd_fallback_gpu_recover(struct vmpd_display *d)
{
	if (d->gpu && !vmpd_gpu_blit_recover(d->gpu)) {
		/* Copies cannot be made any more; the CPU path remains. */
		vmpd_log_emit(
			&d->log, VMPD_LOG_ERROR,
			"vmplane display: GPU fallback context lost for good");
	}
}

void
vmpd_fallback_fini(struct vmpd_display *d)
{
	vmpd_gpu_blit_destroy(d->gpu);
	d->gpu = NULL;
}
