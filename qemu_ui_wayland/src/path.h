/* SPDX-License-Identifier: MIT */
/*
 * The path interface: how a head's guest frames are prepared for its scanout.
 * shm-path.c and dmabuf-path.c implement it; head->path is the one in use.
 */
#ifndef VMPD_PATH_H
#define VMPD_PATH_H

#include <stdbool.h>
#include <stdint.h>

#include <vmplane/display-dmabuf.h>

struct vmpd_head;
struct vmpd_path;

struct vmpd_path_impl {
	/*
	 * A new guest frame: records its damage (guest pixels, NULL for all)
	 * and fence in the path's state and hands the frame to pacing, which
	 * has commit.c commit that state on its turn. acquire_fence_fd is consumed.
	 */
	enum vmpd_status (*update)(struct vmpd_path *path,
				   const struct vmpd_rect *damage,
				   int acquire_fence_fd);
	/* Scanout off: drops the buffers the path holds for the compositor. */
	void (*disable)(struct vmpd_path *path);
	/*
	 * Connection lost or head going: releases every Wayland object and fd
	 * the path holds. May run twice; the path's state lives inside the head.
	 */
	void (*fini)(struct vmpd_path *path);
};

struct vmpd_path {
	const struct vmpd_path_impl *impl;
	struct vmpd_head *head;
};

#endif
