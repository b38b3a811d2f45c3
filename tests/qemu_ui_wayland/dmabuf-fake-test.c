/* SPDX-License-Identifier: MIT */
/*
 * The zero-copy dma-buf path against the scripted fake compositor (which,
 * unlike anything on this machine, offers linux-dmabuf): import flags and
 * modifiers, the wl_buffer cache, feedback tranches and their resends,
 * refused imports going to the fallback, acquire-fence waits, explicit
 * sync (acquire fence with the commit, per-commit releases), and the
 * watchdog. A memfd stands in for the guest's udmabuf.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tap.h"
#include "core.h"
#include "fake-compositor.h"
#include "fourcc.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "producer.h"

#define W 320
#define H 200

struct guest_buf {
	int fd;
};

static struct guest_buf guest_buf(void)
{
	struct guest_buf g = { memfd_create("fake-udmabuf", MFD_CLOEXEC) };
	REQUIRE(g.fd >= 0 && ftruncate(g.fd, W * H * 4) == 0);
	return g;
}

static struct vmpd_dmabuf describe(struct guest_buf g, uint32_t fourcc, bool y0_top)
{
	return (struct vmpd_dmabuf){
		.n_planes = 1, .fd = { g.fd, -1, -1, -1 }, .stride = { W * 4 }, .fourcc = fourcc,
		.modifier = VMPD_MOD_INVALID, .width = W, .height = H,
		.src = { 8, 4, W - 16, H - 8 }, .y0_top = y0_top,
	};
}

static void frame(struct producer *p)
{
	int before = p->releases;
	REQUIRE(vmpd_head_update(p->head, NULL, -1) == VMPD_OK);
	REQUIRE(p->blocked);
	REQUIRE(producer_wait(p, producer_released, 2000));
	REQUIRE(p->releases == before + 1);
}

/* The guest shows dma-buf `d` and the frame goes round. */
#define SHOW_DMABUF(p, d) do { \
	REQUIRE(vmpd_head_set_dmabuf((p)->head, d) == VMPD_OK); \
	frame(p); \
} while (0)

static const struct fake_format formats[] = {
	{ VMPD_FOURCC_XRGB8888, VMPD_MOD_LINEAR, true },
	{ VMPD_FOURCC_ARGB8888, VMPD_MOD_LINEAR, false },
};

static struct fake_compositor *start(struct producer *p, struct fake_config cfg,
	uint32_t watchdog_ms)
{
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	REQUIRE(fc);
	REQUIRE(producer_init(p, NULL, fake_compositor_socket(fc), 1, 1, watchdog_ms, 0, 0));
	return fc;
}

