/* SPDX-License-Identifier: MIT */
/*
 * GPU copy fallback: a guest dma-buf the compositor refused is imported
 * into our own robust EGL context (robustness/) on the compositor's main
 * device and blitted into a LINEAR GBM buffer the compositor can take.
 */
#ifndef VMPD_GPU_BLIT_H
#define VMPD_GPU_BLIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <vmplane/display.h>

struct vmpd_gpu_blit;
struct vmpd_gpu_target;

/*
 * NULL when there is no render node, no GLES 3 or no dma-buf import (the
 * reason goes to log, which may be NULL and must outlive the blitter).
 */
struct vmpd_gpu_blit *vmpd_gpu_blit_create(dev_t main_device,
					   bool have_main_device,
					   const struct vmpd_log *log);
void vmpd_gpu_blit_destroy(struct vmpd_gpu_blit *gb);
/* After a GPU reset: a new context; targets re-create their GL objects lazily. */
bool vmpd_gpu_blit_recover(struct vmpd_gpu_blit *gb);

/* A LINEAR XRGB8888 buffer of the scanout size; the fd stays owned by the target. */
struct vmpd_gpu_target *vmpd_gpu_target_create(struct vmpd_gpu_blit *gb,
					       uint32_t width, uint32_t height);
void vmpd_gpu_target_destroy(struct vmpd_gpu_target *t);
int vmpd_gpu_target_fd(const struct vmpd_gpu_target *t);
uint32_t vmpd_gpu_target_stride(const struct vmpd_gpu_target *t);

/* Reads the target back (tests): width*height pixels into out. */
bool vmpd_gpu_target_read(struct vmpd_gpu_target *t, uint32_t *out);

/* Copies src's scanout rectangle (flipped for y0_top) into t; waits for the GPU. */
bool vmpd_gpu_blit_copy(struct vmpd_gpu_blit *gb, struct vmpd_gpu_target *t,
			const struct vmpd_dmabuf *src);

#endif
