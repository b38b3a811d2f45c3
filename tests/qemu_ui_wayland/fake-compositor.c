/* SPDX-License-Identifier: MIT */
/*
 * The scripted test compositor. One dispatcher per interface (an opcode
 * switch, no tables); once started, its state is touched only under lock.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <wayland-server.h>

#include "fake-compositor.h"
#include "vmplane/clock.h"
#include "linux-dmabuf-unstable-v1-server-protocol.h"
#include "linux-explicit-synchronization-unstable-v1-server-protocol.h"
#include "presentation-time-server-protocol.h"
#include "vmplane-reset-v1-server-protocol.h"
#include "viewporter-server-protocol.h"
#include "xdg-shell-server-protocol.h"

#define MAX_FORMATS 16
#define MAX_FENCES 64

struct fake_compositor {
	struct wl_display *display;
	struct wl_event_loop *loop;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
	char socket[256];
	struct fake_config config;
	struct fake_format formats[MAX_FORMATS];
	int n_formats;
	struct fake_stats stats;
	bool hidden;
	uint32_t serial;
	struct wl_list surfaces;
	struct wl_list feedbacks;       /* dma-buf feedback resources */
	struct wl_list notifiers;       /* vmplane_reset_notifier_v1 resources */
	int fences[MAX_FENCES];         /* eventfds sent as release fences */
	int n_fences;
	struct wl_list keyboards;       /* wl_keyboard resources */
	struct wl_list pointers;        /* wl_pointer resources */
	/* Clipboard: data devices, the selection (a client's source or our text). */
	struct wl_list data_devices;    /* wl_data_device resources */
	struct wl_resource *selection_source;
	uint32_t selection_gen;         /* bumped per selection; offers carry theirs */
	char *text;                     /* the fake's own selection */
	size_t text_len;
	char *mimes[8];
	int n_mimes;
	uint32_t key_serial;
};

struct fsurface {
	struct fake_compositor *fc;
	struct wl_resource *res;
	struct wl_resource *pending, *current;
	bool attached;
	struct wl_resource *xdg;        /* xdg_surface */
	struct wl_resource *toplevel;
	bool configured;
	/* zwp_linux_buffer_release_v1 of the pending and the current commit. */
	struct wl_resource *pending_release, *current_release;
	bool had_buffer;                /* a commit ever carried a buffer */
	struct wl_list frames;          /* wl_callback resource links */
	struct wl_list presents;        /* wp_presentation_feedback resource links */
	struct wl_list link;
};

struct fbuffer {
	struct fake_compositor *fc;
	bool dmabuf;
};

static void forget_buffer(struct fake_compositor *fc, struct wl_resource *buffer);

/* Requests go through one dispatcher per interface: opcode switch, no tables. */
typedef int (*dispatch_fn)(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args);

static struct wl_resource *make(struct wl_resource *parent, const struct wl_interface *iface,
	uint32_t id, dispatch_fn fn, void *data, wl_resource_destroy_func_t destroy)
{
	struct wl_client *client = wl_resource_get_client(parent);
	int version = wl_resource_get_version(parent);
	if (version > iface->version)
		version = iface->version;
	struct wl_resource *r = wl_resource_create(client, iface, version, id);
	if (r)
		wl_resource_set_dispatcher(r, fn, NULL, data, destroy);
	return r;
}

static int ignore_requests(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	/* Every interface here has its destructor at opcode 0 unless noted. */
	if (opcode == 0)
		wl_resource_destroy(target);
	return 0;
}

static int ignore_not_destroy(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	return 0;
}

/* ---- buffers ---- */

static void buffer_destroyed(struct wl_resource *r)
{
	struct fbuffer *b = wl_resource_get_user_data(r);
	forget_buffer(b->fc, r);
	free(b);
}

static void forget_buffer(struct fake_compositor *fc, struct wl_resource *buffer)
{
	struct fsurface *s;
	wl_list_for_each(s, &fc->surfaces, link) {
		if (s->pending == buffer)
			s->pending = NULL;
		if (s->current == buffer)
			s->current = NULL;
	}
}

static int buffer_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct wl_resource *r = target;
	if (opcode == 0)
		wl_resource_destroy(r);
	return 0;
}

static struct wl_resource *buffer_create(struct fake_compositor *fc, struct wl_resource *parent,
	uint32_t id, bool dmabuf)
{
	struct fbuffer *b = calloc(1, sizeof(*b));
	b->fc = fc;
	b->dmabuf = dmabuf;
	struct wl_resource *r = wl_resource_create(wl_resource_get_client(parent),
		&wl_buffer_interface, 1, id);
	wl_resource_set_dispatcher(r, buffer_dispatch, NULL, b, buffer_destroyed);
	return r;
}

/* ---- surfaces ---- */

