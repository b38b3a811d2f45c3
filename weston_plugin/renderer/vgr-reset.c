/*
 * GPU reset detection and recovery for the renderer, on robustness/'s
 * state machine.
 *
 * Detection runs at the start of every output repaint (and where an idle
 * output's repaint loop starts: vgr-repaint-gate.c), once a refresh period
 * after each drawn frame, and wherever making the context current fails.
 * Recovery never runs in the detection stack:
 * it is scheduled on an idle callback (and a timer while the driver still
 * reports the reset), where robustness/ forgets every registered object,
 * re-creates the context and rebuilds the registry in dependency order.
 * Client content comes back from what the renderer kept: the shm buffer
 * reference of each surface, the retained dma-buf attributes, solid colours
 * and views from Weston's own state, then every output is damaged.
 */
#include <stdlib.h>
#include <string.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane-renderer-api.h"

static void
emit(struct vgr_renderer *gr, struct vmp_reset_event *event)
{
	event->serial = gr->reset_serial;
	wl_signal_emit(&gr->reset_signal, event);
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

	gr->rebuild_start_ns = vmplane_now_ns();
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
	gr->rebuild_end_ns = vmplane_now_ns();
	gr->frame_start_ns = 0;
	gr->warm_up_ns = 0;
	gr->recovered_pending = true;
	weston_compositor_damage_all(gr->compositor);
}

static void
hook_state_changed(void *data, enum rb_state old_state, enum rb_state new_state,
		   enum rb_reset_status status)
{
	struct vgr_renderer *gr = data;

	struct vmp_reset_event event = { .status = status };
	uint64_t now = vmplane_now_ns();

	switch (new_state) {
	case RB_STATE_LOST:
		/* A reset during a rebuild continues the same recovery. */
		if (old_state == RB_STATE_RUNNING ||
		    old_state == RB_STATE_SAFE_MODE)
			gr->reset_detected_ns = now;
		gr->recovered_pending = false;
		gr->reset_serial++;
		event.kind = VMP_RESET_EVENT_LOST;
		if (gr->inject_ns)
			event.detect_ns = now - gr->inject_ns;
		gr->inject_ns = 0;
		emit(gr, &event);
		break;
	case RB_STATE_SAFE_MODE:
		gr->recovered_pending = false;
		event.kind = VMP_RESET_EVENT_DEGRADED;
		event.duration_ns = now - gr->reset_detected_ns;
		emit(gr, &event);
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

/* The repaint that damage_all() asked for waits for the output's clock;
 * compiling its pipelines meanwhile takes that work off the frame. */
static void
warm_up_idle(void *data)
{
	struct vgr_renderer *gr = data;
	struct weston_output *output;
	uint64_t start = vmplane_now_ns();

	gr->warm_up_idle = NULL;
	if (rb_recovery_get_state(gr->recovery) != RB_STATE_RUNNING)
		return;
	wl_list_for_each(output, &gr->compositor->output_list, link)
		vgr_output_warm_up(output);
	gr->warm_up_ns = vmplane_now_ns() - start;
}

/* Queued behind the idle callback in which Weston starts the output's
 * repaint clock, so the clock runs while we compile. */
static void
warm_up(struct vgr_renderer *gr)
{
	struct wl_event_loop *loop =
		wl_display_get_event_loop(gr->compositor->wl_display);

	if (gr->warm_up_on_recovery && !gr->warm_up_idle)
		gr->warm_up_idle = wl_event_loop_add_idle(loop, warm_up_idle, gr);
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
		warm_up(gr);
		break;
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
vgr_reset_frame_begin(struct vgr_renderer *gr)
{
	if (gr->recovered_pending && !gr->frame_start_ns)
		gr->frame_start_ns = vmplane_now_ns();
}

static int
watch_timer(void *data)
{
	struct vgr_renderer *gr = data;

	if (rb_recovery_get_state(gr->recovery) == RB_STATE_RUNNING)
		vgr_reset_check(gr);
	return 0;
}

/* Found at the next repaint, a reset that lands during a frame costs that
 * repaint and a restart of the loop; found when the frame completes, the
 * rebuild runs in the repaint window instead. An idle desktop draws no
 * frame and so arms nothing. */
void
vgr_reset_watch_frame(struct vgr_renderer *gr, struct weston_output *output)
{
	int32_t refresh = output->current_mode ? output->current_mode->refresh : 0;
	int ms = refresh > 0 ? (int)(1000000 / refresh) : 16;

	if (gr->watch_timer)
		wl_event_source_timer_update(gr->watch_timer, ms > 0 ? ms : 1);
}

void
vgr_reset_frame_done(struct vgr_renderer *gr)
{
	struct vmp_reset_event event = { .kind = VMP_RESET_EVENT_RECOVERED };
	struct rb_counters c;
	uint64_t now;

	if (!gr->recovered_pending)
		return;
	gr->recovered_pending = false;
	/* "Good" means rendered, not just queued: a software rasteriser
	 * only starts on a flush, and a pbuffer swap does not flush. */
	glFinish();
	now = vmplane_now_ns();
	rb_recovery_get_counters(gr->recovery, &c);
	event.status = c.last_status;
	event.rebuilt = c.last_rebuilt;
	event.duration_ns = now - gr->reset_detected_ns;
	event.wait_ns = gr->rebuild_start_ns - gr->reset_detected_ns;
	event.rebuild_ns = gr->rebuild_end_ns - gr->rebuild_start_ns;
	event.schedule_ns = gr->frame_start_ns - gr->rebuild_end_ns;
	event.frame_ns = now - gr->frame_start_ns;
	event.warm_up_ns = gr->warm_up_ns;
	emit(gr, &event);
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
	gr->warm_up_on_recovery = env_ulong("VMPLANE_RESET_WARM_UP", 1) != 0;

	wl_signal_init(&gr->reset_signal);
	gr->registry = rb_registry_create();
	if (!gr->registry)
		return false;
	gr->recovery = rb_recovery_create(&config, &hooks, gr, gr->registry,
					  &log);
	gr->retry_timer = wl_event_loop_add_timer(loop, retry_timer, gr);
	gr->watch_timer = wl_event_loop_add_timer(loop, watch_timer, gr);
	if (!gr->recovery || !gr->retry_timer || !gr->watch_timer) {
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
	if (gr->warm_up_idle)
		wl_event_source_remove(gr->warm_up_idle);
	gr->warm_up_idle = NULL;
	if (gr->retry_timer)
		wl_event_source_remove(gr->retry_timer);
	gr->retry_timer = NULL;
	if (gr->watch_timer)
		wl_event_source_remove(gr->watch_timer);
	gr->watch_timer = NULL;
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
