/* SPDX-License-Identifier: MIT */
/*
 * A Wayland client for the clipboard e2e: a small window titled
 * "vmplane-clip" that prints every text selection it is offered while it
 * has keyboard focus ("PASTE <hex>"), and on "copy <text>" from stdin
 * takes the selection with that text ("COPIED", with the last keyboard
 * serial) and serves it ("SENT <n>") until another client takes it
 * ("CANCELLED"). Lines on stdout, flushed; ends at stdin's end.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

#define MIME "text/plain;charset=utf-8"

struct client {
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm;
	struct wl_seat *seat;
	struct wl_keyboard *keyboard;
	struct wl_data_device_manager *ddm;
	struct wl_data_device *device;
	struct wl_surface *surface;
	struct wl_data_source *source;
	char *text;
	uint32_t serial;
	int sent;
	bool has_text; /* the last data_offer listed MIME */
};

static void
say(const char *fmt, const char *hex_of, size_t len)
{
	printf("%s", fmt);
	for (size_t i = 0; hex_of && i < len; i++)
		printf("%02x", (unsigned char)hex_of[i]);
	printf("\n");
	fflush(stdout);
}

static void
offer_offer(void *data, struct wl_data_offer *offer, const char *mime)
{
	struct client *c = data;
	if (strcmp(mime, MIME) == 0)
		c->has_text = true;
}

static void
offer_source_actions(void *data, struct wl_data_offer *o, uint32_t a)
{
}

static void
offer_action(void *data, struct wl_data_offer *o, uint32_t a)
{
}

static const struct wl_data_offer_listener offer_listener = {
	offer_offer, offer_source_actions, offer_action,
};

static void
dd_data_offer(void *data, struct wl_data_device *d, struct wl_data_offer *offer)
{
	struct client *c = data;
	c->has_text = false;
	wl_data_offer_add_listener(offer, &offer_listener, c);
}

static void
dd_enter(void *data, struct wl_data_device *d, uint32_t serial, struct wl_surface *s,
	 wl_fixed_t x, wl_fixed_t y, struct wl_data_offer *offer)
{
	if (offer)
		wl_data_offer_destroy(offer);
}

static void
dd_leave(void *data, struct wl_data_device *d)
{
}

static void
dd_motion(void *data, struct wl_data_device *d, uint32_t t, wl_fixed_t x, wl_fixed_t y)
{
}

static void
dd_drop(void *data, struct wl_data_device *d)
{
}

static struct wl_display *display;

/* Reads the offer's text; our own source is served meanwhile by the same loop. */
static void
dd_selection(void *data, struct wl_data_device *d, struct wl_data_offer *offer)
{
	struct client *c = data;
	if (!offer)
		return;
	if (!c->has_text || c->source) {
		wl_data_offer_destroy(offer);
		return;
	}
	int fds[2];
	if (pipe(fds) != 0)
		exit(1);
	wl_data_offer_receive(offer, MIME, fds[1]);
	close(fds[1]);
	wl_display_flush(display);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (len == cap)
			buf = realloc(buf, cap *= 2);
		ssize_t n = read(fds[0], buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	say("PASTE ", buf, len);
	free(buf);
	wl_data_offer_destroy(offer);
}

static const struct wl_data_device_listener dd_listener = {
	dd_data_offer, dd_enter, dd_leave, dd_motion, dd_drop, dd_selection,
};

static void
source_target(void *data, struct wl_data_source *s, const char *mime)
{
}

static void
source_send(void *data, struct wl_data_source *s, const char *mime, int32_t fd)
{
	struct client *c = data;
	size_t len = strlen(c->text), done = 0;
	while (done < len) {
		ssize_t n = write(fd, c->text + done, len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	printf("SENT %d\n", ++c->sent);
	fflush(stdout);
}

static void
source_cancelled(void *data, struct wl_data_source *s)
{
	struct client *c = data;
	wl_data_source_destroy(s);
	c->source = NULL;
	say("CANCELLED", NULL, 0);
}

static void
source_dnd(void *data, struct wl_data_source *s)
{
}

static void
source_action(void *data, struct wl_data_source *s, uint32_t a)
{
}

static const struct wl_data_source_listener source_listener = {
	source_target, source_send, source_cancelled, source_dnd, source_dnd, source_action,
};

static void
kb_keymap(void *data, struct wl_keyboard *k, uint32_t f, int32_t fd, uint32_t size)
{
	close(fd);
}

static void
kb_enter(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s,
	 struct wl_array *keys)
{
	struct client *c = data;
	c->serial = serial;
	say("FOCUS", NULL, 0);
}

static void
kb_leave(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s)
{
}

static void
kb_key(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t t, uint32_t key,
       uint32_t state)
{
	struct client *c = data;
	c->serial = serial;
}

static void
kb_modifiers(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t d, uint32_t l,
	     uint32_t lk, uint32_t g)
{
}

static void
kb_repeat(void *data, struct wl_keyboard *k, int32_t r, int32_t d)
{
}

static const struct wl_keyboard_listener kb_listener = {
	kb_keymap, kb_enter, kb_leave, kb_key, kb_modifiers, kb_repeat,
};

static void
wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { wm_ping };

static void
xs_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	xdg_surface_ack_configure(xs, serial);
}

static const struct xdg_surface_listener xs_listener = { xs_configure };

static void
global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t v)
{
	struct client *c = data;
	if (strcmp(iface, wl_compositor_interface.name) == 0)
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 1);
	else if (strcmp(iface, wl_shm_interface.name) == 0)
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	else if (strcmp(iface, xdg_wm_base_interface.name) == 0)
		c->wm = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
	else if (strcmp(iface, wl_seat_interface.name) == 0 && !c->seat)
		c->seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
	else if (strcmp(iface, wl_data_device_manager_interface.name) == 0)
		c->ddm = wl_registry_bind(reg, name, &wl_data_device_manager_interface, 3);
}

