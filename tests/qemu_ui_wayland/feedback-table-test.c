/* SPDX-License-Identifier: MIT */
/* linux-dmabuf v4 feedback parsing: format table, tranches, hostile input. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"
#include "feedback-table.h"
#include "fourcc.h"

#define SCANOUT 1u

static void put_entry(unsigned char *p, uint32_t fourcc, uint64_t mod)
{
	memset(p, 0xee, 16);  /* padding is ignored whatever it holds */
	memcpy(p, &fourcc, 4);
	memcpy(p + 8, &mod, 8);
}

int main(void)
{
	unsigned char table[3 * 16];
	put_entry(table, VMPD_FOURCC_XRGB8888, 0);
	put_entry(table + 16, VMPD_FOURCC_ARGB8888, 0);
	put_entry(table + 32, VMPD_FOURCC_XRGB8888, 0x0100000000000001ull);

	struct vmpd_format_table t = { 0 };
	REQUIRE(!vmpd_format_table_parse(&t, table, 47));
	REQUIRE(t.n_entries == 0);
	REQUIRE(!vmpd_format_table_parse(&t, table, 0));
	REQUIRE(!vmpd_format_table_parse(&t, NULL, 16));
	REQUIRE(vmpd_format_table_parse(&t, table, sizeof(table)));
	REQUIRE(t.n_entries == 3 && t.entries[2].modifier == 0x0100000000000001ull);
	vmpd_format_table_fini(&t);

	/* Through an fd, as the compositor sends it; a short file is refused. */
	int fd = memfd_create("table", MFD_CLOEXEC);
	REQUIRE(fd >= 0 && write(fd, table, sizeof(table)) == (ssize_t)sizeof(table));
	REQUIRE(vmpd_format_table_load_fd(&t, fd, sizeof(table)));
	REQUIRE(t.n_entries == 3);
	REQUIRE(!vmpd_format_table_load_fd(&t, fd, sizeof(table) + 16));
	REQUIRE(!vmpd_format_table_load_fd(&t, -1, 16));
	vmpd_format_table_fini(&t);

	struct vmpd_feedback fb;
	vmpd_feedback_init(&fb);
	REQUIRE(vmpd_format_table_load_fd(&fb.table, fd, sizeof(table)));
	dev_t main_dev = 0xe280, kms = 0xe200;
	REQUIRE(!vmpd_feedback_main_device(&fb, &main_dev, 3));
	REQUIRE(vmpd_feedback_main_device(&fb, &main_dev, sizeof(main_dev)));
	/* Scanout tranche: index 0 only, plus a bad index that must be skipped. */
	uint16_t idx_scanout[] = { 0, 77 };
	REQUIRE(vmpd_feedback_tranche_target(&fb, &kms, sizeof(kms)));
	REQUIRE(vmpd_feedback_tranche_flags(&fb, SCANOUT));
	REQUIRE(!vmpd_feedback_tranche_formats(&fb, idx_scanout, sizeof(idx_scanout)));
	REQUIRE(!vmpd_feedback_tranche_formats(&fb, idx_scanout, 3));
	vmpd_feedback_tranche_done(&fb);
	uint16_t idx_render[] = { 0, 1, 2 };
	REQUIRE(vmpd_feedback_tranche_target(&fb, &main_dev, sizeof(main_dev)));
	REQUIRE(vmpd_feedback_tranche_formats(&fb, idx_render, sizeof(idx_render)));
	vmpd_feedback_tranche_done(&fb);
	/* Nothing counts before `done`. */
	REQUIRE(!vmpd_feedback_has(&fb, VMPD_FOURCC_XRGB8888, 0, 0));
	vmpd_feedback_done(&fb);
	REQUIRE(fb.complete && fb.has_main_device && fb.main_device == main_dev);
	REQUIRE(fb.n_tranches == 2);
	REQUIRE(fb.tranches[0].n_formats == 1);
	REQUIRE(vmpd_feedback_has(&fb, VMPD_FOURCC_XRGB8888, 0, SCANOUT));
	REQUIRE(!vmpd_feedback_has(&fb, VMPD_FOURCC_ARGB8888, 0, SCANOUT));
	REQUIRE(vmpd_feedback_has(&fb, VMPD_FOURCC_ARGB8888, 0, 0));
	REQUIRE(!vmpd_feedback_has(&fb, VMPD_FOURCC_NV12, 0, 0));

	/* A resend replaces the tranches; an unfinished tranche is dropped. */
	REQUIRE(vmpd_feedback_tranche_formats(&fb, idx_render, 2));
	vmpd_feedback_tranche_done(&fb);
	REQUIRE(vmpd_feedback_tranche_formats(&fb, idx_render + 1, 2));
	vmpd_feedback_done(&fb);
	REQUIRE(fb.n_tranches == 1);
	REQUIRE(!vmpd_feedback_has(&fb, VMPD_FOURCC_XRGB8888, 0, SCANOUT));
	REQUIRE(vmpd_feedback_has(&fb, VMPD_FOURCC_XRGB8888, 0, 0));
	REQUIRE(!vmpd_feedback_has(&fb, VMPD_FOURCC_ARGB8888, 0, 0));

	/* Tranche flood is bounded. */
	for (int i = 0; i < 200; i++) {
		vmpd_feedback_tranche_flags(&fb, 0);
		vmpd_feedback_tranche_done(&fb);
	}
	REQUIRE(fb.n_pending <= VMPD_FEEDBACK_MAX_TRANCHES);
	vmpd_feedback_done(&fb);
	vmpd_feedback_fini(&fb);
	close(fd);
	return tap_finish();
}
