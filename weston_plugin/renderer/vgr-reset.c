/*
 * GPU reset detection and recovery for the renderer, on robustness/'s
 * state machine.
 *
 * Detection runs at the start of every output repaint and wherever making
 * the context current fails. Recovery never runs in the detection stack:
 * it is scheduled on an idle callback (and a timer while the driver still
 * reports the reset), where robustness/ forgets every registered object,
 * re-creates the context and rebuilds the registry in dependency order.
 * Client content comes back from what the renderer kept: the shm buffer
 * reference of each surface, the retained dma-buf attributes, solid colours
 * and views from Weston's own state, then every output is damaged.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane-renderer-api.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
emit(struct vgr_renderer *gr, enum vmp_reset_event_kind kind,
     enum rb_reset_status status, uint64_t duration_ns, unsigned rebuilt)
{
	struct vmp_reset_event event = {
		.kind = kind,
		.serial = gr->reset_serial,
		.status = status,
		.duration_ns = duration_ns,
		.rebuilt = rebuilt,
	};

	wl_signal_emit(&gr->reset_signal, &event);
}

static enum rb_reset_status
hook_query_status(void *data)
{
	struct vgr_renderer *gr = data;
	EGLContext egl = rb_context_get_egl_context(gr->ctx);

	/* The query is about the current context; a lost one may still be
	 * made current to ask it. */
	if (egl != EGL_NO_CONTEXT && eglGetCurrentContext() != egl)
		eglMakeCurrent(gr->display, gr->dummy_surface,
			       gr->dummy_surface, egl);
	return rb_context_query_status(gr->ctx);
}

static bool
hook_recreate_context(void *data)
{
	struct vgr_renderer *gr = data;

	if (!rb_context_recreate(gr->ctx))
		return false;
	if (!gr->has_surfaceless &&
	    !rb_context_make_current(gr->ctx, gr->dummy_surface,
				     gr->dummy_surface))
		return false;
	if (eglGetCurrentContext() != rb_context_get_egl_context(gr->ctx))
		return false;
	gr->generation++;
	vgr_gl_defaults();
	return true;
}

static void
hook_damage_all(void *data)
{
	struct vgr_renderer *gr = data;

	/* Views, solid colours and outputs are Weston's own state: a full
	 * repaint paints them again. */
	gr->recovered_pending = true;
	weston_compositor_damage_all(gr->compositor);
}

static void
hook_state_changed(void *data, enum rb_state old_state, enum rb_state new_state,
		   enum rb_reset_status status)
{
	struct vgr_renderer *gr = data;

	switch (new_state) {
	case RB_STATE_LOST:
		if (old_state == RB_STATE_RUNNING ||
		    old_state == RB_STATE_SAFE_MODE)
			gr->reset_detected_ns = now_ns();
		gr->recovered_pending = false;
		gr->reset_serial++;
		emit(gr, VMP_RESET_EVENT_LOST, status, 0, 0);
		break;
	case RB_STATE_SAFE_MODE:
		gr->recovered_pending = false;
		emit(gr, VMP_RESET_EVENT_DEGRADED, status,
		     now_ns() - gr->reset_detected_ns, 0);
		break;
	default:
		break;
	}
}

static void recover(struct vgr_renderer *gr);

static void
recover_idle(void *data)
{
	struct vgr_renderer *gr = data;

	gr->recover_idle = NULL;
	recover(gr);
}

static int
retry_timer(void *data)
{
	recover(data);
	return 0;
}

static void
recover(struct vgr_renderer *gr)
{
	uint64_t ms;

	switch (rb_recovery_recover(gr->recovery)) {
	case RB_RECOVER_RETRY:
		ms = rb_recovery_retry_delay_ns(gr->recovery) / 1000000;
		wl_event_source_timer_update(gr->retry_timer, ms ? (int)ms : 1);
		break;
	case RB_RECOVER_DONE:
	case RB_RECOVER_SAFE_MODE:
	case RB_RECOVER_IDLE:
		break;
	}
}

static void
schedule_recovery(struct vgr_renderer *gr)
{
	struct wl_event_loop *loop =
		wl_display_get_event_loop(gr->compositor->wl_display);

	if (!gr->recover_idle)
		gr->recover_idle = wl_event_loop_add_idle(loop, recover_idle, gr);
}

