/* SPDX-License-Identifier: MIT */
/*
 * The connection layer: wl_display, private queue, registry, the plain
 * globals, and the epoll fd that covers the socket, timers and fences.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "connection.h"
#include "log.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static void
wm_base_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_ping,
};

static void
shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct vmpd_connection *c = data;
	if (format == WL_SHM_FORMAT_ARGB8888)
		c->shm_formats |= 1u;
	else if (format == WL_SHM_FORMAT_XRGB8888)
		c->shm_formats |= 2u;
}

static const struct wl_shm_listener shm_listener = {
	.format = shm_format,
};

bool
vmpd_connection_shm_has(const struct vmpd_connection *c, uint32_t wl_shm_format)
{
	if (wl_shm_format == WL_SHM_FORMAT_ARGB8888)
		return c->shm_formats & 1u;
	if (wl_shm_format == WL_SHM_FORMAT_XRGB8888)
		return c->shm_formats & 2u;
	return false;
}

static void
presentation_clock_id(void *data, struct wp_presentation *p, uint32_t clk_id)
{
	struct vmpd_connection *c = data;
	c->presentation_clock = (clockid_t)clk_id;
}

static const struct wp_presentation_listener presentation_listener = {
	.clock_id = presentation_clock_id,
};

static uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void
registry_global(void *data, struct wl_registry *reg, uint32_t name,
		const char *iface, uint32_t version)
{
	struct vmpd_connection *c = data;

	if (strcmp(iface, wl_compositor_interface.name) == 0 && version >= 4) {
		c->compositor = wl_registry_bind(reg, name,
						 &wl_compositor_interface,
						 min_u32(version, 4));
	} else if (strcmp(iface, wl_subcompositor_interface.name) == 0) {
		c->subcompositor = wl_registry_bind(
			reg, name, &wl_subcompositor_interface, 1);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface,
					      1);
		xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	} else if (strcmp(iface, wp_viewporter_interface.name) == 0) {
		c->viewporter = wl_registry_bind(reg, name,
						 &wp_viewporter_interface, 1);
	} else if (strcmp(iface, wp_presentation_interface.name) == 0) {
		c->presentation = wl_registry_bind(
			reg, name, &wp_presentation_interface, 1);
		wp_presentation_add_listener(c->presentation,
					     &presentation_listener, c);
	} else if (strcmp(iface, zwp_linux_explicit_synchronization_v1_interface
					 .name) == 0) {
		c->explicit_sync = wl_registry_bind(
			reg, name,
			&zwp_linux_explicit_synchronization_v1_interface, 1);
	} else if (strcmp(iface,
			  zwp_relative_pointer_manager_v1_interface.name) ==
		   0) {
		c->relative_pointer_manager = wl_registry_bind(
			reg, name, &zwp_relative_pointer_manager_v1_interface,
			1);
	} else if (strcmp(iface, zwp_pointer_constraints_v1_interface.name) ==
		   0) {
		c->pointer_constraints = wl_registry_bind(
			reg, name, &zwp_pointer_constraints_v1_interface, 1);
	} else if (strcmp(iface, zxdg_decoration_manager_v1_interface.name) ==
		   0) {
		c->decoration_manager = wl_registry_bind(
			reg, name, &zxdg_decoration_manager_v1_interface, 1);
	} else if (strcmp(iface, wl_shm_interface.name) == 0) {
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
		wl_shm_add_listener(c->shm, &shm_listener, c);
	} else if (c->listener->global) {
		c->listener->global(c->data, reg, name, iface, version);
	}
}

static void
registry_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	/* Hot-unplugged seats or outputs need nothing from a single-seat client yet. */
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* epoll data: these two tags, or the vmpd_watch of a fence. */
#define EPOLL_TAG_WAYLAND 0u
#define EPOLL_TAG_TIMER 1u

bool
vmpd_connection_watch(struct vmpd_connection *c, struct vmpd_watch *watch)
{
	struct epoll_event ev = { .events = watch->events ? watch->events
							  : EPOLLIN,
				  .data.u64 = (uint64_t)(uintptr_t)watch };
	return c->epoll_fd >= 0 &&
	       epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, watch->fd, &ev) == 0;
}

