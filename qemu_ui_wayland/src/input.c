/* SPDX-License-Identifier: MIT */
/* The seat: keyboard (xkbcommon) and pointer events become guest input callbacks; the grab. */
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xkbcommon/xkbcommon.h>

#include "core.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"

/* ---- keyboard ---- */

static void
keyboard_keymap(void *data, struct wl_keyboard *kb, uint32_t format, int32_t fd,
		uint32_t size)
{
	struct vmpd_display *d = data;
	struct vmpd_input *in = &d->input;
	if (format != WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1 || size == 0 ||
	    !in->xkb) {
		close(fd);
		return;
	}
	char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	/* The keymap string is NUL terminated within size; never trust it. */
	struct xkb_keymap *km = xkb_keymap_new_from_buffer(
		in->xkb, map, strnlen(map, size), XKB_KEYMAP_FORMAT_TEXT_V1,
		XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(map, size);
	if (!km)
		return;
	struct xkb_state *st = xkb_state_new(km);
	if (!st) {
		xkb_keymap_unref(km);
		return;
	}
	xkb_state_unref(in->xkb_state);
	xkb_keymap_unref(in->keymap);
	in->keymap = km;
	in->xkb_state = st;
}

static void
keyboard_enter(void *data, struct wl_keyboard *kb, uint32_t serial,
	       struct wl_surface *surface, struct wl_array *keys)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head = vmpd_head_from_surface(d, surface);
	d->input.keyboard_focus = head;
	d->input.keyboard_surface = head ? surface : NULL;
	if (head)
		vmpd_clipboard_serial(d, serial);
	if (head && d->cb.focus)
		d->cb.focus(d->data, head, true);
}

static void
keyboard_leave(void *data, struct wl_keyboard *kb, uint32_t serial,
	       struct wl_surface *surface)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head = d->input.keyboard_focus;
	d->input.keyboard_focus = NULL;
	d->input.keyboard_surface = NULL;
	if (head && d->cb.focus)
		d->cb.focus(d->data, head, false);
}

static bool
is_grab_hotkey(const struct vmpd_input *in, uint32_t key)
{
	uint32_t need = VMPD_MODIFIER_CTRL | VMPD_MODIFIER_ALT;
	return key == KEY_G && (in->modifiers & need) == need;
}

static void
keyboard_key(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t time,
	     uint32_t key, uint32_t state)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head = d->input.keyboard_focus;
	if (!head)
		return;
	vmpd_clipboard_serial(d, serial);
	bool pressed = state == WL_KEYBOARD_KEY_STATE_PRESSED;
	/* The toggle is ours: the guest sees neither its press nor its release. */
	if (is_grab_hotkey(&d->input, key)) {
		if (pressed)
			vmpd_input_set_grab(head, !head->grabbed);
		return;
	}
	if (d->cb.key)
		d->cb.key(d->data, head, key, pressed);
}

static uint32_t
modifier_bits(struct xkb_state *st)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} map[] = {
		{ XKB_MOD_NAME_SHIFT, VMPD_MODIFIER_SHIFT },
		{ XKB_MOD_NAME_CAPS, VMPD_MODIFIER_CAPS },
		{ XKB_MOD_NAME_CTRL, VMPD_MODIFIER_CTRL },
		{ XKB_MOD_NAME_ALT, VMPD_MODIFIER_ALT },
		{ XKB_MOD_NAME_LOGO, VMPD_MODIFIER_LOGO },
		{ XKB_MOD_NAME_NUM, VMPD_MODIFIER_NUM },
		{ "Mod5", VMPD_MODIFIER_ALTGR },
	};
	uint32_t bits = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (xkb_state_mod_name_is_active(st, map[i].name,
						 XKB_STATE_MODS_EFFECTIVE) > 0)
			bits |= map[i].bit;
	}
	return bits;
}

static void
keyboard_modifiers(void *data, struct wl_keyboard *kb, uint32_t serial,
		   uint32_t depressed, uint32_t latched, uint32_t locked,
		   uint32_t group)
{
	struct vmpd_display *d = data;
	struct vmpd_input *in = &d->input;
	if (!in->xkb_state)
		return;
	xkb_state_update_mask(in->xkb_state, depressed, latched, locked, 0, 0,
			      group);
	uint32_t bits = modifier_bits(in->xkb_state);
	if (bits == in->modifiers)
		return;
	in->modifiers = bits;
	if (in->keyboard_focus && d->cb.modifiers)
		d->cb.modifiers(d->data, in->keyboard_focus, bits);
}

static void
keyboard_repeat_info(void *data, struct wl_keyboard *kb, int32_t rate,
		     int32_t delay)
{
	/* The guest does its own key repeat. */
}

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_keymap,
	.enter = keyboard_enter,
	.leave = keyboard_leave,
	.key = keyboard_key,
	.modifiers = keyboard_modifiers,
	.repeat_info = keyboard_repeat_info,
};

/* ---- pointer ---- */

