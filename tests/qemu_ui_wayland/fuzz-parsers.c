/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the core's two parsers of untrusted input: the dma-buf
 * description validator (what the guest side hands over) and the dma-buf
 * feedback stream (what the compositor sends).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vmplane/display-dmabuf.h>

#include "feedback-table.h"
#include "fuzz-parsers.h"

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint32_t take32(struct reader *r)
{
	uint32_t v = 0;
	size_t n = r->left < 4 ? r->left : 4;
	memcpy(&v, r->p, n);
	r->p += n;
	r->left -= n;
	return v;
}

static uint8_t take8(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static void fuzz_description(struct reader *r)
{
	/* One real buffer of fuzzed size; fds chosen among it, -1 and a pipe. */
	int buf = memfd_create("fuzz-dmabuf", MFD_CLOEXEC);
	int pipefd[2] = { -1, -1 };
	if (buf < 0 || pipe(pipefd) != 0)
		goto out;
	if (ftruncate(buf, (off_t)(take32(r) & 0xffffff)) != 0)
		goto out;
	struct vmpd_dmabuf b;
	memset(&b, 0, sizeof(b));
	b.n_planes = take8(r) % 6;
	for (int i = 0; i < VMPD_MAX_PLANES; i++) {
		int choice = take8(r) % 4;
		b.fd[i] = choice == 0 ? buf : choice == 1 ? -1 : choice == 2 ? pipefd[0] : 12345;
		b.offset[i] = take32(r);
		b.stride[i] = take32(r);
	}
	static const uint32_t fourccs[] = {
		0x34325258, 0x34325241, 0x3231564e, 0x36314752, 0, 0x5a5a5a5a,
	};
	uint8_t f = take8(r);
	b.fourcc = f < 6 ? fourccs[f] : take32(r);
	b.modifier = ((uint64_t)take32(r) << 32) | take32(r);
	b.width = take32(r) & (take8(r) & 1 ? 0xffff : 0xfff);
	b.height = take32(r) & 0xfff;
	b.src.x = take32(r) & (take8(r) & 1 ? 0xffffffff : 0xfff);
	b.src.y = take32(r) & 0xfff;
	b.src.width = take32(r) & 0xfff;
	b.src.height = take32(r) & 0xfff;
	b.y0_top = take8(r) & 1;
	char why[128];
	enum vmpd_status st = vmpd_dmabuf_validate(&b, why, sizeof(why));
	/* Whatever passes must really be inside its buffer. */
	if (st == VMPD_OK) {
		off_t size = lseek(buf, 0, SEEK_END);
		uint32_t bpp = 0, planes = 0;
		if (!vmpd_fourcc_info(b.fourcc, &bpp, &planes) || b.fd[0] != buf ||
				(uint64_t)b.offset[0] + (uint64_t)b.stride[0] * (b.height - 1) +
				(uint64_t)b.width * bpp > (uint64_t)size ||
				b.src.x + (uint64_t)b.src.width > b.width)
			__builtin_trap();
	}
	vmpd_dmabuf_validate(&b, why, 1);
	vmpd_dmabuf_validate(&b, NULL, 0);
out:
	if (buf >= 0)
		close(buf);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
}

static void fuzz_feedback(struct reader *r)
{
	struct vmpd_feedback fb;
	vmpd_feedback_init(&fb);
	while (r->left) {
		uint8_t op = take8(r) % 8;
		size_t len = take8(r);
		if (len > r->left)
			len = r->left;
		const uint8_t *chunk = r->p;
		switch (op) {
		case 0:
			vmpd_format_table_parse(&fb.table, chunk, len);
			break;
		case 1:
			vmpd_feedback_main_device(&fb, chunk, len);
			break;
		case 2:
			vmpd_feedback_tranche_target(&fb, chunk, len);
			break;
		case 3:
			vmpd_feedback_tranche_flags(&fb, (uint32_t)len);
			break;
		case 4:
			vmpd_feedback_tranche_formats(&fb, chunk, len);
			break;
		case 5:
			vmpd_feedback_tranche_done(&fb);
			break;
		case 6:
			vmpd_feedback_done(&fb);
			break;
		case 7: {
			/* The table through a real fd with a possibly lying size. */
			int fd = memfd_create("fuzz-table", MFD_CLOEXEC);
			if (fd >= 0) {
				if (write(fd, chunk, len) == (ssize_t)len)
					vmpd_format_table_load_fd(&fb.table, fd,
						(uint32_t)len + (uint32_t)(len % 3) * 8);
				close(fd);
			}
			break;
		}
		}
		r->p += len;
		r->left -= len;
		vmpd_feedback_has(&fb, 0x34325258, 0, op & 1);
	}
	for (size_t i = 0; i < fb.n_tranches; i++)
		for (size_t j = 0; j < fb.tranches[i].n_formats; j++)
			(void)fb.tranches[i].formats[j].fourcc;
	vmpd_feedback_fini(&fb);
}

int vmpd_fuzz_one(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct reader r = { data + 1, size - 1 };
	if (data[0] & 1)
		fuzz_description(&r);
	else
		fuzz_feedback(&r);
	return 0;
}
