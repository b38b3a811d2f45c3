/*
 * Kernel primitives vmplane relies on, exercised through our sync/ library
 * on the rig's real kernel: a sw_sync fence signalled on demand, a vgem
 * fence exported from a dma-buf as a sync_file, and a udmabuf made from a
 * sealed memfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "rig-card.h"
#include "rig-udmabuf.h"
#include "tap.h"
#include "vmplane/clock.h"
#include "vmplane/sync_file.h"
#include "vmplane/sync_timeline.h"

/* vgem's fence ioctls (no installed header carries them). */
struct rig_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};
struct rig_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};
#define RIG_VGEM_FENCE_WRITE 0x1
#define RIG_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct rig_vgem_fence_attach)
#define RIG_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct rig_vgem_fence_signal)

#define MS ((int64_t)1000 * 1000)

static void check_sw_sync(void)
{
	struct vmsync_timeline *tl = NULL;
	enum vmsync_result r = vmsync_timeline_create(&tl);
	if (!CHECK_MSG(r == VMSYNC_OK, "sw_sync timeline created (%s, node %s)",
			vmsync_result_str(r), vmsync_timeline_node()))
		return;

	int fence = -1, later = -1;
	r = vmsync_timeline_fence(tl, 1, "rig-fence", &fence);
	CHECK_MSG(r == VMSYNC_OK && fence >= 0, "sw_sync fence at point 1");
	r = vmsync_timeline_fence(tl, 2, "rig-later", &later);
	CHECK_MSG(r == VMSYNC_OK && later >= 0, "sw_sync fence at point 2");

	struct vmsync_file_info info;
	r = vmsync_file_info(fence, &info);
	CHECK_MSG(r == VMSYNC_OK && strcmp(info.driver, "sw_sync") == 0 &&
			info.status == VMSYNC_FENCE_ACTIVE,
		"sync_file info: driver '%s', active", r == VMSYNC_OK ? info.driver : "?");
	CHECK_MSG(vmsync_fd_wait(fence, 50 * MS) == VMSYNC_TIMEOUT,
		"unsignalled fence times out");

	int64_t t0 = (int64_t)vmplane_now_ns();
	r = vmsync_timeline_advance(tl, 1);
	CHECK_MSG(r == VMSYNC_OK, "timeline advanced by 1");
	CHECK_MSG(vmsync_fd_wait(fence, 100 * MS) == VMSYNC_OK,
		"fence signalled on demand (%.2f ms)", ((int64_t)vmplane_now_ns() - t0) / 1e6);
	CHECK_MSG(vmsync_fd_wait(later, 0) == VMSYNC_TIMEOUT,
		"the fence at point 2 is still pending");
	r = vmsync_file_info(fence, &info);
	CHECK_MSG(r == VMSYNC_OK && info.status == VMSYNC_FENCE_SIGNALLED &&
			info.timestamp_ns > 0, "signalled fence carries a timestamp");

	/* Destroying the timeline must release the waiter, with an error. */
	vmsync_timeline_destroy(tl);
	CHECK_MSG(vmsync_fd_wait(later, 100 * MS) == VMSYNC_OK,
		"closing the timeline releases the pending fence");
	close(fence);
	close(later);
}

