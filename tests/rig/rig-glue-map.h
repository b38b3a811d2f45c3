/* SPDX-License-Identifier: MIT */
/*
 * The QEMU glue's real QemuDmaBuf -> vmpd_dmabuf mapping
 * (qemu_ui_wayland/qemu/ui/wayland-compat.h), built once per QEMU UI API
 * generation against the test-only QemuDmaBuf stand-ins, for the rig.
 */
#ifndef RIG_GLUE_MAP_H
#define RIG_GLUE_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <vmplane/display-dmabuf.h>

/* A scanout as QEMU's virtio-gpu would describe it. */
struct rig_glue_scanout {
	int fd;
	uint32_t stride, fourcc;
	uint64_t modifier;
	uint32_t backing_width, backing_height;
	struct vmpd_rect rect;   /* the scanout rectangle inside the backing */
	bool y0_top;
};

/* Fills a QemuDmaBuf of that generation and runs the glue's mapping on it. */
void rig_glue_describe_702(const struct rig_glue_scanout *s, struct vmpd_dmabuf *out);
void rig_glue_describe_1000(const struct rig_glue_scanout *s, struct vmpd_dmabuf *out);
void rig_glue_describe_1001(const struct rig_glue_scanout *s, struct vmpd_dmabuf *out);

#endif
