/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for QEMU: drives the display core the way the glue does
 * (surfaces, updates, flips, cursor) and records every callback.
 */
#ifndef VMPD_TEST_PRODUCER_H
#define VMPD_TEST_PRODUCER_H

#include <stdbool.h>
#include <stdint.h>

#include <vmplane/display.h>

#define PRODUCER_MAX_KEYS 64

struct producer_key {
	uint32_t code;
	bool pressed;
};

struct producer {
	struct vmpd_display *display;
	struct vmpd_head *head;
	uint32_t width, height;
	uint32_t *pixels;

	/* Recorded callbacks. */
	bool blocked;
	int blocks, releases;
	uint64_t block_start_ns, last_block_ns, max_block_ns;
	struct producer_key keys[PRODUCER_MAX_KEYS];
	int n_keys;
	uint32_t modifiers;
	int n_abs;
	uint32_t abs_x, abs_y, abs_w, abs_h;
	int n_rel;
	double rel_dx, rel_dy;
	uint32_t last_button;
	bool last_button_pressed;
	int n_buttons;
	double axis_v, axis_h;
	bool focus;
	bool grabbed;
	int closes;
	int gpu_resets, gpu_recoveries;
	int resizes;
	uint32_t resize_w, resize_h;
	bool disconnected;
	char reason[128];
	int reconnects;
	/* The last clipboard text the core reported (malloc'd), and how many. */
	char *clip_text;
	size_t clip_len;
	int clips;
	/* Optional hook run on every release (tests check invariants there). */
	void (*on_release)(struct producer *p);
	void *user;
};

/* wl may be NULL to connect to socket (NULL: $WAYLAND_DISPLAY); win_* 0: fit the guest. */
/* Prints the core's messages to stderr. */
extern const struct vmpd_log producer_log;

bool producer_init(struct producer *p, struct wl_display *wl, const char *socket,
	uint32_t width, uint32_t height, uint32_t watchdog_ms, uint32_t win_w, uint32_t win_h);
/* As producer_init, with the whole display config (socket or wl_display inside it). */
bool producer_init_config(struct producer *p, const struct vmpd_display_config *cfg,
	uint32_t width, uint32_t height, uint32_t win_w, uint32_t win_h);
void producer_fini(struct producer *p);
/* The guest's image: every pixel differs from its neighbours. */
uint32_t producer_pattern(uint32_t x, uint32_t y, uint32_t seed);
void producer_fill(struct producer *p, uint32_t seed);
/* Polls the core's fd up to timeout_ms, then dispatches. */
void producer_pump(struct producer *p, int timeout_ms);
/* Pumps until cond holds or timeout_ms passes; returns cond. */
bool producer_wait(struct producer *p, bool (*cond)(struct producer *p), int timeout_ms);
/* Not blocked, and released at least once: a condition for producer_wait. */
bool producer_released(struct producer *p);
/* Updates the whole head and pumps until exactly one more release. */
bool producer_flush(struct producer *p);

#endif