static void zero_copy_v4(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2, .zero_copy = true }, 500);
	REQUIRE(vmpd_display_dmabuf_version(p.display) == 4);
	dev_t main_dev;
	REQUIRE(vmpd_display_main_device(p.display, &main_dev) && main_dev == makedev(226, 128));
	struct guest_buf a = guest_buf(), b = guest_buf();
	struct fake_stats fs;
	struct vmpd_stats st;

	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &d);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.params_created == 1);
	/* Guest memory is linear: the unknown modifier became an explicit LINEAR. */
	REQUIRE(fs.last_modifier == VMPD_MOD_LINEAR);
	REQUIRE(fs.last_flags == 0);
	REQUIRE(fs.last_stride == W * 4 && fs.last_width == W && fs.last_height == H);
	REQUIRE(fs.last_format == VMPD_FOURCC_XRGB8888);
	REQUIRE(fs.dmabuf_commits == 1);

	d = describe(b, VMPD_FOURCC_XRGB8888, true);
	SHOW_DMABUF(&p, &d);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.last_flags == ZWP_LINUX_BUFFER_PARAMS_V1_FLAGS_Y_INVERT);

	/* A guest flipping between its buffers never re-imports. */
	for (int i = 0; i < 10; i++) {
		d = i & 1 ? describe(b, VMPD_FOURCC_XRGB8888, true) :
			describe(a, VMPD_FOURCC_XRGB8888, false);
		REQUIRE(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
		frame(&p);
	}
	fake_compositor_get_stats(fc, &fs);
	vmpd_head_get_stats(p.head, &st);
	fprintf(stderr, "zero-copy: imports %llu hits %llu presented %llu zero-copy %llu bytes %llu\n",
		(unsigned long long)st.dmabuf_imports, (unsigned long long)st.dmabuf_cache_hits,
		(unsigned long long)st.frames_presented, (unsigned long long)st.frames_zero_copy,
		(unsigned long long)st.bytes_copied);
	REQUIRE(fs.params_created == 2);
	REQUIRE(fs.dmabuf_commits == 12);
	REQUIRE(st.dmabuf_imports == 2 && st.dmabuf_cache_hits == 10);
	REQUIRE(st.bytes_copied == 0 && st.copies == 0);
	REQUIRE(st.frames_zero_copy == 12 && st.frames_presented == 12);
	REQUIRE(st.scanout_tranche);
	REQUIRE(!st.fallback);

	/* ARGB is importable but not in the scanout tranche. */
	d = describe(a, VMPD_FOURCC_ARGB8888, false);
	REQUIRE(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(!st.scanout_tranche);
	frame(&p);

	/* The compositor drops the scanout tranche (Weston does after plane failures). */
	const struct fake_format no_scanout[] = {
		{ VMPD_FOURCC_XRGB8888, VMPD_MOD_LINEAR, false },
	};
	fake_compositor_resend_feedback(fc, no_scanout, 1);
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 5);
	d = describe(a, VMPD_FOURCC_XRGB8888, false);
	REQUIRE(vmpd_head_set_dmabuf(p.head, &d) == VMPD_OK);
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(!st.scanout_tranche);
	frame(&p);

	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
	close(b.fd);
}

static void refused_import_falls_back(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2, .fail_imports = true }, 500);
	struct guest_buf a = guest_buf();
	struct fake_stats fs;
	struct vmpd_stats st;

	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &d);
	frame(&p);
	fake_compositor_get_stats(fc, &fs);
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(fs.params_failed == 1 && fs.params_created == 0);
	REQUIRE(fs.dmabuf_commits == 0 && fs.shm_commits >= 2);
	REQUIRE(st.fallback);
	REQUIRE(st.copies >= 2);
	REQUIRE(st.bytes_copied >= (uint64_t)(W - 16) * (H - 8) * 4);
	/* The refused buffer is cached as such: no second try. */
	SHOW_DMABUF(&p, &d);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.params_failed == 1);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
}

static void unlisted_format_never_sent(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 3, .formats = formats, .n_formats = 1 }, 500);
	REQUIRE(vmpd_display_dmabuf_version(p.display) == 3);
	struct guest_buf a = guest_buf();
	struct fake_stats fs;
	struct vmpd_stats st;

	/* v3 modifier list: XRGB is there. */
	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &d);
	/* ARGB is not: straight to the fallback, no doomed import. */
	d = describe(a, VMPD_FOURCC_ARGB8888, false);
	SHOW_DMABUF(&p, &d);
	fake_compositor_get_stats(fc, &fs);
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(fs.params_created == 1 && fs.params_failed == 0);
	REQUIRE(st.fallback);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
}

static bool committed_twice(struct producer *p)
{
	struct fake_stats fs;
	fake_compositor_get_stats(p->user, &fs);
	return fs.dmabuf_commits >= 2;
}

