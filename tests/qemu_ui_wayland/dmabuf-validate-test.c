/* The dma-buf description validator: every kind of bad input gets its own error. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vmplane/display-dmabuf.h>

#include "tap.h"
#include "fourcc.h"

static int make_buffer(size_t size)
{
	int fd = memfd_create("fake-dmabuf", MFD_CLOEXEC);
	REQUIRE(fd >= 0);
	REQUIRE(ftruncate(fd, (off_t)size) == 0);
	return fd;
}

static struct vmpd_dmabuf good(int fd)
{
	return (struct vmpd_dmabuf){
		.n_planes = 1,
		.fd = { fd, -1, -1, -1 },
		.stride = { 1024 * 4 },
		.fourcc = VMPD_FOURCC_XRGB8888,
		.modifier = VMPD_MOD_LINEAR,
		.width = 1024,
		.height = 768,
		.src = { 0, 0, 1024, 768 },
	};
}

static void expect(const struct vmpd_dmabuf *b, enum vmpd_status want, const char *what)
{
	char why[160] = "untouched";
	enum vmpd_status got = vmpd_dmabuf_validate(b, why, sizeof(why));
	fprintf(stderr, "%-28s -> %-40s (%s)\n", what, vmpd_status_str(got), why);
	REQUIRE(got == want);
	if (want != VMPD_OK)
		REQUIRE(why[0] != '\0' && strcmp(why, "untouched") != 0);
}

int main(void)
{
	int fd = make_buffer(1024 * 4 * 768);
	struct vmpd_dmabuf b = good(fd);
	expect(&b, VMPD_OK, "valid");
	expect(NULL, VMPD_ERR_INVALID, "no description");

	b = good(-1);
	expect(&b, VMPD_ERR_BAD_FD, "fd -1");
	int closed = make_buffer(4096);
	close(closed);
	b = good(closed);
	expect(&b, VMPD_ERR_BAD_FD, "closed fd");
	int pipefd[2];
	REQUIRE(pipe(pipefd) == 0);
	b = good(pipefd[0]);
	expect(&b, VMPD_ERR_BAD_FD, "pipe");

	b = good(fd);
	b.stride[0] = 1023 * 4;
	expect(&b, VMPD_ERR_STRIDE, "stride below width");
	b.stride[0] = 0xfffffff0u;
	expect(&b, VMPD_ERR_STRIDE, "stride absurd");

	b = good(fd);
	b.offset[0] = 4096;
	expect(&b, VMPD_ERR_OFFSET, "offset past the end");
	b = good(fd);
	b.height = 769;
	b.src.height = 769;
	expect(&b, VMPD_ERR_OFFSET, "rows past the end");

	b = good(fd);
	b.width = 0;
	expect(&b, VMPD_ERR_SIZE, "zero width");
	b = good(fd);
	b.height = 0;
	expect(&b, VMPD_ERR_SIZE, "zero height");
	b = good(fd);
	b.width = b.height = 65535;
	b.stride[0] = 65535 * 4;
	b.src = (struct vmpd_rect){ 0, 0, 65535, 65535 };
	expect(&b, VMPD_ERR_SIZE, "65535x65535");

	b = good(fd);
	b.fourcc = VMPD_FOURCC('Z', 'Z', 'Z', 'Z');
	expect(&b, VMPD_ERR_FOURCC, "unknown fourcc");
	b.fourcc = 0;
	expect(&b, VMPD_ERR_FOURCC, "fourcc 0 (unmapped guest format)");

	b = good(fd);
	b.n_planes = 2;
	expect(&b, VMPD_ERR_PLANES, "two planes for XRGB");
	b.n_planes = 0;
	expect(&b, VMPD_ERR_PLANES, "zero planes");
	b.n_planes = 5;
	expect(&b, VMPD_ERR_PLANES, "five planes");

	b = good(fd);
	b.src = (struct vmpd_rect){ 1000, 0, 100, 768 };
	expect(&b, VMPD_ERR_RECT, "scanout past right edge");
	b.src = (struct vmpd_rect){ 0, 700, 1024, 100 };
	expect(&b, VMPD_ERR_RECT, "scanout past bottom");
	b.src = (struct vmpd_rect){ 0, 0, 0, 0 };
	expect(&b, VMPD_ERR_RECT, "empty scanout");
	b.src = (struct vmpd_rect){ 0xffffff00u, 0, 0x200, 10 };
	expect(&b, VMPD_ERR_RECT, "scanout x overflowing");
	b.src = (struct vmpd_rect){ 100, 50, 800, 600 };
	expect(&b, VMPD_OK, "cropped scanout inside");

	/* NV12: the chroma plane is checked too. */
	int nv = make_buffer(640 * 480 * 3 / 2);
	struct vmpd_dmabuf y = {
		.n_planes = 2, .fd = { nv, nv, -1, -1 }, .offset = { 0, 640 * 480 },
		.stride = { 640, 640 }, .fourcc = VMPD_FOURCC_NV12, .modifier = VMPD_MOD_LINEAR,
		.width = 640, .height = 480, .src = { 0, 0, 640, 480 },
	};
	expect(&y, VMPD_OK, "nv12");
	y.offset[1] = 640 * 480 + 1;
	expect(&y, VMPD_ERR_OFFSET, "nv12 chroma past the end");

	REQUIRE(strcmp(vmpd_status_str((enum vmpd_status)999), "unknown status") == 0);
	close(nv);
	close(fd);
	close(pipefd[0]);
	close(pipefd[1]);
	return tap_finish();
}
