/* SPDX-License-Identifier: MIT */
/*
 * The clipboard: wl_data_device's selection read as text through a pipe on
 * the core's loop, and the guest's text offered as a wl_data_source.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "vmplane/clock.h"

/* Text MIME types, preferred first: the first one an offer has is read. */
static const char *const text_mimes[] = {
	"text/plain;charset=utf-8",
	"UTF8_STRING",
	"text/plain",
};
#define N_TEXT_MIMES (sizeof(text_mimes) / sizeof(text_mimes[0]))

/* One send request of our source: the text left to write to fd. */
struct vmpd_clip_writer {
	struct vmpd_clipboard *clip;
	struct vmpd_watch watch;
	char *text;
	size_t len, done;
	struct wl_list link;
};

/* What the core knows of one wl_data_offer: its best text type. */
struct vmpd_clip_offer {
	int mime; /* index into text_mimes, -1: none yet */
};

struct vmpd_clipboard {
	struct vmpd_display *display;
	struct wl_data_device_manager *manager;
	uint32_t manager_version;
	struct wl_data_device *device;
	struct wl_data_offer *selection; /* the compositor's, not ours */

	/* Reading the selection: the pipe, what came so far. */
	struct vmpd_watch read;
	char *buf;
	size_t len, cap;
	/* The text read, delivered from a timer outside the fd walk. */
	char *ready;
	size_t ready_len;
	struct vmpd_timer deliver;
	bool timer_added;
	/* The last text delivered, so a focus change does not repeat it. */
	char *last;
	size_t last_len;
	bool has_last;

	/* The guest's text; offered through source once a serial allows. */
	char *guest;
	size_t guest_len;
	bool guest_set;
	/* Offered once: after a cancel the host's newer copy stays the selection. */
	bool guest_offered;
	struct wl_data_source *source;
	struct wl_list writers; /* vmpd_clip_writer.link */

	uint32_t serial; /* the last key, button or keyboard enter */
	bool has_serial;
	bool missing_said;
};

static void
writer_destroy(struct vmpd_clip_writer *w)
{
	vmpd_connection_unwatch(&w->clip->display->conn, &w->watch);
	close(w->watch.fd);
	wl_list_remove(&w->link);
	free(w->text);
	free(w);
}

