/* SPDX-License-Identifier: MIT */
/*
 * Reconnect: once the compositor went away, watch for one on the same socket
 * (inotify on its directory, and a retry with backoff) and reopen the
 * connection through vmpd_connection_open(), never blocking the caller.
 */
#ifndef VMPD_RECONNECT_H
#define VMPD_RECONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include "connection.h"

struct vmpd_reconnect_listener {
	/* The dead (or half-opened) connection closes next: release its proxies. */
	void (*drop)(void *data);
};

struct vmpd_reconnect {
	struct vmpd_connection *conn;
	char *socket; /* what wl_display_connect gets */
	char *dir, *name; /* the socket's directory and name (inotify) */
	int inotify_fd;
	struct vmpd_watch watch;
	struct vmpd_timer retry; /* next attempt, or the handshake's deadline */
	uint64_t delay_ns; /* the backoff */
	bool active; /* lost and not back yet */
	uint64_t attempts;
	const struct vmpd_reconnect_listener *listener;
	void *data;
};

/*
 * Before the first connect (libwayland consumes WAYLAND_SOCKET): remembers
 * the socket. False when there is none to come back to (WAYLAND_SOCKET).
 */
bool vmpd_reconnect_init(struct vmpd_reconnect *r, const char *socket_name,
			 struct vmpd_connection *conn,
			 const struct vmpd_reconnect_listener *listener,
			 void *data);
/* Accepts one never initialised (zeroed). */
void vmpd_reconnect_fini(struct vmpd_reconnect *r);
/* The connection was lost: it is closed from the next dispatch, then watched for. */
void vmpd_reconnect_start(struct vmpd_reconnect *r);
/* The reopened connection's handshake ended (its listener's opened). */
void vmpd_reconnect_opened(struct vmpd_reconnect *r, bool ok);

#endif
