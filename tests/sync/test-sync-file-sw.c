/*
 * sync_file helpers on real fences from a sw_sync timeline, and dma-buf
 * implicit fences on a udmabuf. Skips (77) where the kernel lacks them; the
 * real-kernel rig runs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmplane/sync_file.h"
#include "vmplane/sync_timeline.h"
#include "tap.h"

#define MS (1000ll * 1000)

static void test_wait_and_info(struct vmsync_timeline *tl)
{
	int f1 = -1;
	REQUIRE_NAMED(vmsync_timeline_fence(tl, 1, "point-1", &f1), VMSYNC_OK, vmsync_result_str);
	REQUIRE(f1 >= 0);
	REQUIRE_NAMED(vmsync_fd_wait(f1, 0), VMSYNC_TIMEOUT, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(f1, 5 * MS), VMSYNC_TIMEOUT, vmsync_result_str);

	struct vmsync_file_info info;
	REQUIRE_NAMED(vmsync_file_info(f1, &info), VMSYNC_OK, vmsync_result_str);
	REQUIRE(info.status == VMSYNC_FENCE_ACTIVE);
	REQUIRE_EQ_U64(info.num_fences, 1);
	tap_note("fence info: name '%s' driver '%s'", info.name, info.driver);
	REQUIRE(strcmp(info.driver, "sw_sync") == 0);
	REQUIRE_EQ_U64(info.timestamp_ns, 0);

	REQUIRE_NAMED(vmsync_timeline_advance(tl, 1), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(f1, 0), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_info(f1, &info), VMSYNC_OK, vmsync_result_str);
	REQUIRE(info.status == VMSYNC_FENCE_SIGNALLED);
	REQUIRE(info.timestamp_ns > 0);
	close(f1);
}

static void test_merge(struct vmsync_timeline *tl)
{
	/* The timeline is at 1 after test_wait_and_info. */
	int f2 = -1, f3 = -1, merged = -1;
	REQUIRE_NAMED(vmsync_timeline_fence(tl, 2, "p2", &f2), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_timeline_fence(tl, 3, "p3", &f3), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_merge("both", f2, f3, &merged), VMSYNC_OK, vmsync_result_str);
	REQUIRE(merged >= 0);
	struct vmsync_file_info info;
	REQUIRE_NAMED(vmsync_file_info(merged, &info), VMSYNC_OK, vmsync_result_str);
	REQUIRE(strcmp(info.name, "both") == 0);
	tap_note("merged: %u fences", info.num_fences);
	/* Two points on one timeline may be folded into the later one. */
	REQUIRE(info.num_fences >= 1);

	REQUIRE_NAMED(vmsync_timeline_advance(tl, 1), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(f2, 0), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(merged, 0), VMSYNC_TIMEOUT, vmsync_result_str);
	REQUIRE_NAMED(vmsync_timeline_advance(tl, 1), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(merged, 0), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_info(merged, &info), VMSYNC_OK, vmsync_result_str);
	REQUIRE(info.status == VMSYNC_FENCE_SIGNALLED);

	/* A sync_file merged with a non-sync_file is refused. */
	int p[2];
	REQUIRE(pipe(p) == 0);
	int out = 9;
	REQUIRE_NAMED(vmsync_file_merge("x", f2, p[0], &out), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE(out == -1);
	close(p[0]);
	close(p[1]);
	close(f2);
	close(f3);
	close(merged);
}

