/* SPDX-License-Identifier: MIT */
/* Checks a guest dma-buf description against its fds before any compositor sees it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmplane/display-dmabuf.h>

#include "fourcc.h"

struct fourcc_entry {
	uint32_t fourcc;
	uint32_t n_planes;
	uint32_t cpp[VMPD_MAX_PLANES]; /* bytes per pixel of each plane */
	uint32_t hsub, vsub; /* chroma subsampling of planes > 0 */
};

static const struct fourcc_entry fourcc_table[] = {
	{ VMPD_FOURCC_XRGB8888, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_ARGB8888, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_XBGR8888, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_ABGR8888, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_XRGB2101010, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_ARGB2101010, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_XBGR2101010, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_ABGR2101010, 1, { 4 }, 1, 1 },
	{ VMPD_FOURCC_RGB888, 1, { 3 }, 1, 1 },
	{ VMPD_FOURCC_BGR888, 1, { 3 }, 1, 1 },
	{ VMPD_FOURCC_RGB565, 1, { 2 }, 1, 1 },
	{ VMPD_FOURCC_NV12, 2, { 1, 2 }, 2, 2 },
};

static const struct fourcc_entry *
find_fourcc(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(fourcc_table) / sizeof(fourcc_table[0]);
	     i++) {
		if (fourcc_table[i].fourcc == fourcc)
			return &fourcc_table[i];
	}
	return NULL;
}

bool
vmpd_fourcc_info(uint32_t fourcc, uint32_t *bpp, uint32_t *n_planes)
{
	const struct fourcc_entry *e = find_fourcc(fourcc);
	if (!e)
		return false;
	if (bpp)
		*bpp = e->cpp[0];
	if (n_planes)
		*n_planes = e->n_planes;
	return true;
}

static enum vmpd_status fail(char *why, size_t len, enum vmpd_status s,
			     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum vmpd_status
fail(char *why, size_t len, enum vmpd_status s, const char *fmt, ...)
{
	if (why && len > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return s;
}

/* Size of the object behind fd, or -1 when it cannot be known (pipes, sockets). */
static enum vmpd_status
fd_size(int fd, int64_t *size)
{
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return VMPD_ERR_BAD_FD;
	*size = -1;
	off_t end = lseek(fd, 0, SEEK_END);
	if (end > 0) {
		*size = end;
		lseek(fd, 0, SEEK_SET);
	} else if (S_ISREG(st.st_mode)) {
		*size = st.st_size;
	}
	if (*size < 0 && !S_ISREG(st.st_mode) &&
	    (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	     S_ISDIR(st.st_mode)))
		return VMPD_ERR_BAD_FD;
	return VMPD_OK;
}

enum vmpd_status
vmpd_dmabuf_validate(const struct vmpd_dmabuf *b, char *why, size_t len)
{
	if (why && len > 0)
		why[0] = '\0';
	if (!b)
		return fail(why, len, VMPD_ERR_INVALID,
			    "no dma-buf description");
	const struct fourcc_entry *fmt = find_fourcc(b->fourcc);
	if (!fmt)
		return fail(why, len, VMPD_ERR_FOURCC, "unknown fourcc 0x%08x",
			    b->fourcc);
	if (b->n_planes == 0 || b->n_planes > VMPD_MAX_PLANES ||
	    b->n_planes != fmt->n_planes)
		return fail(why, len, VMPD_ERR_PLANES,
			    "%u planes given, format needs %u", b->n_planes,
			    fmt->n_planes);
	if (b->width == 0 || b->height == 0 || b->width > VMPD_MAX_DIMENSION ||
	    b->height > VMPD_MAX_DIMENSION)
		return fail(why, len, VMPD_ERR_SIZE, "size %ux%u outside 1..%u",
			    b->width, b->height, VMPD_MAX_DIMENSION);

	for (uint32_t p = 0; p < b->n_planes; p++) {
		uint32_t w = p == 0 ? b->width
				    : (b->width + fmt->hsub - 1) / fmt->hsub;
		uint32_t h = p == 0 ? b->height
				    : (b->height + fmt->vsub - 1) / fmt->vsub;
		uint64_t min_stride = (uint64_t)w * fmt->cpp[p];
		if (b->stride[p] < min_stride)
			return fail(
				why, len, VMPD_ERR_STRIDE,
				"plane %u stride %u below %llu for width %u", p,
				b->stride[p], (unsigned long long)min_stride,
				w);
		/* Guards against strides no allocator produces, e.g. sign-extended garbage. */
		if (b->stride[p] > min_stride * 4 + 4096)
			return fail(why, len, VMPD_ERR_STRIDE,
				    "plane %u stride %u absurd for width %u", p,
				    b->stride[p], w);
		int64_t size;
		if (fd_size(b->fd[p], &size) != VMPD_OK)
			return fail(why, len, VMPD_ERR_BAD_FD,
				    "plane %u fd %d is not a buffer", p,
				    b->fd[p]);
		uint64_t end = (uint64_t)b->offset[p] +
			       (uint64_t)b->stride[p] * (h - 1) + min_stride;
		if (size >= 0 && end > (uint64_t)size)
			return fail(why, len, VMPD_ERR_OFFSET,
				    "plane %u needs %llu bytes (offset %u), "
				    "dma-buf has %lld",
				    p, (unsigned long long)end, b->offset[p],
				    (long long)size);
	}

	const struct vmpd_rect *r = &b->src;
	if (r->width == 0 || r->height == 0 ||
	    (uint64_t)r->x + r->width > b->width ||
	    (uint64_t)r->y + r->height > b->height)
		return fail(why, len, VMPD_ERR_RECT,
			    "scanout %ux%u+%u+%u outside buffer %ux%u",
			    r->width, r->height, r->x, r->y, b->width,
			    b->height);
	return VMPD_OK;
}
