/* SPDX-License-Identifier: MIT */
/*
 * Unmapping and mapping a head's window again, for a guest output that is
 * turned off and on: xdg-shell's null-buffer unmap and a fresh initial commit.
 */
#include "core.h"

static void
map_sync_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct vmpd_head *head = data;
	wl_callback_destroy(cb);
	head->map_sync = NULL;
	/*
	 * No configure answered the initial commit: the compositor kept the
	 * window's last one (Weston 10 does), so attaching is allowed now.
	 */
	if (!head->unmapped && !head->configured) {
		head->configured = true;
		vmpd_head_commit_parent(head);
	}
}

static const struct wl_callback_listener map_sync_listener = {
	.done = map_sync_done,
};

void
vmpd_head_set_mapped(struct vmpd_head *head, bool mapped)
{
	if (!head || !head->display->conn.connected || !head->surface ||
	    head->unmapped == !mapped)
		return;
	struct vmpd_connection *conn = &head->display->conn;
	head->unmapped = !mapped;
	if (!mapped) {
		/* Weston 10 keeps drawing a desync subsurface of an unmapped parent. */
		wl_surface_attach(head->scanout, NULL, 0, 0);
		wl_surface_commit(head->scanout);
		wl_surface_attach(head->surface, NULL, 0, 0);
		head->configured = false;
		wl_surface_commit(head->surface);
	} else {
		/*
		 * A commit without a buffer is the initial commit; its configure
		 * makes vmpd_head_commit_parent() attach again, and the guest's
		 * next frame fills the scanout.
		 */
		wl_surface_commit(head->surface);
		if (!head->map_sync) {
			head->map_sync = wl_display_sync(conn->wrapper);
			wl_callback_add_listener(head->map_sync,
						 &map_sync_listener, head);
		}
	}
	vmpd_connection_flush(conn);
}

bool
vmpd_head_mapped(const struct vmpd_head *head)
{
	return head && !head->unmapped;
}

void
vmpd_head_map_fini(struct vmpd_head *head)
{
	if (head->map_sync)
		wl_callback_destroy(head->map_sync);
	head->map_sync = NULL;
}