void
vmpd_connection_unwatch(struct vmpd_connection *c, struct vmpd_watch *watch)
{
	if (c->epoll_fd >= 0)
		epoll_ctl(c->epoll_fd, EPOLL_CTL_DEL, watch->fd, NULL);
}

static void
run_fences(struct vmpd_connection *c)
{
	struct epoll_event evs[8];
	int n = epoll_wait(c->epoll_fd, evs, 8, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == EPOLL_TAG_WAYLAND ||
		    evs[i].data.u64 == EPOLL_TAG_TIMER)
			continue;
		struct vmpd_watch *watch =
			(struct vmpd_watch *)(uintptr_t)evs[i].data.u64;
		watch->ready(watch);
	}
}

static bool
setup_fds(struct vmpd_connection *c)
{
	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->epoll_fd < 0 || c->timer_fd < 0)
		return false;
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = EPOLL_TAG_WAYLAND };
	if (epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, wl_display_get_fd(c->wl),
		      &ev) != 0)
		return false;
	ev.data.u64 = EPOLL_TAG_TIMER;
	return epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, c->timer_fd, &ev) == 0;
}

static bool
roundtrip(struct vmpd_connection *c)
{
	return wl_display_roundtrip_queue(c->wl, c->queue) >= 0;
}

static bool
has_required_globals(struct vmpd_connection *c)
{
	if (c->compositor && c->subcompositor && c->wm_base && c->shm &&
	    c->viewporter) {
		c->missing_said = false;
		return true;
	}
	/* Once per outage: a reconnect retries every 2 s at most. */
	if (c->missing_said)
		return false;
	c->missing_said = true;
	vmpd_log_emit(c->log, VMPD_LOG_ERROR,
		      "vmplane display: compositor lacks a required "
		      "global (wl_compositor v4, wl_subcompositor, "
		      "xdg_wm_base, wl_shm, wp_viewporter)");
	return false;
}

/* A private queue keeps us apart from anyone else sharing the connection. */
static bool
setup_queue(struct vmpd_connection *c)
{
	c->queue = wl_display_create_queue(c->wl);
	c->wrapper = wl_proxy_create_wrapper(c->wl);
	if (!c->queue || !c->wrapper)
		return false;
	wl_proxy_set_queue((struct wl_proxy *)c->wrapper, c->queue);
	c->registry = wl_display_get_registry(c->wrapper);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	return true;
}

bool
vmpd_connection_init(struct vmpd_connection *c, struct wl_display *wl,
		     const char *socket_name, const struct vmpd_log *log,
		     const struct vmpd_connection_listener *listener,
		     void *data)
{
	c->epoll_fd = c->timer_fd = -1;
	c->presentation_clock = CLOCK_MONOTONIC;
	wl_list_init(&c->timers);
	c->listener = listener;
	c->data = data;
	c->log = log;
	if (wl) {
		c->wl = wl;
	} else {
		c->wl = wl_display_connect(socket_name);
		c->own_wl = true;
	}
	if (!c->wl || !setup_queue(c))
		return false;
	c->connected = true;
	/* Globals, then the events they send on bind (shm formats, seat caps, feedback). */
	if (!roundtrip(c) || !roundtrip(c) || !roundtrip(c))
		return false;
	return has_required_globals(c) && setup_fds(c);
}

#define DESTROY(p, fn)              \
	do {                        \
		if (p) {            \
			fn(p);      \
			(p) = NULL; \
		}                   \
	} while (0)