/* The per-commit release of the commit whose buffer the compositor let go. */
static void send_release(struct fsurface *s, struct wl_resource **release)
{
	struct fake_compositor *fc = s->fc;
	struct wl_resource *r = *release;
	if (!r)
		return;
	*release = NULL;
	wl_resource_set_user_data(r, NULL);
	int fd = fc->config.fenced_release && fc->n_fences < MAX_FENCES ?
		eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
	if (fd >= 0) {
		fc->fences[fc->n_fences++] = fd;
		zwp_linux_buffer_release_v1_send_fenced_release(r, fd);
		fc->stats.fenced_sent++;
	} else {
		zwp_linux_buffer_release_v1_send_immediate_release(r);
		fc->stats.immediate_sent++;
	}
	wl_resource_destroy(r);
}

static void surface_destroyed(struct wl_resource *r)
{
	struct fsurface *s = wl_resource_get_user_data(r);
	struct wl_resource *cb, *tmp;
	if (s->pending_release)
		wl_resource_set_user_data(s->pending_release, NULL);
	if (s->current_release)
		wl_resource_set_user_data(s->current_release, NULL);
	wl_resource_for_each_safe(cb, tmp, &s->frames)
		wl_resource_destroy(cb);
	wl_resource_for_each_safe(cb, tmp, &s->presents)
		wl_resource_destroy(cb);
	wl_list_remove(&s->link);
	free(s);
}

static void unlink_resource(struct wl_resource *r)
{
	wl_list_remove(wl_resource_get_link(r));
}

static void send_frame_events(struct fsurface *s, bool dmabuf)
{
	struct fake_compositor *fc = s->fc;
	struct wl_resource *r, *tmp;
	uint64_t now = vmplane_now_ns();
	uint32_t now_ms = (uint32_t)(now / 1000000);
	wl_resource_for_each_safe(r, tmp, &s->frames) {
		wl_callback_send_done(r, now_ms);
		wl_resource_destroy(r);
	}
	uint32_t flags = WP_PRESENTATION_FEEDBACK_KIND_VSYNC;
	if (dmabuf && fc->config.zero_copy)
		flags |= WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY;
	wl_resource_for_each_safe(r, tmp, &s->presents) {
		wp_presentation_feedback_send_presented(r, 0, (uint32_t)(now / 1000000000),
			(uint32_t)(now % 1000000000), 16666666, 0, ++fc->serial, flags);
		wl_resource_destroy(r);
	}
}

static void surface_commit(struct fsurface *s)
{
	struct fake_compositor *fc = s->fc;
	bool dmabuf = false;
	if (s->attached && s->xdg) {
		if (s->pending)
			fc->stats.role_maps++;
		else
			fc->stats.role_unmaps++;
	}
	if (s->attached) {
		/* wl_buffer.release first, then the per-commit release: the core
		 * must not take the former for the latter. */
		if (s->current && s->current != s->pending)
			wl_buffer_send_release(s->current);
		send_release(s, &s->current_release);
		s->current = s->pending;
		s->current_release = s->pending_release;
		s->pending_release = NULL;
		s->attached = false;
		if (s->current) {
			s->had_buffer = true;
			struct fbuffer *b = wl_resource_get_user_data(s->current);
			dmabuf = b->dmabuf;
			if (dmabuf)
				fc->stats.dmabuf_commits++;
			else {
				fc->stats.shm_commits++;
				/* shm is "copied" at commit, as Weston's GL renderer does. */
				wl_buffer_send_release(s->current);
				s->current = NULL;
				send_release(s, &s->current_release);
			}
		}
	}
	if (s->xdg && !s->configured) {
		struct wl_array states;
		wl_array_init(&states);
		xdg_toplevel_send_configure(s->toplevel, fc->config.configure_width,
			fc->config.configure_height, &states);
		wl_array_release(&states);
		xdg_surface_send_configure(s->xdg, ++fc->serial);
		s->configured = true;
	}
	if (!fc->hidden)
		send_frame_events(s, dmabuf);
}

static int surface_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct wl_resource *r = target;
	struct fsurface *s = wl_resource_get_user_data(r);
	switch (opcode) {
	case 0:
		wl_resource_destroy(r);
		break;
	case 1: /* attach */
		s->pending = (struct wl_resource *)args[0].o;
		s->attached = true;
		break;
	case 3: { /* frame */
		struct wl_resource *cb = wl_resource_create(wl_resource_get_client(r),
			&wl_callback_interface, 1, args[0].n);
		wl_resource_set_implementation(cb, NULL, NULL, unlink_resource);
		wl_list_insert(s->frames.prev, wl_resource_get_link(cb));
		break;
	}
	case 6:
		surface_commit(s);
		break;
	default:
		break;
	}
	return 0;
}

static int compositor_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct wl_resource *r = target;
	struct fake_compositor *fc = wl_resource_get_user_data(r);
	if (opcode == 0) {
		struct fsurface *s = calloc(1, sizeof(*s));
		s->fc = fc;
		wl_list_init(&s->frames);
		wl_list_init(&s->presents);
		wl_list_insert(&fc->surfaces, &s->link);
		s->res = make(r, &wl_surface_interface, args[0].n, surface_dispatch, s,
			surface_destroyed);
	} else {
		make(r, &wl_region_interface, args[0].n, ignore_requests, NULL, NULL);
	}
	return 0;
}

