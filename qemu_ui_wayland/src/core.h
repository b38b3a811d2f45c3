/* SPDX-License-Identifier: MIT */
/*
 * Internal state shared by the core's source files. Calls run one way:
 * display -> head -> path -> pacing -> connection. Events come back up only
 * through listeners and callbacks registered when the lower object was made.
 *
 * A frame's route: vmpd_head_update() in head.c hands the guest's frame to
 * the head's path, shm-path.c or dmabuf-path.c, whose update records the
 * damage (and fence) in the path's state and gives the frame to pacing.c.
 * pacing.c waits for the pacer's turn (in-flight limit, acquire fence,
 * pending import) and calls commit.c, which fills a free shm buffer or
 * takes the current import, attaches it with damage, crop and fence and
 * ends in wl_surface_commit(); pacing.c then flushes through connection.c.
 * No file is entered twice on the way. A buffer the compositor refuses or
 * does not list has its fate decided in fallback.c alone (GPU copy, else
 * CPU map shown by the shm path); the head carries out the switch.
 *
 * A GL texture scanout (gl-scanout.c, display-gl.h) sits above the head and
 * only produces frames for it: the texture exported once as a dma-buf goes
 * in through vmpd_head_set_dmabuf(), else each frame is read back into
 * pixels given to vmpd_head_set_surface(); its updates are vmpd_head_update()
 * (with a native fence as acquire fence on the export path). From there the
 * route is the one above; nothing below the head knows about GL.
 */
#ifndef VMPD_CORE_H
#define VMPD_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <pixman.h>
#include <wayland-client.h>

#include <vmplane/display.h>
#include <vmplane/pacer.h>

#include "connection.h"
#include "feedback-table.h"
#include "log.h"
#include "path.h"
#include "reconnect.h"

struct libdecor;
struct libdecor_configuration;
struct libdecor_frame;
struct xkb_context;
struct xkb_keymap;
struct xkb_state;

struct vmpd_input {
	struct wl_seat *seat;
	uint32_t seat_caps;
	struct wl_keyboard *keyboard;
	struct wl_pointer *pointer;
	struct xkb_context *xkb;
	struct xkb_keymap *keymap;
	struct xkb_state *xkb_state;
	uint32_t modifiers;
	struct vmpd_head *keyboard_focus;
	/* The surface wl_keyboard.enter named (the toplevel or the scanout). */
	struct wl_surface *keyboard_surface;
	struct vmpd_head *pointer_focus;
	uint32_t pointer_enter_serial;
	double pointer_x, pointer_y; /* relative to the scanout's top left */
	bool pointer_on_parent;
	/* Wheel clicks announced for the next axis event, per axis. */
	int32_t axis_discrete[2];
	struct zwp_relative_pointer_v1 *relative;
};

struct vmpd_display {
	struct vmpd_connection conn; /* the wl_display and the plain globals */

	struct zwp_linux_dmabuf_v1 *dmabuf;
	uint32_t dmabuf_version;
	struct zwp_linux_dmabuf_feedback_v1 *default_feedback;
	struct vmpd_feedback feedback;
	struct vmpd_gpu_blit *gpu; /* GPU copy fallback, made on first need */
	bool gpu_tried;
	struct vmpd_format *v3_formats; /* linux-dmabuf v3 modifier events */
	size_t n_v3_formats;
	struct vmplane_reset_notifier_v1 *reset_notifier;
	struct libdecor *libdecor; /* decor.c; NULL: SSD, no decorations or a border */
	struct vmpd_clipboard *clipboard; /* clipboard.c */

	struct vmpd_input input;
	struct wl_list heads; /* vmpd_head.link */
	struct wl_list outputs; /* scale.c's wl_outputs */

	/* config.reconnect and a socket to come back to: heads outlive the link. */
	bool can_reconnect;
	struct vmpd_reconnect reconnect;

	struct vmpd_display_config config;
	struct vmpd_log log; /* config.log, for the core's files */
	struct vmpd_callbacks cb;
	void *data;
};

struct vmpd_shm_buffer {
	struct vmpd_head *head;
	struct wl_buffer *wl;
	void *data;
	size_t size;
	bool busy; /* attached and not yet released */
	pixman_region32_t stale; /* areas older than the guest's image */
};

/* Two in turn; a third only while the compositor holds both. */
#define VMPD_SHM_BUFFERS 3
#define VMPD_DMABUF_CACHE 4
#define VMPD_HEAD_OUTPUTS 8

