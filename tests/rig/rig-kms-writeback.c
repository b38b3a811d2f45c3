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

#include "rig-card.h"
#include "rig-kms.h"
#include "rig-udmabuf.h"
#include "tap.h"
#include "vmplane/clock.h"
#include "vmplane/sync_file.h"
#include "vmplane/sync_timeline.h"

#define MS ((int64_t)1000 * 1000)
#define BLUE 0x000000ffu
#define GREEN 0x0000ff00u
#define OV_X 100
#define OV_Y 80
#define OV_SIZE 128

static void add_plane(drmModeAtomicReqPtr req, int fd, uint32_t plane, uint32_t crtc,
	uint32_t fb, int x, int y, uint32_t w, uint32_t h)
{
	uint32_t t = DRM_MODE_OBJECT_PLANE;
	rig_atomic_add(req, fd, plane, t, "FB_ID", fb);
	rig_atomic_add(req, fd, plane, t, "CRTC_ID", crtc);
	rig_atomic_add(req, fd, plane, t, "SRC_X", 0);
	rig_atomic_add(req, fd, plane, t, "SRC_Y", 0);
	rig_atomic_add(req, fd, plane, t, "SRC_W", (uint64_t)w << 16);
	rig_atomic_add(req, fd, plane, t, "SRC_H", (uint64_t)h << 16);
	rig_atomic_add(req, fd, plane, t, "CRTC_X", (uint64_t)x);
	rig_atomic_add(req, fd, plane, t, "CRTC_Y", (uint64_t)y);
	rig_atomic_add(req, fd, plane, t, "CRTC_W", w);
	rig_atomic_add(req, fd, plane, t, "CRTC_H", h);
}

int main(int argc, char **argv)
{
	const char *out_dir = argc > 1 ? argv[1] : getenv("RIG_OUT");
	struct rig_kms k = { .fd = rig_open_card("vkms") };
	if (!CHECK_MSG(k.fd >= 0, "vkms device found"))
		return tap_finish();
	CHECK_MSG(drmSetClientCap(k.fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0 &&
			drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0 &&
			drmSetClientCap(k.fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) == 0,
		"atomic and writeback client caps");
	if (!CHECK_MSG(rig_kms_find(&k), "CRTC, connector, writeback connector, primary and overlay"))
		return tap_finish();
	uint32_t w = k.mode.hdisplay, h = k.mode.vdisplay;
	tap_note("mode %ux%u, crtc %u, connector %u, writeback %u, planes %u/%u",
		w, h, k.crtc, k.conn, k.wb_conn, k.primary, k.overlay);

	struct rig_dumb primary = { 0 }, wb = { 0 };
	CHECK_MSG(rig_dumb_create(k.fd, w, h, &primary) && rig_dumb_create(k.fd, w, h, &wb),
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
	CHECK_MSG(ov_fb != 0, "udmabuf imported into vkms as a LINEAR XRGB8888 framebuffer");

	struct vmsync_timeline *tl = NULL;
	int in_fence = -1;
	CHECK_MSG(vmsync_timeline_create(&tl) == VMSYNC_OK &&
			vmsync_timeline_fence(tl, 1, "rig-in", &in_fence) == VMSYNC_OK,
		"sw_sync in-fence");

	uint32_t blob = 0;
	drmModeCreatePropertyBlob(k.fd, &k.mode, sizeof(k.mode), &blob);
	int32_t out_fence = -1, wb_fence = -1;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	rig_atomic_add(req, k.fd, k.crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob);
	rig_atomic_add(req, k.fd, k.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	rig_atomic_add(req, k.fd, k.conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k.crtc);
	add_plane(req, k.fd, k.primary, k.crtc, primary.fb, 0, 0, w, h);
	add_plane(req, k.fd, k.overlay, k.crtc, ov_fb, OV_X, OV_Y, OV_SIZE, OV_SIZE);
	rig_atomic_add(req, k.fd, k.overlay, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD", (uint64_t)in_fence);
	rig_atomic_add(req, k.fd, k.wb_conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k.crtc);
	rig_atomic_add(req, k.fd, k.wb_conn, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID", wb.fb);

	/* Display and writeback connectors together: needs our clone-mask fix. */
	int ret = drmModeAtomicCommit(k.fd, req,
		DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	CHECK_MSG(ret == 0, "TEST_ONLY: display + writeback in one commit (%s)",
		ret ? strerror(errno) : "accepted");

	rig_atomic_add(req, k.fd, k.crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR", (uint64_t)(uintptr_t)&out_fence);
	rig_atomic_add(req, k.fd, k.wb_conn, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_OUT_FENCE_PTR",
		(uint64_t)(uintptr_t)&wb_fence);
	int64_t t0 = (int64_t)vmplane_now_ns();
	ret = drmModeAtomicCommit(k.fd, req,
		DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	CHECK_MSG(ret == 0 && out_fence >= 0 && wb_fence >= 0,
		"nonblocking commit with out-fence and writeback fence (%s)",
		ret ? strerror(errno) : "ok");
	drmModeAtomicFree(req);

	CHECK_MSG(vmsync_fd_wait(out_fence, 200 * MS) == VMSYNC_TIMEOUT,
		"out-fence held back while the in-fence is unsignalled");
	int64_t t1 = (int64_t)vmplane_now_ns();
	vmsync_timeline_advance(tl, 1);
	CHECK_MSG(vmsync_fd_wait(out_fence, 2000 * MS) == VMSYNC_OK,
		"out-fence signals after the in-fence (%.1f ms)", ((int64_t)vmplane_now_ns() - t1) / 1e6);
	CHECK_MSG(vmsync_fd_wait(wb_fence, 3000 * MS) == VMSYNC_OK,
		"writeback fence signals (%.1f ms after the commit)", ((int64_t)vmplane_now_ns() - t0) / 1e6);

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
	CHECK_MSG(wb.map && bad == 0, "writeback frame equals the expected composite "
		"(%u wrong pixels, first at %u,%u = %06x)", bad, first_x, first_y, first_px);
	if (out_dir && wb.map) {
		char path[512];
		snprintf(path, sizeof(path), "%s/writeback.ppm", out_dir);
		rig_write_ppm(path, wb.map, w, h, wb.pitch);
		tap_note("capture: %s", path);
	}

	if (in_fence >= 0)
		close(in_fence);
	if (out_fence >= 0)
		close(out_fence);
	if (wb_fence >= 0)
		close(wb_fence);
	vmsync_timeline_destroy(tl);
	rig_udmabuf_destroy(ub);
	close(k.fd);
	return tap_finish();
}