static void
global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener reg_listener = { global, global_remove };

/* A 96x64 grey buffer, so the window maps. */
static struct wl_buffer *
grey_buffer(struct client *c)
{
	int w = 96, h = 64, size = w * h * 4;
	int fd = memfd_create("clip-client", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size) != 0)
		exit(1);
	uint32_t *px = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED)
		exit(1);
	for (int i = 0; i < w * h; i++)
		px[i] = 0xff808080;
	munmap(px, (size_t)size);
	struct wl_shm_pool *pool = wl_shm_create_pool(c->shm, fd, size);
	struct wl_buffer *b = wl_shm_pool_create_buffer(pool, 0, w, h, w * 4,
							WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	return b;
}

static void
copy(struct client *c, const char *text)
{
	free(c->text);
	c->text = strdup(text);
	if (c->source)
		wl_data_source_destroy(c->source);
	c->source = wl_data_device_manager_create_data_source(c->ddm);
	wl_data_source_add_listener(c->source, &source_listener, c);
	wl_data_source_offer(c->source, MIME);
	wl_data_device_set_selection(c->device, c->source, c->serial);
	say("COPIED", NULL, 0);
}

int
main(void)
{
	struct client c = { 0 };
	display = wl_display_connect(NULL);
	if (!display) {
		fprintf(stderr, "clip-client: no compositor\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(display);
	wl_registry_add_listener(reg, &reg_listener, &c);
	wl_display_roundtrip(display);
	if (!c.compositor || !c.shm || !c.wm || !c.seat || !c.ddm) {
		fprintf(stderr, "clip-client: a global is missing\n");
		return 1;
	}
	xdg_wm_base_add_listener(c.wm, &wm_listener, &c);
	c.keyboard = wl_seat_get_keyboard(c.seat);
	wl_keyboard_add_listener(c.keyboard, &kb_listener, &c);
	c.device = wl_data_device_manager_get_data_device(c.ddm, c.seat);
	wl_data_device_add_listener(c.device, &dd_listener, &c);
	c.surface = wl_compositor_create_surface(c.compositor);
	struct xdg_surface *xs = xdg_wm_base_get_xdg_surface(c.wm, c.surface);
	xdg_surface_add_listener(xs, &xs_listener, &c);
	struct xdg_toplevel *tl = xdg_surface_get_toplevel(xs);
	xdg_toplevel_set_title(tl, "vmplane-clip");
	wl_surface_commit(c.surface);
	wl_display_roundtrip(display);
	wl_surface_attach(c.surface, grey_buffer(&c), 0, 0);
	wl_surface_commit(c.surface);
	wl_display_roundtrip(display);
	say("MAPPED", NULL, 0);

	char line[4096];
	size_t used = 0;
	for (;;) {
		wl_display_flush(display);
		struct pollfd p[2] = { { wl_display_get_fd(display), POLLIN, 0 },
				       { 0, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			if (wl_display_dispatch(display) < 0)
				return 1;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(0, line + used, sizeof(line) - 1 - used);
			if (n <= 0)
				return 0;
			used += (size_t)n;
			line[used] = '\0';
			char *nl;
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				if (strncmp(line, "copy ", 5) == 0)
					copy(&c, line + 5);
				used -= (size_t)(nl + 1 - line);
				memmove(line, nl + 1, used + 1);
			}
		}
	}
}
