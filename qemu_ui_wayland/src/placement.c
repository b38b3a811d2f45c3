/* SPDX-License-Identifier: MIT */
/*
 * First placement. xdg-shell gives a client no say in where its window
 * goes, and Weston 10's desktop shell picks a place only when a window
 * maps, keeping its top left corner through later resizes. A guest
 * typically starts at 640x480 or 720x400 and grows to its real mode, which
 * would push the window off the screen. So a window maps only with its
 * first frame, and while the guest's early mode changes grow it, it unmaps
 * and maps again so the shell places it anew (bounded, so a guest changing
 * its mode later never makes the window jump).
 */
#include <time.h>

#include "core.h"

/* Placeholder -> firmware text mode -> the guest's mode: two growths. */
#define VMPD_PLACEMENT_REMAPS 2u
/* Only while the guest boots; later growth keeps the window where it is. */
#define VMPD_PLACEMENT_WINDOW_NS (60ull * 1000000000ull)

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool
vmpd_placement_may_map(const struct vmpd_head *head)
{
	return head->mapped || head->path;
}

void
vmpd_placement_mapped(struct vmpd_head *head)
{
	if (!head->first_map_ns)
		head->first_map_ns = now_ns();
	head->mapped = true;
	head->map_w = head->win_w;
	head->map_h = head->win_h;
}

bool
vmpd_placement_should_remap(const struct vmpd_head *head)
{
	/* A size the user, the shell or the caller chose is not ours to fix. */
	if (!head->mapped || head->fullscreen || head->size_from_compositor ||
	    head->size_from_config)
		return false;
	if (head->remaps >= VMPD_PLACEMENT_REMAPS ||
	    now_ns() - head->first_map_ns > VMPD_PLACEMENT_WINDOW_NS)
		return false;
	return head->win_w > head->map_w || head->win_h > head->map_h;
}
