/* SPDX-License-Identifier: MIT */
/*
 * Public API for EGL native fences: sync_file fds into and out of EGL, with
 * UNSUPPORTED, EGL state untouched, where the display lacks the extensions.
 */
#ifndef VMPLANE_EGL_FENCE_H
#define VMPLANE_EGL_FENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmplane/sync_result.h"

/*
 * EGL native fences (EGL_ANDROID_native_fence_sync) through libepoxy.
 *
 * `egl_display` is an EGLDisplay and `sync` an EGLSync(KHR); they are passed
 * as void * so this header can be included next to either <EGL/egl.h> or
 * <epoxy/egl.h>. Fds given to these calls stay owned by the caller (they
 * are duplicated where EGL would take ownership).
 *
 * Each call returns VMSYNC_UNSUPPORTED, without touching EGL state, when the
 * display lacks what it needs, as Mesa's software drivers (llvmpipe,
 * softpipe) do:
 *   create/export/import: EGL_KHR_fence_sync + EGL_ANDROID_native_fence_sync
 *   GPU wait:             additionally EGL_KHR_wait_sync
 */

struct vmsync_egl_caps {
	bool fence_sync; /* EGL_KHR_fence_sync */
	bool native_fence; /* EGL_ANDROID_native_fence_sync */
	bool wait_sync; /* EGL_KHR_wait_sync */
};

/* Fill `caps` for an initialized display; all false for EGL_NO_DISPLAY. */
void vmsync_egl_query_caps(void *egl_display, struct vmsync_egl_caps *caps);

/* OK when native fences can be exported and imported on this display. */
enum vmsync_result vmsync_egl_native_fence_supported(void *egl_display);

/*
 * Insert a native fence after the GL commands issued so far in the current
 * context, flush, and return it as a sync_file fd in *out_fd.
 * ERROR when no context is current or the driver fails.
 */
enum vmsync_result vmsync_egl_fence_export(void *egl_display, int *out_fd);

/*
 * Wrap a sync_file fd as an EGLSync (EGL_SYNC_NATIVE_FENCE_FD_ANDROID).
 * The fd is duplicated; destroy the sync with vmsync_egl_sync_destroy().
 */
enum vmsync_result vmsync_egl_fence_import(void *egl_display, int fd,
					   void **out_sync);

/* Make the current context's GPU queue wait for `sync` (eglWaitSyncKHR). */
enum vmsync_result vmsync_egl_sync_wait_gpu(void *egl_display, void *sync);

/*
 * Block the CPU until `sync` signals (eglClientWaitSyncKHR, flushing the
 * current context first). timeout_ns: 0 polls, VMSYNC_WAIT_FOREVER blocks.
 */
enum vmsync_result vmsync_egl_sync_wait_cpu(void *egl_display, void *sync,
					    int64_t timeout_ns);

/* Destroy a sync from vmsync_egl_fence_import(); NULL is accepted. */
void vmsync_egl_sync_destroy(void *egl_display, void *sync);

/* Import + GPU wait + destroy in one call. */
enum vmsync_result vmsync_egl_fence_wait_gpu(void *egl_display, int fd);

/* Import + CPU wait + destroy in one call. */
enum vmsync_result vmsync_egl_fence_wait_cpu(void *egl_display, int fd,
					     int64_t timeout_ns);

#endif