/* ---- shell ---- */

static int toplevel_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0) {
		struct fsurface *s = wl_resource_get_user_data(target);
		if (s)
			s->toplevel = NULL;
		wl_resource_destroy(target);
	}
	return 0;
}

static int xdg_surface_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fsurface *s = wl_resource_get_user_data(target);
	if (opcode == 0) {
		if (s)
			s->xdg = NULL;
		wl_resource_destroy(target);
	} else if (opcode == 1) {
		s->toplevel = make(target, &xdg_toplevel_interface, args[0].n, toplevel_dispatch, s,
			NULL);
		s->fc->stats.toplevels++;
	}
	return 0;
}

static int wm_base_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0) {
		wl_resource_destroy(target);
	} else if (opcode == 2) {
		struct fsurface *s = wl_resource_get_user_data((struct wl_resource *)args[1].o);
		s->xdg = make(target, &xdg_surface_interface, args[0].n, xdg_surface_dispatch, s,
			NULL);
		/* A new role object starts over: its initial commit gets a configure. */
		s->configured = false;
	}
	return 0;
}

static int subcompositor_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0)
		wl_resource_destroy(target);
	else if (opcode == 1)
		make(target, &wl_subsurface_interface, args[0].n, ignore_requests, NULL, NULL);
	return 0;
}

static int viewporter_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0)
		wl_resource_destroy(target);
	else if (opcode == 1)
		make(target, &wp_viewport_interface, args[0].n, ignore_requests, NULL, NULL);
	return 0;
}

static int presentation_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0) {
		wl_resource_destroy(target);
	} else if (opcode == 1) {
		struct fsurface *s = wl_resource_get_user_data((struct wl_resource *)args[0].o);
		struct wl_resource *fb = make(target, &wp_presentation_feedback_interface, args[1].n,
			ignore_not_destroy, NULL, unlink_resource);
		wl_list_insert(s->presents.prev, wl_resource_get_link(fb));
	}
	return 0;
}

/* ---- shm ---- */

static int pool_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	if (opcode == 0)
		buffer_create(fc, target, args[0].n, false);
	else if (opcode == 1)
		wl_resource_destroy(target);
	return 0;
}

static int shm_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	/* Content is never read: the fake only counts. */
	close(args[1].h);
	make(target, &wl_shm_pool_interface, args[0].n, pool_dispatch, fc, NULL);
	return 0;
}

/* ---- linux-dmabuf ---- */

struct fparams {
	struct fake_compositor *fc;
	uint32_t stride, offset;
	uint64_t modifier;
	int planes;
};

static bool format_ok(struct fake_compositor *fc, uint32_t fourcc, uint64_t mod)
{
	for (int i = 0; i < fc->n_formats; i++)
		if (fc->formats[i].fourcc == fourcc && fc->formats[i].modifier == mod)
			return true;
	return false;
}

static void params_destroyed(struct wl_resource *r)
{
	free(wl_resource_get_user_data(r));
}

static int params_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fparams *p = wl_resource_get_user_data(target);
	struct fake_compositor *fc = p->fc;
	switch (opcode) {
	case 0:
		wl_resource_destroy(target);
		break;
	case 1: /* add: fd, plane_idx, offset, stride, mod_hi, mod_lo */
		close(args[0].h);
		p->planes++;
		p->offset = args[2].u;
		p->stride = args[3].u;
		p->modifier = ((uint64_t)args[4].u << 32) | args[5].u;
		break;
	case 2: { /* create: width, height, format, flags */
		fc->stats.last_width = (uint32_t)args[0].i;
		fc->stats.last_height = (uint32_t)args[1].i;
		fc->stats.last_format = args[2].u;
		fc->stats.last_flags = args[3].u;
		fc->stats.last_modifier = p->modifier;
		fc->stats.last_stride = p->stride;
		fc->stats.last_offset = p->offset;
		if (fc->config.fail_imports || !format_ok(fc, args[2].u, p->modifier)) {
			fc->stats.params_failed++;
			zwp_linux_buffer_params_v1_send_failed(target);
			break;
		}
		fc->stats.params_created++;
		struct wl_resource *b = buffer_create(fc, target, 0, true);
		zwp_linux_buffer_params_v1_send_created(target, b);
		break;
	}
	default:
		wl_resource_post_error(target, ZWP_LINUX_BUFFER_PARAMS_V1_ERROR_INVALID_WL_BUFFER,
			"fake compositor: create_immed is not expected from this client");
		break;
	}
	return 0;
}

