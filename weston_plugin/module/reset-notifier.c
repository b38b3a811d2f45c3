/* SPDX-License-Identifier: MIT */
/*
 * The vmplane_reset_notifier_v1 global: sends reset, recovered and
 * degraded events to every bound client; inert once the global is gone.
 */
#include <stdlib.h>
#include <wayland-server.h>

#include "vmplane-module.h"
#include "vmplane-reset-v1-server-protocol.h"

struct vmp_reset_notifier {
	struct wl_global *global;
	struct wl_list resources;
};

static void
handle_destroy(struct wl_client *client, struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static const struct vmplane_reset_notifier_v1_interface notifier_impl = {
	.destroy = handle_destroy,
};

static void
unlink_resource(struct wl_resource *resource)
{
	wl_list_remove(wl_resource_get_link(resource));
}

static void
bind_notifier(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
	struct vmp_reset_notifier *notifier = data;
	struct wl_resource *resource;

	resource = wl_resource_create(client, &vmplane_reset_notifier_v1_interface,
				      version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &notifier_impl, notifier,
				       unlink_resource);
	wl_list_insert(&notifier->resources, wl_resource_get_link(resource));
}

struct vmp_reset_notifier *
vmp_reset_notifier_create(struct wl_display *display)
{
	struct vmp_reset_notifier *notifier = calloc(1, sizeof(*notifier));

	if (!notifier)
		return NULL;
	wl_list_init(&notifier->resources);
	notifier->global = wl_global_create(display, &vmplane_reset_notifier_v1_interface,
					   1, notifier, bind_notifier);
	if (!notifier->global) {
		free(notifier);
		return NULL;
	}
	return notifier;
}

void
vmp_reset_notifier_destroy(struct vmp_reset_notifier *notifier)
{
	struct wl_resource *resource, *tmp;

	if (!notifier)
		return;
	/* Resources outlive the global until their clients go; make them inert. */
	wl_resource_for_each_safe(resource, tmp, &notifier->resources) {
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
		wl_resource_set_user_data(resource, NULL);
	}
	wl_global_destroy(notifier->global);
	free(notifier);
}

static uint32_t
protocol_status(enum rb_reset_status status)
{
	switch (status) {
	case RB_RESET_GUILTY:
		return VMPLANE_RESET_NOTIFIER_V1_STATUS_GUILTY;
	case RB_RESET_INNOCENT:
		return VMPLANE_RESET_NOTIFIER_V1_STATUS_INNOCENT;
	default:
		return VMPLANE_RESET_NOTIFIER_V1_STATUS_UNKNOWN;
	}
}

void
vmp_reset_notifier_send(struct vmp_reset_notifier *notifier,
			const struct vmp_reset_event *event)
{
	struct wl_resource *resource;
	uint64_t usec = event->duration_ns / 1000;

	wl_resource_for_each(resource, &notifier->resources) {
		switch (event->kind) {
		case VMP_RESET_EVENT_LOST:
			vmplane_reset_notifier_v1_send_reset(resource, event->serial,
							     protocol_status(event->status));
			break;
		case VMP_RESET_EVENT_RECOVERED:
			vmplane_reset_notifier_v1_send_recovered(resource, event->serial,
								 usec > UINT32_MAX ? UINT32_MAX : (uint32_t)usec);
			break;
		case VMP_RESET_EVENT_DEGRADED:
			vmplane_reset_notifier_v1_send_degraded(resource, event->serial);
			break;
		}
	}
}
