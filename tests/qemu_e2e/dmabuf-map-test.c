/* SPDX-License-Identifier: MIT */
/*
 * The glue's QemuDmaBuf -> vmpd_dmabuf mapping, for one QEMU UI API
 * generation (VMPQ_API, set by meson), checked field by field and then
 * against the core's own validator with a real memfd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "qemu-dmabuf-mirror.h"
#include "tap.h"
#include "wayland-compat.h"

#define XRGB8888 0x34325258u /* 'XR24' */
#define X_TILED UINT64_C(0x0100000000000001)

/* One field of the case `name` (a local of each test). */
#define CHECK_FIELD(what, got, want) \
	tap_check_eq(false, (unsigned long long)(got), (unsigned long long)(want), \
		     NULL, NULL, false, __FILE__, __LINE__, "[%s] %s", name, what)

/* The mapped scanout rectangle, field by field. */
#define CHECK_SRC(o, sx, sy, sw, sh) do { \
	CHECK_FIELD("src.x", (o).src.x, sx); \
	CHECK_FIELD("src.y", (o).src.y, sy); \
	CHECK_FIELD("src.width", (o).src.width, sw); \
	CHECK_FIELD("src.height", (o).src.height, sh); \
} while (0)

static struct vmpd_dmabuf map(const struct mirror_spec *s)
{
	QemuDmaBuf d;
	struct vmpd_dmabuf out;

	mirror_fill(&d, s);
	memset(&out, 0xa5, sizeof(out)); /* the mapping must write every field */
	vmpq_describe_dmabuf(&d, &out);
	return out;
}

static void check_common(const char *name, const struct mirror_spec *s,
	const struct vmpd_dmabuf *o)
{
	CHECK_FIELD("n_planes", o->n_planes, 1);
	CHECK_FIELD("fd[0]", o->fd[0], s->fd);
	for (int i = 1; i < VMPD_MAX_PLANES; i++) {
		CHECK_FIELD("unused fd", o->fd[i], -1);
	}
	CHECK_FIELD("offset[0]", o->offset[0], 0);
	CHECK_FIELD("stride[0]", o->stride[0], s->stride);
	CHECK_FIELD("fourcc", o->fourcc, s->fourcc);
	CHECK_FIELD("backing width", o->width, s->backing_width);
	CHECK_FIELD("backing height", o->height, s->backing_height);
	CHECK_FIELD("y0_top", o->y0_top, s->y0_top);
}

static void test_full_screen(int fd)
{
	const char *name = "full scanout";
	struct mirror_spec s = { fd, 1024 * 4, XRGB8888, 0, 1024, 768, 0, 0, 1024, 768, false };
	struct vmpd_dmabuf o = map(&s);

	check_common(name, &s, &o);
	CHECK_SRC(o, 0, 0, 1024, 768);
#if VMPQ_API >= 1001
	CHECK_FIELD("modifier 0 (explicit LINEAR)", o.modifier, VMPD_MOD_LINEAR);
#else
	CHECK_FIELD("modifier 0 (unset)", o.modifier, VMPD_MOD_INVALID);
#endif
#ifdef HAVE_CORE
	char why[128] = "";
	CHECK_FIELD("validate", vmpd_dmabuf_validate(&o, why, sizeof(why)), VMPD_OK);
	if (why[0]) {
		tap_note("validator said: %s", why);
	}
#endif
}

static void test_sub_rectangle(int fd)
{
	const char *name = "sub-rectangle";
	/* A 1920x1080 buffer whose visible part is 800x600 at (100, 50). */
	struct mirror_spec s = { fd, 1920 * 4, XRGB8888, 0, 1920, 1080, 100, 50, 800, 600, false };
	struct vmpd_dmabuf o = map(&s);

	check_common(name, &s, &o);
	CHECK_SRC(o, 100, 50, 800, 600);
}

static void test_y0_top_and_modifier(int fd)
{
	const char *name = "y0_top + tiled";
	struct mirror_spec s = { fd, 4096, XRGB8888, X_TILED, 1024, 768, 0, 0, 1024, 768, true };
	struct vmpd_dmabuf o = map(&s);

	check_common(name, &s, &o);
	CHECK_FIELD("y0_top", o.y0_top, true);
	CHECK_FIELD("modifier", o.modifier, X_TILED);
}

static void test_invalid_modifier(int fd)
{
	const char *name = "MOD_INVALID";
	struct mirror_spec s = { fd, 4096, XRGB8888, VMPD_MOD_INVALID, 1024, 768, 0, 0, 1024, 768, false };
	struct vmpd_dmabuf o = map(&s);

	CHECK_FIELD("modifier", o.modifier, VMPD_MOD_INVALID);
}

static void test_no_rectangle(int fd)
{
	const char *name = "no scanout rectangle";
	/* Producers that leave the rectangle at zero mean the whole buffer. */
	struct mirror_spec s = { fd, 640 * 4, XRGB8888, 0, 640, 480, 0, 0, 0, 0, false };
	struct vmpd_dmabuf o = map(&s);

	check_common(name, &s, &o);
	CHECK_FIELD("src.width", o.src.width, 640);
	CHECK_FIELD("src.height", o.src.height, 480);
}

static void test_rect_outside(int fd)
{
	const char *name = "rectangle outside the buffer";
	struct mirror_spec s = { fd, 1024 * 4, XRGB8888, 0, 1024, 768, 512, 0, 1024, 768, false };
	struct vmpd_dmabuf o = map(&s);

	/* Passed through unchanged: rejecting it is the validator's job. */
	CHECK_FIELD("src.x", o.src.x, 512);
	CHECK_FIELD("src.width", o.src.width, 1024);
#ifdef HAVE_CORE
	CHECK_FIELD("validate", vmpd_dmabuf_validate(&o, NULL, 0), VMPD_ERR_RECT);
#endif
}

int main(void)
{
	/* A real fd big enough for the largest buffer above. */
	int fd = memfd_create("dmabuf-map-test", MFD_CLOEXEC);

	REQUIRE(fd >= 0 && ftruncate(fd, 1920 * 4 * 1080) == 0);
	test_full_screen(fd);
	test_sub_rectangle(fd);
	test_y0_top_and_modifier(fd);
	test_invalid_modifier(fd);
	test_no_rectangle(fd);
	test_rect_outside(fd);
	close(fd);
	return tap_finish();
}
