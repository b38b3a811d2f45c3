/*
 * The display: the Wayland connection, its globals, the heads, and one
 * epoll fd for the socket, the pacing timers and acquire fences.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "vmplane-reset-v1-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static void wm_base_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_ping,
};

static void shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct vmpd_display *d = data;
	if (format == WL_SHM_FORMAT_ARGB8888)
		d->shm_formats |= 1u;
	else if (format == WL_SHM_FORMAT_XRGB8888)
		d->shm_formats |= 2u;
}

static const struct wl_shm_listener shm_listener = {
	.format = shm_format,
};

bool vmpd_display_shm_has(const struct vmpd_display *d, uint32_t wl_shm_format)
{
	if (wl_shm_format == WL_SHM_FORMAT_ARGB8888)
		return d->shm_formats & 1u;
	if (wl_shm_format == WL_SHM_FORMAT_XRGB8888)
		return d->shm_formats & 2u;
	return false;
}

static void presentation_clock_id(void *data, struct wp_presentation *p, uint32_t clk_id)
{
	struct vmpd_display *d = data;
	d->presentation_clock = (clockid_t)clk_id;
}

static const struct wp_presentation_listener presentation_listener = {
	.clock_id = presentation_clock_id,
};

static void reset_event(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	uint32_t status)
{
	struct vmpd_display *d = data;
	if (d->cb.gpu_reset)
		d->cb.gpu_reset(d->data, false);
}

static void resubmit_all(struct vmpd_display *d)
{
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link) {
		if (head->path)
			vmpd_head_update(head, NULL, -1);
	}
}

static void reset_recovered(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	uint32_t duration_usec)
{
	struct vmpd_display *d = data;
	/* Our own context may have gone in the same reset: rebuild it, then re-submit. */
	vmpd_fallback_gpu_recover(d);
	resubmit_all(d);
	if (d->cb.gpu_reset)
		d->cb.gpu_reset(d->data, true);
}

static void reset_degraded(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial)
{
	struct vmpd_display *d = data;
	vmpd_fallback_gpu_recover(d);
	resubmit_all(d);
	if (d->cb.gpu_reset)
		d->cb.gpu_reset(d->data, true);
}

static const struct vmplane_reset_notifier_v1_listener reset_listener = {
	.reset = reset_event,
	.recovered = reset_recovered,
	.degraded = reset_degraded,
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void registry_global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct vmpd_display *d = data;

	if (strcmp(iface, wl_compositor_interface.name) == 0 && version >= 4) {
		d->compositor = wl_registry_bind(reg, name, &wl_compositor_interface,
			min_u32(version, 4));
	} else if (strcmp(iface, wl_subcompositor_interface.name) == 0) {
		d->subcompositor = wl_registry_bind(reg, name, &wl_subcompositor_interface, 1);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
		d->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(d->wm_base, &wm_base_listener, d);
	} else if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0 && version >= 3 &&
			!d->config.disable_dmabuf) {
		vmpd_feedback_bind(d, reg, name, version);
	} else if (strcmp(iface, wp_viewporter_interface.name) == 0) {
		d->viewporter = wl_registry_bind(reg, name, &wp_viewporter_interface, 1);
	} else if (strcmp(iface, wp_presentation_interface.name) == 0) {
		d->presentation = wl_registry_bind(reg, name, &wp_presentation_interface, 1);
		wp_presentation_add_listener(d->presentation, &presentation_listener, d);
	} else if (strcmp(iface, zwp_linux_explicit_synchronization_v1_interface.name) == 0) {
		d->explicit_sync = wl_registry_bind(reg, name,
			&zwp_linux_explicit_synchronization_v1_interface, 1);
	} else if (strcmp(iface, zwp_relative_pointer_manager_v1_interface.name) == 0) {
		d->relative_pointer_manager = wl_registry_bind(reg, name,
			&zwp_relative_pointer_manager_v1_interface, 1);
	} else if (strcmp(iface, zwp_pointer_constraints_v1_interface.name) == 0) {
		d->pointer_constraints = wl_registry_bind(reg, name,
			&zwp_pointer_constraints_v1_interface, 1);
	} else if (strcmp(iface, zxdg_decoration_manager_v1_interface.name) == 0) {
		d->decoration_manager = wl_registry_bind(reg, name,
			&zxdg_decoration_manager_v1_interface, 1);
	} else if (strcmp(iface, vmplane_reset_notifier_v1_interface.name) == 0) {
		d->reset_notifier = wl_registry_bind(reg, name,
			&vmplane_reset_notifier_v1_interface, 1);
		vmplane_reset_notifier_v1_add_listener(d->reset_notifier, &reset_listener, d);
	} else if (strcmp(iface, wl_shm_interface.name) == 0) {
		d->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
		wl_shm_add_listener(d->shm, &shm_listener, d);
	} else if (strcmp(iface, wl_seat_interface.name) == 0 && !d->input.seat) {
		vmpd_input_bind_seat(d, reg, name, version);
	}
}

