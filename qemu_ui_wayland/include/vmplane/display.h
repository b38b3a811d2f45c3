/* SPDX-License-Identifier: MIT */
/*
 * vmplane display core: presents guest scanouts on a Wayland compositor.
 *
 * A head is one guest scanout (a QEMU console) shown as one xdg_toplevel
 * window: an opaque parent surface (background and border) with the guest
 * image in a subsurface on top, scaled to fit with its aspect ratio kept.
 *
 * Knows nothing about QEMU. Single-threaded: every callback runs inside
 * vmpd_display_dispatch() or inside the vmpd_* call that caused it, on the
 * caller's thread. Nothing blocks after vmpd_display_create() returns.
 */
#ifndef VMPLANE_DISPLAY_H
#define VMPLANE_DISPLAY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vmplane/display-dmabuf.h>

struct wl_display;
struct vmpd_display;
struct vmpd_head;

/* Modifier bits reported by the modifiers callback. */
enum vmpd_modifier {
	VMPD_MODIFIER_SHIFT = 1u << 0,
	VMPD_MODIFIER_CAPS = 1u << 1, /* caps lock active */
	VMPD_MODIFIER_CTRL = 1u << 2,
	VMPD_MODIFIER_ALT = 1u << 3,
	VMPD_MODIFIER_LOGO = 1u << 4,
	VMPD_MODIFIER_NUM = 1u << 5, /* num lock active */
	VMPD_MODIFIER_ALTGR = 1u << 6,
};

enum vmpd_axis {
	VMPD_AXIS_VERTICAL = 0,
	VMPD_AXIS_HORIZONTAL = 1,
};

enum vmpd_log_level {
	VMPD_LOG_ERROR,
	VMPD_LOG_WARNING,
	VMPD_LOG_INFO,
	VMPD_LOG_DEBUG,
};

/*
 * The core never prints: every message goes here (QEMU's error_report, a
 * test's stderr). A NULL func drops them. fmt has no trailing newline.
 */
struct vmpd_log {
	void (*func)(void *data, enum vmpd_log_level level, const char *fmt,
		     va_list args);
	void *data;
};

/*
 * All optional. `data` is the pointer given to vmpd_display_create().
 */
struct vmpd_callbacks {
	/* Pacing: block(true) holds the guest, block(false) lets it go; always paired. */
	void (*block)(void *data, struct vmpd_head *head, bool block);
	/* The user asked to close the window. */
	void (*close)(void *data, struct vmpd_head *head);
	/*
	 * The compositor sized the window: its guest area in output pixels
	 * (surface units times the output scale), a hint for guest resolution.
	 */
	void (*resize)(void *data, struct vmpd_head *head, uint32_t width,
		       uint32_t height);
	/* Keyboard focus; on false the caller should lift all pressed keys. */
	void (*focus)(void *data, struct vmpd_head *head, bool in);
	/* Linux evdev key code (linux/input-event-codes.h). */
	void (*key)(void *data, struct vmpd_head *head, uint32_t evdev_code,
		    bool pressed);
	/* vmpd_modifier bits, from xkbcommon. */
	void (*modifiers)(void *data, struct vmpd_head *head,
			  uint32_t modifiers);
	/* Absolute position in guest pixels of the current scanout (width x height). */
	void (*pointer_abs)(void *data, struct vmpd_head *head, uint32_t x,
			    uint32_t y, uint32_t width, uint32_t height);
	/* Relative motion in guest pixels, only while grabbed. */
	void (*pointer_rel)(void *data, struct vmpd_head *head, double dx,
			    double dy);
	/* Linux evdev button code (BTN_LEFT ...). */
	void (*button)(void *data, struct vmpd_head *head,
		       uint32_t evdev_button, bool pressed);
	/* Scroll in wheel clicks (positive: down/right); fractional for touchpads. */
	void (*axis)(void *data, struct vmpd_head *head, enum vmpd_axis axis,
		     double clicks);
	/* The pointer grab (lock + relative motion) started or ended. */
	void (*grab)(void *data, struct vmpd_head *head, bool grabbed);
	/* The compositor reported a GPU reset (recovered=false) or its end (true). */
	void (*gpu_reset)(void *data, bool recovered);
	/*
	 * The connection failed. Every head is now inert (calls return
	 * VMPD_ERR_DISCONNECTED) but still must be destroyed by the caller.
	 * With config.reconnect, heads only wait: see reconnected.
	 */
	void (*disconnected)(void *data, const char *reason);
	/*
	 * config.reconnect: a compositor answered on the same socket again and
	 * every head has its window, cursor and last content back.
	 */
	void (*reconnected)(void *data);
	/*
	 * The compositor's selection is now this text (len bytes of UTF-8,
	 * not NUL terminated; valid only during the call). Read without
	 * blocking when the selection changes while a window has keyboard
	 * focus (compositors send it only then); text over
	 * VMPD_CLIPBOARD_MAX is dropped with an error. Never reports the
	 * text given to vmpd_display_set_clipboard() back.
	 */
	void (*clipboard)(void *data, const char *text, size_t len);
};

