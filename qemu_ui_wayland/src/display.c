/* SPDX-License-Identifier: MIT */
/*
 * The display: the top level. Creates the connection, the per-display
 * listeners (dma-buf, seat, GPU reset) and the heads, and tears them down.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "vmplane-reset-v1-client-protocol.h"

static void
reset_event(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial,
	    uint32_t status)
{
	struct vmpd_display *d = data;
	if (d->cb.gpu_reset)
		d->cb.gpu_reset(d->data, false);
}

static void
resubmit_all(struct vmpd_display *d)
{
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link)
	{
		if (head->path)
			vmpd_head_update(head, NULL, -1);
	}
}

static void
reset_recovered(void *data, struct vmplane_reset_notifier_v1 *n,
		uint32_t serial, uint32_t duration_usec)
{
	struct vmpd_display *d = data;
	/* Our own context may have gone in the same reset: rebuild it, then re-submit. */
	vmpd_fallback_gpu_recover(d);
	resubmit_all(d);
	if (d->cb.gpu_reset)
		d->cb.gpu_reset(d->data, true);
}

static void
reset_degraded(void *data, struct vmplane_reset_notifier_v1 *n, uint32_t serial)
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

static void
connection_global(void *data, struct wl_registry *reg, uint32_t name,
		  const char *iface, uint32_t version)
{
	struct vmpd_display *d = data;

	if (strcmp(iface, zwp_linux_dmabuf_v1_interface.name) == 0 &&
	    version >= 3 && !d->config.disable_dmabuf) {
		vmpd_feedback_bind(d, reg, name, version);
	} else if (strcmp(iface, vmplane_reset_notifier_v1_interface.name) ==
		   0) {
		d->reset_notifier = wl_registry_bind(
			reg, name, &vmplane_reset_notifier_v1_interface, 1);
		vmplane_reset_notifier_v1_add_listener(d->reset_notifier,
						       &reset_listener, d);
	} else if (strcmp(iface, wl_seat_interface.name) == 0 &&
		   !d->input.seat) {
		vmpd_input_bind_seat(d, reg, name, version);
		vmpd_clipboard_seat_ready(d);
	} else if (strcmp(iface, wl_data_device_manager_interface.name) == 0) {
		vmpd_clipboard_bind(d, reg, name, version);
	} else if (strcmp(iface, wl_output_interface.name) == 0) {
		vmpd_scale_bind_output(d, reg, name, version);
	}
}

static void
connection_lost(void *data, const char *reason)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link) vmpd_head_lost(head);
	if (d->can_reconnect)
		vmpd_reconnect_start(&d->reconnect);
	if (d->cb.disconnected)
		d->cb.disconnected(d->data, reason);
}

/* The display's own proxies of a dead link; the next handshake binds them again. */
static void
reconnect_drop(void *data)
{
	struct vmpd_display *d = data;
	vmpd_clipboard_lost(d);
	vmpd_input_fini(d);
	vmpd_scale_fini(d);
	/* libdecor holds the old wl_display; a new one is made on reconnect. */
	vmpd_decor_fini(d);
	vmpd_feedback_release(d);
	vmpd_feedback_init(&d->feedback);
	/* The next compositor may render on another device. */
	vmpd_fallback_fini(d);
	d->gpu_tried = false;
	if (d->reset_notifier) {
		vmplane_reset_notifier_v1_destroy(d->reset_notifier);
		d->reset_notifier = NULL;
	}
}

static const struct vmpd_reconnect_listener reconnect_listener = {
	.drop = reconnect_drop,
};

static void
connection_opened(void *data, bool ok)
{
	struct vmpd_display *d = data;
	vmpd_reconnect_opened(&d->reconnect, ok);
	if (!ok)
		return;
	vmpd_log_emit(&d->log, VMPD_LOG_INFO,
		      "vmplane display: reconnected to %s (attempt %llu)",
		      d->reconnect.socket,
		      (unsigned long long)d->reconnect.attempts);
	vmpd_decor_init(d);
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link) vmpd_head_restore(head);
	vmpd_connection_flush(&d->conn);
	vmpd_connection_update_timer(&d->conn);
	if (d->cb.reconnected)
		d->cb.reconnected(d->data);
}

static const struct vmpd_connection_listener connection_listener = {
	.global = connection_global,
	.lost = connection_lost,
	.opened = connection_opened,
};

struct vmpd_display *
vmpd_display_create(const struct vmpd_display_config *config,
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
	wl_list_init(&d->heads);
	wl_list_init(&d->outputs);
	vmpd_feedback_init(&d->feedback);
	if (!vmpd_clipboard_init(d)) {
		free(d);
		return NULL;
	}

	struct wl_display *wl = d->config.wl_display;
	const char *socket_name = d->config.socket_name;
	d->config.wl_display = NULL;
	d->config.socket_name = NULL;
	/* Before connecting: libwayland consumes WAYLAND_SOCKET. */
	if (d->config.reconnect && !wl)
		d->can_reconnect = vmpd_reconnect_init(&d->reconnect,
						       socket_name, &d->conn,
						       &reconnect_listener, d);
	if (!vmpd_connection_init(&d->conn, wl, socket_name, &d->log,
				  &connection_listener, d)) {
		vmpd_display_destroy(d);
		return NULL;
	}
	vmpd_decor_init(d);
	return d;
}

void
vmpd_display_destroy(struct vmpd_display *d)
{
	if (!d)
		return;
	struct vmpd_head *head, *tmp;
	wl_list_for_each_safe(head, tmp, &d->heads, link)
		vmpd_head_destroy(head);
	vmpd_clipboard_destroy(d);
	vmpd_input_fini(d);
	vmpd_scale_fini(d);
	vmpd_feedback_release(d);
	vmpd_fallback_fini(d);
	vmpd_decor_fini(d);
	if (d->reset_notifier) {
		vmplane_reset_notifier_v1_destroy(d->reset_notifier);
		d->reset_notifier = NULL;
	}
	vmpd_reconnect_fini(&d->reconnect);
	vmpd_connection_fini(&d->conn);
	free(d);
}

int
vmpd_display_get_fd(struct vmpd_display *d)
{
	return d ? d->conn.epoll_fd : -1;
}

bool
vmpd_display_connected(const struct vmpd_display *d)
{
	return d && d->conn.connected;
}

uint32_t
vmpd_display_dmabuf_version(const struct vmpd_display *d)
{
	return d && d->dmabuf ? d->dmabuf_version : 0;
}

bool
vmpd_display_main_device(const struct vmpd_display *d, dev_t *dev)
{
	if (!d || !d->feedback.has_main_device)
		return false;
	*dev = d->feedback.main_device;
	return true;
}

bool
vmpd_display_dispatch(struct vmpd_display *d)
{
	if (!d || !vmpd_connection_dispatch(&d->conn))
		return false;
	vmpd_decor_dispatch(d);
	struct vmpd_head *head;
	wl_list_for_each(head, &d->heads, link) vmpd_head_run_pending(head);
	vmpd_connection_flush(&d->conn);
	return d->conn.connected;
}

enum vmpd_decorations
vmpd_display_decorations(const struct vmpd_display *d)
{
	if (!d || d->config.no_decorations)
		return VMPD_DECORATIONS_NONE;
	if (d->conn.decoration_manager)
		return VMPD_DECORATIONS_SERVER;
	return d->libdecor ? VMPD_DECORATIONS_LIBDECOR : VMPD_DECORATIONS_BORDER;
}