static void send_feedback(struct fake_compositor *fc, struct wl_resource *r)
{
	size_t size = (size_t)fc->n_formats * 16;
	int fd = memfd_create("fake-format-table", MFD_CLOEXEC);
	unsigned char *table = calloc(1, size ? size : 16);
	for (int i = 0; i < fc->n_formats; i++) {
		memcpy(table + i * 16, &fc->formats[i].fourcc, 4);
		memcpy(table + i * 16 + 8, &fc->formats[i].modifier, 8);
	}
	if (fd < 0 || write(fd, table, size) != (ssize_t)size) {
		free(table);
		return;
	}
	free(table);
	zwp_linux_dmabuf_feedback_v1_send_format_table(r, fd, (uint32_t)size);
	close(fd);
	dev_t main_dev = makedev(226, 128), kms = makedev(226, 0);
	struct wl_array dev = { .size = sizeof(dev_t), .alloc = 0, .data = &main_dev };
	zwp_linux_dmabuf_feedback_v1_send_main_device(r, &dev);
	for (int pass = 0; pass < 2; pass++) {
		/* Scanout tranche first, as Weston orders them. */
		struct wl_array idx;
		wl_array_init(&idx);
		for (int i = 0; i < fc->n_formats; i++) {
			if (pass == 0 && !fc->formats[i].scanout)
				continue;
			uint16_t *v = wl_array_add(&idx, sizeof(*v));
			*v = (uint16_t)i;
		}
		if (pass == 0 && idx.size == 0) {
			wl_array_release(&idx);
			continue;
		}
		struct wl_array target = { .size = sizeof(dev_t), .alloc = 0,
			.data = pass == 0 ? (void *)&kms : (void *)&main_dev };
		zwp_linux_dmabuf_feedback_v1_send_tranche_target_device(r, &target);
		zwp_linux_dmabuf_feedback_v1_send_tranche_flags(r, pass == 0 ?
			ZWP_LINUX_DMABUF_FEEDBACK_V1_TRANCHE_FLAGS_SCANOUT : 0);
		zwp_linux_dmabuf_feedback_v1_send_tranche_formats(r, &idx);
		zwp_linux_dmabuf_feedback_v1_send_tranche_done(r);
		wl_array_release(&idx);
	}
	zwp_linux_dmabuf_feedback_v1_send_done(r);
}

static int dmabuf_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	if (opcode == 0) {
		wl_resource_destroy(target);
	} else if (opcode == 1) {
		struct fparams *p = calloc(1, sizeof(*p));
		p->fc = fc;
		make(target, &zwp_linux_buffer_params_v1_interface, args[0].n, params_dispatch, p,
			params_destroyed);
	} else {
		struct wl_resource *fb = make(target, &zwp_linux_dmabuf_feedback_v1_interface,
			args[0].n, ignore_requests, fc, unlink_resource);
		wl_list_insert(&fc->feedbacks, wl_resource_get_link(fb));
		fc->stats.feedbacks_bound++;
		send_feedback(fc, fb);
	}
	return 0;
}

/* ---- explicit sync ---- */

static void release_destroyed(struct wl_resource *r)
{
	struct fsurface *s = wl_resource_get_user_data(r);
	if (!s)
		return;
	if (s->pending_release == r)
		s->pending_release = NULL;
	if (s->current_release == r)
		s->current_release = NULL;
}

static int surface_sync_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct wl_resource *r = target;
	struct fsurface *s = wl_resource_get_user_data(r);
	switch (opcode) {
	case 0:
		wl_resource_destroy(r);
		break;
	case 1: /* set_acquire_fence: taken as signalled */
		s->fc->stats.acquire_fences++;
		close(args[0].h);
		break;
	case 2: /* get_release */
		if (s->pending_release)
			wl_resource_destroy(s->pending_release);
		s->pending_release = make(r, &zwp_linux_buffer_release_v1_interface, args[0].n,
			ignore_not_destroy, s, release_destroyed);
		s->fc->stats.releases_requested++;
		break;
	}
	return 0;
}

static int explicit_sync_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0) {
		wl_resource_destroy(target);
	} else if (opcode == 1) {
		struct fsurface *s = wl_resource_get_user_data((struct wl_resource *)args[1].o);
		make(target, &zwp_linux_surface_synchronization_v1_interface, args[0].n,
			surface_sync_dispatch, s, NULL);
	}
	return 0;
}

int fake_compositor_signal_release_fences(struct fake_compositor *fc)
{
	uint64_t one = 1;
	int n = 0;
	pthread_mutex_lock(&fc->lock);
	for (int i = 0; i < fc->n_fences; i++)
		if (write(fc->fences[i], &one, sizeof(one)) == sizeof(one))
			n++;
	pthread_mutex_unlock(&fc->lock);
	return n;
}

/* ---- globals ---- */

static void bind_generic(struct wl_client *client, void *data, uint32_t version, uint32_t id,
	const struct wl_interface *iface, dispatch_fn fn)
{
	struct wl_resource *r = wl_resource_create(client, iface, (int)version, id);
	wl_resource_set_dispatcher(r, fn, NULL, data, NULL);
}

#define BINDER(name, iface, fn) \
	static void name(struct wl_client *c, void *data, uint32_t v, uint32_t id) \
	{ \
		bind_generic(c, data, v, id, iface, fn); \
	}

