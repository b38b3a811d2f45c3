/* SPDX-License-Identifier: MIT */
/*
 * The QEMU stand-in for the core's tests: records every display callback
 * and aborts on two blocks or two releases in a row.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "producer.h"
#include "vmplane/clock.h"

static void on_block(void *data, struct vmpd_head *head, bool block)
{
	struct producer *p = data;
	uint64_t now = vmplane_now_ns();
	if (block == p->blocked) {
		fprintf(stderr, "producer: block(%d) twice in a row\n", block);
		abort();
	}
	p->blocked = block;
	if (block) {
		p->blocks++;
		p->block_start_ns = now;
		return;
	}
	p->releases++;
	p->last_block_ns = now - p->block_start_ns;
	if (p->last_block_ns > p->max_block_ns)
		p->max_block_ns = p->last_block_ns;
	if (p->on_release)
		p->on_release(p);
}

static void on_close(void *data, struct vmpd_head *head)
{
	((struct producer *)data)->closes++;
}

static void on_resize(void *data, struct vmpd_head *head, uint32_t w, uint32_t h)
{
	struct producer *p = data;
	p->resizes++;
	p->resize_w = w;
	p->resize_h = h;
}

static void on_focus(void *data, struct vmpd_head *head, bool in)
{
	((struct producer *)data)->focus = in;
}

static void on_key(void *data, struct vmpd_head *head, uint32_t code, bool pressed)
{
	struct producer *p = data;
	if (p->n_keys < PRODUCER_MAX_KEYS)
		p->keys[p->n_keys++] = (struct producer_key){ code, pressed };
}

static void on_modifiers(void *data, struct vmpd_head *head, uint32_t mods)
{
	((struct producer *)data)->modifiers = mods;
}

static void on_abs(void *data, struct vmpd_head *head, uint32_t x, uint32_t y, uint32_t w,
	uint32_t h)
{
	struct producer *p = data;
	p->n_abs++;
	p->abs_x = x;
	p->abs_y = y;
	p->abs_w = w;
	p->abs_h = h;
}

static void on_rel(void *data, struct vmpd_head *head, double dx, double dy)
{
	struct producer *p = data;
	p->n_rel++;
	p->rel_dx += dx;
	p->rel_dy += dy;
}

static void on_button(void *data, struct vmpd_head *head, uint32_t button, bool pressed)
{
	struct producer *p = data;
	p->n_buttons++;
	p->last_button = button;
	p->last_button_pressed = pressed;
}

static void on_axis(void *data, struct vmpd_head *head, enum vmpd_axis axis, double clicks)
{
	struct producer *p = data;
	if (axis == VMPD_AXIS_VERTICAL)
		p->axis_v += clicks;
	else
		p->axis_h += clicks;
}

static void on_grab(void *data, struct vmpd_head *head, bool grabbed)
{
	((struct producer *)data)->grabbed = grabbed;
}

static void on_gpu_reset(void *data, bool recovered)
{
	struct producer *p = data;
	if (recovered)
		p->gpu_recoveries++;
	else
		p->gpu_resets++;
}

static void on_disconnected(void *data, const char *reason)
{
	struct producer *p = data;
	p->disconnected = true;
	snprintf(p->reason, sizeof(p->reason), "%s", reason ? reason : "?");
}

static void on_reconnected(void *data)
{
	struct producer *p = data;
	p->reconnects++;
	p->disconnected = false;
}

static void on_clipboard(void *data, const char *text, size_t len)
{
	struct producer *p = data;
	free(p->clip_text);
	p->clip_text = malloc(len + 1);
	if (p->clip_text) {
		memcpy(p->clip_text, text, len);
		p->clip_text[len] = '\0';
	}
	p->clip_len = len;
	p->clips++;
}

static const struct vmpd_callbacks callbacks = {
	.block = on_block,
	.close = on_close,
	.resize = on_resize,
	.focus = on_focus,
	.key = on_key,
	.modifiers = on_modifiers,
	.pointer_abs = on_abs,
	.pointer_rel = on_rel,
	.button = on_button,
	.axis = on_axis,
	.grab = on_grab,
	.gpu_reset = on_gpu_reset,
	.disconnected = on_disconnected,
	.reconnected = on_reconnected,
	.clipboard = on_clipboard,
};

uint32_t producer_pattern(uint32_t x, uint32_t y, uint32_t seed)
{
	uint32_t r = (x * 3 + seed) & 0xff;
	uint32_t g = (y * 5 + seed * 7) & 0xff;
	uint32_t b = ((x * y) ^ (0x5a + seed)) & 0xff;
	return 0xff000000u | r << 16 | g << 8 | b;
}

void producer_fill(struct producer *p, uint32_t seed)
{
	for (uint32_t y = 0; y < p->height; y++)
		for (uint32_t x = 0; x < p->width; x++)
			p->pixels[y * p->width + x] = producer_pattern(x, y, seed);
}

static void log_print(void *data, enum vmpd_log_level level, const char *fmt, va_list args)
{
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

const struct vmpd_log producer_log = { log_print, NULL };

bool producer_init(struct producer *p, struct wl_display *wl, const char *socket,
	uint32_t width, uint32_t height, uint32_t watchdog_ms, uint32_t win_w, uint32_t win_h)
{
	struct vmpd_display_config cfg = {
		.wl_display = wl,
		.socket_name = socket,
		.watchdog_ms = watchdog_ms,
		.log = producer_log,
		/* These tests measure the thin border; libdecor's frame has its own test. */
		.no_libdecor = true,
	};
	return producer_init_config(p, &cfg, width, height, win_w, win_h);
}

bool producer_init_config(struct producer *p, const struct vmpd_display_config *cfg,
	uint32_t width, uint32_t height, uint32_t win_w, uint32_t win_h)
{
	memset(p, 0, sizeof(*p));
	p->display = vmpd_display_create(cfg, &callbacks, p);
	if (!p->display)
		return false;
	struct vmpd_head_config hc = {
		.title = "vmplane test guest", .app_id = "vmplane-test",
		.width = win_w, .height = win_h,
	};
	p->head = vmpd_head_create(p->display, &hc);
	p->width = width;
	p->height = height;
	p->pixels = calloc((size_t)width * height, 4);
	return p->head && p->pixels;
}

void producer_fini(struct producer *p)
{
	vmpd_head_destroy(p->head);
	vmpd_display_destroy(p->display);
	free(p->pixels);
	free(p->clip_text);
	memset(p, 0, sizeof(*p));
}

void producer_pump(struct producer *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = vmpd_display_get_fd(p->display), .events = POLLIN };
	poll(&pfd, 1, timeout_ms);
	/* Always dispatch: another thread sharing the connection may have read our events. */
	vmpd_display_dispatch(p->display);
}

bool producer_wait(struct producer *p, bool (*cond)(struct producer *p), int timeout_ms)
{
	uint64_t end = vmplane_now_ns() + (uint64_t)timeout_ms * 1000000u;
	while (!cond(p)) {
		if (vmplane_now_ns() >= end)
			return false;
		producer_pump(p, 5);
	}
	return true;
}

bool producer_released(struct producer *p)
{
	return !p->blocked && p->releases > 0;
}

bool producer_flush(struct producer *p)
{
	int before = p->releases;
	if (vmpd_head_update(p->head, NULL, -1) != VMPD_OK) {
		fprintf(stderr, "producer_flush: the update was refused\n");
		return false;
	}
	if (!producer_wait(p, producer_released, 2000)) {
		fprintf(stderr, "producer_flush: not released within 2 s\n");
		return false;
	}
	return p->releases == before + 1;
}
