/*
 * vkms as an oracle for what is scanned out: one atomic commit puts a
 * udmabuf on an overlay plane (gated by a sw_sync in-fence) over a blue
 * primary and routes the CRTC to the writeback connector as well. The
 * out-fence must wait for the in-fence, and the written-back frame must
 * equal the expected composite pixel for pixel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "rig-check.h"
#include "rig-udmabuf.h"
#include "vmplane/sync_file.h"
#include "vmplane/sync_timeline.h"

#define MS ((int64_t)1000 * 1000)
#define BLUE 0x000000ffu
#define GREEN 0x0000ff00u
#define OV_X 100
#define OV_Y 80
#define OV_SIZE 128

struct rig_dumb {
	uint32_t handle, fb, pitch;
	uint64_t size;
	uint32_t *map;
};

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
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

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type, const char *name)
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

static bool dumb_create(int fd, uint32_t w, uint32_t h, struct rig_dumb *d)
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

static void write_ppm(const char *path, const uint32_t *px, uint32_t w, uint32_t h,
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

struct rig_kms {
	int fd;
	uint32_t crtc, conn, wb_conn, primary, overlay;
	drmModeModeInfo mode;
};

static bool find_objects(struct rig_kms *k)
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
		uint64_t type = prop_value(k->fd, id, DRM_MODE_OBJECT_PLANE, "type");
		if (type == DRM_PLANE_TYPE_PRIMARY && !k->primary)
			k->primary = id;
		else if (type == DRM_PLANE_TYPE_OVERLAY && !k->overlay)
			k->overlay = id;
	}
	drmModeFreePlaneResources(planes);
	return k->conn && k->wb_conn && k->primary && k->overlay;
}

static void add(drmModeAtomicReqPtr req, int fd, uint32_t obj, uint32_t type,
	const char *name, uint64_t value)
{
	uint32_t id = prop_id(fd, obj, type, name);
	if (!id || drmModeAtomicAddProperty(req, obj, id, value) < 0)
		rig_note("cannot set %s on object %u", name, obj);
}

static void add_plane(drmModeAtomicReqPtr req, int fd, uint32_t plane, uint32_t crtc,
	uint32_t fb, int x, int y, uint32_t w, uint32_t h)
{
	uint32_t t = DRM_MODE_OBJECT_PLANE;
	add(req, fd, plane, t, "FB_ID", fb);
	add(req, fd, plane, t, "CRTC_ID", crtc);
	add(req, fd, plane, t, "SRC_X", 0);
	add(req, fd, plane, t, "SRC_Y", 0);
	add(req, fd, plane, t, "SRC_W", (uint64_t)w << 16);
	add(req, fd, plane, t, "SRC_H", (uint64_t)h << 16);
	add(req, fd, plane, t, "CRTC_X", (uint64_t)x);
	add(req, fd, plane, t, "CRTC_Y", (uint64_t)y);
	add(req, fd, plane, t, "CRTC_W", w);
	add(req, fd, plane, t, "CRTC_H", h);
}

int main(int argc, char **argv)
{
	const char *out_dir = argc > 1 ? argv[1] : getenv("RIG_OUT");
	struct rig_kms k = { .fd = rig_open_card("vkms") };
	if (!rig_check(k.fd >= 0, "vkms device found"))
		return rig_finish("rig-kms-writeback");
	rig_check(drmSetClientCap(k.fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0 &&
			drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0 &&
			drmSetClientCap(k.fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) == 0,
		"atomic and writeback client caps");
	if (!rig_check(find_objects(&k), "CRTC, connector, writeback connector, primary and overlay"))
		return rig_finish("rig-kms-writeback");
	uint32_t w = k.mode.hdisplay, h = k.mode.vdisplay;
	rig_note("mode %ux%u, crtc %u, connector %u, writeback %u, planes %u/%u",
		w, h, k.crtc, k.conn, k.wb_conn, k.primary, k.overlay);

	struct rig_dumb primary = { 0 }, wb = { 0 };
	rig_check(dumb_create(k.fd, w, h, &primary) && dumb_create(k.fd, w, h, &wb),
		"primary and writeback framebuffers");
	for (uint32_t i = 0; primary.map && i < primary.size / 4; i++)
		primary.map[i] = BLUE;
	if (wb.map)
		memset(wb.map, 0x55, wb.size);

	struct rig_udmabuf *ub = rig_udmabuf_create(OV_SIZE * OV_SIZE * 4);
	uint32_t ov_handle = 0, ov_fb = 0;
	if (ub) {
		for (uint32_t i = 0; i < OV_SIZE * OV_SIZE; i++)
			ub->pixels[i] = GREEN;
		uint32_t handles[4] = { 0 }, pitches[4] = { OV_SIZE * 4 }, offsets[4] = { 0 };
		uint64_t mods[4] = { DRM_FORMAT_MOD_LINEAR };
		if (drmPrimeFDToHandle(k.fd, ub->dmabuf_fd, &ov_handle) == 0) {
			handles[0] = ov_handle;
			drmModeAddFB2WithModifiers(k.fd, OV_SIZE, OV_SIZE, DRM_FORMAT_XRGB8888,
				handles, pitches, offsets, mods, &ov_fb, DRM_MODE_FB_MODIFIERS);
		}
	}
	rig_check(ov_fb != 0, "udmabuf imported into vkms as a LINEAR XRGB8888 framebuffer");

	struct vsync_timeline *tl = NULL;
	int in_fence = -1;
	rig_check(vsync_timeline_create(&tl) == VSYNC_OK &&
			vsync_timeline_fence(tl, 1, "rig-in", &in_fence) == VSYNC_OK,
		"sw_sync in-fence");

	uint32_t blob = 0;
	drmModeCreatePropertyBlob(k.fd, &k.mode, sizeof(k.mode), &blob);
	int32_t out_fence = -1, wb_fence = -1;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	add(req, k.fd, k.crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob);
	add(req, k.fd, k.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	add(req, k.fd, k.conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k.crtc);
	add_plane(req, k.fd, k.primary, k.crtc, primary.fb, 0, 0, w, h);
	add_plane(req, k.fd, k.overlay, k.crtc, ov_fb, OV_X, OV_Y, OV_SIZE, OV_SIZE);
	add(req, k.fd, k.overlay, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD", (uint64_t)in_fence);
	add(req, k.fd, k.wb_conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k.crtc);
	add(req, k.fd, k.wb_conn, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID", wb.fb);

	/* Display and writeback connectors together: needs our clone-mask fix. */
	int ret = drmModeAtomicCommit(k.fd, req,
		DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	rig_check(ret == 0, "TEST_ONLY: display + writeback in one commit (%s)",
		ret ? strerror(errno) : "accepted");

	add(req, k.fd, k.crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR", (uint64_t)(uintptr_t)&out_fence);
	add(req, k.fd, k.wb_conn, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_OUT_FENCE_PTR",
		(uint64_t)(uintptr_t)&wb_fence);
	int64_t t0 = rig_now_ns();
	ret = drmModeAtomicCommit(k.fd, req,
		DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	rig_check(ret == 0 && out_fence >= 0 && wb_fence >= 0,
		"nonblocking commit with out-fence and writeback fence (%s)",
		ret ? strerror(errno) : "ok");
	drmModeAtomicFree(req);

	rig_check(vsync_fd_wait(out_fence, 200 * MS) == VSYNC_TIMEOUT,
		"out-fence held back while the in-fence is unsignalled");
	int64_t t1 = rig_now_ns();
	vsync_timeline_advance(tl, 1);
	rig_check(vsync_fd_wait(out_fence, 2000 * MS) == VSYNC_OK,
		"out-fence signals after the in-fence (%.1f ms)", (rig_now_ns() - t1) / 1e6);
	rig_check(vsync_fd_wait(wb_fence, 3000 * MS) == VSYNC_OK,
		"writeback fence signals (%.1f ms after the commit)", (rig_now_ns() - t0) / 1e6);

	/* The capture must be exactly blue with a green square. */
	unsigned bad = 0, first_x = 0, first_y = 0;
	uint32_t first_px = 0;
	for (uint32_t y = 0; wb.map && y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			bool in = x >= OV_X && x < OV_X + OV_SIZE && y >= OV_Y && y < OV_Y + OV_SIZE;
			uint32_t got = wb.map[y * (wb.pitch / 4) + x] & 0xffffffu;
			if (got != (in ? GREEN : BLUE) && bad++ == 0) {
				first_x = x;
				first_y = y;
				first_px = got;
			}
		}
	}
	rig_check(wb.map && bad == 0, "writeback frame equals the expected composite "
		"(%u wrong pixels, first at %u,%u = %06x)", bad, first_x, first_y, first_px);
	if (out_dir && wb.map) {
		char path[512];
		snprintf(path, sizeof(path), "%s/writeback.ppm", out_dir);
		write_ppm(path, wb.map, w, h, wb.pitch);
		rig_note("capture: %s", path);
	}

	if (in_fence >= 0)
		close(in_fence);
	if (out_fence >= 0)
		close(out_fence);
	if (wb_fence >= 0)
		close(wb_fence);
	vsync_timeline_destroy(tl);
	rig_udmabuf_destroy(ub);
	close(k.fd);
	return rig_finish("rig-kms-writeback");
}
