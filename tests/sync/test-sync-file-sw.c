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
#include "vsync-test.h"

#define MS (1000ll * 1000)

static void test_wait_and_info(struct vsync_timeline *tl)
{
	int f1 = -1;
	CHECK_RES(vsync_timeline_fence(tl, 1, "point-1", &f1), VSYNC_OK);
	CHECK(f1 >= 0);
	CHECK_RES(vsync_fd_wait(f1, 0), VSYNC_TIMEOUT);
	CHECK_RES(vsync_fd_wait(f1, 5 * MS), VSYNC_TIMEOUT);

	struct vsync_file_info info;
	CHECK_RES(vsync_file_info(f1, &info), VSYNC_OK);
	CHECK(info.status == VSYNC_FENCE_ACTIVE);
	CHECK_EQ_U64(info.num_fences, 1);
	printf("fence info: name '%s' driver '%s'\n", info.name, info.driver);
	CHECK(strcmp(info.driver, "sw_sync") == 0);
	CHECK_EQ_U64(info.timestamp_ns, 0);

	CHECK_RES(vsync_timeline_advance(tl, 1), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(f1, 0), VSYNC_OK);
	CHECK_RES(vsync_file_info(f1, &info), VSYNC_OK);
	CHECK(info.status == VSYNC_FENCE_SIGNALLED);
	CHECK(info.timestamp_ns > 0);
	close(f1);
}

static void test_merge(struct vsync_timeline *tl)
{
	/* The timeline is at 1 after test_wait_and_info. */
	int f2 = -1, f3 = -1, merged = -1;
	CHECK_RES(vsync_timeline_fence(tl, 2, "p2", &f2), VSYNC_OK);
	CHECK_RES(vsync_timeline_fence(tl, 3, "p3", &f3), VSYNC_OK);
	CHECK_RES(vsync_file_merge("both", f2, f3, &merged), VSYNC_OK);
	CHECK(merged >= 0);
	struct vsync_file_info info;
	CHECK_RES(vsync_file_info(merged, &info), VSYNC_OK);
	CHECK(strcmp(info.name, "both") == 0);
	printf("merged: %u fences\n", info.num_fences);
	/* Two points on one timeline may be folded into the later one. */
	CHECK(info.num_fences >= 1);

	CHECK_RES(vsync_timeline_advance(tl, 1), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(f2, 0), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(merged, 0), VSYNC_TIMEOUT);
	CHECK_RES(vsync_timeline_advance(tl, 1), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(merged, 0), VSYNC_OK);
	CHECK_RES(vsync_file_info(merged, &info), VSYNC_OK);
	CHECK(info.status == VSYNC_FENCE_SIGNALLED);

	/* A sync_file merged with a non-sync_file is refused. */
	int p[2];
	CHECK(pipe(p) == 0);
	int out = 9;
	CHECK_RES(vsync_file_merge("x", f2, p[0], &out), VSYNC_UNSUPPORTED);
	CHECK(out == -1);
	close(p[0]);
	close(p[1]);
	close(f2);
	close(f3);
	close(merged);
}

/* Two timelines: the merge holds both fences. */
static void test_merge_two_timelines(struct vsync_timeline *a)
{
	struct vsync_timeline *b = NULL;
	CHECK_RES(vsync_timeline_create(&b), VSYNC_OK);
	int fa = -1, fb = -1, m = -1;
	CHECK_RES(vsync_timeline_fence(a, 10, "a10", &fa), VSYNC_OK);
	CHECK_RES(vsync_timeline_fence(b, 1, "b1", &fb), VSYNC_OK);
	CHECK_RES(vsync_file_merge("ab", fa, fb, &m), VSYNC_OK);
	struct vsync_file_info info;
	CHECK_RES(vsync_file_info(m, &info), VSYNC_OK);
	CHECK_EQ_U64(info.num_fences, 2);
	CHECK_RES(vsync_timeline_advance(b, 1), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(m, 0), VSYNC_TIMEOUT);
	CHECK_RES(vsync_timeline_advance(a, 7), VSYNC_OK);
	CHECK_RES(vsync_fd_wait(m, VSYNC_WAIT_FOREVER), VSYNC_OK);
	close(fa);
	close(fb);
	close(m);
	vsync_timeline_destroy(b);
}

/* Implicit fences of a dma-buf: import a fence, export it back. */
static void test_dmabuf(struct vsync_timeline *tl)
{
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("dma-buf fence part skipped: no /dev/udmabuf (%s)\n", strerror(errno));
		return;
	}
	size_t size = (size_t)sysconf(_SC_PAGESIZE);
	int mem = memfd_create("vsync-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	CHECK(mem >= 0 && ftruncate(mem, (off_t)size) == 0);
	CHECK(fcntl(mem, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	struct udmabuf_create create = { .memfd = (__u32)mem, .size = size };
	int buf = ioctl(dev, UDMABUF_CREATE, &create);
	CHECK(buf >= 0);

	int idle = -1;
	enum vsync_result r = vsync_dmabuf_export_sync_file(buf, VSYNC_DMABUF_WRITE, &idle);
	if (r == VSYNC_UNSUPPORTED) {
		printf("dma-buf fence part skipped: kernel lacks DMA_BUF_IOCTL_EXPORT_SYNC_FILE\n");
	} else {
		CHECK_RES(r, VSYNC_OK);
		CHECK_RES(vsync_fd_wait(idle, 0), VSYNC_OK);
		close(idle);

		/* The timeline is at 10 after the earlier tests. */
		int fence = -1, exported = -1;
		CHECK_RES(vsync_timeline_fence(tl, 11, "write", &fence), VSYNC_OK);
		CHECK_RES(vsync_dmabuf_import_sync_file(buf, VSYNC_DMABUF_WRITE, fence), VSYNC_OK);
		CHECK_RES(vsync_dmabuf_export_sync_file(buf, VSYNC_DMABUF_READ, &exported), VSYNC_OK);
		CHECK_RES(vsync_fd_wait(exported, 0), VSYNC_TIMEOUT);
		CHECK_RES(vsync_timeline_advance(tl, 1), VSYNC_OK);
		CHECK_RES(vsync_fd_wait(exported, 0), VSYNC_OK);
		close(exported);
		close(fence);
	}
	close(buf);
	close(mem);
	close(dev);
}

int main(void)
{
	struct vsync_timeline *tl = NULL;
	enum vsync_result r = vsync_timeline_create(&tl);
	if (r == VSYNC_UNSUPPORTED) {
		printf("skipped: no sw_sync (/dev/sw_sync or /sys/kernel/debug/sync/sw_sync); "
			"needs CONFIG_SW_SYNC and debugfs\n");
		return VSYNC_TEST_SKIP;
	}
	CHECK_RES(r, VSYNC_OK);
	printf("sw_sync node: %s\n", vsync_timeline_node());
	test_wait_and_info(tl);
	test_merge(tl);
	test_merge_two_timelines(tl);
	test_dmabuf(tl);
	vsync_timeline_destroy(tl);
	printf("sync_file on sw_sync: ok\n");
	return 0;
}