/* The shm path's state: its buffers, the guest pixels and the damage owed. */
struct vmpd_shm_path {
	struct vmpd_path base;
	struct vmpd_shm_pool *pool;
	struct vmpd_shm_buffer buffers[VMPD_SHM_BUFFERS];
	uint32_t width, height, stride, fourcc;
	const uint8_t *src;
	uint32_t src_stride;
	pixman_region32_t pending; /* damage not yet committed */
};

enum vmpd_import_state {
	VMPD_IMPORT_PENDING, /* params.create sent, no answer yet */
	VMPD_IMPORT_READY, /* wl is the guest's own buffer */
	VMPD_IMPORT_FALLBACK, /* shown through a copy of the mapping */
	VMPD_IMPORT_FAILED, /* neither works */
};

struct vmpd_dmabuf_entry {
	struct vmpd_head *head;
	struct wl_buffer *wl;
	struct zwp_linux_buffer_params_v1 *params;
	enum vmpd_import_state state;
	int fd; /* dup of plane 0, for the fallback mapping */
	void *map;
	size_t map_size;
	uint32_t offset;
	struct vmpd_gpu_target *target; /* GPU fallback: wl shows this copy */
	struct vmpd_dmabuf desc; /* the guest buffer, fd[0] = our dup */
	dev_t dev;
	ino_t ino;
	uint32_t fourcc, width, height, stride;
	uint64_t modifier;
	bool y_invert; /* part of the wl_buffer, so part of the key */
	uint64_t last_use;
	bool busy;
	struct wl_list releases; /* release.c: releases outstanding */
};

/* The dma-buf path's state: the import cache, the current entry, damage and fence. */
struct vmpd_dmabuf_path {
	struct vmpd_path base;
	struct vmpd_dmabuf_entry *cache[VMPD_DMABUF_CACHE];
	struct vmpd_dmabuf_entry *current;
	struct vmpd_rect src; /* the scanout rectangle in the current buffer */
	pixman_region32_t damage; /* buffer coords, not yet committed */
	int acquire_fence; /* rides the next commit (explicit sync) */
	uint64_t use_clock;
	/* Set by the head: the current import was refused and fallback.c mapped it. */
	void (*mapped)(struct vmpd_head *head, struct vmpd_dmabuf_entry *e);
};

/* How a committed frame ends, reported to pacing (set by pacing per commit). */
struct vmpd_commit_events {
	void (*presented)(struct vmpd_head *head, uint64_t seq, bool zero_copy);
	void (*discarded)(struct vmpd_head *head, uint64_t seq);
	void (*done)(struct vmpd_head *head, uint64_t seq);
};

/* One commit: the pacer's seq and the two proxies that may end it. */
struct vmpd_frame {
	struct vmpd_head *head;
	const struct vmpd_commit_events *events;
	struct wp_presentation_feedback *feedback;
	struct wl_callback *callback;
	uint64_t seq;
	struct wl_list link;
};

/* What a head shows, kept so that a reconnect can show it again. */
enum vmpd_content_kind {
	VMPD_CONTENT_NONE,
	VMPD_CONTENT_SURFACE,
	VMPD_CONTENT_DMABUF,
};

struct vmpd_content {
	enum vmpd_content_kind kind;
	uint32_t width, height, stride, fourcc; /* SURFACE */
	const void *pixels; /* SURFACE: the caller's */
	struct vmpd_dmabuf dmabuf; /* DMABUF: every fd is a dup of ours */
};

struct vmpd_head {
	struct vmpd_display *display;
	struct wl_list link;
	void *user_data;

	struct wl_surface *surface; /* parent: opaque background */
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct zxdg_toplevel_decoration_v1 *decoration;
	bool server_decorations;
	struct wl_subsurface *scanout_sub;
	struct wl_surface *scanout;
	struct wp_viewport *scanout_viewport;
	struct wp_viewport *parent_viewport;
	struct zwp_linux_surface_synchronization_v1 *surface_sync;
	struct zwp_linux_dmabuf_feedback_v1 *surface_feedback;
	struct vmpd_feedback feedback;
	struct zwp_locked_pointer_v1 *locked;
	struct wl_buffer
		*background; /* 1x1 opaque shm, scaled by parent_viewport */
	bool configured;
	bool size_from_compositor; /* last configure imposed a size */
	bool size_from_config; /* the caller chose the window size */
	bool grabbed;
	bool fullscreen;
	bool unmapped; /* vmpd_head_set_mapped(false): no buffer on the toplevel */
	/* Outputs the window is on, and their largest scale (scale.c). */
	struct wl_output *outputs[VMPD_HEAD_OUTPUTS];
	int n_outputs;
	int32_t scale;
	/* Sent after the initial commit of a new mapping (head-map.c). */
	struct wl_callback *map_sync;