static void registry_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	/* Hot-unplugged seats or outputs need nothing from a single-seat client yet. */
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* epoll data: these two tags, or a head whose acquire fence is watched. */
#define EPOLL_TAG_WAYLAND 0u
#define EPOLL_TAG_TIMER 1u

bool vmpd_display_watch_fence(struct vmpd_display *d, struct vmpd_head *head, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)(uintptr_t)head };
	return d->epoll_fd >= 0 && epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void vmpd_display_unwatch_fence(struct vmpd_display *d, int fd)
{
	if (d->epoll_fd >= 0)
		epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}

static void run_fences(struct vmpd_display *d)
{
	struct epoll_event evs[8];
	int n = epoll_wait(d->epoll_fd, evs, 8, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == EPOLL_TAG_WAYLAND || evs[i].data.u64 == EPOLL_TAG_TIMER)
			continue;
		struct vmpd_head *head = (struct vmpd_head *)(uintptr_t)evs[i].data.u64;
		vmpd_pacing_fence_signalled(head);
	}
}

static bool setup_fds(struct vmpd_display *d)
{
	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epoll_fd < 0 || d->timer_fd < 0)
		return false;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EPOLL_TAG_WAYLAND };
	if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, wl_display_get_fd(d->wl), &ev) != 0)
		return false;
	ev.data.u64 = EPOLL_TAG_TIMER;
	return epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, d->timer_fd, &ev) == 0;
}

static bool roundtrip(struct vmpd_display *d)
{
	return wl_display_roundtrip_queue(d->wl, d->queue) >= 0;
}

struct vmpd_display *vmpd_display_create(const struct vmpd_display_config *config,
	const struct vmpd_callbacks *callbacks, void *data)
{
	struct vmpd_display *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (config)
		d->config = *config;
	d->log = d->config.log;
	if (callbacks)
		d->cb = *callbacks;
	d->data = data;
	d->epoll_fd = d->timer_fd = -1;
	d->presentation_clock = CLOCK_MONOTONIC;
	wl_list_init(&d->heads);
	vmpd_feedback_init(&d->feedback);

	if (d->config.wl_display) {
		d->wl = d->config.wl_display;
	} else {
		d->wl = wl_display_connect(d->config.socket_name);
		d->own_wl = true;
	}
	d->config.wl_display = NULL;
	d->config.socket_name = NULL;
	if (!d->wl)
		goto fail;
	/* A private queue keeps us apart from anyone else sharing the connection. */
	d->queue = wl_display_create_queue(d->wl);
	d->wrapper = wl_proxy_create_wrapper(d->wl);
	if (!d->queue || !d->wrapper)
		goto fail;
	wl_proxy_set_queue((struct wl_proxy *)d->wrapper, d->queue);
	d->registry = wl_display_get_registry(d->wrapper);
	wl_registry_add_listener(d->registry, &registry_listener, d);
	d->connected = true;
	/* Globals, then the events they send on bind (shm formats, seat caps, feedback). */
	if (!roundtrip(d) || !roundtrip(d) || !roundtrip(d))
		goto fail;
	if (!d->compositor || !d->subcompositor || !d->wm_base || !d->shm || !d->viewporter) {
		vmpd_log_emit(&d->log, VMPD_LOG_ERROR, "vmplane display: compositor lacks a required "
			"global (wl_compositor v4, wl_subcompositor, xdg_wm_base, wl_shm, wp_viewporter)");
		goto fail;
	}
	if (!setup_fds(d))
		goto fail;
	return d;

fail:
	vmpd_display_destroy(d);
	return NULL;
}

#define DESTROY(p, fn) do { if (p) { fn(p); (p) = NULL; } } while (0)

static void release_globals(struct vmpd_display *d)
{
	vmpd_input_fini(d);
	vmpd_feedback_release(d);
	vmpd_fallback_fini(d);
	DESTROY(d->compositor, wl_compositor_destroy);
	DESTROY(d->subcompositor, wl_subcompositor_destroy);
	DESTROY(d->wm_base, xdg_wm_base_destroy);
	DESTROY(d->viewporter, wp_viewporter_destroy);
	DESTROY(d->presentation, wp_presentation_destroy);
	DESTROY(d->explicit_sync, zwp_linux_explicit_synchronization_v1_destroy);
	DESTROY(d->relative_pointer_manager, zwp_relative_pointer_manager_v1_destroy);
	DESTROY(d->pointer_constraints, zwp_pointer_constraints_v1_destroy);
	DESTROY(d->decoration_manager, zxdg_decoration_manager_v1_destroy);
	DESTROY(d->reset_notifier, vmplane_reset_notifier_v1_destroy);
	DESTROY(d->shm, wl_shm_destroy);
	DESTROY(d->registry, wl_registry_destroy);
}