static void acquire_fence_waits(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2 }, 500);
	p.user = fc;
	struct guest_buf a = guest_buf();
	struct fake_stats fs;

	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &d);
	/* An eventfd polls like a sync_file: readable once "signalled". */
	int fence = eventfd(0, EFD_CLOEXEC);
	REQUIRE(fence >= 0);
	int mine = dup(fence);
	REQUIRE(vmpd_head_update(p.head, NULL, fence) == VMPD_OK);
	for (int i = 0; i < 10; i++)
		producer_pump(&p, 5);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.dmabuf_commits == 1);
	REQUIRE(p.blocked);
	uint64_t one = 1;
	REQUIRE(write(mine, &one, sizeof(one)) == sizeof(one));
	REQUIRE(producer_wait(&p, committed_twice, 2000));
	REQUIRE(producer_wait(&p, producer_released, 2000));
	close(mine);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
}

/*
 * Explicit sync offered: the acquire fence rides the commit instead of being
 * waited for here, each dma-buf commit asks for a per-commit release, and a
 * fenced release holds the guest until its fence is readable, though
 * wl_buffer.release came first. Hidden: only releases can free the guest.
 */
static void fenced_release_paces(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2,
		.explicit_sync = true, .fenced_release = true }, 1000);
	struct guest_buf a = guest_buf(), b = guest_buf();
	struct fake_stats fs;
	struct vmpd_stats st;

	struct vmpd_dmabuf da = describe(a, VMPD_FOURCC_XRGB8888, false);
	struct vmpd_dmabuf db = describe(b, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &da);
	/* Never signalled: with explicit sync the compositor waits for it. */
	int fence = eventfd(0, EFD_CLOEXEC);
	REQUIRE(fence >= 0);
	REQUIRE(vmpd_head_update(p.head, NULL, fence) == VMPD_OK);
	REQUIRE(producer_wait(&p, producer_released, 500));
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.dmabuf_commits == 2 && fs.acquire_fences == 1);
	REQUIRE(fs.releases_requested == 2);

	fake_compositor_set_hidden(fc, true);
	int releases = p.releases;
	REQUIRE(vmpd_head_set_dmabuf(p.head, &db) == VMPD_OK);
	REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_OK);
	for (int i = 0; i < 20; i++)
		producer_pump(&p, 10);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.dmabuf_commits == 3 && fs.fenced_sent == 2);
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(st.fenced_releases == 2);
	/* a's wl_buffer.release came, its fence did not: still held. */
	REQUIRE(p.blocked && p.releases == releases);
	REQUIRE(fake_compositor_signal_release_fences(fc) == 2);
	REQUIRE(producer_wait(&p, producer_released, 500));
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(st.watchdog_releases == 0);
	fake_compositor_set_hidden(fc, false);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
	close(b.fd);
}

/* immediate_release frees the guest as wl_buffer.release did. Hidden, so
 * only the release can (one frame: the in-flight one never retires early). */
static void immediate_release_paces(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2,
		.explicit_sync = true }, 1000);
	struct guest_buf a = guest_buf(), b = guest_buf();
	struct fake_stats fs;
	struct vmpd_stats st;

	struct vmpd_dmabuf da = describe(a, VMPD_FOURCC_XRGB8888, false);
	struct vmpd_dmabuf db = describe(b, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &da);
	fake_compositor_set_hidden(fc, true);
	SHOW_DMABUF(&p, &db);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.releases_requested == 2 && fs.immediate_sent == 1);
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(st.fenced_releases == 0 && st.watchdog_releases == 0);
	REQUIRE(p.last_block_ns < 500000000u);
	fake_compositor_set_hidden(fc, false);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
	close(b.fd);
}

static void hidden_window_watchdog(void)
{
	struct producer p;
	const uint32_t watchdog_ms = 40;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2 }, watchdog_ms);
	struct guest_buf a = guest_buf();
	struct vmpd_stats st;

	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &d);
	fake_compositor_set_hidden(fc, true);
	for (int i = 0; i < 3; i++) {
		frame(&p);
		fprintf(stderr, "hidden: held %.1f ms\n", p.last_block_ns / 1e6);
		REQUIRE(p.last_block_ns >= (uint64_t)watchdog_ms * 900000u);
	}
	vmpd_head_get_stats(p.head, &st);
	REQUIRE(st.watchdog_releases == 3);
	fake_compositor_set_hidden(fc, false);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
}

