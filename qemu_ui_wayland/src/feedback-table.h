/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf v4 feedback: the format table and the tranches built from
 * it. Pure data handling, fed by the Wayland listener beside it
 * (feedback-listener.c); everything here treats its input as hostile.
 */
#ifndef VMPD_FEEDBACK_TABLE_H
#define VMPD_FEEDBACK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vmpd_log;

/* Index is a u16 in the protocol, so no table is longer than this. */
#define VMPD_FORMAT_TABLE_MAX_ENTRIES 65536u
#define VMPD_FORMAT_TABLE_ENTRY_SIZE 16u
#define VMPD_FEEDBACK_MAX_TRANCHES 64u

struct vmpd_format {
	uint32_t fourcc;
	uint64_t modifier;
};

struct vmpd_format_table {
	struct vmpd_format *entries;
	size_t n_entries;
};

struct vmpd_tranche {
	dev_t target_device;
	uint32_t flags;
	struct vmpd_format *formats;
	size_t n_formats;
};

struct vmpd_feedback {
	struct vmpd_format_table table;
	dev_t main_device;
	bool has_main_device;
	struct vmpd_tranche *tranches;
	size_t n_tranches;
	bool complete; /* at least one `done` seen */
	/* Being received, swapped in on `done`. */
	struct vmpd_tranche *pending;
	size_t n_pending;
	bool tranche_open;
	dev_t pending_main;
	bool pending_has_main;
	/* Where the listener reports a bad table; set after vmpd_feedback_init. */
	const struct vmpd_log *log;
};

/* Parses table bytes; false (table emptied) when size is not a whole number of entries. */
bool vmpd_format_table_parse(struct vmpd_format_table *t, const void *data,
			     size_t size);
/* mmaps fd, checks its real size, parses; the fd is not closed. */
bool vmpd_format_table_load_fd(struct vmpd_format_table *t, int fd,
			       uint32_t size);
void vmpd_format_table_fini(struct vmpd_format_table *t);

void vmpd_feedback_init(struct vmpd_feedback *fb);
void vmpd_feedback_fini(struct vmpd_feedback *fb);
/* A dev_t in a wl_array: false when the size is wrong. */
bool vmpd_feedback_parse_dev(const void *data, size_t size, dev_t *dev);
bool vmpd_feedback_main_device(struct vmpd_feedback *fb, const void *data,
			       size_t size);
/* Starts a tranche if none is open; the following calls fill it. */
bool vmpd_feedback_tranche_target(struct vmpd_feedback *fb, const void *data,
				  size_t size);
bool vmpd_feedback_tranche_flags(struct vmpd_feedback *fb, uint32_t flags);
/* u16 indices into the table; bad indices are skipped and make it return false. */
bool vmpd_feedback_tranche_formats(struct vmpd_feedback *fb, const void *data,
				   size_t size);
void vmpd_feedback_tranche_done(struct vmpd_feedback *fb);
void vmpd_feedback_done(struct vmpd_feedback *fb);

/* Whether the pair is listed at all, and whether in a tranche with these flags. */
bool vmpd_feedback_has(const struct vmpd_feedback *fb, uint32_t fourcc,
		       uint64_t modifier, uint32_t required_flags);

#endif