/* A pipe whose reader went raises SIGPIPE: keep it from the process. */
static ssize_t
write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigset_t pending;
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	ssize_t n = write(fd, buf, len);
	int err = errno;
	if (n < 0 && err == EPIPE && !was_pending) {
		struct timespec zero = { 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return n;
}

/* Writes what the pipe takes; true when the writer is finished (done or failed). */
static bool
writer_run(struct vmpd_clip_writer *w)
{
	while (w->done < w->len) {
		ssize_t n = write_nosigpipe(w->watch.fd, w->text + w->done,
					    w->len - w->done);
		if (n > 0) {
			w->done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return !(n < 0 && errno == EAGAIN);
	}
	return true;
}

static void
writer_ready(struct vmpd_watch *watch)
{
	struct vmpd_clip_writer *w = wl_container_of(watch, w, watch);
	if (writer_run(w))
		writer_destroy(w);
}

static void
source_send(void *data, struct wl_data_source *source, const char *mime,
	    int32_t fd)
{
	struct vmpd_clipboard *clip = data;
	struct vmpd_clip_writer *w = calloc(1, sizeof(*w));
	if (!w || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    (clip->guest_len && !(w->text = malloc(clip->guest_len)))) {
		free(w);
		close(fd);
		return;
	}
	/* Our own copy: the guest may change its text while this is written. */
	if (clip->guest_len)
		memcpy(w->text, clip->guest, clip->guest_len);
	w->clip = clip;
	w->len = clip->guest_len;
	w->watch.fd = fd;
	w->watch.events = EPOLLOUT;
	w->watch.ready = writer_ready;
	wl_list_insert(&clip->writers, &w->link);
	/* Unwatching a watch never added is harmless (ENOENT). */
	if (writer_run(w) || !vmpd_connection_watch(&clip->display->conn,
						    &w->watch))
		writer_destroy(w);
}

static void
destroy_source(struct vmpd_clipboard *clip)
{
	if (clip->source)
		wl_data_source_destroy(clip->source);
	clip->source = NULL;
}

static void
source_cancelled(void *data, struct wl_data_source *source)
{
	struct vmpd_clipboard *clip = data;
	/* Another client took the selection; sends under way may finish. */
	destroy_source(clip);
}

static void
source_target(void *data, struct wl_data_source *source, const char *mime)
{
}

static void
source_dnd_drop_performed(void *data, struct wl_data_source *source)
{
}

static void
source_dnd_finished(void *data, struct wl_data_source *source)
{
}

static void
source_action(void *data, struct wl_data_source *source, uint32_t action)
{
}

static const struct wl_data_source_listener source_listener = {
	.target = source_target,
	.send = source_send,
	.cancelled = source_cancelled,
	.dnd_drop_performed = source_dnd_drop_performed,
	.dnd_finished = source_dnd_finished,
	.action = source_action,
};

/* Offers the guest's text as the selection when a device and a serial allow. */
static void
offer_guest_text(struct vmpd_clipboard *clip)
{
	if (!clip->guest_set || clip->guest_offered || clip->source ||
	    !clip->device || !clip->has_serial)
		return;
	clip->guest_offered = true;
	clip->source = wl_data_device_manager_create_data_source(clip->manager);
	wl_data_source_add_listener(clip->source, &source_listener, clip);
	for (size_t i = 0; i < N_TEXT_MIMES; i++)
		wl_data_source_offer(clip->source, text_mimes[i]);
	wl_data_device_set_selection(clip->device, clip->source, clip->serial);
	/* The guest's text is now the host's too: a later host copy of the old text is new. */
	clip->has_last = false;
	vmpd_connection_flush(&clip->display->conn);
}

/* ---- reading the compositor's selection ---- */

static void
read_stop(struct vmpd_clipboard *clip)
{
	if (clip->read.fd < 0)
		return;
	vmpd_connection_unwatch(&clip->display->conn, &clip->read);
	close(clip->read.fd);
	clip->read.fd = -1;
	free(clip->buf);
	clip->buf = NULL;
	clip->len = clip->cap = 0;
}

static void
deliver_fire(struct vmpd_timer *timer)
{
	struct vmpd_clipboard *clip = wl_container_of(timer, clip, deliver);
	if (!timer->deadline_ns || vmplane_now_ns() < timer->deadline_ns)
		return;
	timer->deadline_ns = 0;
	char *text = clip->ready;
	size_t len = clip->ready_len;
	clip->ready = NULL;
	if (!text)
		return;
	bool same = clip->has_last && clip->last_len == len &&
		    memcmp(clip->last, text, len) == 0;
	/*
	 * Weston 10 copies a client's selection and soon replaces the source
	 * with its own copy: the guest's text comes back as a foreign offer.
	 */
	if (clip->guest_set && clip->guest_len == len &&
	    (len == 0 || memcmp(clip->guest, text, len) == 0))
		same = true;
	free(clip->last);
	clip->last = text;
	clip->last_len = len;
	clip->has_last = true;
	struct vmpd_display *d = clip->display;
	if (!same && d->cb.clipboard)
		d->cb.clipboard(d->data, text, len);
}

static void
read_ready(struct vmpd_watch *watch)
{
	struct vmpd_clipboard *clip = wl_container_of(watch, clip, read);
	for (;;) {
		if (clip->cap - clip->len < 4096) {
			size_t cap = clip->cap ? clip->cap * 2 : 16384;
			if (cap > VMPD_CLIPBOARD_MAX + 4096)
				cap = VMPD_CLIPBOARD_MAX + 4096;
			char *buf = realloc(clip->buf, cap);
			if (!buf) {
				read_stop(clip);
				return;
			}
			clip->buf = buf;
			clip->cap = cap;
		}
		ssize_t n = read(watch->fd, clip->buf + clip->len,
				 clip->cap - clip->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			vmpd_log_emit(&clip->display->log, VMPD_LOG_WARNING,
				      "vmplane display: reading the clipboard: %s",
				      strerror(errno));
			read_stop(clip);
			return;
		}
		if (n == 0)
			break;
		clip->len += (size_t)n;
		if (clip->len > VMPD_CLIPBOARD_MAX) {
			vmpd_log_emit(&clip->display->log, VMPD_LOG_ERROR,
				      "vmplane display: the clipboard's text "
				      "is over %u bytes; not given to the guest",
				      (unsigned)VMPD_CLIPBOARD_MAX);
			read_stop(clip);
			return;
		}
	}
	/* End of the text: hand it over after the fd walk (see deliver_fire). */
	free(clip->ready);
	clip->ready = clip->buf;
	clip->ready_len = clip->len;
	clip->buf = NULL;
	read_stop(clip);
	if (!clip->ready)
		clip->ready = calloc(1, 1);
	struct vmpd_connection *c = &clip->display->conn;
	if (!clip->timer_added) {
		vmpd_connection_add_timer(c, &clip->deliver);
		clip->timer_added = true;
	}
	clip->deliver.deadline_ns = vmplane_now_ns();
	vmpd_connection_update_timer(c);
}

static void
read_selection(struct vmpd_clipboard *clip, struct wl_data_offer *offer,
	       int mime)
{
	read_stop(clip);
	int fds[2];
	/* Only our end is non-blocking: the sender may write in blocking mode. */
	if (pipe2(fds, O_CLOEXEC) != 0)
		return;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	wl_data_offer_receive(offer, text_mimes[mime], fds[1]);
	/* libwayland sent a duplicate; the writer's end is the sender's now. */
	close(fds[1]);
	clip->read.fd = fds[0];
	if (!vmpd_connection_watch(&clip->display->conn, &clip->read)) {
		close(fds[0]);
		clip->read.fd = -1;
		return;
	}
	vmpd_connection_flush(&clip->display->conn);
}

/* ---- offers and the data device ---- */

static void
offer_offer(void *data, struct wl_data_offer *offer, const char *mime)
{
	struct vmpd_clip_offer *o = data;
	if (!o)
		return;
	for (int i = 0; i < (int)N_TEXT_MIMES; i++) {
		if (strcmp(mime, text_mimes[i]) == 0 &&
		    (o->mime < 0 || i < o->mime))
			o->mime = i;
	}
}

static void
offer_source_actions(void *data, struct wl_data_offer *offer, uint32_t actions)
{
}

static void
offer_action(void *data, struct wl_data_offer *offer, uint32_t action)
{
}

static const struct wl_data_offer_listener offer_listener = {
	.offer = offer_offer,
	.source_actions = offer_source_actions,
	.action = offer_action,
};

static void
offer_destroy(struct wl_data_offer *offer)
{
	if (!offer)
		return;
	free(wl_data_offer_get_user_data(offer));
	wl_data_offer_destroy(offer);
}

static void
device_data_offer(void *data, struct wl_data_device *dev,
		  struct wl_data_offer *offer)
{
	struct vmpd_clip_offer *o = calloc(1, sizeof(*o));
	if (o)
		o->mime = -1;
	/* Without memory (o NULL) the offer is never read, only destroyed. */
	wl_data_offer_add_listener(offer, &offer_listener, o);
}

static void
device_enter(void *data, struct wl_data_device *dev, uint32_t serial,
	     struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y,
	     struct wl_data_offer *offer)
{
	/* Drag and drop is not supported: the offer is refused at once. */
	offer_destroy(offer);
}

static void
device_leave(void *data, struct wl_data_device *dev)
{
}

static void
device_motion(void *data, struct wl_data_device *dev, uint32_t time,
	      wl_fixed_t x, wl_fixed_t y)
{
}

static void
device_drop(void *data, struct wl_data_device *dev)
{
}

static void
device_selection(void *data, struct wl_data_device *dev,
		 struct wl_data_offer *offer)
{
	struct vmpd_clipboard *clip = data;
	offer_destroy(clip->selection);
	clip->selection = NULL;
	/* While our source is alive the selection is the guest's own text. */
	if (!offer || clip->source) {
		offer_destroy(offer);
		return;
	}
	clip->selection = offer;
	struct vmpd_clip_offer *o = wl_data_offer_get_user_data(offer);
	if (o && o->mime >= 0)
		read_selection(clip, offer, o->mime);
}

static const struct wl_data_device_listener device_listener = {
	.data_offer = device_data_offer,
	.enter = device_enter,
	.leave = device_leave,
	.motion = device_motion,
	.drop = device_drop,
	.selection = device_selection,
};

/* ---- the core's entry points ---- */

bool
vmpd_clipboard_init(struct vmpd_display *d)
{
	struct vmpd_clipboard *clip = calloc(1, sizeof(*clip));
	if (!clip)
		return false;
	clip->display = d;
	clip->read.fd = -1;
	clip->read.ready = read_ready;
	clip->deliver.fire = deliver_fire;
	wl_list_init(&clip->writers);
	d->clipboard = clip;
	return true;
}

void
vmpd_clipboard_bind(struct vmpd_display *d, struct wl_registry *reg,
		    uint32_t name, uint32_t version)
{
	struct vmpd_clipboard *clip = d->clipboard;
	if (!clip || clip->manager || d->config.no_clipboard)
		return;
	/* v3: the source's events up to action; nothing later is used. */
	clip->manager_version = version < 3 ? version : 3;
	clip->manager = wl_registry_bind(reg, name,
					 &wl_data_device_manager_interface,
					 clip->manager_version);
	vmpd_clipboard_seat_ready(d);
}

void
vmpd_clipboard_seat_ready(struct vmpd_display *d)
{
	struct vmpd_clipboard *clip = d->clipboard;
	if (!clip || !clip->manager || !d->input.seat || clip->device)
		return;
	clip->device = wl_data_device_manager_get_data_device(clip->manager,
							      d->input.seat);
	wl_data_device_add_listener(clip->device, &device_listener, clip);
}

void
vmpd_clipboard_serial(struct vmpd_display *d, uint32_t serial)
{
	struct vmpd_clipboard *clip = d->clipboard;
	if (!clip)
		return;
	clip->serial = serial;
	clip->has_serial = true;
	offer_guest_text(clip);
}

void
vmpd_clipboard_lost(struct vmpd_display *d)
{
	struct vmpd_clipboard *clip = d->clipboard;
	if (!clip)
		return;
	read_stop(clip);
	while (!wl_list_empty(&clip->writers)) {
		struct vmpd_clip_writer *w =
			wl_container_of(clip->writers.next, w, link);
		writer_destroy(w);
	}
	destroy_source(clip);
	offer_destroy(clip->selection);
	clip->selection = NULL;
	if (clip->device) {
		if (clip->manager_version >= 2)
			wl_data_device_release(clip->device);
		else
			wl_data_device_destroy(clip->device);
	}
	clip->device = NULL;
	if (clip->manager)
		wl_data_device_manager_destroy(clip->manager);
	clip->manager = NULL;
	/* Serials belong to the old compositor; the guest's text stays, to offer anew. */
	clip->has_serial = false;
	clip->guest_offered = false;
	clip->missing_said = false;
}

void
vmpd_clipboard_destroy(struct vmpd_display *d)
{
	struct vmpd_clipboard *clip = d->clipboard;
	if (!clip)
		return;
	vmpd_clipboard_lost(d);
	if (clip->timer_added)
		vmpd_connection_remove_timer(&clip->deliver);
	free(clip->ready);
	free(clip->last);
	free(clip->guest);
	free(clip);
	d->clipboard = NULL;
}

bool
vmpd_display_set_clipboard(struct vmpd_display *d, const char *text,
			   size_t len)
{
	if (!d || !d->clipboard || d->config.no_clipboard)
		return false;
	struct vmpd_clipboard *clip = d->clipboard;
	if (text && len > VMPD_CLIPBOARD_MAX) {
		vmpd_log_emit(&d->log, VMPD_LOG_ERROR,
			      "vmplane display: the guest's clipboard text is "
			      "%zu bytes, over %u; not offered",
			      len, (unsigned)VMPD_CLIPBOARD_MAX);
		return false;
	}
	char *copy = NULL;
	if (text && len && !(copy = malloc(len)))
		return false;
	if (copy)
		memcpy(copy, text, len);
	free(clip->guest);
	clip->guest = copy;
	clip->guest_len = text ? len : 0;
	clip->guest_set = text != NULL;
	clip->guest_offered = false;
	/* A new source per text: a paste under way keeps its own copy. */
	destroy_source(clip);
	if (d->conn.connected && !clip->manager) {
		if (!clip->missing_said)
			vmpd_log_emit(&d->log, VMPD_LOG_WARNING,
				      "vmplane display: the compositor has no "
				      "wl_data_device_manager; the guest's "
				      "clipboard stays in the guest");
		clip->missing_said = true;
		return false;
	}
	offer_guest_text(clip);
	if (!text)
		vmpd_connection_flush(&d->conn);
	return true;
}

bool
vmpd_display_clipboard_offered(const struct vmpd_display *d)
{
	return d && d->clipboard && d->clipboard->source;
}