void
vmpd_connection_close(struct vmpd_connection *c)
{
	DESTROY(c->handshake_cb, wl_callback_destroy);
	c->handshake = 0;
	c->handshake_over = false;
	DESTROY(c->compositor, wl_compositor_destroy);
	DESTROY(c->subcompositor, wl_subcompositor_destroy);
	DESTROY(c->wm_base, xdg_wm_base_destroy);
	DESTROY(c->viewporter, wp_viewporter_destroy);
	DESTROY(c->presentation, wp_presentation_destroy);
	DESTROY(c->explicit_sync,
		zwp_linux_explicit_synchronization_v1_destroy);
	DESTROY(c->relative_pointer_manager,
		zwp_relative_pointer_manager_v1_destroy);
	DESTROY(c->pointer_constraints, zwp_pointer_constraints_v1_destroy);
	DESTROY(c->decoration_manager, zxdg_decoration_manager_v1_destroy);
	DESTROY(c->shm, wl_shm_destroy);
	DESTROY(c->registry, wl_registry_destroy);
	if (c->wl && c->connected)
		wl_display_flush(c->wl);
	/* Events still queued for destroyed proxies hold references: drain them. */
	if (c->queue)
		wl_display_dispatch_queue_pending(c->wl, c->queue);
	DESTROY(c->wrapper, wl_proxy_wrapper_destroy);
	DESTROY(c->queue, wl_event_queue_destroy);
	if (c->wl && c->epoll_fd >= 0)
		epoll_ctl(c->epoll_fd, EPOLL_CTL_DEL, wl_display_get_fd(c->wl),
			  NULL);
	if (c->own_wl && c->wl)
		wl_display_disconnect(c->wl);
	c->wl = NULL;
	c->connected = false;
	c->write_pending = false;
	c->shm_formats = 0;
	c->presentation_clock = CLOCK_MONOTONIC;
}

void
vmpd_connection_fini(struct vmpd_connection *c)
{
	vmpd_connection_close(c);
	if (c->epoll_fd >= 0)
		close(c->epoll_fd);
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	c->epoll_fd = c->timer_fd = -1;
}

static void handshake_step(struct vmpd_connection *c);

static void
handshake_done(void *data, struct wl_callback *cb, uint32_t serial)
{
	struct vmpd_connection *c = data;
	wl_callback_destroy(cb);
	c->handshake_cb = NULL;
	if (--c->handshake > 0) {
		handshake_step(c);
		return;
	}
	/* Reported by dispatch once libwayland's own dispatch has returned. */
	c->handshake_ok = has_required_globals(c);
	c->handshake_over = true;
	if (c->handshake_ok) {
		c->connected = true;
		c->generation++;
	}
}

static const struct wl_callback_listener handshake_listener = {
	.done = handshake_done,
};

/* One round trip of init's three, answered through handshake_done. */
static void
handshake_step(struct vmpd_connection *c)
{
	c->handshake_cb = wl_display_sync(c->wrapper);
	wl_callback_add_listener(c->handshake_cb, &handshake_listener, c);
}

bool
vmpd_connection_open(struct vmpd_connection *c, const char *socket_name)
{
	if (c->wl || !c->own_wl || c->epoll_fd < 0)
		return false;
	/* connect() on a local socket answers at once: listening or refused. */
	c->wl = wl_display_connect(socket_name);
	if (!c->wl)
		return false;
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = EPOLL_TAG_WAYLAND };
	if (!setup_queue(c) || epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD,
					 wl_display_get_fd(c->wl), &ev) != 0) {
		vmpd_connection_close(c);
		return false;
	}
	c->handshake = 3;
	handshake_step(c);
	if (wl_display_flush(c->wl) < 0 && errno != EAGAIN) {
		vmpd_connection_close(c);
		return false;
	}
	return true;
}

void
vmpd_connection_lost(struct vmpd_connection *c, const char *reason)
{
	if (!c->connected)
		return;
	c->connected = false;
	c->generation++;
	/* A hung-up socket stays readable: keep the caller's fd quiet from now on. */
	if (c->epoll_fd >= 0)
		epoll_ctl(c->epoll_fd, EPOLL_CTL_DEL, wl_display_get_fd(c->wl),
			  NULL);
	c->listener->lost(c->data, reason);
}

