/* SPDX-License-Identifier: MIT */
/*
 * EGL native fence helpers: each checks the display's extensions before it
 * touches EGL state, and duplicates fds so callers keep theirs.
 */
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "vmplane/egl_fence.h"

void
vmsync_egl_query_caps(void *egl_display, struct vmsync_egl_caps *caps)
{
	if (!caps)
		return;
	caps->fence_sync = caps->native_fence = caps->wait_sync = false;
	/* EGL_NO_DISPLAY would answer with client extensions; not ours to use. */
	if (egl_display == EGL_NO_DISPLAY)
		return;
	caps->fence_sync = epoxy_has_egl_extension(egl_display,
						   "EGL_KHR_fence_sync");
	caps->native_fence = caps->fence_sync &&
			     epoxy_has_egl_extension(
				     egl_display,
				     "EGL_ANDROID_native_fence_sync");
	caps->wait_sync = caps->fence_sync &&
			  epoxy_has_egl_extension(egl_display,
						  "EGL_KHR_wait_sync");
}

enum vmsync_result
vmsync_egl_native_fence_supported(void *egl_display)
{
	struct vmsync_egl_caps caps;
	if (egl_display == EGL_NO_DISPLAY)
		return VMSYNC_INVALID;
	vmsync_egl_query_caps(egl_display, &caps);
	return caps.native_fence ? VMSYNC_OK : VMSYNC_UNSUPPORTED;
}

enum vmsync_result
vmsync_egl_fence_export(void *egl_display, int *out_fd)
{
	if (out_fd)
		*out_fd = -1;
	if (egl_display == EGL_NO_DISPLAY || !out_fd)
		return VMSYNC_INVALID;
	enum vmsync_result supported = vmsync_egl_native_fence_supported(
		egl_display);
	if (supported != VMSYNC_OK)
		return supported;
	if (eglGetCurrentContext() == EGL_NO_CONTEXT)
		return VMSYNC_ERROR;

	EGLSyncKHR sync = eglCreateSyncKHR(egl_display,
					   EGL_SYNC_NATIVE_FENCE_ANDROID, NULL);
	if (sync == EGL_NO_SYNC_KHR)
		return VMSYNC_ERROR;
	/* The fd only exists once the fence command reached the driver. */
	glFlush();
	int fd = eglDupNativeFenceFDANDROID(egl_display, sync);
	eglDestroySyncKHR(egl_display, sync);
	if (fd == EGL_NO_NATIVE_FENCE_FD_ANDROID || fd < 0)
		return VMSYNC_ERROR;
	*out_fd = fd;
	return VMSYNC_OK;
}

enum vmsync_result
vmsync_egl_fence_import(void *egl_display, int fd, void **out_sync)
{
	if (out_sync)
		*out_sync = NULL;
	if (egl_display == EGL_NO_DISPLAY || fd < 0 || !out_sync)
		return VMSYNC_INVALID;
	enum vmsync_result supported = vmsync_egl_native_fence_supported(
		egl_display);
	if (supported != VMSYNC_OK)
		return supported;

	/* EGL takes ownership of the fd on success only. */
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return errno == EBADF ? VMSYNC_INVALID : VMSYNC_ERROR;
	const EGLint attribs[] = {
		EGL_SYNC_NATIVE_FENCE_FD_ANDROID,
		dup_fd,
		EGL_NONE,
	};
	EGLSyncKHR sync = eglCreateSyncKHR(
		egl_display, EGL_SYNC_NATIVE_FENCE_ANDROID, attribs);
	if (sync == EGL_NO_SYNC_KHR) {
		close(dup_fd);
		return VMSYNC_ERROR;
	}
	*out_sync = sync;
	return VMSYNC_OK;
}

enum vmsync_result
vmsync_egl_sync_wait_gpu(void *egl_display, void *sync)
{
	if (egl_display == EGL_NO_DISPLAY || !sync)
		return VMSYNC_INVALID;
	struct vmsync_egl_caps caps;
	vmsync_egl_query_caps(egl_display, &caps);
	if (!caps.wait_sync)
		return VMSYNC_UNSUPPORTED;
	if (eglGetCurrentContext() == EGL_NO_CONTEXT)
		return VMSYNC_ERROR;
	return eglWaitSyncKHR(egl_display, sync, 0) == EGL_TRUE ? VMSYNC_OK
								: VMSYNC_ERROR;
}

enum vmsync_result
vmsync_egl_sync_wait_cpu(void *egl_display, void *sync, int64_t timeout_ns)
{
	if (egl_display == EGL_NO_DISPLAY || !sync)
		return VMSYNC_INVALID;
	struct vmsync_egl_caps caps;
	vmsync_egl_query_caps(egl_display, &caps);
	if (!caps.fence_sync)
		return VMSYNC_UNSUPPORTED;
	EGLTimeKHR timeout = timeout_ns < 0 ? EGL_FOREVER_KHR
					    : (EGLTimeKHR)timeout_ns;
	EGLint flags = eglGetCurrentContext() != EGL_NO_CONTEXT
			       ? EGL_SYNC_FLUSH_COMMANDS_BIT_KHR
			       : 0;
	EGLint ret = eglClientWaitSyncKHR(egl_display, sync, flags, timeout);
	switch (ret) {
	case EGL_CONDITION_SATISFIED_KHR:
		return VMSYNC_OK;
	case EGL_TIMEOUT_EXPIRED_KHR:
		return VMSYNC_TIMEOUT;
	default:
		return VMSYNC_ERROR;
	}
}

void
vmsync_egl_sync_destroy(void *egl_display, void *sync)
{
	if (egl_display == EGL_NO_DISPLAY || !sync)
		return;
	eglDestroySyncKHR(egl_display, sync);
}

enum vmsync_result
vmsync_egl_fence_wait_gpu(void *egl_display, int fd)
{
	void *sync = NULL;
	enum vmsync_result res = vmsync_egl_fence_import(egl_display, fd,
							 &sync);
	if (res != VMSYNC_OK)
		return res;
	res = vmsync_egl_sync_wait_gpu(egl_display, sync);
	vmsync_egl_sync_destroy(egl_display, sync);
	return res;
}

enum vmsync_result
vmsync_egl_fence_wait_cpu(void *egl_display, int fd, int64_t timeout_ns)
{
	void *sync = NULL;
	enum vmsync_result res = vmsync_egl_fence_import(egl_display, fd,
							 &sync);
	if (res != VMSYNC_OK)
		return res;
	res = vmsync_egl_sync_wait_cpu(egl_display, sync, timeout_ns);
	vmsync_egl_sync_destroy(egl_display, sync);
	return res;
}
