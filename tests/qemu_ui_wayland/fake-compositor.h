/* SPDX-License-Identifier: MIT */
/*
 * A scripted in-process Wayland server with just what the display core
 * binds, including linux-dmabuf, which no compositor on this machine can
 * offer (no render node). It accepts any dma-buf it is told to accept,
 * answers frames at once (or never, when hidden), and counts what the
 * client did. Runs its own thread.
 */
#ifndef VMPD_TEST_FAKE_COMPOSITOR_H
#define VMPD_TEST_FAKE_COMPOSITOR_H

#include <stdbool.h>
#include <stdint.h>

struct fake_format {
	uint32_t fourcc;
	uint64_t modifier;
	bool scanout;           /* also listed in a SCANOUT tranche */
};

struct fake_config {
	uint32_t dmabuf_version;          /* 0: no linux-dmabuf, 3 or 4 */
	const struct fake_format *formats;
	int n_formats;
	bool fail_imports;                /* answer every params.create with failed */
	bool zero_copy;                   /* presented events carry ZERO_COPY for dma-bufs */
	bool reset_notifier;              /* offer vmplane_reset_notifier_v1 */
	int32_t configure_width, configure_height; /* toplevel size the fake imposes, 0: none */
	bool explicit_sync;               /* offer zwp_linux_explicit_synchronization_v1 */
	/* Per-commit releases come as fenced_release with an eventfd (readable
	 * once fake_compositor_signal_release_fences() writes it: all the core's
	 * poll-based wait needs; a real sync_file only exists in the rig), else
	 * as immediate_release. */
	bool fenced_release;
	const char *socket_name;          /* in $XDG_RUNTIME_DIR, to restart on it; NULL: any */
	bool seat;                        /* offer wl_seat v5 with a keyboard and a pointer */
	bool data_device;                 /* offer wl_data_device_manager v3 (clipboard) */
};

struct fake_stats {
	int params_created, params_failed;
	uint32_t last_flags, last_format, last_width, last_height;
	uint64_t last_modifier;
	uint32_t last_stride, last_offset;
	int dmabuf_commits, shm_commits;
	int feedbacks_bound;
	int acquire_fences;               /* set_acquire_fence requests */
	int releases_requested;           /* get_release requests */
	int fenced_sent, immediate_sent;  /* release events sent */
	int keyboards, pointers;
	int cursor_sets;                  /* wl_pointer.set_cursor with a surface */
	/* Window roles and maps (placement-test.c). */
	int toplevels;                    /* xdg_surface.get_toplevel requests */
	int role_maps, role_unmaps;       /* buffer / NULL committed on an xdg surface */
	/* Clipboard (config.data_device). */
	int data_devices;                 /* get_data_device requests */
	int selections_set;               /* set_selection with a client's source */
	uint32_t selection_serial;        /* the serial of the last one */
	int selection_mimes;              /* MIME types the client's source offered */
	bool selection_has_utf8;          /* ... text/plain;charset=utf-8 among them */
	bool client_selection;            /* a client's source is the selection now */
	int cancels_sent;                 /* wl_data_source.cancelled sent */
	int receives;                     /* wl_data_offer.receive requests */
	char receive_mime[64];            /* the last one's MIME type */
};

struct fake_compositor;

struct fake_compositor *fake_compositor_start(const struct fake_config *config);
/* Absolute socket path for wl_display_connect. */
const char *fake_compositor_socket(const struct fake_compositor *fc);
void fake_compositor_get_stats(struct fake_compositor *fc, struct fake_stats *stats);
/* Hidden: commits are taken but no frame or presentation event is sent. */
void fake_compositor_set_hidden(struct fake_compositor *fc, bool hidden);
/* Sends the feedback again (as Weston does after a plane failure), with new formats. */
void fake_compositor_resend_feedback(struct fake_compositor *fc, const struct fake_format *formats,
	int n_formats);
/* vmplane_reset_notifier_v1: a reset, then recovered (or degraded). */
void fake_compositor_gpu_reset(struct fake_compositor *fc, bool degraded);
/* Makes every release fence sent so far readable; returns how many. */
int fake_compositor_signal_release_fences(struct fake_compositor *fc);
/* config.seat: focuses every client's first toplevel and types `key` (evdev) on it. */
void fake_compositor_key(struct fake_compositor *fc, uint32_t key);
/* config.seat: the pointer enters every client's first toplevel. */
void fake_compositor_pointer_enter(struct fake_compositor *fc);
/*
 * config.data_device: another client copied `len` bytes offered as the
 * given MIME types. Cancels a client's source, sends the new selection to
 * every data device; each receive gets the text written from a thread.
 */
void fake_compositor_set_selection(struct fake_compositor *fc, const char *const *mimes,
	int n_mimes, const char *text, size_t len);
/* Another client pastes: asks the client's selection source for `mime`; the read end or -1. */
int fake_compositor_paste(struct fake_compositor *fc, const char *mime);
/* The last key serial sent (fake_compositor_key's press). */
uint32_t fake_compositor_key_serial(struct fake_compositor *fc);
void fake_compositor_stop(struct fake_compositor *fc);

#endif
