/* SPDX-License-Identifier: MIT */
/*
 * GPU reset detection and recovery for the renderer, on robustness/'s
 * state machine.
 *
 * Detection runs at the start of every output repaint (and where an idle
 * output's repaint loop starts: the front end's vgr-repaint-gate.c), once a
 * refresh period after each drawn frame, and wherever making the context
 * current fails. Recovery never runs in the detection stack: it is
 * scheduled on an idle callback (and a timer while the driver still
 * reports the reset), where robustness/ forgets every registered object,
 * re-creates the context and rebuilds the registry. Six kinds of resource
 * are rebuilt, in this order (registry kind and file in brackets; core/
 * files, or the front end's where marked FE):
 *   1. shader programs (PROGRAM, vgr-shaders.c);
 *   2. surface textures, uploaded again from the shm buffer each surface
 *      still references or from its dma-buf (TEXTURE, FE vgr-surface.c);
 *   3. the colour-curve scratch texture, empty: each use fills it
 *      (TEXTURE, vgr-objects.c; 2 and 3 in the order they were registered);
 *   4. dma-buf EGLImages, imported again from the retained attributes
 *      (EGL_IMAGE, vgr-dmabuf-image.c). A surface texture of step 2 needs its
 *      image first and imports it itself; the image records the context
 *      generation it was imported in, so step 4 then skips it;
 *   5. the blending-space shadow framebuffers (FBO, FE vgr-output.c and
 *      vgr-shadow.c);
 *   6. output surfaces: a pbuffer is created again, a window surface is
 *      kept and made current with the new context (OUTPUT_SURFACE,
 *      FE vgr-output.c).
 * Solid colours and views are Weston's own state: the front end damages
 * every output and the next repaint draws them again.
 */
#include <stdlib.h>
#include <string.h>

#include "vgr-core.h"
#include "vmplane/clock.h"
#include "vmplane-renderer-api.h"

/* What only recovery needs; the rest of the renderer asks through vgr.h. */
struct vgr_reset {
	struct vgr_renderer *gr;
	struct rb_recovery *recovery;
	struct wl_event_source *recover_idle;
	struct wl_event_source *warm_up_idle;
	struct wl_event_source *retry_timer;
	/* One status read per refresh while frames are drawn. */
	struct wl_event_source *watch_timer;
	/* Probes the GPU while in safe mode (vgr-safe-mode.c). */
	struct vgr_safe_mode *safe;
	bool check_each_frame;		/* VMPLANE_RESET_CHECK, default on */
	bool warm_up_on_recovery;	/* VMPLANE_RESET_WARM_UP, default on */
	/* RECOVERED is sent after the first frame drawn after a rebuild. */
	bool recovered_pending;
	uint32_t serial;
	/* Where a recovery's time goes (CLOCK_MONOTONIC; vmp_reset_event). */
	uint64_t detected_ns, inject_ns, rebuild_start_ns, rebuild_end_ns;
	uint64_t frame_start_ns, warm_up_ns;
	struct wl_signal signal;	/* struct vmp_reset_event */
};

static void
emit(struct vgr_reset *rs, struct vmp_reset_event *event)
{
	event->serial = rs->serial;
	wl_signal_emit(&rs->signal, event);
}

static enum rb_reset_status
hook_query_status(void *data)
{
	struct vgr_reset *rs = data;
	struct vgr_renderer *gr = rs->gr;
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
	struct vgr_reset *rs = data;
	struct vgr_renderer *gr = rs->gr;

	rs->rebuild_start_ns = vmplane_now_ns();
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
	struct vgr_reset *rs = data;

	/* Views, solid colours and outputs are Weston's own state: a full
	 * repaint paints them again. */
	rs->rebuild_end_ns = vmplane_now_ns();
	rs->frame_start_ns = 0;
	rs->warm_up_ns = 0;
	rs->recovered_pending = true;
	vgr_frontend_damage_all(rs->gr);
}

static void
hook_state_changed(void *data, enum rb_state old_state, enum rb_state new_state,
		   enum rb_reset_status status)
{
	struct vgr_reset *rs = data;
	struct vmp_reset_event event = { .status = status };
	uint64_t now = vmplane_now_ns();

	switch (new_state) {
	case RB_STATE_LOST:
		/* A reset during a rebuild continues the same recovery. */
		if (old_state == RB_STATE_RUNNING ||
		    old_state == RB_STATE_SAFE_MODE)
			rs->detected_ns = now;
		rs->recovered_pending = false;
		rs->serial++;
		event.kind = VMP_RESET_EVENT_LOST;
		if (rs->inject_ns)
			event.detect_ns = now - rs->inject_ns;
		rs->inject_ns = 0;
		emit(rs, &event);
		break;
	case RB_STATE_SAFE_MODE:
		rs->recovered_pending = false;
		event.kind = VMP_RESET_EVENT_DEGRADED;
		event.duration_ns = now - rs->detected_ns;
		emit(rs, &event);
		vgr_safe_mode_entered(rs->safe);
		break;
	default:
		break;
	}
}

static void recover(struct vgr_reset *rs);