static bool recovered(struct producer *p)
{
	return p->gpu_recoveries > 0 && !p->blocked;
}

static void reset_resubmits(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.dmabuf_version = 4, .formats = formats, .n_formats = 2,
		.reset_notifier = true }, 500);
	struct guest_buf a = guest_buf();
	struct fake_stats fs;

	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_XRGB8888, false);
	SHOW_DMABUF(&p, &d);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.dmabuf_commits == 1);
	/* After the compositor recovers, the current frame is committed again unasked. */
	fake_compositor_gpu_reset(fc, false);
	REQUIRE(producer_wait(&p, recovered, 2000));
	REQUIRE(p.gpu_resets == 1 && p.gpu_recoveries == 1);
	fake_compositor_get_stats(fc, &fs);
	REQUIRE(fs.dmabuf_commits == 2);
	REQUIRE(fs.params_created == 1);
	fake_compositor_gpu_reset(fc, true);
	p.gpu_recoveries = 0;
	REQUIRE(producer_wait(&p, recovered, 2000));
	REQUIRE(p.blocks == p.releases);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
}

/* Bad input on the 2D path, the cursor and the head: clear errors, no crash. */
static void bad_input(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){ .dmabuf_version = 0 }, 500);
	static uint32_t px[64 * 64];
	REQUIRE(vmpd_display_dmabuf_version(p.display) == 0);
	REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_ERR_STATE);
	REQUIRE(vmpd_head_update(NULL, NULL, -1) == VMPD_ERR_INVALID);
	REQUIRE(vmpd_head_set_surface(p.head, 64, 64, 256, VMPD_FOURCC_NV12, px) == VMPD_ERR_FOURCC);
	REQUIRE(vmpd_head_set_surface(p.head, 0, 64, 256, VMPD_FOURCC_XRGB8888, px) == VMPD_ERR_SIZE);
	REQUIRE(vmpd_head_set_surface(p.head, 65535, 65535, 65535 * 4, VMPD_FOURCC_XRGB8888, px) ==
		VMPD_ERR_SIZE);
	REQUIRE(vmpd_head_set_surface(p.head, 64, 64, 100, VMPD_FOURCC_XRGB8888, px) ==
		VMPD_ERR_STRIDE);
	REQUIRE(vmpd_head_set_surface(p.head, 64, 64, 256, VMPD_FOURCC_XRGB8888, NULL) ==
		VMPD_ERR_INVALID);
	REQUIRE(vmpd_head_set_surface(p.head, 64, 64, 256, VMPD_FOURCC_XRGB8888, px) == VMPD_OK);
	struct vmpd_rect outside = { 64, 0, 10, 10 }, empty = { 3, 3, 0, 5 };
	REQUIRE(vmpd_head_update(p.head, &outside, -1) == VMPD_ERR_RECT);
	REQUIRE(vmpd_head_update(p.head, &empty, -1) == VMPD_ERR_RECT);
	/* Damage reaching past the edge is clipped, not refused. */
	struct vmpd_rect past = { 60, 60, 100, 100 };
	int before = p.releases;
	REQUIRE(vmpd_head_update(p.head, &past, -1) == VMPD_OK);
	REQUIRE(producer_wait(&p, producer_released, 2000) && p.releases == before + 1);
	/* A dma-buf on a compositor without linux-dmabuf and an unmappable format. */
	struct guest_buf a = guest_buf();
	struct vmpd_dmabuf d = describe(a, VMPD_FOURCC_RGB565, false);
	d.stride[0] = W * 2;
	REQUIRE(vmpd_head_set_dmabuf(p.head, &d) == VMPD_ERR_UNSUPPORTED);
	REQUIRE(vmpd_head_set_dmabuf(p.head, NULL) == VMPD_ERR_INVALID);
	REQUIRE(vmpd_head_set_cursor(p.head, px, 1024, 1024, 0, 0) == VMPD_ERR_SIZE);
	REQUIRE(vmpd_head_set_cursor(p.head, px, 16, 16, 16, 0) == VMPD_ERR_RECT);
	REQUIRE(vmpd_head_set_cursor(p.head, px, 16, 16, -1, 0) == VMPD_ERR_RECT);
	REQUIRE(vmpd_head_set_cursor(p.head, px, 16, 16, 3, 3) == VMPD_OK);
	REQUIRE(vmpd_head_set_cursor(p.head, NULL, 0, 0, 0, 0) == VMPD_OK);
	/* Disabled: updates are refused until a new surface comes. */
	vmpd_head_disable(p.head);
	REQUIRE(vmpd_head_update(p.head, NULL, -1) == VMPD_ERR_STATE);
	REQUIRE(p.blocks == p.releases);
	struct vmpd_stats st;
	vmpd_head_get_stats(p.head, &st);
	vmpd_head_get_stats(NULL, &st);
	REQUIRE(st.frames_submitted == 0);
	producer_fini(&p);
	fake_compositor_stop(fc);
	close(a.fd);
}

