/* SPDX-License-Identifier: MIT */
/* linux-dmabuf v4 feedback as data: format table parsing and tranche bookkeeping. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "feedback-table.h"

bool
vmpd_format_table_parse(struct vmpd_format_table *t, const void *data,
			size_t size)
{
	vmpd_format_table_fini(t);
	if (size == 0 || size % VMPD_FORMAT_TABLE_ENTRY_SIZE != 0 ||
	    size / VMPD_FORMAT_TABLE_ENTRY_SIZE >
		    VMPD_FORMAT_TABLE_MAX_ENTRIES ||
	    !data)
		return false;
	size_t n = size / VMPD_FORMAT_TABLE_ENTRY_SIZE;
	t->entries = calloc(n, sizeof(*t->entries));
	if (!t->entries)
		return false;
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++, p += VMPD_FORMAT_TABLE_ENTRY_SIZE) {
		/* Layout: u32 format, u32 padding, u64 modifier, native endian. */
		memcpy(&t->entries[i].fourcc, p, 4);
		memcpy(&t->entries[i].modifier, p + 8, 8);
	}
	t->n_entries = n;
	return true;
}

bool
vmpd_format_table_load_fd(struct vmpd_format_table *t, int fd, uint32_t size)
{
	vmpd_format_table_fini(t);
	struct stat st;
	/* A table shorter than announced would SIGBUS on access. */
	if (fd < 0 || fstat(fd, &st) != 0 || size == 0 ||
	    st.st_size < (off_t)size)
		return false;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return false;
	bool ok = vmpd_format_table_parse(t, map, size);
	munmap(map, size);
	return ok;
}

void
vmpd_format_table_fini(struct vmpd_format_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->n_entries = 0;
}

static void
tranches_free(struct vmpd_tranche *tr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tr[i].formats);
	free(tr);
}

void
vmpd_feedback_init(struct vmpd_feedback *fb)
{
	memset(fb, 0, sizeof(*fb));
}

void
vmpd_feedback_fini(struct vmpd_feedback *fb)
{
	vmpd_format_table_fini(&fb->table);
	tranches_free(fb->tranches, fb->n_tranches);
	tranches_free(fb->pending, fb->n_pending);
	vmpd_feedback_init(fb);
}

bool
vmpd_feedback_parse_dev(const void *data, size_t size, dev_t *dev)
{
	if (!data || size != sizeof(dev_t))
		return false;
	memcpy(dev, data, sizeof(dev_t));
	return true;
}

bool
vmpd_feedback_main_device(struct vmpd_feedback *fb, const void *data,
			  size_t size)
{
	fb->pending_has_main = vmpd_feedback_parse_dev(data, size,
						       &fb->pending_main);
	return fb->pending_has_main;
}

/* The tranche being filled: the last pending one, opened on demand. */
static struct vmpd_tranche *
open_tranche(struct vmpd_feedback *fb)
{
	if (fb->tranche_open)
		return &fb->pending[fb->n_pending - 1];
	/* Bounded: a compositor has a handful of tranches, not thousands. */
	if (fb->n_pending >= VMPD_FEEDBACK_MAX_TRANCHES)
		return NULL;
	struct vmpd_tranche *tr = realloc(fb->pending,
					  (fb->n_pending + 1) * sizeof(*tr));
	if (!tr)
		return NULL;
	fb->pending = tr;
	memset(&tr[fb->n_pending], 0, sizeof(*tr));
	fb->tranche_open = true;
	return &tr[fb->n_pending++];
}

bool
vmpd_feedback_tranche_target(struct vmpd_feedback *fb, const void *data,
			     size_t size)
{
	struct vmpd_tranche *tr = open_tranche(fb);
	return tr && vmpd_feedback_parse_dev(data, size, &tr->target_device);
}

bool
vmpd_feedback_tranche_flags(struct vmpd_feedback *fb, uint32_t flags)
{
	struct vmpd_tranche *tr = open_tranche(fb);
	if (!tr)
		return false;
	tr->flags = flags;
	return true;
}

bool
vmpd_feedback_tranche_formats(struct vmpd_feedback *fb, const void *data,
			      size_t size)
{
	struct vmpd_tranche *tr = open_tranche(fb);
	if (!tr || (size > 0 && !data) || size % sizeof(uint16_t) != 0)
		return false;
	size_t n = size / sizeof(uint16_t);
	if (n == 0)
		return true;
	if (tr->n_formats + n > VMPD_FORMAT_TABLE_MAX_ENTRIES)
		return false;
	struct vmpd_format *f = realloc(tr->formats,
					(tr->n_formats + n) * sizeof(*f));
	if (!f)
		return false;
	tr->formats = f;
	bool ok = true;
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		uint16_t idx;
		memcpy(&idx, p + i * 2, 2);
		if (idx >= fb->table.n_entries) {
			ok = false;
			continue;
		}
		tr->formats[tr->n_formats++] = fb->table.entries[idx];
	}
	return ok;
}

void
vmpd_feedback_tranche_done(struct vmpd_feedback *fb)
{
	fb->tranche_open = false;
}

void
vmpd_feedback_done(struct vmpd_feedback *fb)
{
	/* A tranche never closed with tranche_done is incomplete: drop it. */
	if (fb->tranche_open) {
		free(fb->pending[fb->n_pending - 1].formats);
		fb->n_pending--;
		fb->tranche_open = false;
	}
	tranches_free(fb->tranches, fb->n_tranches);
	fb->tranches = fb->pending;
	fb->n_tranches = fb->n_pending;
	fb->pending = NULL;
	fb->n_pending = 0;
	if (fb->pending_has_main) {
		fb->main_device = fb->pending_main;
		fb->has_main_device = true;
	}
	fb->pending_has_main = false;
	fb->complete = true;
}

bool
vmpd_feedback_has(const struct vmpd_feedback *fb, uint32_t fourcc,
		  uint64_t modifier, uint32_t required_flags)
{
	for (size_t i = 0; i < fb->n_tranches; i++) {
		const struct vmpd_tranche *tr = &fb->tranches[i];
		if ((tr->flags & required_flags) != required_flags)
			continue;
		for (size_t j = 0; j < tr->n_formats; j++) {
			if (tr->formats[j].fourcc == fourcc &&
			    tr->formats[j].modifier == modifier)
				return true;
		}
	}
	return false;
}