void vmpd_display_destroy(struct vmpd_display *d)
{
	if (!d)
		return;
	struct vmpd_head *head, *tmp;
	wl_list_for_each_safe(head, tmp, &d->heads, link)
		vmpd_head_destroy(head);
	release_globals(d);
	if (d->wl && d->connected)
		wl_display_flush(d->wl);
	/* Events still queued for destroyed proxies hold references: drain them. */
	if (d->queue)
		wl_display_dispatch_queue_pending(d->wl, d->queue);
	DESTROY(d->wrapper, wl_proxy_wrapper_destroy);
	DESTROY(d->queue, wl_event_queue_destroy);
	if (d->own_wl && d->wl)
		wl_display_disconnect(d->wl);
	if (d->epoll_fd >= 0)
		close(d->epoll_fd);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	free(d);
}

int vmpd_display_get_fd(struct vmpd_display *d)
{
	return d ? d->epoll_fd : -1;
}

bool vmpd_display_connected(const struct vmpd_display *d)
{
	return d && d->connected;
}

uint32_t vmpd_display_dmabuf_version(const struct vmpd_display *d)
{
	return d && d->dmabuf ? d->dmabuf_version : 0;
}

bool vmpd_display_main_device(const struct vmpd_display *d, dev_t *dev)
{
	if (!d || !d->feedback.has_main_device)
		return false;
	*dev = d->feedback.main_device;
	return true;
}

void vmpd_display_lost(struct vmpd_display *d, const char *reason)
{
	if (!d->connected)
		return;
	d->connected = false;
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link)
		vmpd_head_lost(head);
	if (d->cb.disconnected)
		d->cb.disconnected(d->data, reason);
}

static void set_write_interest(struct vmpd_display *d, bool on)
{
	if (d->write_pending == on || d->epoll_fd < 0)
		return;
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
		.data.u64 = EPOLL_TAG_WAYLAND };
	epoll_ctl(d->epoll_fd, EPOLL_CTL_MOD, wl_display_get_fd(d->wl), &ev);
	d->write_pending = on;
}

void vmpd_display_flush(struct vmpd_display *d)
{
	if (!d->connected)
		return;
	if (wl_display_flush(d->wl) >= 0) {
		set_write_interest(d, false);
		return;
	}
	/* A full socket is normal under load: finish when it is writable again. */
	if (errno == EAGAIN) {
		set_write_interest(d, true);
		return;
	}
	vmpd_display_lost(d, strerror(errno));
}

void vmpd_display_update_timer(struct vmpd_display *d)
{
	uint64_t next = 0;
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link) {
		uint64_t dl = head->deadline_ns;
		if (dl && (!next || dl < next))
			next = dl;
	}
	struct itimerspec its = { 0 };
	if (next) {
		/* An absolute time of 0 would disarm; deadlines are never that early. */
		its.it_value.tv_sec = (time_t)(next / 1000000000u);
		its.it_value.tv_nsec = (long)(next % 1000000000u);
	}
	if (d->timer_fd >= 0)
		timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void run_timers(struct vmpd_display *d)
{
	uint64_t expirations;
	while (read(d->timer_fd, &expirations, sizeof(expirations)) > 0) {
	}
	struct vmpd_head *head, *tmp;
	wl_list_for_each_safe(head, tmp, &d->heads, link)
		vmpd_pacing_timeout(head);
}

static bool read_events(struct vmpd_display *d)
{
	while (wl_display_prepare_read_queue(d->wl, d->queue) != 0) {
		if (wl_display_dispatch_queue_pending(d->wl, d->queue) < 0)
			return false;
	}
	/* Only read when data is there, so dispatch never blocks. */
	struct pollfd pfd = { .fd = wl_display_get_fd(d->wl), .events = POLLIN };
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLERR | POLLHUP))) {
		if (wl_display_read_events(d->wl) < 0)
			return false;
	} else {
		wl_display_cancel_read(d->wl);
	}
	return wl_display_dispatch_queue_pending(d->wl, d->queue) >= 0;
}

bool vmpd_display_dispatch(struct vmpd_display *d)
{
	if (!d || !d->connected)
		return false;
	d->in_dispatch = true;
	bool ok = read_events(d);
	d->in_dispatch = false;
	if (!ok) {
		int err = wl_display_get_error(d->wl);
		vmpd_display_lost(d, err ? strerror(err) : "connection closed");
		return false;
	}
	run_fences(d);
	run_timers(d);
	vmpd_display_flush(d);
	vmpd_display_update_timer(d);
	return d->connected;
}