static void check_vgem_fence(void)
{
	int card = rig_open_card("vgem");
	if (!CHECK_MSG(card >= 0, "vgem device found"))
		return;

	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };
	int ret = drmIoctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb);
	CHECK_MSG(ret == 0 && dumb.size >= 64 * 64 * 4, "vgem dumb buffer 64x64");

	int dmabuf = -1;
	ret = drmPrimeHandleToFD(card, dumb.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf);
	CHECK_MSG(ret == 0 && dmabuf >= 0, "vgem buffer exported as a dma-buf");

	int idle = -1;
	enum vmsync_result r = vmsync_dmabuf_export_sync_file(dmabuf, VMSYNC_DMABUF_WRITE, &idle);
	CHECK_MSG(r == VMSYNC_OK && vmsync_fd_wait(idle, 0) == VMSYNC_OK,
		"idle dma-buf exports an already signalled sync_file (%s)", vmsync_result_str(r));
	if (idle >= 0)
		close(idle);

	struct rig_vgem_fence_attach attach = {
		.handle = dumb.handle, .flags = RIG_VGEM_FENCE_WRITE,
	};
	ret = drmIoctl(card, RIG_IOCTL_VGEM_FENCE_ATTACH, &attach);
	CHECK_MSG(ret == 0, "vgem write fence attached");

	int sync = -1;
	r = vmsync_dmabuf_export_sync_file(dmabuf, VMSYNC_DMABUF_READ, &sync);
	CHECK_MSG(r == VMSYNC_OK && sync >= 0,
		"DMA_BUF_IOCTL_EXPORT_SYNC_FILE returned a sync_file (%s)", vmsync_result_str(r));
	CHECK_MSG(vmsync_fd_wait(sync, 50 * MS) == VMSYNC_TIMEOUT,
		"exported fence pending while the vgem fence is");

	struct vmsync_file_info info;
	r = vmsync_file_info(sync, &info);
	CHECK_MSG(r == VMSYNC_OK && strcmp(info.driver, "vgem") == 0,
		"exported sync_file wraps the vgem fence (driver '%s')",
		r == VMSYNC_OK ? info.driver : "?");

	struct rig_vgem_fence_signal sig = { .fence = attach.out_fence };
	ret = drmIoctl(card, RIG_IOCTL_VGEM_FENCE_SIGNAL, &sig);
	CHECK_MSG(ret == 0, "vgem fence signalled");
	CHECK_MSG(vmsync_fd_wait(sync, 100 * MS) == VMSYNC_OK,
		"exported sync_file signalled with it");

	if (sync >= 0)
		close(sync);
	if (dmabuf >= 0)
		close(dmabuf);
	close(card);
}

static void check_udmabuf(void)
{
	const size_t size = 128 * 128 * 4;
	struct rig_udmabuf *buf = rig_udmabuf_create(size);
	if (!CHECK_MSG(buf != NULL, "udmabuf from a sealed memfd (%s)",
			buf ? "ok" : strerror(errno)))
		return;

	for (size_t i = 0; i < size / 4; i++)
		buf->pixels[i] = 0xff00ff00u ^ (uint32_t)i;
	uint32_t *view = mmap(NULL, buf->size, PROT_READ, MAP_SHARED, buf->dmabuf_fd, 0);
	bool same = view != MAP_FAILED;
	for (size_t i = 0; same && i < size / 4; i++)
		same = view[i] == (0xff00ff00u ^ (uint32_t)i);
	CHECK_MSG(same, "the dma-buf maps the memfd's pages");
	if (view != MAP_FAILED)
		munmap(view, buf->size);

	int idle = -1;
	enum vmsync_result r = vmsync_dmabuf_export_sync_file(buf->dmabuf_fd,
		VMSYNC_DMABUF_WRITE, &idle);
	CHECK_MSG(r == VMSYNC_OK && vmsync_fd_wait(idle, 0) == VMSYNC_OK,
		"udmabuf exports a signalled sync_file");
	if (idle >= 0)
		close(idle);
	rig_udmabuf_destroy(buf);

	/* Without the shrink seal the kernel must refuse. */
	int memfd = memfd_create("rig-unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int ok = memfd >= 0 && dev >= 0 && ftruncate(memfd, 4096) == 0;
	struct udmabuf_create create = { .memfd = (uint32_t)memfd, .size = 4096 };
	int fd = ok ? ioctl(dev, UDMABUF_CREATE, &create) : -1;
	CHECK_MSG(ok && fd < 0 && errno == EINVAL, "unsealed memfd refused with EINVAL");
	if (fd >= 0)
		close(fd);
	if (dev >= 0)
		close(dev);
	if (memfd >= 0)
		close(memfd);
}

int main(void)
{
	check_sw_sync();
	check_vgem_fence();
	check_udmabuf();
	return tap_finish();
}