BINDER(bind_compositor, &wl_compositor_interface, compositor_dispatch)
BINDER(bind_subcompositor, &wl_subcompositor_interface, subcompositor_dispatch)
BINDER(bind_wm_base, &xdg_wm_base_interface, wm_base_dispatch)
BINDER(bind_viewporter, &wp_viewporter_interface, viewporter_dispatch)
BINDER(bind_explicit_sync, &zwp_linux_explicit_synchronization_v1_interface,
	explicit_sync_dispatch)

static void bind_shm(struct wl_client *c, void *data, uint32_t v, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(c, &wl_shm_interface, (int)v, id);
	wl_resource_set_dispatcher(r, shm_dispatch, NULL, data, NULL);
	wl_shm_send_format(r, WL_SHM_FORMAT_ARGB8888);
	wl_shm_send_format(r, WL_SHM_FORMAT_XRGB8888);
}

static void bind_presentation(struct wl_client *c, void *data, uint32_t v, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(c, &wp_presentation_interface, (int)v, id);
	wl_resource_set_dispatcher(r, presentation_dispatch, NULL, data, NULL);
	wp_presentation_send_clock_id(r, CLOCK_MONOTONIC);
}

static void bind_dmabuf(struct wl_client *c, void *data, uint32_t v, uint32_t id)
{
	struct fake_compositor *fc = data;
	struct wl_resource *r = wl_resource_create(c, &zwp_linux_dmabuf_v1_interface, (int)v, id);
	wl_resource_set_dispatcher(r, dmabuf_dispatch, NULL, fc, NULL);
	if (v >= 4)
		return;
	for (int i = 0; i < fc->n_formats; i++)
		zwp_linux_dmabuf_v1_send_modifier(r, fc->formats[i].fourcc,
			(uint32_t)(fc->formats[i].modifier >> 32), (uint32_t)fc->formats[i].modifier);
}

/* ---- seat: a keyboard without a keymap, typed on by fake_compositor_key ---- */

static int keyboard_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	if (opcode == 0) /* release */
		wl_resource_destroy(target);
	return 0;
}

static int pointer_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	/* set_cursor (serial, surface, hotspot) with an image already committed */
	if (opcode == 0 && args[1].o) {
		struct fsurface *s = wl_resource_get_user_data((struct wl_resource *)args[1].o);
		if (s && s->had_buffer)
			fc->stats.cursor_sets++;
	} else if (opcode == 1) { /* release */
		wl_resource_destroy(target);
	}
	return 0;
}

static int seat_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	if (opcode == 0) { /* get_pointer */
		struct wl_resource *ptr = make(target, &wl_pointer_interface, args[0].n,
			pointer_dispatch, fc, unlink_resource);
		wl_list_insert(&fc->pointers, wl_resource_get_link(ptr));
		fc->stats.pointers++;
	} else if (opcode == 1) { /* get_keyboard */
		struct wl_resource *kb = make(target, &wl_keyboard_interface, args[0].n,
			keyboard_dispatch, fc, unlink_resource);
		wl_list_insert(&fc->keyboards, wl_resource_get_link(kb));
		fc->stats.keyboards++;
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			wl_keyboard_send_keymap(kb, WL_KEYBOARD_KEYMAP_FORMAT_NO_KEYMAP, fd, 0);
			close(fd);
		}
	} else if (opcode == 3) { /* release */
		wl_resource_destroy(target);
	}
	return 0;
}

static void bind_seat(struct wl_client *c, void *data, uint32_t v, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(c, &wl_seat_interface, (int)v, id);
	wl_resource_set_dispatcher(r, seat_dispatch, NULL, data, NULL);
	wl_seat_send_capabilities(r, WL_SEAT_CAPABILITY_KEYBOARD | WL_SEAT_CAPABILITY_POINTER);
}

static struct fsurface *client_toplevel(struct fake_compositor *fc, struct wl_resource *r)
{
	struct fsurface *s, *found = NULL;
	wl_list_for_each(s, &fc->surfaces, link) {
		if (s->toplevel && wl_resource_get_client(s->res) == wl_resource_get_client(r))
			found = s;
	}
	return found;
}

void fake_compositor_pointer_enter(struct fake_compositor *fc)
{
	pthread_mutex_lock(&fc->lock);
	struct wl_resource *ptr;
	wl_resource_for_each(ptr, &fc->pointers) {
		struct fsurface *s = client_toplevel(fc, ptr);
		if (!s)
			continue;
		wl_pointer_send_enter(ptr, ++fc->serial, s->res, wl_fixed_from_int(10),
			wl_fixed_from_int(10));
		/* frame is wl_pointer version 5; libdecor's plugin binds older seats. */
		if (wl_resource_get_version(ptr) >= WL_POINTER_FRAME_SINCE_VERSION)
			wl_pointer_send_frame(ptr);
	}
	wl_display_flush_clients(fc->display);
	pthread_mutex_unlock(&fc->lock);
}