	uint32_t win_w, win_h; /* window size in surface coords */
	/* Where the scanout sits inside the window. */
	int32_t dst_x, dst_y;
	uint32_t dst_w, dst_h;
	uint32_t border; /* client-side border width without SSD */

	/* The path showing the guest: NULL, &shm.base or &dmabuf.base. */
	struct vmpd_path *path;
	struct vmpd_shm_path shm;
	struct vmpd_dmabuf_path dmabuf;
	uint32_t guest_w, guest_h; /* visible scanout size in guest pixels */

	bool fallback_warned; /* fallback.c said once that it copies */

	struct vmpd_cursor *cursor;

	struct vmsync_pacer *pacer;
	struct vmpd_timer watchdog; /* the pacer's deadline, 0 when disarmed */
	bool blocked; /* block(true) sent, block(false) owed */
	struct wl_list frames; /* vmpd_frame.link, committed and not ended */
	/* Waiting frame: its seq, what it still waits for, its acquire fence. */
	uint64_t wait_seq;
	unsigned wait_count;
	struct vmpd_watch wait_fence;
	bool wait_import;

	/*
	 * Kept across a reconnect: what the window was asked to be and show;
	 * also what a new window role (first, or after a remap) is made with.
	 */
	char *title, *app_id;
	bool want_fullscreen;
	struct vmpd_content content;

	/* Lifetime counters; the pacer's are added in when it goes. */
	struct vmpd_stats stats;

	/* decor.c: the libdecor frame instead of xdg_surface/toplevel. */
	struct libdecor_frame *frame;
	bool scanout_raised; /* the scanout re-stacked above libdecor's surfaces */
	struct libdecor_configuration *decor_configuration; /* being acked */
	/* placement.c: the parent has a buffer; its size then; remaps done. */
	bool mapped;
	uint32_t map_w, map_h;
	unsigned remaps;
	uint64_t first_map_ns;
	bool remap_pending; /* asked for inside libdecor's configure */
};

/* The shm buffer the next commit would fill, or NULL while all are held. */
static inline struct vmpd_shm_buffer *
vmpd_shm_free_buffer(struct vmpd_shm_path *s)
{
	for (int i = 0; i < VMPD_SHM_BUFFERS; i++) {
		if (s->buffers[i].wl && !s->buffers[i].busy)
			return &s->buffers[i];
	}
	return NULL;
}

/* display.c: the top level; creates the connection, heads and listeners. */

/* head.c */
void vmpd_head_layout(struct vmpd_head *head);
/* A configure's size (0 when none) and fullscreen state, from xdg or libdecor. */
void vmpd_head_configure(struct vmpd_head *head, int32_t width, int32_t height,
			 bool fullscreen);
void vmpd_head_commit_parent(struct vmpd_head *head);
void vmpd_head_guest_from_surface(struct vmpd_head *head, double sx, double sy,
				  uint32_t *gx, uint32_t *gy);
struct vmpd_head *vmpd_head_from_surface(struct vmpd_display *d,
					 struct wl_surface *surface);
void vmpd_head_lost(struct vmpd_head *head);
/* After a reconnect: the window again, then its cursor and the last content. */
void vmpd_head_restore(struct vmpd_head *head);
/* scale.c: output scales and the outputs each head is on */
void vmpd_scale_bind_output(struct vmpd_display *d, struct wl_registry *reg,
			    uint32_t name, uint32_t version);
void vmpd_scale_fini(struct vmpd_display *d);
void vmpd_scale_head_init(struct vmpd_head *head);
/* head-map.c: drops the pending sync of a new mapping. */
void vmpd_head_map_fini(struct vmpd_head *head);
/* Puts the scanout on top of its siblings again (a new wl_subsurface). */
void vmpd_head_raise_scanout(struct vmpd_head *head);
/* After a dispatch: a remap asked for where it could not run. */
void vmpd_head_run_pending(struct vmpd_head *head);

/* shm-path.c: the shm path (guest pixels copied into wl_shm buffers) */
void vmpd_shm_path_init(struct vmpd_shm_path *s, struct vmpd_head *head);
/* Points the shm path at `pixels`; the head switches to it on VMPD_OK. */
enum vmpd_status vmpd_shm_set_surface(struct vmpd_shm_path *s, uint32_t width,
				      uint32_t height, uint32_t stride,
				      uint32_t fourcc, const void *pixels);
