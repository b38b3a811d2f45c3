/* SPDX-License-Identifier: MIT */
/*
 * The clipboard both ways (clipboard.c) against the scripted compositor:
 * the host's selection read as text (MIME choice, size cap), the guest's
 * text offered and pasted (big text, serials, cancel, no echo), and a
 * compositor without wl_data_device_manager.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include "fake-compositor.h"
#include "producer.h"
#include "tap.h"
#include "vmplane/clock.h"

static const char *const utf8_mime = "text/plain;charset=utf-8";

/* Error messages the core logged, counted (the size cap's). */
static int errors_logged;
static char last_error[256];

static void
log_count(void *data, enum vmpd_log_level level, const char *fmt, va_list args)
{
	va_list copy;
	va_copy(copy, args);
	if (level == VMPD_LOG_ERROR) {
		errors_logged++;
		vsnprintf(last_error, sizeof(last_error), fmt, copy);
	}
	va_end(copy);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

static struct fake_compositor *
start(struct producer *p, bool data_device)
{
	struct fake_config cfg = { .seat = true, .data_device = data_device };
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	REQUIRE(fc);
	struct vmpd_display_config dc = {
		.socket_name = fake_compositor_socket(fc),
		.log = { log_count, NULL },
		.no_libdecor = true,
	};
	REQUIRE(producer_init_config(p, &dc, 64, 48, 0, 0));
	producer_pump(p, 50);
	return fc;
}

static void
stop(struct producer *p, struct fake_compositor *fc)
{
	producer_fini(p);
	fake_compositor_stop(fc);
}

/* Pumps until the core reported `n` clipboard texts, up to ms. */
static bool
wait_clips(struct producer *p, int n, int ms)
{
	uint64_t end = vmplane_now_ns() + (uint64_t)ms * 1000000u;
	while (p->clips < n && vmplane_now_ns() < end)
		producer_pump(p, 10);
	return p->clips >= n;
}

static struct fake_stats
settle(struct producer *p, struct fake_compositor *fc, int ms)
{
	struct fake_stats st;
	uint64_t end = vmplane_now_ns() + (uint64_t)ms * 1000000u;
	while (vmplane_now_ns() < end)
		producer_pump(p, 10);
	fake_compositor_get_stats(fc, &st);
	return st;
}

/* A text of len bytes, every one different from its neighbours, no NUL. */
static char *
make_text(size_t len)
{
	char *t = malloc(len);
	REQUIRE(t);
	for (size_t i = 0; i < len; i++)
		t[i] = (char)('a' + (i * 7 + i / 26) % 26);
	return t;
}

/* Another client pastes `mime`: reads the pipe while the core serves it. */
static char *
paste(struct producer *p, struct fake_compositor *fc, const char *mime,
      size_t *len)
{
	int fd = fake_compositor_paste(fc, mime);
	if (fd < 0)
		return NULL;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	uint64_t end = vmplane_now_ns() + 10000000000ull;
	while (vmplane_now_ns() < end) {
		if (cap - n < 4096)
			buf = realloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n);
		if (r > 0) {
			n += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		INVARIANT(errno == EAGAIN);
		producer_pump(p, 5);
	}
	close(fd);
	*len = n;
	return buf;
}

static void
host_to_guest_mime_choice(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, true);
	struct fake_stats st;

	st = settle(&p, fc, 100);
	CHECK(st.data_devices == 1);
	fake_compositor_key(fc, KEY_A); /* keyboard focus, as a selection needs */

	/* The preferred type wins whatever the order. */
	const char *const mimes[] = { "text/plain", "image/png", utf8_mime,
				      "UTF8_STRING" };
	const char text[] = "Grüße from the host";
	fake_compositor_set_selection(fc, mimes, 4, text, sizeof(text) - 1);
	CHECK(wait_clips(&p, 1, 3000));
	CHECK(p.clip_len == sizeof(text) - 1 &&
	      memcmp(p.clip_text, text, p.clip_len) == 0);
	fake_compositor_get_stats(fc, &st);
	CHECK(st.receives == 1 && strcmp(st.receive_mime, utf8_mime) == 0);

	/* Without the UTF-8 type, the X11 name comes next. */
	const char *const x11[] = { "text/plain", "UTF8_STRING", "TEXT" };
	fake_compositor_set_selection(fc, x11, 3, "second", 6);
	CHECK(wait_clips(&p, 2, 3000));
	CHECK(p.clip_len == 6 && strcmp(p.clip_text, "second") == 0);
	fake_compositor_get_stats(fc, &st);
	CHECK(st.receives == 2 && strcmp(st.receive_mime, "UTF8_STRING") == 0);

	/* Plain text/plain alone is read too. */
	const char *const plain[] = { "text/plain" };
	fake_compositor_set_selection(fc, plain, 1, "third", 5);
	CHECK(wait_clips(&p, 3, 3000));
	CHECK(strcmp(p.clip_text, "third") == 0);

	/* No text type: nothing is read, nothing reported. */
	const char *const image[] = { "image/png" };
	fake_compositor_set_selection(fc, image, 1, "\x89PNG", 4);
	st = settle(&p, fc, 300);
	CHECK(p.clips == 3 && st.receives == 3);

	/* The same text again (focus came back): not repeated to the guest. */
	fake_compositor_set_selection(fc, plain, 1, "third", 5);
	st = settle(&p, fc, 300);
	CHECK(st.receives == 4 && p.clips == 3);
	stop(&p, fc);
}