static void
report_abs(struct vmpd_display *d)
{
	struct vmpd_input *in = &d->input;
	struct vmpd_head *head = in->pointer_focus;
	if (!head || head->grabbed || !d->cb.pointer_abs || !head->guest_w)
		return;
	uint32_t gx, gy;
	vmpd_head_guest_from_surface(head, in->pointer_x, in->pointer_y, &gx,
				     &gy);
	d->cb.pointer_abs(d->data, head, gx, gy, head->guest_w, head->guest_h);
}

/* Surface-local coordinates relative to the scanout, whichever surface has focus. */
static void
set_pointer_pos(struct vmpd_input *in, wl_fixed_t sx, wl_fixed_t sy)
{
	struct vmpd_head *head = in->pointer_focus;
	in->pointer_x = wl_fixed_to_double(sx);
	in->pointer_y = wl_fixed_to_double(sy);
	if (head && in->pointer_on_parent) {
		in->pointer_x -= head->dst_x;
		in->pointer_y -= head->dst_y;
	}
}

static void
pointer_enter(void *data, struct wl_pointer *p, uint32_t serial,
	      struct wl_surface *surface, wl_fixed_t sx, wl_fixed_t sy)
{
	struct vmpd_display *d = data;
	struct vmpd_input *in = &d->input;
	struct vmpd_head *head = vmpd_head_from_surface(d, surface);
	in->pointer_focus = head;
	in->pointer_enter_serial = serial;
	in->pointer_on_parent = head && surface == head->surface;
	if (!head)
		return;
	set_pointer_pos(in, sx, sy);
	vmpd_cursor_apply(head->cursor);
	report_abs(d);
}

static void
pointer_leave(void *data, struct wl_pointer *p, uint32_t serial,
	      struct wl_surface *surface)
{
	struct vmpd_display *d = data;
	d->input.pointer_focus = NULL;
}

static void
pointer_motion(void *data, struct wl_pointer *p, uint32_t time, wl_fixed_t sx,
	       wl_fixed_t sy)
{
	struct vmpd_display *d = data;
	if (!d->input.pointer_focus)
		return;
	set_pointer_pos(&d->input, sx, sy);
	report_abs(d);
}

static void
pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t time,
	       uint32_t button, uint32_t state)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head = d->input.pointer_focus;
	if (head)
		vmpd_clipboard_serial(d, serial);
	if (head && d->cb.button)
		d->cb.button(d->data, head, button,
			     state == WL_POINTER_BUTTON_STATE_PRESSED);
}

static void
pointer_axis(void *data, struct wl_pointer *p, uint32_t time, uint32_t axis,
	     wl_fixed_t value)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head = d->input.pointer_focus;
	if (!head || !d->cb.axis)
		return;
	bool horizontal = axis == WL_POINTER_AXIS_HORIZONTAL_SCROLL;
	int32_t *discrete = &d->input.axis_discrete[horizontal];
	/*
	 * A wheel's clicks come as axis_discrete just before; the continuous
	 * value per click differs between compositors (Weston 10, mutter
	 * 15). Without one (touchpads), 10 units make a click.
	 */
	double clicks = *discrete ? *discrete
				  : wl_fixed_to_double(value) / 10.0;
	*discrete = 0;
	d->cb.axis(d->data, head,
		   horizontal ? VMPD_AXIS_HORIZONTAL : VMPD_AXIS_VERTICAL,
		   clicks);
}

static void
pointer_frame(void *data, struct wl_pointer *p)
{
}

static void
pointer_axis_source(void *data, struct wl_pointer *p, uint32_t source)
{
}

static void
pointer_axis_stop(void *data, struct wl_pointer *p, uint32_t time,
		  uint32_t axis)
{
}

static void
pointer_axis_discrete(void *data, struct wl_pointer *p, uint32_t axis,
		      int32_t discrete)
{
	struct vmpd_display *d = data;
	d->input.axis_discrete[axis == WL_POINTER_AXIS_HORIZONTAL_SCROLL] =
		discrete;
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_enter,
	.leave = pointer_leave,
	.motion = pointer_motion,
	.button = pointer_button,
	.axis = pointer_axis,
	.frame = pointer_frame,
	.axis_source = pointer_axis_source,
	.axis_stop = pointer_axis_stop,
	.axis_discrete = pointer_axis_discrete,
};

static void
relative_motion(void *data, struct zwp_relative_pointer_v1 *rp,
		uint32_t utime_hi, uint32_t utime_lo, wl_fixed_t dx,
		wl_fixed_t dy, wl_fixed_t dx_unaccel, wl_fixed_t dy_unaccel)
{
	struct vmpd_display *d = data;
	struct vmpd_head *head = d->input.pointer_focus;
	if (!head || !head->grabbed || !d->cb.pointer_rel)
		return;
	/* Window units to guest pixels, like the absolute path. */
	double sx = head->dst_w ? (double)head->guest_w / head->dst_w : 1.0;
	double sy = head->dst_h ? (double)head->guest_h / head->dst_h : 1.0;
	d->cb.pointer_rel(d->data, head, wl_fixed_to_double(dx_unaccel) * sx,
			  wl_fixed_to_double(dy_unaccel) * sy);
}

