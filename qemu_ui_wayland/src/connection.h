/* SPDX-License-Identifier: MIT */
/*
 * The connection layer: the wl_display, its private queue, the registry and
 * the plain globals, and one epoll fd for the socket, timers and fences.
 */
#ifndef VMPD_CONNECTION_H
#define VMPD_CONNECTION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <wayland-client.h>

struct vmpd_log;

/* A deadline; fire runs from dispatch once the timerfd passed the earliest one. */
struct vmpd_timer {
	uint64_t deadline_ns; /* CLOCK_MONOTONIC, 0 when disarmed */
	void (*fire)(struct vmpd_timer *timer);
	struct wl_list link; /* vmpd_connection.timers */
};

/* An fd waited on for readability (a CPU-waited acquire fence), or as asked. */
struct vmpd_watch {
	int fd; /* -1 when nothing is watched */
	uint32_t events; /* epoll events; 0 means EPOLLIN */
	void (*ready)(struct vmpd_watch *watch);
};

/* What the connection reports upward; set once, at init. */
struct vmpd_connection_listener {
	/* A global the connection does not bind itself (dma-buf, seat, reset notifier). */
	void (*global)(void *data, struct wl_registry *reg, uint32_t name,
		       const char *iface, uint32_t version);
	/* The connection broke; runs once, after connected turned false. */
	void (*lost)(void *data, const char *reason);
	/*
	 * vmpd_connection_open()'s handshake ended: ok when every required
	 * global came (connected is true then), else the link is unusable and
	 * the caller closes it.
	 */
	void (*opened)(void *data, bool ok);
};

struct vmpd_connection {
	struct wl_display *wl;
	bool own_wl;
	struct wl_event_queue *queue;
	struct wl_display *wrapper; /* wl_display proxy bound to queue */
	struct wl_registry *registry;

	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct xdg_wm_base *wm_base;
	struct wp_viewporter *viewporter;
	struct wp_presentation *presentation;
	clockid_t presentation_clock;
	struct zwp_linux_explicit_synchronization_v1 *explicit_sync;
	struct zwp_relative_pointer_manager_v1 *relative_pointer_manager;
	struct zwp_pointer_constraints_v1 *pointer_constraints;
	struct zxdg_decoration_manager_v1 *decoration_manager;
	struct wl_shm *shm;
	uint32_t shm_formats; /* bit 0: ARGB8888, bit 1: XRGB8888 */

	int epoll_fd, timer_fd;
	bool write_pending; /* EPOLLOUT armed after EAGAIN */
	bool connected;
	bool in_dispatch;
	/* vmpd_connection_open(): sync round trips left, and the one in flight. */
	unsigned handshake;
	struct wl_callback *handshake_cb;
	bool handshake_over, handshake_ok; /* the last round trip came back */
	bool missing_said; /* a missing global was logged since the last success */
	/* Bumped on every loss and open; a timer that sees it move stops the walk. */
	uint64_t generation;
	struct wl_list timers; /* vmpd_timer.link */

	const struct vmpd_connection_listener *listener;
	void *data;
	const struct vmpd_log *log;
};

/*
 * Connects (or adopts `wl`), binds the globals in three round trips and
 * checks the required ones. False on failure; vmpd_connection_fini cleans up.
 */
bool vmpd_connection_init(struct vmpd_connection *c, struct wl_display *wl,
			  const char *socket_name, const struct vmpd_log *log,
			  const struct vmpd_connection_listener *listener,
			  void *data);
/* Releases the globals and the queue; disconnects when it connected. */
void vmpd_connection_fini(struct vmpd_connection *c);
/*
 * Releases the globals, the queue and the socket but keeps the epoll fd,
 * the timerfd, timers and watches: the caller's fd stays the same across
 * a reconnect. Only for a connection the core opened itself.
 */
void vmpd_connection_close(struct vmpd_connection *c);
/*
 * Opens a closed connection again without blocking: connects, asks for the
 * globals and returns; dispatch carries the three round trips of init and
 * reports the end through listener->opened. False when connect() failed.
 */
bool vmpd_connection_open(struct vmpd_connection *c, const char *socket_name);
void vmpd_connection_flush(struct vmpd_connection *c);
/* Marks the connection gone and tells the listener, once. */
void vmpd_connection_lost(struct vmpd_connection *c, const char *reason);
/* Reads and dispatches what is there, then fences and timers; never blocks. */
bool vmpd_connection_dispatch(struct vmpd_connection *c);
bool vmpd_connection_shm_has(const struct vmpd_connection *c,
			     uint32_t wl_shm_format);

void vmpd_connection_add_timer(struct vmpd_connection *c,
			       struct vmpd_timer *timer);
/* Accepts a timer never added or already removed. */
void vmpd_connection_remove_timer(struct vmpd_timer *timer);
/* Re-arms the timerfd for the earliest deadline. */
void vmpd_connection_update_timer(struct vmpd_connection *c);
/* Watches watch->fd; false when it cannot (the caller treats it as ready). */
bool vmpd_connection_watch(struct vmpd_connection *c, struct vmpd_watch *watch);
void vmpd_connection_unwatch(struct vmpd_connection *c,
			     struct vmpd_watch *watch);

#endif