/* Two timelines: the merge holds both fences. */
static void test_merge_two_timelines(struct vmsync_timeline *a)
{
	struct vmsync_timeline *b = NULL;
	REQUIRE_NAMED(vmsync_timeline_create(&b), VMSYNC_OK, vmsync_result_str);
	int fa = -1, fb = -1, m = -1;
	REQUIRE_NAMED(vmsync_timeline_fence(a, 10, "a10", &fa), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_timeline_fence(b, 1, "b1", &fb), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_file_merge("ab", fa, fb, &m), VMSYNC_OK, vmsync_result_str);
	struct vmsync_file_info info;
	REQUIRE_NAMED(vmsync_file_info(m, &info), VMSYNC_OK, vmsync_result_str);
	REQUIRE_EQ_U64(info.num_fences, 2);
	REQUIRE_NAMED(vmsync_timeline_advance(b, 1), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(m, 0), VMSYNC_TIMEOUT, vmsync_result_str);
	REQUIRE_NAMED(vmsync_timeline_advance(a, 7), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_fd_wait(m, VMSYNC_WAIT_FOREVER), VMSYNC_OK, vmsync_result_str);
	close(fa);
	close(fb);
	close(m);
	vmsync_timeline_destroy(b);
}

/* Implicit fences of a dma-buf: import a fence, export it back. */
static void test_dmabuf(struct vmsync_timeline *tl)
{
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		tap_note("dma-buf fence part skipped: no /dev/udmabuf (%s)", strerror(errno));
		return;
	}
	size_t size = (size_t)sysconf(_SC_PAGESIZE);
	int mem = memfd_create("vmsync-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	REQUIRE(mem >= 0 && ftruncate(mem, (off_t)size) == 0);
	REQUIRE(fcntl(mem, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	struct udmabuf_create create = { .memfd = (__u32)mem, .size = size };
	int buf = ioctl(dev, UDMABUF_CREATE, &create);
	REQUIRE(buf >= 0);

	int idle = -1;
	enum vmsync_result r = vmsync_dmabuf_export_sync_file(buf, VMSYNC_DMABUF_WRITE, &idle);
	if (r == VMSYNC_UNSUPPORTED) {
		tap_note("dma-buf fence part skipped: kernel lacks DMA_BUF_IOCTL_EXPORT_SYNC_FILE");
	} else {
		REQUIRE_NAMED(r, VMSYNC_OK, vmsync_result_str);
		REQUIRE_NAMED(vmsync_fd_wait(idle, 0), VMSYNC_OK, vmsync_result_str);
		close(idle);

		/* The timeline is at 10 after the earlier tests. */
		int fence = -1, exported = -1;
		REQUIRE_NAMED(vmsync_timeline_fence(tl, 11, "write", &fence), VMSYNC_OK, vmsync_result_str);
		REQUIRE_NAMED(vmsync_dmabuf_import_sync_file(buf, VMSYNC_DMABUF_WRITE, fence), VMSYNC_OK, vmsync_result_str);
		REQUIRE_NAMED(vmsync_dmabuf_export_sync_file(buf, VMSYNC_DMABUF_READ, &exported), VMSYNC_OK, vmsync_result_str);
		REQUIRE_NAMED(vmsync_fd_wait(exported, 0), VMSYNC_TIMEOUT, vmsync_result_str);
		REQUIRE_NAMED(vmsync_timeline_advance(tl, 1), VMSYNC_OK, vmsync_result_str);
		REQUIRE_NAMED(vmsync_fd_wait(exported, 0), VMSYNC_OK, vmsync_result_str);
		close(exported);
		close(fence);
	}
	close(buf);
	close(mem);
	close(dev);
}

int main(void)
{
	struct vmsync_timeline *tl = NULL;
	enum vmsync_result r = vmsync_timeline_create(&tl);
	if (r == VMSYNC_UNSUPPORTED)
		tap_skip_all("no sw_sync (/dev/sw_sync or /sys/kernel/debug/sync/sw_sync); "
			"needs CONFIG_SW_SYNC and debugfs");
	REQUIRE_NAMED(r, VMSYNC_OK, vmsync_result_str);
	tap_note("sw_sync node: %s", vmsync_timeline_node());
	test_wait_and_info(tl);
	test_merge(tl);
	test_merge_two_timelines(tl);
	test_dmabuf(tl);
	vmsync_timeline_destroy(tl);
	return tap_finish();
}