static void
set_write_interest(struct vmpd_connection *c, bool on)
{
	if (c->write_pending == on || c->epoll_fd < 0)
		return;
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
				  .data.u64 = EPOLL_TAG_WAYLAND };
	epoll_ctl(c->epoll_fd, EPOLL_CTL_MOD, wl_display_get_fd(c->wl), &ev);
	c->write_pending = on;
}

void
vmpd_connection_flush(struct vmpd_connection *c)
{
	if (!c->wl || (!c->connected && !c->handshake))
		return;
	if (wl_display_flush(c->wl) >= 0) {
		set_write_interest(c, false);
		return;
	}
	/* A full socket is normal under load: finish when it is writable again. */
	if (errno == EAGAIN) {
		set_write_interest(c, true);
		return;
	}
	vmpd_connection_lost(c, strerror(errno));
}

void
vmpd_connection_add_timer(struct vmpd_connection *c, struct vmpd_timer *timer)
{
	wl_list_insert(c->timers.prev, &timer->link);
}

void
vmpd_connection_remove_timer(struct vmpd_timer *timer)
{
	if (!timer->link.next)
		return;
	wl_list_remove(&timer->link);
	timer->link.next = timer->link.prev = NULL;
}

void
vmpd_connection_update_timer(struct vmpd_connection *c)
{
	uint64_t next = 0;
	struct vmpd_timer *t;
	wl_list_for_each(t, &c->timers, link)
	{
		if (t->deadline_ns && (!next || t->deadline_ns < next))
			next = t->deadline_ns;
	}
	struct itimerspec its = { 0 };
	if (next) {
		/* An absolute time of 0 would disarm; deadlines are never that early. */
		its.it_value.tv_sec = (time_t)(next / 1000000000u);
		its.it_value.tv_nsec = (long)(next % 1000000000u);
	}
	if (c->timer_fd >= 0)
		timerfd_settime(c->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
run_timers(struct vmpd_connection *c)
{
	uint64_t expirations;
	while (read(c->timer_fd, &expirations, sizeof(expirations)) > 0) {
	}
	struct vmpd_timer *t, *tmp;
	uint64_t generation = c->generation;
	wl_list_for_each_safe(t, tmp, &c->timers, link)
	{
		t->fire(t);
		/* A lost or reopened connection changes the list, tmp included. */
		if (c->generation != generation)
			break;
	}
}

static bool
read_events(struct vmpd_connection *c)
{
	while (wl_display_prepare_read_queue(c->wl, c->queue) != 0) {
		if (wl_display_dispatch_queue_pending(c->wl, c->queue) < 0)
			return false;
	}
	/* Only read when data is there, so dispatch never blocks. */
	struct pollfd pfd = { .fd = wl_display_get_fd(c->wl),
			      .events = POLLIN };
	if (poll(&pfd, 1, 0) > 0 &&
	    (pfd.revents & (POLLIN | POLLERR | POLLHUP))) {
		if (wl_display_read_events(c->wl) < 0)
			return false;
	} else {
		wl_display_cancel_read(c->wl);
	}
	return wl_display_dispatch_queue_pending(c->wl, c->queue) >= 0;
}

bool
vmpd_connection_dispatch(struct vmpd_connection *c)
{
	/* Closed, or lost and not closed yet: only watches and timers (a reconnect's). */
	if (c->wl && (c->connected || c->handshake)) {
		c->in_dispatch = true;
		bool ok = read_events(c);
		c->in_dispatch = false;
		if (c->handshake || c->handshake_over) {
			/* vmpd_connection_open()'s end, or the compositor went away meanwhile. */
			bool opened = ok && c->handshake_over &&
				      c->handshake_ok;
			if (!ok || c->handshake_over) {
				c->handshake = 0;
				c->handshake_over = false;
				c->connected = opened;
				c->listener->opened(c->data, opened);
				if (!opened)
					return false;
			}
		} else if (!ok) {
			int err = wl_display_get_error(c->wl);
			vmpd_connection_lost(c, err ? strerror(err)
						    : "connection closed");
			return false;
		}
	}
	run_fences(c);
	run_timers(c);
	vmpd_connection_flush(c);
	vmpd_connection_update_timer(c);
	return c->connected;
}