/* set_surface's argument checks alone (no connection needed). */
enum vmpd_status vmpd_shm_check(uint32_t width, uint32_t height,
				uint32_t stride, uint32_t fourcc);
/* Whether the shm path has buffers to show (set_surface may fail after dropping them). */
bool vmpd_shm_has_buffers(const struct vmpd_shm_path *s);
/* A 1x1 opaque buffer, or NULL. */
struct wl_buffer *vmpd_shm_solid_buffer(struct vmpd_display *d, uint32_t argb);

/* dmabuf-path.c: the dma-buf path (the guest's buffer, or fallback.c's copy, attached) */
void vmpd_dmabuf_path_init(struct vmpd_dmabuf_path *dp, struct vmpd_head *head,
			   void (*mapped)(struct vmpd_head *head,
					  struct vmpd_dmabuf_entry *e));
/*
 * Imports or reuses `buf` and makes it current. On VMPD_OK *mapped is NULL
 * when the dma-buf path shows it, or the entry fallback.c mapped, which the
 * head must show through the shm path.
 */
enum vmpd_status vmpd_dmabuf_set(struct vmpd_dmabuf_path *dp,
				 const struct vmpd_dmabuf *buf,
				 struct vmpd_dmabuf_entry **mapped);

/* release.c: zwp_linux_buffer_release_v1 per dma-buf commit (explicit sync) */
/* Asks for the release of the commit being built (attach done), if offered. */
void vmpd_release_request(struct vmpd_head *head, struct vmpd_dmabuf_entry *e);
/* Whether per-commit releases of `e` are outstanding: its wl_buffer.release
 * then proves nothing (a fenced release may follow). */
bool vmpd_release_outstanding(const struct vmpd_dmabuf_entry *e);
/* Drops the outstanding releases (the entry goes). */
void vmpd_release_fini(struct vmpd_dmabuf_entry *e);

/* pacing.c: over sync/'s vmsync_pacer; decides when commit.c commits. */
bool vmpd_pacing_init(struct vmpd_head *head);
void vmpd_pacing_fini(struct vmpd_head *head);
/* A new guest frame showing `buffer`; acquire_fence_fd is consumed. */
void vmpd_pacing_frame(struct vmpd_head *head, uint64_t buffer, bool copied,
		       int acquire_fence_fd, bool import_pending);
void vmpd_pacing_buffer_released(struct vmpd_head *head, uint64_t buffer);
/* The import the waiting frame needed is answered (either way). */
void vmpd_pacing_import_done(struct vmpd_head *head);
void vmpd_pacing_gone(struct vmpd_head *head);
void vmpd_pacing_disable(struct vmpd_head *head);

/*
 * commit.c: pacing's turn for frame seq. Commits what head->path prepared
 * (fills a free shm buffer, or the current import with its crop and fence),
 * with presentation feedback and a frame callback reported to `events`.
 * False when nothing was committed.
 */
bool vmpd_commit_frame(struct vmpd_head *head, uint64_t seq,
		       const struct vmpd_commit_events *events);
/* Forgets every frame still tracked; their events never come. */
void vmpd_commit_fini(struct vmpd_head *head);

/* feedback-listener.c: linux-dmabuf's global, feedback (v4) and format lists (v3) */
void vmpd_feedback_bind(struct vmpd_display *d, struct wl_registry *reg,
			uint32_t name, uint32_t version);
void vmpd_feedback_release(struct vmpd_display *d);
void vmpd_feedback_head_init(struct vmpd_head *head);
void vmpd_feedback_head_fini(struct vmpd_head *head);
/* Whether the compositor lists the pair for this head; *known false when it said nothing. */
bool vmpd_feedback_lists(const struct vmpd_head *head, uint32_t fourcc,
			 uint64_t modifier, bool *known);

/*
 * fallback.c: the one place that decides what happens to a buffer the
 * compositor refuses or cannot take (GPU copy, then CPU map into shm).
 */
/*
 * A new entry the compositor does not list: true when a fallback took it.
 * import->n_planes is then 1 when the caller must import that GPU copy
 * (LINEAR), 0 when e is mapped for the CPU.
 */
bool vmpd_fallback_unlisted(struct vmpd_dmabuf_entry *e,
			    struct vmpd_dmabuf *import);
/* The compositor refused e's wl_buffer (the guest's, or our GPU copy); import as above. */
void vmpd_fallback_refused(struct vmpd_dmabuf_entry *e,
			   struct vmpd_dmabuf *import);
