/*
 * The GPU copy fallback on its own: a udmabuf of guest memory is imported
 * into our robust EGL context and blitted, cropped and flipped, into a
 * LINEAR GBM buffer, which is read back and compared pixel by pixel.
 * Needs a render node with dma-buf import and /dev/udmabuf (the rig).
 */
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "fourcc.h"
#include "gpu-blit.h"
#include "producer.h"

#define W 256
#define H 128

int main(void)
{
	if (access("/dev/udmabuf", R_OK | W_OK) != 0)
		tap_skip_all("no /dev/udmabuf: no kernel dma-buf exporter on this machine");
	struct vmpd_gpu_blit *gb = vmpd_gpu_blit_create(0, false, &producer_log);
	if (!gb)
		tap_skip_all("no render node with EGL dma-buf import and GLES 3");

	size_t size = (size_t)W * H * 4;
	int memfd = memfd_create("guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	REQUIRE(memfd >= 0 && ftruncate(memfd, (off_t)size) == 0);
	REQUIRE(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0);
	uint32_t *px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	REQUIRE(px != MAP_FAILED);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			px[y * W + x] = producer_pattern(x, y, 3);
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	REQUIRE(dev >= 0);
	struct udmabuf_create c = { .memfd = (uint32_t)memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
		.size = size };
	int dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	REQUIRE(dmabuf >= 0);

	struct vmpd_rect src = { 16, 8, 200, 100 };
	for (int flip = 0; flip < 2; flip++) {
		struct vmpd_dmabuf d = {
			.n_planes = 1, .fd = { dmabuf, -1, -1, -1 }, .stride = { W * 4 },
			.fourcc = VMPD_FOURCC_XRGB8888, .modifier = VMPD_MOD_LINEAR,
			.width = W, .height = H, .src = src, .y0_top = flip,
		};
		struct vmpd_gpu_target *t = vmpd_gpu_target_create(gb, src.width, src.height);
		REQUIRE(t);
		REQUIRE(vmpd_gpu_blit_copy(gb, t, &d));
		uint32_t *out = calloc((size_t)src.width * src.height, 4);
		REQUIRE(vmpd_gpu_target_read(t, out));
		int bad = 0;
		for (uint32_t y = 0; y < src.height; y++) {
			uint32_t sy = flip ? src.height - 1 - y : y;
			for (uint32_t x = 0; x < src.width; x++) {
				uint32_t want = producer_pattern(src.x + x, src.y + sy, 3) & 0xffffff;
				if ((out[y * src.width + x] & 0xffffff) != want)
					bad++;
			}
		}
		fprintf(stderr, "y0_top=%d: %d wrong pixels\n", flip, bad);
		REQUIRE(bad == 0);
		free(out);
		vmpd_gpu_target_destroy(t);
	}
	/* A rebuilt context still copies. */
	REQUIRE(vmpd_gpu_blit_recover(gb));
	vmpd_gpu_blit_destroy(gb);
	close(dmabuf);
	munmap(px, size);
	close(memfd);
	return tap_finish();
}
