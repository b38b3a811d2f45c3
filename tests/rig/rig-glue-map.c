/* SPDX-License-Identifier: MIT */
/*
 * One QEMU UI API generation of the glue's dma-buf mapping (VMPQ_API and
 * RIG_GLUE_DESCRIBE come from meson), as dmabuf-map-test.c builds it.
 */
#include "qemu-dmabuf-mirror.h"
#include "wayland-compat.h"
#include "rig-glue-map.h"

void RIG_GLUE_DESCRIBE(const struct rig_glue_scanout *s, struct vmpd_dmabuf *out)
{
	struct mirror_spec spec = {
		.fd = s->fd, .stride = s->stride, .fourcc = s->fourcc, .modifier = s->modifier,
		.backing_width = s->backing_width, .backing_height = s->backing_height,
		.x = s->rect.x, .y = s->rect.y, .width = s->rect.width, .height = s->rect.height,
		.y0_top = s->y0_top,
	};
	QemuDmaBuf d;
	mirror_fill(&d, &spec);
	vmpq_describe_dmabuf(&d, out);
}