struct vmpd_display_config {
	/* Socket name or path; NULL means $WAYLAND_DISPLAY. */
	const char *socket_name;
	/* Use this connection instead of opening one; it is never closed by the core. */
	struct wl_display *wl_display;
	/* Frames handed to the compositor and not yet done; 0 means 1. */
	uint32_t max_frames_in_flight;
	/* Longest time the guest stays blocked, in ms; 0 means 100. */
	uint32_t watchdog_ms;
	/* Skip linux-dmabuf even when offered (tests, debugging). */
	bool disable_dmabuf;
	/* Where the core's messages go; copied, so it may be a temporary. */
	struct vmpd_log log;
	/*
	 * After a disconnect, watch the socket (inotify on its directory, and
	 * a retry every 100 ms doubling to 2 s) and reconnect to the next
	 * compositor there. Meanwhile heads stay: set_surface, set_dmabuf and
	 * the cursor calls are kept (VMPD_OK) and shown on reconnect; updates
	 * return VMPD_ERR_DISCONNECTED at once, counted as
	 * frames_dropped_disconnected, never blocking. Ignored with wl_display
	 * or WAYLAND_SOCKET (no socket to come back to). The fd stays the same.
	 */
	bool reconnect;
	/*
	 * No window decorations at all (kiosks): the compositor is asked for
	 * none, and the core draws neither a title bar nor a border.
	 */
	bool no_decorations;
	/* The thin border instead of libdecor's title bar (tests, light set-ups). */
	bool no_libdecor;
	/* Leave wl_data_device alone: no clipboard either way. */
	bool no_clipboard;
};

/* Who draws a window's title bar and borders (vmpd_display_decorations()). */
enum vmpd_decorations {
	VMPD_DECORATIONS_NONE, /* no_decorations */
	VMPD_DECORATIONS_SERVER, /* the compositor (xdg-decoration) */
	VMPD_DECORATIONS_LIBDECOR, /* the core, through libdecor */
	VMPD_DECORATIONS_BORDER, /* the core's thin border, no title bar */
};

/*
 * Connects (one blocking round trip for the globals) and returns NULL on
 * failure. On success, poll vmpd_display_get_fd() for readability and call
 * vmpd_display_dispatch() whenever it is readable.
 */
struct vmpd_display *vmpd_display_create(
	const struct vmpd_display_config *config,
	const struct vmpd_callbacks *callbacks, void *data);
/* Destroys every remaining head too. Accepts NULL. */
void vmpd_display_destroy(struct vmpd_display *display);

/* One fd covering the Wayland socket and the core's timers. */
int vmpd_display_get_fd(struct vmpd_display *display);
/* Non-blocking. Returns false while the connection is gone. */
bool vmpd_display_dispatch(struct vmpd_display *display);
bool vmpd_display_connected(const struct vmpd_display *display);
/* linux-dmabuf version in use, 0 when none. */
uint32_t vmpd_display_dmabuf_version(const struct vmpd_display *display);
/*
 * How windows are decorated: by the compositor where it offers
 * xdg-decoration, else by libdecor where the core owns the connection
 * (libdecor needs its default queue), else a thin border.
 */
enum vmpd_decorations vmpd_display_decorations(
	const struct vmpd_display *display);
/* The largest clipboard text taken either way, in bytes. */
#define VMPD_CLIPBOARD_MAX (16u * 1024 * 1024)

/*
 * Offers `text` (len bytes of UTF-8) as the compositor's selection, or
 * withdraws the last offer when text is NULL. The compositor wants a
 * recent input serial: with none yet (no key, button or keyboard focus
 * since connecting), the text waits and is offered at the next one.
 * Offered once: when another client (or a clipboard manager) takes the
 * selection, it is not taken back at the next focus. The text is copied
 * and kept across a reconnect, where it is offered anew. False when the
 * compositor has no wl_data_device_manager, the clipboard is off, or the
 * text is over VMPD_CLIPBOARD_MAX.
 */
bool vmpd_display_set_clipboard(struct vmpd_display *display,
				const char *text, size_t len);
/* Whether the compositor's selection is currently the text set above. */
bool vmpd_display_clipboard_offered(const struct vmpd_display *display);

/* The compositor's main device from dma-buf feedback; false when unknown. */
bool vmpd_display_main_device(const struct vmpd_display *display, dev_t *dev);