static const struct zwp_relative_pointer_v1_listener relative_listener = {
	.relative_motion = relative_motion,
};

/* ---- seat ---- */

static void
seat_capabilities(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct vmpd_display *d = data;
	struct vmpd_input *in = &d->input;
	in->seat_caps = caps;
	if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !in->keyboard) {
		in->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(in->keyboard, &keyboard_listener, d);
	} else if (!(caps & WL_SEAT_CAPABILITY_KEYBOARD) && in->keyboard) {
		wl_keyboard_release(in->keyboard);
		in->keyboard = NULL;
		in->keyboard_focus = NULL;
		in->keyboard_surface = NULL;
	}
	if ((caps & WL_SEAT_CAPABILITY_POINTER) && !in->pointer) {
		in->pointer = wl_seat_get_pointer(seat);
		wl_pointer_add_listener(in->pointer, &pointer_listener, d);
		if (d->conn.relative_pointer_manager) {
			in->relative =
				zwp_relative_pointer_manager_v1_get_relative_pointer(
					d->conn.relative_pointer_manager,
					in->pointer);
			zwp_relative_pointer_v1_add_listener(
				in->relative, &relative_listener, d);
		}
	} else if (!(caps & WL_SEAT_CAPABILITY_POINTER) && in->pointer) {
		if (in->relative)
			zwp_relative_pointer_v1_destroy(in->relative);
		in->relative = NULL;
		wl_pointer_release(in->pointer);
		in->pointer = NULL;
		in->pointer_focus = NULL;
	}
}

static void
seat_name(void *data, struct wl_seat *seat, const char *name)
{
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = seat_capabilities,
	.name = seat_name,
};

void
vmpd_input_bind_seat(struct vmpd_display *d, struct wl_registry *reg,
		     uint32_t name, uint32_t version)
{
	struct vmpd_input *in = &d->input;
	/* v5 for pointer frames and wl_*_release. */
	if (version < 5)
		return;
	in->seat = wl_registry_bind(reg, name, &wl_seat_interface, 5);
	in->xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	wl_seat_add_listener(in->seat, &seat_listener, d);
}

void
vmpd_input_fini(struct vmpd_display *d)
{
	struct vmpd_input *in = &d->input;
	if (in->relative)
		zwp_relative_pointer_v1_destroy(in->relative);
	if (in->pointer)
		wl_pointer_release(in->pointer);
	if (in->keyboard)
		wl_keyboard_release(in->keyboard);
	if (in->seat)
		wl_seat_release(in->seat);
	xkb_state_unref(in->xkb_state);
	xkb_keymap_unref(in->keymap);
	xkb_context_unref(in->xkb);
	memset(in, 0, sizeof(*in));
}

void
vmpd_input_forget_head(struct vmpd_display *d, struct vmpd_head *head)
{
	if (d->input.keyboard_focus == head) {
		d->input.keyboard_focus = NULL;
		d->input.keyboard_surface = NULL;
	}
	if (d->input.pointer_focus == head)
		d->input.pointer_focus = NULL;
}

/* ---- grab ---- */

static void
set_grabbed(struct vmpd_head *head, bool grabbed)
{
	if (head->grabbed == grabbed)
		return;
	head->grabbed = grabbed;
	vmpd_cursor_apply(head->cursor);
	struct vmpd_display *d = head->display;
	if (d->cb.grab)
		d->cb.grab(d->data, head, grabbed);
}

static void
locked(void *data, struct zwp_locked_pointer_v1 *lp)
{
	set_grabbed(data, true);
}

static void
unlocked(void *data, struct zwp_locked_pointer_v1 *lp)
{
	struct vmpd_head *head = data;
	/* Oneshot: the compositor broke the lock (focus loss); the object is dead. */
	zwp_locked_pointer_v1_destroy(head->locked);
	head->locked = NULL;
	set_grabbed(head, false);
}

static const struct zwp_locked_pointer_v1_listener locked_listener = {
	.locked = locked,
	.unlocked = unlocked,
};

bool
vmpd_input_set_grab(struct vmpd_head *head, bool grab)
{
	struct vmpd_display *d = head->display;
	struct vmpd_input *in = &d->input;
	if (!grab) {
		if (head->locked) {
			zwp_locked_pointer_v1_destroy(head->locked);
			head->locked = NULL;
		}
		set_grabbed(head, false);
		return true;
	}
	if (head->locked)
		return true;
	if (!d->conn.pointer_constraints || !in->relative || !in->pointer)
		return false;
	/*
	 * On the surface that has keyboard focus: Weston 10 enables a lock only
	 * there, and a click on the guest image focuses the scanout subsurface.
	 */
	struct wl_surface *target = head->surface;
	if (in->keyboard_focus == head && in->keyboard_surface)
		target = in->keyboard_surface;
	head->locked = zwp_pointer_constraints_v1_lock_pointer(
		d->conn.pointer_constraints, target, in->pointer, NULL,
		ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_ONESHOT);
	zwp_locked_pointer_v1_add_listener(head->locked, &locked_listener,
					   head);
	return true;
}