void fake_compositor_key(struct fake_compositor *fc, uint32_t key)
{
	pthread_mutex_lock(&fc->lock);
	struct wl_resource *kb;
	wl_resource_for_each(kb, &fc->keyboards) {
		struct fsurface *found = client_toplevel(fc, kb);
		if (!found)
			continue;
		struct wl_array keys;
		wl_array_init(&keys);
		uint32_t t = (uint32_t)(vmplane_now_ns() / 1000000);
		wl_keyboard_send_enter(kb, ++fc->serial, found->res, &keys);
		fc->key_serial = ++fc->serial;
		wl_keyboard_send_key(kb, fc->key_serial, t, key, WL_KEYBOARD_KEY_STATE_PRESSED);
		wl_keyboard_send_key(kb, ++fc->serial, t, key, WL_KEYBOARD_KEY_STATE_RELEASED);
		wl_array_release(&keys);
	}
	wl_display_flush_clients(fc->display);
	pthread_mutex_unlock(&fc->lock);
}

static void bind_reset(struct wl_client *c, void *data, uint32_t v, uint32_t id)
{
	struct fake_compositor *fc = data;
	struct wl_resource *r = wl_resource_create(c, &vmplane_reset_notifier_v1_interface, (int)v,
		id);
	wl_resource_set_dispatcher(r, ignore_requests, NULL, fc, unlink_resource);
	wl_list_insert(&fc->notifiers, wl_resource_get_link(r));
}

void fake_compositor_gpu_reset(struct fake_compositor *fc, bool degraded)
{
	pthread_mutex_lock(&fc->lock);
	uint32_t serial = ++fc->serial;
	struct wl_resource *r;
	wl_resource_for_each(r, &fc->notifiers) {
		vmplane_reset_notifier_v1_send_reset(r, serial,
			VMPLANE_RESET_NOTIFIER_V1_STATUS_INNOCENT);
		if (degraded)
			vmplane_reset_notifier_v1_send_degraded(r, serial);
		else
			vmplane_reset_notifier_v1_send_recovered(r, serial, 1234);
	}
	wl_display_flush_clients(fc->display);
	pthread_mutex_unlock(&fc->lock);
}

/* ---- clipboard: wl_data_device_manager with one selection ---- */

struct foffer {
	struct fake_compositor *fc;
	uint32_t gen;
};

struct text_job {
	int fd;
	char *text;
	size_t len;
};

static void *write_text(void *data)
{
	struct text_job *job = data;
	/* A reader that gave up must not end the test: EPIPE instead. */
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	size_t done = 0;
	while (done < job->len) {
		ssize_t n = write(job->fd, job->text + done, job->len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(job->fd);
	free(job->text);
	free(job);
	return NULL;
}

static void send_text_async(int fd, const char *text, size_t len)
{
	struct text_job *job = calloc(1, sizeof(*job));
	job->fd = fd;
	job->len = len;
	job->text = malloc(len ? len : 1);
	memcpy(job->text, text, len);
	pthread_t t;
	pthread_create(&t, NULL, write_text, job);
	pthread_detach(t);
}

static int offer_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct foffer *o = wl_resource_get_user_data(target);
	struct fake_compositor *fc = o->fc;
	if (opcode == 1) { /* receive(mime, fd) */
		fc->stats.receives++;
		snprintf(fc->stats.receive_mime, sizeof(fc->stats.receive_mime), "%s", args[0].s);
		if (o->gen != fc->selection_gen)
			close(args[1].h);
		else if (fc->selection_source) {
			wl_data_source_send_send(fc->selection_source, args[0].s, args[1].h);
			close(args[1].h);
		} else
			send_text_async(args[1].h, fc->text, fc->text_len);
	} else if (opcode == 2) { /* destroy */
		wl_resource_destroy(target);
	}
	return 0;
}

static void offer_destroyed(struct wl_resource *r)
{
	free(wl_resource_get_user_data(r));
}

struct fsource {
	struct fake_compositor *fc;
	char *mimes[8];
	int n_mimes;
};

static void source_destroyed(struct wl_resource *r)
{
	struct fsource *src = wl_resource_get_user_data(r);
	if (src->fc->selection_source == r) {
		src->fc->selection_source = NULL;
		src->fc->stats.client_selection = false;
	}
	for (int i = 0; i < src->n_mimes; i++)
		free(src->mimes[i]);
	free(src);
}

static int source_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fsource *src = wl_resource_get_user_data(target);
	if (opcode == 0 && src->n_mimes < 8) /* offer */
		src->mimes[src->n_mimes++] = strdup(args[0].s);
	else if (opcode == 1) /* destroy */
		wl_resource_destroy(target);
	return 0;
}

