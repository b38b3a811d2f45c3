/* SPDX-License-Identifier: MIT */
/*
 * Reconnect: watches the lost compositor's socket with inotify, retries with
 * a backoff besides (100 ms doubling to 2 s), and reopens the connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "reconnect.h"
#include "vmplane/clock.h"

#define RETRY_FIRST_NS 100000000ull
#define RETRY_MAX_NS 2000000000ull
/* A compositor that accepts but never answers is given up on after this. */
#define HANDSHAKE_TIMEOUT_NS 5000000000ull

static void
schedule(struct vmpd_reconnect *r, uint64_t delay_ns)
{
	r->retry.deadline_ns = vmplane_now_ns() + delay_ns;
	vmpd_connection_update_timer(r->conn);
}

static void
watch_dir(struct vmpd_reconnect *r)
{
	if (r->inotify_fd >= 0 || !r->dir)
		return;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return;
	/* bind() creates the socket file: IN_CREATE, or IN_MOVED_TO when renamed in. */
	if (inotify_add_watch(fd, r->dir, IN_CREATE | IN_MOVED_TO) < 0) {
		vmpd_log_emit(r->conn->log, VMPD_LOG_WARNING,
			      "vmplane display: cannot watch %s (%s); "
			      "retrying every 2 s at most instead",
			      r->dir, strerror(errno));
		close(fd);
		return;
	}
	r->inotify_fd = fd;
	r->watch.fd = fd;
	if (!vmpd_connection_watch(r->conn, &r->watch)) {
		close(fd);
		r->inotify_fd = r->watch.fd = -1;
	}
}

static void
unwatch_dir(struct vmpd_reconnect *r)
{
	if (r->inotify_fd < 0)
		return;
	vmpd_connection_unwatch(r->conn, &r->watch);
	close(r->inotify_fd);
	r->inotify_fd = r->watch.fd = -1;
}

/* Closes what is left of the old link; its proxies go first. */
static void
close_link(struct vmpd_reconnect *r)
{
	if (!r->conn->wl)
		return;
	r->listener->drop(r->data);
	vmpd_connection_close(r->conn);
}

static void
attempt(struct vmpd_reconnect *r)
{
	struct vmpd_connection *c = r->conn;
	if (!r->active || c->handshake || c->connected)
		return;
	close_link(r);
	watch_dir(r);
	r->attempts++;
	if (vmpd_connection_open(c, r->socket)) {
		schedule(r, HANDSHAKE_TIMEOUT_NS);
		return;
	}
	schedule(r, r->delay_ns);
	r->delay_ns = r->delay_ns * 2 < RETRY_MAX_NS ? r->delay_ns * 2
						     : RETRY_MAX_NS;
}

static void
retry_fire(struct vmpd_timer *timer)
{
	struct vmpd_reconnect *r = wl_container_of(timer, r, retry);
	uint64_t deadline = timer->deadline_ns;
	if (!r->active || !deadline || vmplane_now_ns() < deadline)
		return;
	timer->deadline_ns = 0;
	if (r->conn->handshake) {
		vmpd_log_emit(r->conn->log, VMPD_LOG_WARNING,
			      "vmplane display: the compositor at %s did not "
			      "answer within 5 s; trying again",
			      r->socket);
		close_link(r);
	}
	attempt(r);
}

static void
inotify_ready(struct vmpd_watch *watch)
{
	struct vmpd_reconnect *r = wl_container_of(watch, r, watch);
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	bool ours = false;
	ssize_t n;
	while ((n = read(r->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			if ((ev->mask & IN_Q_OVERFLOW) ||
			    (ev->len && strcmp(ev->name, r->name) == 0))
				ours = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (!ours)
		return;
	/* A new socket: try now and start the backoff over. */
	r->delay_ns = RETRY_FIRST_NS;
	attempt(r);
}

bool
vmpd_reconnect_init(struct vmpd_reconnect *r, const char *socket_name,
		    struct vmpd_connection *conn,
		    const struct vmpd_reconnect_listener *listener, void *data)
{
	*r = (struct vmpd_reconnect){
		.conn = conn,
		.inotify_fd = -1,
		.watch = { .fd = -1, .ready = inotify_ready },
		.retry = { .fire = retry_fire },
		.listener = listener,
		.data = data,
	};
	const char *name = socket_name;
	if (!name) {
		/* An inherited fd names no socket to come back to. */
		if (getenv("WAYLAND_SOCKET"))
			return false;
		name = getenv("WAYLAND_DISPLAY");
		if (!name || !*name)
			name = "wayland-0";
	}
	r->socket = strdup(name);
	const char *slash = strrchr(name, '/');
	if (slash) {
		r->dir = strndup(name, (size_t)(slash - name) + 1);
		r->name = strdup(slash + 1);
	} else {
		const char *runtime = getenv("XDG_RUNTIME_DIR");
		r->dir = runtime ? strdup(runtime) : NULL;
		r->name = strdup(name);
	}
	if (!r->socket || !r->name) {
		vmpd_reconnect_fini(r);
		return false;
	}
	return true;
}

void
vmpd_reconnect_fini(struct vmpd_reconnect *r)
{
	if (r->conn) {
		unwatch_dir(r);
		vmpd_connection_remove_timer(&r->retry);
	}
	free(r->socket);
	free(r->dir);
	free(r->name);
	r->socket = r->dir = r->name = NULL;
	r->conn = NULL;
	r->active = false;
}

void
vmpd_reconnect_start(struct vmpd_reconnect *r)
{
	if (!r->conn || r->active)
		return;
	r->active = true;
	r->attempts = 0;
	r->delay_ns = RETRY_FIRST_NS;
	if (!r->retry.link.next)
		vmpd_connection_add_timer(r->conn, &r->retry);
	/*
	 * Not closed here: the loss may be reported from inside libwayland's
	 * dispatch. The timer runs the first attempt from the next dispatch.
	 */
	schedule(r, 0);
}

void
vmpd_reconnect_opened(struct vmpd_reconnect *r, bool ok)
{
	if (!r->active)
		return;
	if (!ok) {
		close_link(r);
		schedule(r, r->delay_ns);
		r->delay_ns = r->delay_ns * 2 < RETRY_MAX_NS ? r->delay_ns * 2
							     : RETRY_MAX_NS;
		return;
	}
	r->active = false;
	r->retry.deadline_ns = 0;
	unwatch_dir(r);
	vmpd_connection_update_timer(r->conn);
}