static void
recover_idle(void *data)
{
	struct vgr_reset *rs = data;

	rs->recover_idle = NULL;
	recover(rs);
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
	struct vgr_reset *rs = data;
	uint64_t start = vmplane_now_ns();

	rs->warm_up_idle = NULL;
	if (rb_recovery_get_state(rs->recovery) != RB_STATE_RUNNING)
		return;
	vgr_frontend_warm_up(rs->gr);
	rs->warm_up_ns = vmplane_now_ns() - start;
}

/* Queued behind the idle callback in which Weston starts the output's
 * repaint clock, so the clock runs while we compile. */
static void
warm_up(struct vgr_reset *rs)
{
	struct wl_event_loop *loop = vgr_frontend_event_loop(rs->gr);

	if (rs->warm_up_on_recovery && !rs->warm_up_idle)
		rs->warm_up_idle = wl_event_loop_add_idle(loop, warm_up_idle, rs);
}

static void
recover(struct vgr_reset *rs)
{
	uint64_t ms;

	switch (rb_recovery_recover(rs->recovery)) {
	case RB_RECOVER_RETRY:
		ms = rb_recovery_retry_delay_ns(rs->recovery) / 1000000;
		wl_event_source_timer_update(rs->retry_timer, ms ? (int)ms : 1);
		break;
	case RB_RECOVER_DONE:
		warm_up(rs);
		break;
	case RB_RECOVER_SAFE_MODE:
	case RB_RECOVER_IDLE:
		break;
	}
}

static void
schedule_recovery(struct vgr_reset *rs)
{
	struct wl_event_loop *loop = vgr_frontend_event_loop(rs->gr);

	if (!rs->recover_idle)
		rs->recover_idle = wl_event_loop_add_idle(loop, recover_idle, rs);
}

void
vgr_reset_schedule_recovery(struct vgr_renderer *gr)
{
	if (gr->reset)
		schedule_recovery(gr->reset);
}

bool
vgr_reset_check(struct vgr_renderer *gr)
{
	struct vgr_reset *rs = gr->reset;
	enum rb_check_result r;

	if (!rs)
		return false;
	/* Benchmark baseline only: skip the per-frame query. */
	if (!rs->check_each_frame &&
	    rb_recovery_get_state(rs->recovery) == RB_STATE_RUNNING &&
	    vgr_gl_current(gr))
		return true;
	r = rb_recovery_check(rs->recovery);
	if (r == RB_CHECK_SCHEDULE_RECOVERY)
		schedule_recovery(rs);
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

	if (!gr->reset)
		return false;
	state = rb_recovery_get_state(gr->reset->recovery);
	return state == RB_STATE_RUNNING || state == RB_STATE_REBUILDING;
}

bool
vgr_reset_recovering(struct vgr_renderer *gr)
{
	enum rb_state state;

	if (!gr->reset)
		return false;
	state = rb_recovery_get_state(gr->reset->recovery);
	return state == RB_STATE_LOST || state == RB_STATE_WAITING ||
	       state == RB_STATE_REBUILDING;
}

bool
vgr_reset_in_safe_mode(struct vgr_renderer *gr)
{
	return gr->reset &&
	       rb_recovery_get_state(gr->reset->recovery) == RB_STATE_SAFE_MODE;
}

enum rb_safe_poll_result
vgr_reset_safe_mode_poll(struct vgr_renderer *gr)
{
	if (!gr->reset)
		return RB_SAFE_POLL_IDLE;
	return rb_recovery_safe_mode_poll(gr->reset->recovery);
}

uint64_t
vgr_reset_safe_mode_delay_ns(struct vgr_renderer *gr)
{
	return gr->reset ? rb_recovery_safe_mode_delay_ns(gr->reset->recovery) : 0;
}

struct vgr_safe_mode *
vgr_reset_safe_mode(struct vgr_renderer *gr)
{
	return gr->reset ? gr->reset->safe : NULL;
}

void
vgr_reset_frame_begin(struct vgr_renderer *gr)
{
	struct vgr_reset *rs = gr->reset;

	if (rs && rs->recovered_pending && !rs->frame_start_ns)
		rs->frame_start_ns = vmplane_now_ns();
}

static int
watch_timer(void *data)
{
	struct vgr_reset *rs = data;

	if (rb_recovery_get_state(rs->recovery) == RB_STATE_RUNNING)
		vgr_reset_check(rs->gr);
	return 0;
}

/* Found at the next repaint, a reset that lands during a frame costs that
 * repaint and a restart of the loop; found when the frame completes, the
 * rebuild runs in the repaint window instead. An idle desktop draws no
 * frame and so arms nothing. */
void
vgr_reset_watch_frame(struct vgr_renderer *gr, int32_t refresh_mhz)
{
	int ms = refresh_mhz > 0 ? (int)(1000000 / refresh_mhz) : 16;

	if (gr->reset)
		wl_event_source_timer_update(gr->reset->watch_timer,
					     ms > 0 ? ms : 1);
}