/*
 * Points the shm path at a CPU-mapped entry. On VMPD_OK the head switches
 * to the shm path, commits its layout, then applies *transform (the flip
 * must only reach the commit that carries the mapped frame).
 */
enum vmpd_status vmpd_fallback_show_mapped(struct vmpd_dmabuf_entry *e,
					   enum wl_output_transform *transform);
/* commit.c's turn for a GPU-copied entry: copies the guest's new frame again. */
bool vmpd_fallback_recopy(struct vmpd_dmabuf_entry *e);
/* After a compositor GPU reset: our own context is rebuilt too. */
void vmpd_fallback_gpu_recover(struct vmpd_display *d);
void vmpd_fallback_fini(struct vmpd_display *d);

/* cursor.c: keeps a copy of the guest's image, so it outlives a reconnect. */
struct vmpd_cursor *vmpd_cursor_create(struct vmpd_head *head);
void vmpd_cursor_destroy(struct vmpd_cursor *cursor);
/* Connection lost: the Wayland objects go, the image and position stay. */
void vmpd_cursor_lost(struct vmpd_cursor *cursor);
/* Reconnected, after the head's surfaces: false when out of memory. */
bool vmpd_cursor_restore(struct vmpd_cursor *cursor);
enum vmpd_status vmpd_cursor_set_image(struct vmpd_cursor *cursor,
				       const uint32_t *argb, uint32_t width,
				       uint32_t height, int32_t hot_x,
				       int32_t hot_y);
void vmpd_cursor_move(struct vmpd_cursor *cursor, int32_t x, int32_t y,
		      bool visible);
/* Applies the cursor to wl_pointer after enter or a change. */
void vmpd_cursor_apply(struct vmpd_cursor *cursor);

/* input.c */
void vmpd_input_bind_seat(struct vmpd_display *d, struct wl_registry *reg,
			  uint32_t name, uint32_t version);
void vmpd_input_fini(struct vmpd_display *d);
void vmpd_input_forget_head(struct vmpd_display *d, struct vmpd_head *head);
bool vmpd_input_set_grab(struct vmpd_head *head, bool grab);

/* clipboard.c: wl_data_device's selection both ways */
bool vmpd_clipboard_init(struct vmpd_display *d);
void vmpd_clipboard_destroy(struct vmpd_display *d);
void vmpd_clipboard_bind(struct vmpd_display *d, struct wl_registry *reg,
			 uint32_t name, uint32_t version);
/* The seat is bound: the data device can be made. */
void vmpd_clipboard_seat_ready(struct vmpd_display *d);
/* An input serial that set_selection may use (key, button, keyboard enter). */
void vmpd_clipboard_serial(struct vmpd_display *d, uint32_t serial);
/* The link is gone: its proxies go, the guest's text stays. */
void vmpd_clipboard_lost(struct vmpd_display *d);

/* decor.c: libdecor's frame, where the core draws the decorations itself. */
bool vmpd_decor_init(struct vmpd_display *d);
void vmpd_decor_fini(struct vmpd_display *d);
/* Dispatches libdecor's events (the default queue) after the connection read. */
void vmpd_decor_dispatch(struct vmpd_display *d);
/* False when libdecor is not in use: the head makes its own xdg toplevel. */
bool vmpd_decor_head_create(struct vmpd_head *head);
void vmpd_decor_head_destroy(struct vmpd_head *head);
/* Before the parent's commit: window geometry and decorations for win_w x win_h. */
void vmpd_decor_commit(struct vmpd_head *head);
void vmpd_decor_set_title(struct vmpd_head *head, const char *title);
void vmpd_decor_set_fullscreen(struct vmpd_head *head, bool fullscreen);

/*
 * placement.c: where the compositor places a window only when it maps
 * (Weston 10), the window maps with its first frame and maps again when
 * the guest's early mode changes grow it.
 */
/* Whether the parent may get its buffer now (it has a frame, or is mapped). */
bool vmpd_placement_may_map(const struct vmpd_head *head);
void vmpd_placement_mapped(struct vmpd_head *head);
/* Whether the grown window should unmap and map again to be placed anew. */
bool vmpd_placement_should_remap(const struct vmpd_head *head);

/* copy-count.c: every byte the core copies goes through here. */
void vmpd_copy_rect(struct vmpd_head *head, uint8_t *dst, uint32_t dst_stride,
		    const uint8_t *src, uint32_t src_stride, uint32_t x,
		    uint32_t y, uint32_t w, uint32_t h, uint32_t cpp);

#endif