static void
host_to_guest_big(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, true);
	const char *const mimes[] = { utf8_mime };

	fake_compositor_key(fc, KEY_A);
	size_t big = 3u * 1024 * 1024 + 17;
	char *text = make_text(big);
	fake_compositor_set_selection(fc, mimes, 1, text, big);
	CHECK(wait_clips(&p, 1, 10000));
	CHECK_MSG(p.clip_len == big && memcmp(p.clip_text, text, big) == 0,
		  "a 3 MiB selection arrives whole (%zu bytes)", p.clip_len);
	free(text);

	/* Over the cap: an error, nothing given to the guest. */
	size_t huge = VMPD_CLIPBOARD_MAX + 1;
	text = make_text(huge);
	errors_logged = 0;
	fake_compositor_set_selection(fc, mimes, 1, text, huge);
	free(text);
	settle(&p, fc, 2000);
	CHECK(p.clips == 1);
	CHECK_MSG(errors_logged == 1 && strstr(last_error, "over"),
		  "one error for the oversized selection: '%s'", last_error);
	/* A normal one still works afterwards. */
	fake_compositor_set_selection(fc, mimes, 1, "after", 5);
	CHECK(wait_clips(&p, 2, 3000) && strcmp(p.clip_text, "after") == 0);
	stop(&p, fc);
}

