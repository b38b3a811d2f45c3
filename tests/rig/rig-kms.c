/* SPDX-License-Identifier: MIT */
/*
 * Atomic KMS helpers for the rig's vkms programs: properties by name, dumb
 * framebuffers, pipeline discovery and PPM dumps.
 */
#include "rig-kms.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <drm_fourcc.h>
#include <xf86drm.h>

#include "tap.h"

uint32_t rig_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;
	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
		if (p && strcmp(p->name, name) == 0)
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

uint64_t rig_prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint64_t value = UINT64_MAX;
	for (uint32_t i = 0; props && i < props->count_props; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);
		if (p && strcmp(p->name, name) == 0)
			value = props->prop_values[i];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return value;
}

bool rig_dumb_create(int fd, uint32_t w, uint32_t h, struct rig_dumb *d)
{
	struct drm_mode_create_dumb create = { .width = w, .height = h, .bpp = 32 };
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return false;
	d->handle = create.handle;
	d->pitch = create.pitch;
	d->size = create.size;
	struct drm_mode_map_dumb map = { .handle = d->handle };
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return false;
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (d->map == MAP_FAILED)
		return false;
	uint32_t handles[4] = { d->handle }, pitches[4] = { d->pitch }, offsets[4] = { 0 };
	return drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
		&d->fb, 0) == 0;
}

void rig_write_ppm(const char *path, const uint32_t *px, uint32_t w, uint32_t h,
	uint32_t pitch)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			uint32_t p = px[y * (pitch / 4) + x];
			unsigned char rgb[3] = { p >> 16, p >> 8, p };
			fwrite(rgb, 1, 3, f);
		}
	}
	fclose(f);
}

bool rig_kms_find(struct rig_kms *k)
{
	drmModeResPtr res = drmModeGetResources(k->fd);
	if (!res || res->count_crtcs < 1)
		return false;
	k->crtc = res->crtcs[0];
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnectorPtr c = drmModeGetConnector(k->fd, res->connectors[i]);
		if (!c)
			continue;
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK)
			k->wb_conn = c->connector_id;
		else if (c->connection == DRM_MODE_CONNECTED && c->count_modes > 0 && !k->conn) {
			k->conn = c->connector_id;
			k->mode = c->modes[0];
			for (int m = 0; m < c->count_modes; m++)
				if (c->modes[m].type & DRM_MODE_TYPE_PREFERRED)
					k->mode = c->modes[m];
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);

	drmModePlaneResPtr planes = drmModeGetPlaneResources(k->fd);
	for (uint32_t i = 0; planes && i < planes->count_planes; i++) {
		uint32_t id = planes->planes[i];
		uint64_t type = rig_prop_value(k->fd, id, DRM_MODE_OBJECT_PLANE, "type");
		if (type == DRM_PLANE_TYPE_PRIMARY && !k->primary)
			k->primary = id;
		else if (type == DRM_PLANE_TYPE_OVERLAY && !k->overlay)
			k->overlay = id;
	}
	drmModeFreePlaneResources(planes);
	return k->conn && k->wb_conn && k->primary && k->overlay;
}

void rig_atomic_add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
	const char *name, uint64_t value)
{
	uint32_t id = rig_prop_id(fd, obj, type, name);
	if (!id || drmModeAtomicAddProperty(req, obj, id, value) < 0)
		tap_note("cannot set %s on object %u", name, obj);
}