/* Sends the current selection (mime types of fc->mimes or of the source) to one device. */
static void send_selection(struct fake_compositor *fc, struct wl_resource *dev)
{
	struct foffer *o = calloc(1, sizeof(*o));
	o->fc = fc;
	o->gen = fc->selection_gen;
	struct wl_resource *offer = wl_resource_create(wl_resource_get_client(dev),
		&wl_data_offer_interface, wl_resource_get_version(dev), 0);
	wl_resource_set_dispatcher(offer, offer_dispatch, NULL, o, offer_destroyed);
	wl_data_device_send_data_offer(dev, offer);
	char *const *mimes = fc->mimes;
	int n = fc->n_mimes;
	if (fc->selection_source) {
		struct fsource *src = wl_resource_get_user_data(fc->selection_source);
		mimes = src->mimes;
		n = src->n_mimes;
	}
	for (int i = 0; i < n; i++)
		wl_data_offer_send_offer(offer, mimes[i]);
	wl_data_device_send_selection(dev, offer);
}

static void broadcast_selection(struct fake_compositor *fc)
{
	struct wl_resource *dev;
	wl_resource_for_each(dev, &fc->data_devices)
		send_selection(fc, dev);
}

static void cancel_client_source(struct fake_compositor *fc)
{
	if (!fc->selection_source)
		return;
	wl_data_source_send_cancelled(fc->selection_source);
	fc->stats.cancels_sent++;
	fc->selection_source = NULL;
	fc->stats.client_selection = false;
}

static int data_device_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	if (opcode == 1 && args[0].o) { /* set_selection(source, serial) */
		struct wl_resource *r = (struct wl_resource *)args[0].o;
		if (r != fc->selection_source)
			cancel_client_source(fc);
		fc->selection_source = r;
		fc->selection_gen++;
		struct fsource *src = wl_resource_get_user_data(r);
		fc->stats.selections_set++;
		fc->stats.selection_serial = args[1].u;
		fc->stats.selection_mimes = src->n_mimes;
		fc->stats.client_selection = true;
		fc->stats.selection_has_utf8 = false;
		for (int i = 0; i < src->n_mimes; i++)
			if (strcmp(src->mimes[i], "text/plain;charset=utf-8") == 0)
				fc->stats.selection_has_utf8 = true;
		/* As Weston: the focused client (here every one) hears of it, the owner too. */
		broadcast_selection(fc);
	} else if (opcode == 2) { /* release */
		wl_resource_destroy(target);
	}
	return 0;
}

static int data_manager_dispatch(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct fake_compositor *fc = wl_resource_get_user_data(target);
	if (opcode == 0) { /* create_data_source */
		struct fsource *src = calloc(1, sizeof(*src));
		src->fc = fc;
		make(target, &wl_data_source_interface, args[0].n, source_dispatch, src,
			source_destroyed);
	} else if (opcode == 1) { /* get_data_device(id, seat) */
		struct wl_resource *dev = make(target, &wl_data_device_interface, args[0].n,
			data_device_dispatch, fc, unlink_resource);
		wl_list_insert(&fc->data_devices, wl_resource_get_link(dev));
		fc->stats.data_devices++;
	}
	return 0;
}

static void bind_data_manager(struct wl_client *c, void *data, uint32_t v, uint32_t id)
{
	bind_generic(c, data, v, id, &wl_data_device_manager_interface, data_manager_dispatch);
}

void fake_compositor_set_selection(struct fake_compositor *fc, const char *const *mimes,
	int n_mimes, const char *text, size_t len)
{
	pthread_mutex_lock(&fc->lock);
	cancel_client_source(fc);
	fc->selection_gen++;
	for (int i = 0; i < fc->n_mimes; i++)
		free(fc->mimes[i]);
	fc->n_mimes = 0;
	for (int i = 0; i < n_mimes && i < 8; i++)
		fc->mimes[fc->n_mimes++] = strdup(mimes[i]);
	free(fc->text);
	fc->text = malloc(len ? len : 1);
	memcpy(fc->text, text, len);
	fc->text_len = len;
	broadcast_selection(fc);
	wl_display_flush_clients(fc->display);
	pthread_mutex_unlock(&fc->lock);
}

int fake_compositor_paste(struct fake_compositor *fc, const char *mime)
{
	int fds[2] = { -1, -1 };
	pthread_mutex_lock(&fc->lock);
	if (fc->selection_source && pipe2(fds, O_CLOEXEC) == 0) {
		wl_data_source_send_send(fc->selection_source, mime, fds[1]);
		close(fds[1]);
		wl_display_flush_clients(fc->display);
	}
	pthread_mutex_unlock(&fc->lock);
	return fds[0];
}

uint32_t fake_compositor_key_serial(struct fake_compositor *fc)
{
	pthread_mutex_lock(&fc->lock);
	uint32_t serial = fc->key_serial;
	pthread_mutex_unlock(&fc->lock);
	return serial;
}