static void
guest_to_host(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, true);
	struct fake_stats st;

	/* No input serial yet: the text waits. */
	CHECK(vmpd_display_set_clipboard(p.display, "guest one", 9));
	st = settle(&p, fc, 200);
	CHECK(st.selections_set == 0 && !vmpd_display_clipboard_offered(p.display));

	/* The first key gives a serial: offered with it, all three text types. */
	fake_compositor_key(fc, KEY_B);
	st = settle(&p, fc, 200);
	CHECK(st.selections_set == 1 && st.client_selection);
	CHECK(st.selection_mimes == 3 && st.selection_has_utf8);
	CHECK(st.selection_serial != 0 &&
	      st.selection_serial <= fake_compositor_key_serial(fc) + 1);
	CHECK(vmpd_display_clipboard_offered(p.display));
	/* The compositor told the owner of its own selection: no echo. */
	CHECK(st.receives == 0 && p.clips == 0);

	size_t len;
	char *got = paste(&p, fc, utf8_mime, &len);
	CHECK(got && len == 9 && memcmp(got, "guest one", 9) == 0);
	free(got);

	/* Big text: the pipe fills, the rest goes as it drains. */
	size_t big = 4u * 1024 * 1024 + 3;
	char *text = make_text(big);
	CHECK(vmpd_display_set_clipboard(p.display, text, big));
	st = settle(&p, fc, 200);
	CHECK(st.selections_set == 2);
	got = paste(&p, fc, "text/plain", &len);
	CHECK_MSG(got && len == big && memcmp(got, text, big) == 0,
		  "a 4 MiB guest text pasted whole (%zu bytes)", len);
	free(got);

	/* A paster that gives up at once: the core gets EPIPE, not SIGPIPE. */
	int fd = fake_compositor_paste(fc, utf8_mime);
	CHECK(fd >= 0);
	close(fd);
	settle(&p, fc, 300);
	got = paste(&p, fc, utf8_mime, &len);
	CHECK(got && len == big);
	free(got);
	free(text);

	/* Over the cap: refused with an error, the old offer stays. */
	errors_logged = 0;
	CHECK(!vmpd_display_set_clipboard(p.display, "x",
					  VMPD_CLIPBOARD_MAX + 1));
	CHECK(errors_logged == 1);

	/* Another client copies: our source is cancelled, its text comes in. */
	const char *const mimes[] = { utf8_mime };
	fake_compositor_set_selection(fc, mimes, 1, "host wins", 9);
	CHECK(wait_clips(&p, 1, 3000) && strcmp(p.clip_text, "host wins") == 0);
	st = settle(&p, fc, 100);
	CHECK(st.cancels_sent == 1 && !st.client_selection);
	CHECK(!vmpd_display_clipboard_offered(p.display));
	/* Focus and keys later do not take the host's copy back. */
	fake_compositor_key(fc, KEY_C);
	st = settle(&p, fc, 200);
	CHECK(st.selections_set == 2 && !st.client_selection);

	/* The guest copies again: a new source, set at once (a serial is known). */
	CHECK(vmpd_display_set_clipboard(p.display, "guest two", 9));
	st = settle(&p, fc, 200);
	CHECK(st.selections_set == 3 && st.client_selection);
	got = paste(&p, fc, "UTF8_STRING", &len);
	CHECK(got && len == 9 && memcmp(got, "guest two", 9) == 0);
	free(got);

	/* A compositor's clipboard manager takes the guest's text over (Weston
	 * 10 does): it comes back as a foreign selection, and is not echoed. */
	fake_compositor_set_selection(fc, mimes, 1, "guest two", 9);
	st = settle(&p, fc, 300);
	CHECK(st.receives >= 2 && p.clips == 1);

	/* The guest's clipboard emptied: the offer is withdrawn. */
	CHECK(vmpd_display_set_clipboard(p.display, NULL, 0));
	st = settle(&p, fc, 200);
	CHECK(!st.client_selection && !vmpd_display_clipboard_offered(p.display));
	stop(&p, fc);
}

static void
no_data_device(void)
{
	struct producer p;
	struct fake_compositor *fc = start(&p, false);
	fake_compositor_key(fc, KEY_A);
	settle(&p, fc, 100);
	CHECK(!vmpd_display_set_clipboard(p.display, "nowhere", 7));
	CHECK(!vmpd_display_clipboard_offered(p.display));
	/* The display goes on: keys still arrive. */
	fake_compositor_key(fc, KEY_C);
	settle(&p, fc, 200);
	CHECK(p.n_keys == 4 && p.keys[2].code == KEY_C);
	stop(&p, fc);
}

static void
disabled(void)
{
	struct fake_config cfg = { .seat = true, .data_device = true };
	struct fake_compositor *fc = fake_compositor_start(&cfg);
	REQUIRE(fc);
	struct vmpd_display_config dc = {
		.socket_name = fake_compositor_socket(fc),
		.log = producer_log,
		.no_libdecor = true,
		.no_clipboard = true,
	};
	struct producer p;
	REQUIRE(producer_init_config(&p, &dc, 64, 48, 0, 0));
	fake_compositor_key(fc, KEY_A);
	const char *const mimes[] = { utf8_mime };
	fake_compositor_set_selection(fc, mimes, 1, "ignored", 7);
	struct fake_stats st = settle(&p, fc, 300);
	CHECK(st.data_devices == 0 && p.clips == 0);
	CHECK(!vmpd_display_set_clipboard(p.display, "off", 3));
	stop(&p, fc);
}

int
main(void)
{
	host_to_guest_mime_choice();
	host_to_guest_big();
	guest_to_host();
	no_data_device();
	disabled();
	return tap_finish();
}
