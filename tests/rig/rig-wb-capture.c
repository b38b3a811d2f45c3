/* SPDX-License-Identifier: MIT */
/*
 * Capture what a running compositor scans out through vkms writeback.
 *
 * The compositor holds DRM master and would disable its overlays if its VT
 * were switched away, so borrow its master fd instead (pidfd_getfd, root),
 * stop it for the moment, route the CRTC to the writeback connector for one
 * frame on top of its state, detach the connector and let it go on.
 *
 * Usage: rig-wb-capture <pid> <out.ppm> <check>...
 * Checks, against the captured frame:
 *   plane:WxH=rrggbb   a WxH framebuffer is on an OVERLAY plane and every
 *                      captured pixel under it is rrggbb
 *   rect:WxH:dx,dy,w,h=rrggbb[/tol]   the rectangle at (dx,dy) from that
 *                      plane's origin is rrggbb, each channel within tol
 *   find:WxH=rrggbb    somewhere a WxH block is all rrggbb (composited views)
 *   same:ref.ppm       the whole frame equals an earlier capture
 *   blob:N             the virtio-gpu test guest's frame N
 *                      (tests/guest/blob-pattern.h) is on an OVERLAY plane
 *                      and every captured pixel under it is that frame's
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "blob-pattern.h"
#include "rig-kms.h"
#include "tap.h"
#include "vmplane/sync_file.h"

struct rig_plane_hit {
	uint32_t id;
	uint64_t type;
	int32_t x, y;
};

struct rig_frame {
	const uint32_t *px;
	uint32_t w, h, stride;   /* stride in pixels */
};