static bool got_resize(struct producer *p)
{
	return p->resizes > 0;
}

/* A compositor-imposed size letterboxes the guest and is reported; heads are independent. */
static void imposed_size_and_two_heads(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, (struct fake_config){
		.configure_width = 1000, .configure_height = 500 }, 500);
	static uint32_t px[400 * 300];
	REQUIRE(vmpd_head_set_surface(p.head, 400, 300, 1600, VMPD_FOURCC_XRGB8888, px) == VMPD_OK);
	REQUIRE(producer_wait(&p, got_resize, 2000));
	REQUIRE(p.resize_w == 996 && p.resize_h == 496);
	frame(&p);
	/* 400x300 into 996x496: height-bound, 661x496, centred. */
	REQUIRE(p.head->dst_h == 496 && p.head->dst_w == 661);
	REQUIRE(p.head->dst_x == 2 + (996 - 661) / 2 && p.head->dst_y == 2);
	uint32_t gx, gy;
	vmpd_head_guest_from_surface(p.head, 330.5, 248.0, &gx, &gy);
	REQUIRE(gx == 200 && gy == 150);
	vmpd_head_guest_from_surface(p.head, -5, 10000, &gx, &gy);
	REQUIRE(gx == 0 && gy == 299);

	struct vmpd_head_config hc = { .title = "second", .app_id = "vmplane-test" };
	struct vmpd_head *second = vmpd_head_create(p.display, &hc);
	REQUIRE(second);
	static uint32_t px2[64 * 64];
	REQUIRE(vmpd_head_set_surface(second, 64, 64, 256, VMPD_FOURCC_XRGB8888, px2) == VMPD_OK);
	REQUIRE(vmpd_head_update(second, NULL, -1) == VMPD_OK);
	REQUIRE(p.blocks == p.releases + 1);
	for (int i = 0; i < 20 && p.blocks != p.releases; i++)
		producer_pump(&p, 5);
	REQUIRE(p.blocks == p.releases);
	vmpd_head_destroy(second);
	frame(&p);
	producer_fini(&p);
	fake_compositor_stop(fc);
}

int main(void)
{
	if (!getenv("XDG_RUNTIME_DIR"))
		tap_skip_all("XDG_RUNTIME_DIR unset");
	zero_copy_v4();
	refused_import_falls_back();
	unlisted_format_never_sent();
	acquire_fence_waits();
	fenced_release_paces();
	immediate_release_paces();
	hidden_window_watchdog();
	reset_resubmits();
	bad_input();
	imposed_size_and_two_heads();
	return tap_finish();
}
