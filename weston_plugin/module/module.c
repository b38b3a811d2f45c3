/* SPDX-License-Identifier: MIT */
/* Entry point of vmplane.so, loaded with weston --modules=vmplane.so or
 * weston.ini [core] modules=vmplane.so. */
#include <stdlib.h>
#include <libweston/libweston.h>
#include <libweston/plugin-registry.h>
#include <libweston/weston-log.h>
#ifdef VMP_HAVE_WESTON_H
#include <weston.h>
#else
/* Weston's module entry point; its header is not packaged everywhere
 * (Debian's Weston 14). */
WL_EXPORT int
wet_module_init(struct weston_compositor *compositor, int *argc, char *argv[]);
#endif

#include "vmplane-module.h"

/* One line per event, with only what that kind of event carries. */
static void
log_event(struct vmp_module *module, const struct vmp_reset_event *e)
{
	const char *status = rb_reset_status_name(e->status);

	switch (e->kind) {
	case VMP_RESET_EVENT_LOST:
		if (e->detect_ns)
			weston_log_scope_printf(module->scope,
				"[vmplane] reset #%u status=%s detected %.3f ms "
				"after injection\n", e->serial, status,
				e->detect_ns / 1e6);
		else
			weston_log_scope_printf(module->scope,
				"[vmplane] reset #%u status=%s\n", e->serial,
				status);
		break;
	case VMP_RESET_EVENT_RECOVERED:
		weston_log_scope_printf(module->scope,
			"[vmplane] recovered #%u status=%s recovery=%.3f ms "
			"(wait %.3f, rebuild %.3f, to repaint %.3f of which "
			"warm-up %.3f, first frame %.3f) rebuilt=%u\n",
			e->serial, status, e->duration_ns / 1e6,
			e->wait_ns / 1e6, e->rebuild_ns / 1e6,
			e->schedule_ns / 1e6, e->warm_up_ns / 1e6,
			e->frame_ns / 1e6, e->rebuilt);
		weston_log("vmplane: GPU reset #%u recovered after %.1f ms\n",
			   e->serial, e->duration_ns / 1e6);
		break;
	case VMP_RESET_EVENT_DEGRADED:
		weston_log_scope_printf(module->scope,
			"[vmplane] degraded #%u status=%s after %.3f ms: safe "
			"mode\n", e->serial, status, e->duration_ns / 1e6);
		weston_log("vmplane: GPU reset #%u: safe mode after %.1f ms\n",
			   e->serial, e->duration_ns / 1e6);
		break;
	}
}

static void
handle_reset_event(struct wl_listener *listener, void *data)
{
	struct vmp_module *module = wl_container_of(listener, module, reset_listener);

	log_event(module, data);
	vmp_reset_notifier_send(module->notifier, data);
}

static void
listener_remove(struct wl_listener *listener)
{
	wl_list_remove(&listener->link);
	wl_list_init(&listener->link);
}

/* The renderer's signals go with it; the module stays for the debug
 * global, whose calls find no renderer from then on. */
static void
handle_renderer_destroy(struct wl_listener *listener, void *data)
{
	struct vmp_module *module =
		wl_container_of(listener, module, renderer_destroy_listener);

	listener_remove(&module->reset_listener);
	listener_remove(&module->renderer_destroy_listener);
}

static void
handle_compositor_destroy(struct wl_listener *listener, void *data)
{
	struct vmp_module *module = wl_container_of(listener, module, destroy_listener);

	wl_list_remove(&module->destroy_listener.link);
	listener_remove(&module->reset_listener);
	listener_remove(&module->renderer_destroy_listener);
	vmp_debug_global_destroy(module->debug);
	vmp_reset_notifier_destroy(module->notifier);
	weston_log_scope_destroy(module->scope);
	free(module);
}

WL_EXPORT int
wet_module_init(struct weston_compositor *compositor, int *argc, char *argv[])
{
	const struct vmp_renderer_api *api;
	struct vmp_module *module;

	api = weston_plugin_api_get(compositor, VMP_RENDERER_API_NAME, sizeof(*api));
	if (!api) {
		weston_log("vmplane: the vmplane renderer is not in use (set "
			   "WESTON_MODULE_MAP=gl-renderer.so=<vmplane's> and use the GL "
			   "renderer); the module stays idle\n");
		return 0;
	}

	module = calloc(1, sizeof(*module));
	if (!module)
		return -1;
	module->compositor = compositor;
	module->api = api;
	module->scope = weston_compositor_add_log_scope(compositor, "vmplane",
		"vmplane GPU reset detection and recovery\n", NULL, NULL, module);
	module->notifier = vmp_reset_notifier_create(compositor->wl_display);
	if (!module->notifier) {
		weston_log_scope_destroy(module->scope);
		free(module);
		return -1;
	}
	/* Fault injection is reachable only through the debug global. */
	module->debug = vmp_debug_global_create(module);
	if (module->debug && !api->enable_fault_injection(compositor))
		weston_log("vmplane: this build has no fault injector\n");

	module->reset_listener.notify = handle_reset_event;
	api->add_reset_listener(compositor, &module->reset_listener);
	module->renderer_destroy_listener.notify = handle_renderer_destroy;
	api->add_destroy_listener(compositor, &module->renderer_destroy_listener);
	module->destroy_listener.notify = handle_compositor_destroy;
	wl_signal_add(&compositor->destroy_signal, &module->destroy_listener);

	weston_log("vmplane: module ready (reset notifications%s)\n",
		   module->debug ? ", debug interface" : "");
	return 0;
}
