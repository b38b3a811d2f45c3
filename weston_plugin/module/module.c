/* Entry point of vmplane.so, loaded with weston --modules=vmplane.so or
 * weston.ini [core] modules=vmplane.so. */
#include <stdlib.h>
#include <libweston/libweston.h>
#include <libweston/plugin-registry.h>
#include <libweston/weston-log.h>
#include <weston.h>

#include "vmplane-module.h"

static const char *
event_name(enum vmp_reset_event_kind kind)
{
	switch (kind) {
	case VMP_RESET_EVENT_LOST:
		return "reset";
	case VMP_RESET_EVENT_RECOVERED:
		return "recovered";
	case VMP_RESET_EVENT_DEGRADED:
		return "degraded (safe mode)";
	}
	return "?";
}

static void
handle_reset_event(struct wl_listener *listener, void *data)
{
	struct vmp_module *module = wl_container_of(listener, module, reset_listener);
	const struct vmp_reset_event *event = data;

	weston_log_scope_printf(module->scope,
				"[vmplane] %s #%u status=%s recovery=%.3f ms rebuilt=%u\n",
				event_name(event->kind), event->serial,
				rb_reset_status_name(event->status),
				event->duration_ns / 1e6, event->rebuilt);
	if (event->kind != VMP_RESET_EVENT_LOST)
		weston_log("vmplane: GPU reset #%u %s after %.1f ms\n", event->serial,
			   event_name(event->kind), event->duration_ns / 1e6);
	vmp_reset_notifier_send(module->notifier, event);
}

static void
handle_compositor_destroy(struct wl_listener *listener, void *data)
{
	struct vmp_module *module = wl_container_of(listener, module, destroy_listener);

	wl_list_remove(&module->destroy_listener.link);
	wl_list_remove(&module->reset_listener.link);
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
	module->destroy_listener.notify = handle_compositor_destroy;
	wl_signal_add(&compositor->destroy_signal, &module->destroy_listener);

	weston_log("vmplane: module ready (reset notifications%s)\n",
		   module->debug ? ", debug interface" : "");
	return 0;
}