/* A duplicate of the first DRM master fd `pid` holds on the vkms card. */
static int borrow_master_fd(pid_t pid)
{
	char dir_path[64];
	snprintf(dir_path, sizeof(dir_path), "/proc/%d/fd", (int)pid);
	int pidfd = pidfd_open(pid, 0);
	DIR *dir = opendir(dir_path);
	int found = -1;
	struct dirent *e;
	while (pidfd >= 0 && dir && found < 0 && (e = readdir(dir))) {
		char link[PATH_MAX + 64], target[PATH_MAX];
		snprintf(link, sizeof(link), "%s/%s", dir_path, e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/dev/dri/card", 13) != 0)
			continue;
		int fd = pidfd_getfd(pidfd, atoi(e->d_name), 0);
		drmVersionPtr v = fd >= 0 ? drmGetVersion(fd) : NULL;
		if (v && strcmp(v->name, "vkms") == 0 && drmIsMaster(fd))
			found = fd;
		else if (fd >= 0)
			close(fd);
		drmFreeVersion(v);
	}
	if (dir)
		closedir(dir);
	if (pidfd >= 0)
		close(pidfd);
	return found;
}

static bool find_plane_with_fb(int fd, uint32_t w, uint32_t h, struct rig_plane_hit *hit)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(fd);
	bool found = false;
	for (uint32_t i = 0; res && i < res->count_planes && !found; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, res->planes[i]);
		if (p && p->fb_id) {
			drmModeFBPtr fb = drmModeGetFB(fd, p->fb_id);
			if (fb && fb->width == w && fb->height == h) {
				hit->id = p->plane_id;
				/* GETPLANE does not report the position: read the properties. */
				hit->x = (int32_t)rig_prop_value(fd, p->plane_id,
					DRM_MODE_OBJECT_PLANE, "CRTC_X");
				hit->y = (int32_t)rig_prop_value(fd, p->plane_id,
					DRM_MODE_OBJECT_PLANE, "CRTC_Y");
				hit->type = rig_prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type");
				found = true;
			}
			drmModeFreeFB(fb);
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(res);
	return found;
}

static bool channel_close(uint32_t a, uint32_t b, unsigned tol)
{
	for (int shift = 0; shift < 24; shift += 8) {
		int d = (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);
		if (d > (int)tol || d < -(int)tol)
			return false;
	}
	return true;
}

/* Pixels of the frame inside (x,y,w,h) that differ from colour by more than tol. */
static bool check_rect(const struct rig_frame *f, int64_t x0, int64_t y0, uint32_t w,
	uint32_t h, uint32_t colour, unsigned tol, const char *what)
{
	uint32_t bad = 0, seen = 0, first_bad = 0;
	for (int64_t y = y0; y < y0 + h; y++) {
		for (int64_t x = x0; x < x0 + w; x++) {
			if (x < 0 || y < 0 || x >= f->w || y >= f->h)
				continue;
			uint32_t p = f->px[y * f->stride + x] & 0xffffffu;
			seen++;
			if (!channel_close(p, colour, tol) && bad++ == 0)
				first_bad = p;
		}
	}
	char first[32] = "";
	if (bad)
		snprintf(first, sizeof(first), ", first %06x", first_bad);
	return CHECK_MSG(seen > 0 && bad == 0, "%s: %ux%u at %lld,%lld is %06x (+-%u): %u of %u "
		"differ%s", what, w, h, (long long)x0, (long long)y0, colour, tol, bad, seen, first);
}

static bool read_ppm(const char *path, uint32_t w, uint32_t h, uint32_t *out)
{
	FILE *f = fopen(path, "rb");
	unsigned fw = 0, fh = 0, max = 0;
	bool ok = f && fscanf(f, "P6 %u %u %u", &fw, &fh, &max) == 3 && fgetc(f) != EOF &&
		fw == w && fh == h && max == 255;
	for (uint32_t i = 0; ok && i < w * h; i++) {
		unsigned char rgb[3];
		ok = fread(rgb, 1, 3, f) == 3;
		out[i] = (uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2];
	}
	if (f)
		fclose(f);
	return ok;
}

static bool check_same(const struct rig_frame *f, const char *ref_path)
{
	uint32_t *ref = calloc((size_t)f->w * f->h, sizeof(*ref));
	if (!CHECK_MSG(ref && read_ppm(ref_path, f->w, f->h, ref),
			"reference capture %s readable (%ux%u)", ref_path, f->w, f->h)) {
		free(ref);
		return false;
	}
	uint32_t bad = 0, first = 0;
	for (uint32_t y = 0; y < f->h; y++) {
		for (uint32_t x = 0; x < f->w; x++) {
			if ((f->px[y * f->stride + x] & 0xffffffu) != ref[y * f->w + x] && bad++ == 0)
				first = y * f->w + x;
		}
	}
	free(ref);
	return CHECK_MSG(bad == 0, "frame equals %s (%u pixels differ, first at %u,%u)", ref_path,
		bad, first % f->w, first / f->w);
}

/* The first top-left corner of a w x h block of `colour`, if any. */
static bool find_block(const struct rig_frame *f, uint32_t w, uint32_t h, uint32_t colour,
	int64_t *bx, int64_t *by)
{
	for (uint32_t y = 0; y + h <= f->h; y++) {
		for (uint32_t x = 0; x + w <= f->w; x++) {
			const uint32_t *row = f->px + (size_t)y * f->stride;
			if ((row[x] & 0xffffffu) != colour || (x > 0 && (row[x - 1] & 0xffffffu) == colour))
				continue;
			bool all = true;
			for (uint32_t yy = y; yy < y + h && all; yy++)
				for (uint32_t xx = x; xx < x + w && all; xx++)
					all = (f->px[(size_t)yy * f->stride + xx] & 0xffffffu) == colour;
			if (all) {
				*bx = x;
				*by = y;
				return true;
			}
		}
	}
	return false;
}

/* The frame counter in the guest pattern's top band at (x0, y0). */
static unsigned decode_blob_frame(const struct rig_frame *f, int64_t x0, int64_t y0)
{
	unsigned frame = 0;
	for (unsigned bit = 0; bit < BLOBPAT_BITS; bit++) {
		int64_t x = x0 + (int64_t)bit * BLOBPAT_CELL + BLOBPAT_CELL / 2;
		int64_t y = y0 + BLOBPAT_BAND_H / 2;
		bool one = x >= 0 && y >= 0 && x < f->w && y < f->h &&
			(f->px[y * f->stride + x] & 0xffffffu) == BLOBPAT_ONE;
		frame = frame << 1 | one;
	}
	return frame;
}

static void check_blob(int fd, const struct rig_frame *f, unsigned want)
{
	struct rig_plane_hit hit = { 0 };
	if (!CHECK_MSG(find_plane_with_fb(fd, BLOBPAT_W, BLOBPAT_H, &hit),
			"the guest's %ux%u blob is being scanned out", BLOBPAT_W, BLOBPAT_H))
		return;
	CHECK_MSG(hit.type == DRM_PLANE_TYPE_OVERLAY,
		"it is on an overlay plane (plane %u at %d,%d, type %llu)",
		hit.id, hit.x, hit.y, (unsigned long long)hit.type);
	unsigned frame = decode_blob_frame(f, hit.x, hit.y);
	CHECK_MSG(frame == want, "writeback shows guest frame %u (want %u)", frame, want);
	uint32_t bad = 0, first_x = 0, first_y = 0, first = 0;
	for (uint32_t y = 0; y < BLOBPAT_H; y++) {
		for (uint32_t x = 0; x < BLOBPAT_W; x++) {
			int64_t cx = hit.x + (int64_t)x, cy = hit.y + (int64_t)y;
			uint32_t p = cx >= 0 && cy >= 0 && cx < f->w && cy < f->h ?
				f->px[cy * f->stride + cx] & 0xffffffu : 0xff000000u;
			if (p != blobpat_pixel(x, y, want) && bad++ == 0) {
				first_x = x;
				first_y = y;
				first = p;
			}
		}
	}
	CHECK_MSG(bad == 0, "every pixel is frame %u's pattern (%u of %u differ; first at %u,%u: "
		"%06x, want %06x)", want, bad, BLOBPAT_W * BLOBPAT_H, first_x, first_y, first,
		blobpat_pixel(first_x, first_y, want));
}

/* One check argument (see the usage above). */
static void run_check(int fd, const struct rig_frame *f, const char *spec)
{
	unsigned w = 0, h = 0, rw = 0, rh = 0, colour = 0, tol = 0;
	int dx = 0, dy = 0;
	struct rig_plane_hit hit = { 0 };
	if (sscanf(spec, "plane:%ux%u=%x", &w, &h, &colour) == 3) {
		if (!CHECK_MSG(find_plane_with_fb(fd, w, h, &hit),
				"a %ux%u framebuffer is being scanned out", w, h))
			return;
		CHECK_MSG(hit.type == DRM_PLANE_TYPE_OVERLAY,
			"it is on an overlay plane (plane %u at %d,%d, type %llu)",
			hit.id, hit.x, hit.y, (unsigned long long)hit.type);
		check_rect(f, hit.x, hit.y, w, h, colour, 0, "captured pixels under the plane");
	} else if (sscanf(spec, "rect:%ux%u:%d,%d,%u,%u=%x/%u", &w, &h, &dx, &dy, &rw, &rh,
			&colour, &tol) >= 7) {
		if (!CHECK_MSG(find_plane_with_fb(fd, w, h, &hit),
				"anchor: a %ux%u framebuffer is being scanned out", w, h))
			return;
		check_rect(f, hit.x + (int64_t)dx, hit.y + (int64_t)dy, rw, rh, colour, tol,
			"composited rectangle");
	} else if (sscanf(spec, "find:%ux%u=%x", &w, &h, &colour) == 3) {
		int64_t x = 0, y = 0;
		bool found = find_block(f, w, h, colour, &x, &y);
		CHECK_MSG(found, "a %ux%u block of %06x is on screen (at %lld,%lld)", w, h, colour,
			(long long)x, (long long)y);
	} else if (sscanf(spec, "blob:%u", &w) == 1) {
		check_blob(fd, f, w);
	} else if (strncmp(spec, "same:", 5) == 0) {
		check_same(f, spec + 5);
	} else {
		CHECK_MSG(false, "unknown check '%s'", spec);
	}
}

/*
 * A non-blocking commit, retried while the CRTC still has one in flight
 * (EBUSY): the compositor may have stopped just after queueing a flip,
 * and under TCG a flip can take most of a second. A blocking modeset on
 * top of a pending flip froze the whole rig twice (CI, vkms on 6.12).
 */
static int commit_when_idle(int fd, drmModeAtomicReqPtr req)
{
	const uint32_t flags = DRM_MODE_ATOMIC_ALLOW_MODESET | DRM_MODE_ATOMIC_NONBLOCK;
	int ret = -1;
	for (int i = 0; i < 200; i++) {
		ret = drmModeAtomicCommit(fd, req, flags, NULL);
		if (ret == 0 || errno != EBUSY)
			break;
		usleep(50 * 1000);
	}
	return ret;
}

static bool writeback_once(struct rig_kms *k, struct rig_dumb *wb)
{
	int32_t fence = -1;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t c = DRM_MODE_OBJECT_CONNECTOR;
	rig_atomic_add(req, k->fd, k->wb_conn, c, "CRTC_ID", k->crtc);
	rig_atomic_add(req, k->fd, k->wb_conn, c, "WRITEBACK_FB_ID", wb->fb);
	rig_atomic_add(req, k->fd, k->wb_conn, c, "WRITEBACK_OUT_FENCE_PTR",
		(uint64_t)(uintptr_t)&fence);
	int ret = commit_when_idle(k->fd, req);
	drmModeAtomicFree(req);
	CHECK_MSG(ret == 0, "writeback commit on the compositor's state (%s)",
		ret ? strerror(errno) : "ok");
	/* Generous: a loaded TCG host once took over 3 s for one frame. */
	bool done = ret == 0 && vmsync_fd_wait(fence, (int64_t)10000 * 1000 * 1000) == VMSYNC_OK;
	CHECK_MSG(done, "writeback fence signalled");
	if (fence >= 0)
		close(fence);

	/* Detach the writeback connector again before the compositor resumes. */
	req = drmModeAtomicAlloc();
	rig_atomic_add(req, k->fd, k->wb_conn, c, "CRTC_ID", 0);
	/* Blocking: done before the compositor resumes and commits again. */
	drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return done;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s <pid> <out.ppm> <check>...\n", argv[0]);
		return 2;
	}
	pid_t pid = (pid_t)strtol(argv[1], NULL, 10);
	const char *ppm = argv[2];

	struct rig_kms k = { .fd = borrow_master_fd(pid) };
	if (!CHECK_MSG(k.fd >= 0, "borrowed the compositor's DRM master fd"))
		return tap_finish();
	/* Keep the compositor from committing while we do. */
	bool stopped = CHECK_MSG(kill(pid, SIGSTOP) == 0, "compositor stopped");
	usleep(200 * 1000);
	bool ok = CHECK_MSG(drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0 &&
			drmSetClientCap(k.fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) == 0 &&
			rig_kms_find(&k), "vkms objects");

	drmModeCrtcPtr crtc = ok ? drmModeGetCrtc(k.fd, k.crtc) : NULL;
	struct rig_dumb wb = { 0 };
	if (ok && CHECK_MSG(crtc && crtc->mode_valid &&
			rig_dumb_create(k.fd, crtc->mode.hdisplay, crtc->mode.vdisplay, &wb),
			"writeback framebuffer") && writeback_once(&k, &wb)) {
		struct rig_frame f = {
			.px = wb.map, .w = crtc->mode.hdisplay, .h = crtc->mode.vdisplay,
			.stride = wb.pitch / 4,
		};
		for (int i = 3; i < argc; i++)
			run_check(k.fd, &f, argv[i]);
		rig_write_ppm(ppm, wb.map, f.w, f.h, wb.pitch);
		tap_note("capture: %s", ppm);
	}
	drmModeFreeCrtc(crtc);
	if (wb.fb)
		drmModeRmFB(k.fd, wb.fb);
	close(k.fd);
	if (stopped)
		CHECK_MSG(kill(pid, SIGCONT) == 0, "compositor resumed");
	return tap_finish();
}
