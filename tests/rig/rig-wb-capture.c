/*
 * Capture what a running compositor scans out through vkms writeback.
 *
 * The compositor holds DRM master and would disable its overlays if its VT
 * were switched away, so borrow its master fd instead (pidfd_getfd, root),
 * stop it for the moment, route the CRTC to the writeback connector for one
 * frame on top of its state, detach the connector and let it go on.
 *
 * Usage: rig-wb-capture <pid> <size> <rrggbb> [out.ppm]
 * Checks that a size x size framebuffer sits on an OVERLAY plane and that
 * the captured pixels under it are exactly <rrggbb>.
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

#include "rig-check.h"
#include "rig-kms.h"
#include "vmplane/sync_file.h"

struct rig_plane_hit {
	uint32_t id;
	uint64_t type;
	int32_t x, y;
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

static bool find_plane_with_fb(int fd, uint32_t size, struct rig_plane_hit *hit)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(fd);
	bool found = false;
	for (uint32_t i = 0; res && i < res->count_planes && !found; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, res->planes[i]);
		if (p && p->fb_id) {
			drmModeFBPtr fb = drmModeGetFB(fd, p->fb_id);
			if (fb && fb->width == size && fb->height == size) {
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

static bool writeback_once(struct rig_kms *k, struct rig_dumb *wb)
{
	int32_t fence = -1;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t c = DRM_MODE_OBJECT_CONNECTOR;
	rig_atomic_add(req, k->fd, k->wb_conn, c, "CRTC_ID", k->crtc);
	rig_atomic_add(req, k->fd, k->wb_conn, c, "WRITEBACK_FB_ID", wb->fb);
	rig_atomic_add(req, k->fd, k->wb_conn, c, "WRITEBACK_OUT_FENCE_PTR",
		(uint64_t)(uintptr_t)&fence);
	int ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	rig_check(ret == 0, "writeback commit on the compositor's state (%s)",
		ret ? strerror(errno) : "ok");
	bool done = ret == 0 && vsync_fd_wait(fence, (int64_t)3000 * 1000 * 1000) == VSYNC_OK;
	rig_check(done, "writeback fence signalled");
	if (fence >= 0)
		close(fence);

	/* Detach the writeback connector again before the compositor resumes. */
	req = drmModeAtomicAlloc();
	rig_atomic_add(req, k->fd, k->wb_conn, c, "CRTC_ID", 0);
	drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return done;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s <pid> <size> <rrggbb> [out.ppm]\n", argv[0]);
		return 2;
	}
	pid_t pid = (pid_t)strtol(argv[1], NULL, 10);
	uint32_t size = (uint32_t)strtoul(argv[2], NULL, 10);
	uint32_t colour = (uint32_t)strtoul(argv[3], NULL, 16);
	const char *ppm = argc > 4 ? argv[4] : NULL;

	struct rig_kms k = { .fd = borrow_master_fd(pid) };
	if (!rig_check(k.fd >= 0, "borrowed the compositor's DRM master fd"))
		return rig_finish("rig-wb-capture");
	/* Keep the compositor from committing while we do. */
	bool stopped = rig_check(kill(pid, SIGSTOP) == 0, "compositor stopped");
	usleep(200 * 1000);
	bool ok = rig_check(drmSetClientCap(k.fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0 &&
			drmSetClientCap(k.fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1) == 0 &&
			rig_kms_find(&k), "vkms objects");
	struct rig_plane_hit hit = { 0 };
	if (ok) {
		ok = rig_check(find_plane_with_fb(k.fd, size, &hit),
			"a %ux%u framebuffer is being scanned out", size, size);
	}
	if (ok) {
		rig_check(hit.type == DRM_PLANE_TYPE_OVERLAY,
			"it is on an overlay plane (plane %u at %d,%d, type %llu)",
			hit.id, hit.x, hit.y, (unsigned long long)hit.type);
	}

	drmModeCrtcPtr crtc = ok ? drmModeGetCrtc(k.fd, k.crtc) : NULL;
	struct rig_dumb wb = { 0 };
	if (ok && rig_check(crtc && crtc->mode_valid &&
			rig_dumb_create(k.fd, crtc->mode.hdisplay, crtc->mode.vdisplay, &wb),
			"writeback framebuffer") && writeback_once(&k, &wb)) {
		uint32_t w = crtc->mode.hdisplay, h = crtc->mode.vdisplay, bad = 0, seen = 0;
		for (uint32_t y = 0; y < size; y++) {
			for (uint32_t x = 0; x < size; x++) {
				int64_t px = hit.x + (int64_t)x, py = hit.y + (int64_t)y;
				if (px < 0 || py < 0 || px >= w || py >= h)
					continue;
				seen++;
				bad += (wb.map[py * (wb.pitch / 4) + px] & 0xffffffu) != colour;
			}
		}
		rig_check(seen > 0 && bad == 0, "captured pixels under the plane are %06x "
			"(%u of %u differ)", colour, bad, seen);
		if (ppm) {
			rig_write_ppm(ppm, wb.map, w, h, wb.pitch);
			rig_note("capture: %s", ppm);
		}
	}
	drmModeFreeCrtc(crtc);
	if (wb.fb)
		drmModeRmFB(k.fd, wb.fb);
	close(k.fd);
	if (stopped)
		rig_check(kill(pid, SIGCONT) == 0, "compositor resumed");
	return rig_finish("rig-wb-capture");
}