void
vgr_reset_frame_done(struct vgr_renderer *gr)
{
	struct vgr_reset *rs = gr->reset;
	struct vmp_reset_event event = { .kind = VMP_RESET_EVENT_RECOVERED };
	struct rb_counters c;
	uint64_t now;

	if (!rs || !rs->recovered_pending)
		return;
	rs->recovered_pending = false;
	/* "Good" means rendered, not just queued: a software rasteriser
	 * only starts on a flush, and a pbuffer swap does not flush. */
	glFinish();
	now = vmplane_now_ns();
	rb_recovery_get_counters(rs->recovery, &c);
	event.status = c.last_status;
	event.rebuilt = c.last_rebuilt;
	event.duration_ns = now - rs->detected_ns;
	event.wait_ns = rs->rebuild_start_ns - rs->detected_ns;
	event.rebuild_ns = rs->rebuild_end_ns - rs->rebuild_start_ns;
	event.schedule_ns = rs->frame_start_ns - rs->rebuild_end_ns;
	event.frame_ns = now - rs->frame_start_ns;
	event.warm_up_ns = rs->warm_up_ns;
	emit(rs, &event);
}

void
vgr_reset_add_listener(struct vgr_renderer *gr, struct wl_listener *listener)
{
	wl_signal_add(&gr->reset->signal, listener);
}

void
vgr_reset_get_counters(struct vgr_renderer *gr, struct rb_counters *out)
{
	if (gr->reset)
		rb_recovery_get_counters(gr->reset->recovery, out);
	else
		*out = (struct rb_counters){ .last_status = RB_RESET_NONE };
}

enum vmp_inject_result
vgr_reset_inject(struct vgr_renderer *gr, enum rb_reset_status status)
{
	struct vgr_reset *rs = gr->reset;

	if (!rs)
		return VMP_INJECT_UNAVAILABLE;
	switch (rb_recovery_get_state(rs->recovery)) {
	case RB_STATE_RUNNING:
		break;
	case RB_STATE_SAFE_MODE:
		return VMP_INJECT_SAFE_MODE;
	default:
		return VMP_INJECT_RECOVERING;
	}
	/* One extra poll still reports the reset, so recovery has to wait
	 * for NO_ERROR as after a real one. */
	if (!rb_fault_inject_reset(gr->ctx, status, 1))
		return VMP_INJECT_UNAVAILABLE;
	rs->inject_ns = vmplane_now_ns();
	return VMP_INJECT_OK;
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
		vgr_log("vgr: ignoring %s=%s (not a number)\n", name, v);
		return fallback;
	}
	return n;
}

bool
vgr_reset_init(struct vgr_renderer *gr)
{
	struct vgr_reset *rs;
	struct rb_recovery_hooks hooks = {
		.query_status = hook_query_status,
		.recreate_context = hook_recreate_context,
		.damage_all = hook_damage_all,
		.state_changed = hook_state_changed,
	};
	struct rb_log log = { .func = vgr_rb_log, .data = gr };
	struct rb_recovery_config config;
	struct wl_event_loop *loop = vgr_frontend_event_loop(gr);

	rs = calloc(1, sizeof *rs);
	if (!rs)
		return false;
	rs->gr = gr;
	wl_signal_init(&rs->signal);
	gr->reset = rs;

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
	config.safe_retry_ns = env_ulong("VMPLANE_SAFE_RETRY_MS",
					 config.safe_retry_ns / 1000000) * 1000000ull;
	config.safe_quiet_ns = env_ulong("VMPLANE_SAFE_QUIET_MS",
					 config.safe_quiet_ns / 1000000) * 1000000ull;
	rs->check_each_frame = env_ulong("VMPLANE_RESET_CHECK", 1) != 0;
	rs->warm_up_on_recovery = env_ulong("VMPLANE_RESET_WARM_UP", 1) != 0;

	gr->registry = rb_registry_create();
	if (gr->registry)
		rs->recovery = rb_recovery_create(&config, &hooks, rs,
						  gr->registry, &log);
	rs->retry_timer = wl_event_loop_add_timer(loop, retry_timer, rs);
	rs->watch_timer = wl_event_loop_add_timer(loop, watch_timer, rs);
	rs->safe = vgr_safe_mode_create(gr);
	if (!rs->recovery || !rs->retry_timer || !rs->watch_timer ||
	    !rs->safe) {
		vgr_reset_fini(gr);
		return false;
	}
	return true;
}

static void
source_remove(struct wl_event_source **source)
{
	if (*source)
		wl_event_source_remove(*source);
	*source = NULL;
}

void
vgr_reset_fini(struct vgr_renderer *gr)
{
	struct vgr_reset *rs = gr->reset;

	if (!rs)
		return;
	source_remove(&rs->recover_idle);
	source_remove(&rs->warm_up_idle);
	source_remove(&rs->retry_timer);
	source_remove(&rs->watch_timer);
	vgr_safe_mode_destroy(rs->safe);
	rb_recovery_destroy(rs->recovery);
	rb_registry_destroy(gr->registry);
	gr->registry = NULL;
	/* Listeners leave on the renderer's destroy signal, emitted before
	 * this; one still here is another module's bug. */
	if (!wl_list_empty(&rs->signal.listener_list))
		vgr_log("vgr: a reset listener outlived the renderer\n");
	free(rs);
	gr->reset = NULL;
}
