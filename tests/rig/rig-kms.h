/* SPDX-License-Identifier: MIT */
/* Atomic KMS helpers shared by the rig's vkms programs. */
#ifndef RIG_KMS_H
#define RIG_KMS_H

#include <stdbool.h>
#include <stdint.h>
#include <xf86drmMode.h>

/* Small atomic-KMS helpers shared by the rig's vkms programs. */

struct rig_dumb {
	uint32_t handle, fb, pitch;
	uint64_t size;
	uint32_t *map;
};

struct rig_kms {
	int fd;
	uint32_t crtc, conn, wb_conn, primary, overlay;
	drmModeModeInfo mode;
};

/* Property id / current value by name; 0 / UINT64_MAX when absent. */
uint32_t rig_prop_id(int fd, uint32_t obj, uint32_t type, const char *name);
uint64_t rig_prop_value(int fd, uint32_t obj, uint32_t type, const char *name);

/* A mapped XRGB8888 dumb buffer with a framebuffer. */
bool rig_dumb_create(int fd, uint32_t w, uint32_t h, struct rig_dumb *d);

/* First CRTC, connected connector and mode, writeback connector, planes. */
bool rig_kms_find(struct rig_kms *k);

/* Add a property by name to an atomic request; notes a missing one. */
void rig_atomic_add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
	const char *name, uint64_t value);

/* Binary PPM of an XRGB8888 image. */
void rig_write_ppm(const char *path, const uint32_t *px, uint32_t w, uint32_t h,
	uint32_t pitch);

#endif