bool
vgr_reset_check(struct vgr_renderer *gr)
{
	enum rb_check_result r;

	if (!gr->recovery)
		return false;
	/* Benchmark baseline only: skip the per-frame query. */
	if (!gr->check_each_frame &&
	    rb_recovery_get_state(gr->recovery) == RB_STATE_RUNNING &&
	    vgr_gl_current(gr))
		return true;
	r = rb_recovery_check(gr->recovery);
	if (r == RB_CHECK_SCHEDULE_RECOVERY)
		schedule_recovery(gr);
	return r == RB_CHECK_OK;
}

void
vgr_reset_report(struct vgr_renderer *gr)
{
	rb_context_report_reset(gr->ctx, RB_RESET_UNKNOWN);
	vgr_reset_check(gr);
}

bool
vgr_reset_gl_allowed(struct vgr_renderer *gr)
{
	enum rb_state state;

	if (!gr->recovery)
		return false;
	state = rb_recovery_get_state(gr->recovery);
	return state == RB_STATE_RUNNING || state == RB_STATE_REBUILDING;
}

void
vgr_reset_frame_done(struct vgr_renderer *gr)
{
	struct rb_counters c;

	if (!gr->recovered_pending)
		return;
	gr->recovered_pending = false;
	rb_recovery_get_counters(gr->recovery, &c);
	emit(gr, VMP_RESET_EVENT_RECOVERED, c.last_status,
	     now_ns() - gr->reset_detected_ns, c.last_rebuilt);
}

static unsigned long
env_ulong(const char *name, unsigned long fallback)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return fallback;
	n = strtoul(v, &end, 10);
	if (*end) {
		weston_log("vgr: ignoring %s=%s (not a number)\n", name, v);
		return fallback;
	}
	return n;
}

bool
vgr_reset_init(struct vgr_renderer *gr)
{
	struct rb_recovery_hooks hooks = {
		.query_status = hook_query_status,
		.recreate_context = hook_recreate_context,
		.damage_all = hook_damage_all,
		.state_changed = hook_state_changed,
	};
	struct rb_log log = { .func = vgr_rb_log, .data = gr };
	struct rb_recovery_config config;
	struct wl_event_loop *loop =
		wl_display_get_event_loop(gr->compositor->wl_display);

	rb_recovery_config_init(&config);
	/* The status query is cheap: poll often so recovery starts early. */
	config.poll_interval_ns = 1000000;
	config.reset_budget = env_ulong("VMPLANE_RESET_BUDGET",
					config.reset_budget);
	config.reset_window_ns = env_ulong("VMPLANE_RESET_WINDOW_MS",
					   config.reset_window_ns / 1000000) *
				 1000000ull;
	config.wait_budget_ns = env_ulong("VMPLANE_RESET_WAIT_MS",
					  config.wait_budget_ns / 1000000) *
				1000000ull;
	gr->check_each_frame = env_ulong("VMPLANE_RESET_CHECK", 1) != 0;

	wl_signal_init(&gr->reset_signal);
	gr->registry = rb_registry_create();
	if (!gr->registry)
		return false;
	gr->recovery = rb_recovery_create(&config, &hooks, gr, gr->registry,
					  &log);
	gr->retry_timer = wl_event_loop_add_timer(loop, retry_timer, gr);
	if (!gr->recovery || !gr->retry_timer) {
		vgr_reset_fini(gr);
		return false;
	}
	return true;
}

void
vgr_reset_fini(struct vgr_renderer *gr)
{
	struct wl_listener *l, *tmp;

	if (gr->recover_idle)
		wl_event_source_remove(gr->recover_idle);
	gr->recover_idle = NULL;
	if (gr->retry_timer)
		wl_event_source_remove(gr->retry_timer);
	gr->retry_timer = NULL;
	rb_recovery_destroy(gr->recovery);
	gr->recovery = NULL;
	rb_registry_destroy(gr->registry);
	gr->registry = NULL;
	/* Listeners that outlive us must not point into freed memory. */
	if (gr->reset_signal.listener_list.next) {
		wl_list_for_each_safe(l, tmp, &gr->reset_signal.listener_list,
				      link) {
			wl_list_remove(&l->link);
			wl_list_init(&l->link);
		}
	}
}