static void *run(void *data)
{
	struct fake_compositor *fc = data;
	struct pollfd pfd = { .fd = wl_event_loop_get_fd(fc->loop), .events = POLLIN };
	for (;;) {
		poll(&pfd, 1, 5);
		pthread_mutex_lock(&fc->lock);
		bool stop = fc->stop;
		if (!stop) {
			wl_event_loop_dispatch(fc->loop, 0);
			wl_display_flush_clients(fc->display);
		}
		pthread_mutex_unlock(&fc->lock);
		if (stop)
			return NULL;
	}
}

struct fake_compositor *fake_compositor_start(const struct fake_config *config)
{
	struct fake_compositor *fc = calloc(1, sizeof(*fc));
	fc->config = *config;
	fc->n_formats = config->n_formats < MAX_FORMATS ? config->n_formats : MAX_FORMATS;
	if (fc->n_formats > 0)
		memcpy(fc->formats, config->formats, sizeof(*fc->formats) * (size_t)fc->n_formats);
	wl_list_init(&fc->surfaces);
	wl_list_init(&fc->feedbacks);
	wl_list_init(&fc->notifiers);
	wl_list_init(&fc->keyboards);
	wl_list_init(&fc->pointers);
	wl_list_init(&fc->data_devices);
	pthread_mutex_init(&fc->lock, NULL);
	fc->display = wl_display_create();
	fc->loop = wl_display_get_event_loop(fc->display);
	const char *name = config->socket_name;
	if (name && wl_display_add_socket(fc->display, name) != 0)
		name = NULL;
	else if (!name)
		name = wl_display_add_socket_auto(fc->display);
	const char *dir = getenv("XDG_RUNTIME_DIR");
	if (!name || !dir) {
		fprintf(stderr, "fake compositor: no socket (XDG_RUNTIME_DIR set?)\n");
		wl_display_destroy(fc->display);
		free(fc);
		return NULL;
	}
	snprintf(fc->socket, sizeof(fc->socket), "%s/%s", dir, name);
	wl_global_create(fc->display, &wl_compositor_interface, 4, fc, bind_compositor);
	wl_global_create(fc->display, &wl_subcompositor_interface, 1, fc, bind_subcompositor);
	wl_global_create(fc->display, &xdg_wm_base_interface, 1, fc, bind_wm_base);
	wl_global_create(fc->display, &wl_shm_interface, 1, fc, bind_shm);
	wl_global_create(fc->display, &wp_viewporter_interface, 1, fc, bind_viewporter);
	wl_global_create(fc->display, &wp_presentation_interface, 1, fc, bind_presentation);
	if (config->dmabuf_version)
		wl_global_create(fc->display, &zwp_linux_dmabuf_v1_interface,
			(int)config->dmabuf_version, fc, bind_dmabuf);
	if (config->reset_notifier)
		wl_global_create(fc->display, &vmplane_reset_notifier_v1_interface, 1, fc, bind_reset);
	if (config->explicit_sync)
		wl_global_create(fc->display, &zwp_linux_explicit_synchronization_v1_interface, 2, fc,
			bind_explicit_sync);
	if (config->seat)
		wl_global_create(fc->display, &wl_seat_interface, 5, fc, bind_seat);
	if (config->data_device)
		wl_global_create(fc->display, &wl_data_device_manager_interface, 3, fc,
			bind_data_manager);
	pthread_create(&fc->thread, NULL, run, fc);
	return fc;
}

const char *fake_compositor_socket(const struct fake_compositor *fc)
{
	return fc->socket;
}

void fake_compositor_get_stats(struct fake_compositor *fc, struct fake_stats *stats)
{
	pthread_mutex_lock(&fc->lock);
	*stats = fc->stats;
	pthread_mutex_unlock(&fc->lock);
}

void fake_compositor_set_hidden(struct fake_compositor *fc, bool hidden)
{
	pthread_mutex_lock(&fc->lock);
	fc->hidden = hidden;
	pthread_mutex_unlock(&fc->lock);
}

void fake_compositor_resend_feedback(struct fake_compositor *fc, const struct fake_format *formats,
	int n_formats)
{
	pthread_mutex_lock(&fc->lock);
	fc->n_formats = n_formats < MAX_FORMATS ? n_formats : MAX_FORMATS;
	memcpy(fc->formats, formats, sizeof(*formats) * (size_t)fc->n_formats);
	struct wl_resource *r;
	wl_resource_for_each(r, &fc->feedbacks)
		send_feedback(fc, r);
	wl_display_flush_clients(fc->display);
	pthread_mutex_unlock(&fc->lock);
}

void fake_compositor_stop(struct fake_compositor *fc)
{
	if (!fc)
		return;
	pthread_mutex_lock(&fc->lock);
	fc->stop = true;
	pthread_mutex_unlock(&fc->lock);
	pthread_join(fc->thread, NULL);
	wl_display_destroy_clients(fc->display);
	wl_display_destroy(fc->display);
	for (int i = 0; i < fc->n_fences; i++)
		close(fc->fences[i]);
	for (int i = 0; i < fc->n_mimes; i++)
		free(fc->mimes[i]);
	free(fc->text);
	pthread_mutex_destroy(&fc->lock);
	free(fc);
}