struct vmpd_head_config {
	const char *title;
	const char *app_id;
	/* Initial window size; 0 uses the first scanout's size. */
	uint32_t width, height;
	bool fullscreen;
};

struct vmpd_head *vmpd_head_create(struct vmpd_display *display,
				   const struct vmpd_head_config *config);
/* Accepts NULL. Releases a pending block before returning. */
void vmpd_head_destroy(struct vmpd_head *head);

void vmpd_head_set_user_data(struct vmpd_head *head, void *user_data);
void *vmpd_head_get_user_data(const struct vmpd_head *head);
void vmpd_head_set_title(struct vmpd_head *head, const char *title);
void vmpd_head_set_fullscreen(struct vmpd_head *head, bool fullscreen);

/*
 * 2D path. `pixels` (width x height, stride bytes per row, a 32-bit RGB
 * fourcc) stays valid and owned by the caller until the next
 * set_surface, set_dmabuf, disable or destroy; updates copy from it.
 */
enum vmpd_status vmpd_head_set_surface(struct vmpd_head *head, uint32_t width,
				       uint32_t height, uint32_t stride,
				       uint32_t fourcc, const void *pixels);

/*
 * dma-buf path. Validates and imports right away (or reuses a cached
 * import of the same buffer). The caller keeps ownership of the fds.
 * A buffer the compositor refuses is copied by the core (GPU blit, else
 * a CPU map shown like a surface); an error means none of that works.
 */
enum vmpd_status vmpd_head_set_dmabuf(struct vmpd_head *head,
				      const struct vmpd_dmabuf *buf);

/*
 * Presents the current surface or dma-buf; `damage` NULL means all of it
 * (guest pixels of the scanout). acquire_fence_fd (-1 for none) is
 * consumed: passed with the commit under explicit sync, else waited for.
 * In both modes the core calls block(true) now and block(false) once the
 * compositor has the frame, or after the watchdog (hidden window).
 */
enum vmpd_status vmpd_head_update(struct vmpd_head *head,
				  const struct vmpd_rect *damage,
				  int acquire_fence_fd);

/* Scanout off: shows the background only, drops cached imports. */
void vmpd_head_disable(struct vmpd_head *head);

/*
 * Unmaps the window (mapped false: the guest turned its output off) or
 * maps it again, which takes a configure from the compositor. Heads
 * start mapped.
 */
void vmpd_head_set_mapped(struct vmpd_head *head, bool mapped);
bool vmpd_head_mapped(const struct vmpd_head *head);

/* Guest cursor image, ARGB8888 premultiplied, w*h pixels; NULL hides it. */
enum vmpd_status vmpd_head_set_cursor(struct vmpd_head *head,
				      const uint32_t *argb, uint32_t width,
				      uint32_t height, int32_t hot_x,
				      int32_t hot_y);
/* Guest cursor position in guest pixels. */
void vmpd_head_move_cursor(struct vmpd_head *head, int32_t x, int32_t y,
			   bool visible);

/* Lock the pointer and report relative motion (Ctrl+Alt+G toggles it too). */
bool vmpd_head_set_grab(struct vmpd_head *head, bool grab);
bool vmpd_head_grabbed(const struct vmpd_head *head);

struct vmpd_stats {
	uint64_t frames_submitted; /* commits with a new frame */
	uint64_t frames_presented; /* presentation feedback: presented */
	uint64_t
		frames_zero_copy; /* presented with the ZERO_COPY flag (on a plane) */
	uint64_t frames_dropped; /* replaced before submission, or discarded */
	uint64_t copies; /* frames the core copied (2D path, fallback blits) */
	uint64_t bytes_copied; /* bytes the core memcpy'd or blitted */
	uint64_t dmabuf_imports; /* wl_buffers created from guest dma-bufs */
	uint64_t dmabuf_cache_hits; /* scanouts that reused a cached import */
	uint64_t watchdog_releases; /* guest released by the watchdog */
	uint64_t fenced_releases; /* explicit-sync releases with a fence */
	uint64_t
		texture_exports; /* GL textures exported as dma-bufs (display-gl.h) */
	uint64_t
		texture_readbacks; /* GL texture frames read back: the fallback's copies */
	uint64_t last_latency_ns; /* last submit -> presented */
	uint64_t
		frames_dropped_disconnected; /* updates while no compositor was there */
	uint64_t reconnects; /* windows re-made for a new compositor */
	bool scanout_tranche; /* current fourcc/modifier is in a scanout tranche */
	bool fallback; /* current dma-buf goes through the copy fallback */
};

/* Counters for the head's lifetime, across disconnects and reconnects. */
void vmpd_head_get_stats(const struct vmpd_head *head,
			 struct vmpd_stats *stats);

#endif
