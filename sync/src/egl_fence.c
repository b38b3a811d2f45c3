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

void vsync_egl_query_caps(void *egl_display, struct vsync_egl_caps *caps)
{
	if (!caps)
		return;
	caps->fence_sync = caps->native_fence = caps->wait_sync = false;
	/* EGL_NO_DISPLAY would answer with client extensions; not ours to use. */
	if (egl_display == EGL_NO_DISPLAY)
		return;
	caps->fence_sync = epoxy_has_egl_extension(egl_display, "EGL_KHR_fence_sync");
	caps->native_fence = caps->fence_sync &&
		epoxy_has_egl_extension(egl_display, "EGL_ANDROID_native_fence_sync");
	caps->wait_sync = caps->fence_sync &&
		epoxy_has_egl_extension(egl_display, "EGL_KHR_wait_sync");
}

enum vsync_result vsync_egl_native_fence_supported(void *egl_display)
{
	struct vsync_egl_caps caps;
	if (egl_display == EGL_NO_DISPLAY)
		return VSYNC_INVALID;
	vsync_egl_query_caps(egl_display, &caps);
	return caps.native_fence ? VSYNC_OK : VSYNC_UNSUPPORTED;
}

enum vsync_result vsync_egl_fence_export(void *egl_display, int *out_fd)
{
	if (out_fd)
		*out_fd = -1;
	if (egl_display == EGL_NO_DISPLAY || !out_fd)
		return VSYNC_INVALID;
	enum vsync_result supported = vsync_egl_native_fence_supported(egl_display);
	if (supported != VSYNC_OK)
		return supported;
	if (eglGetCurrentContext() == EGL_NO_CONTEXT)
		return VSYNC_ERROR;

	EGLSyncKHR sync = eglCreateSyncKHR(egl_display,
		EGL_SYNC_NATIVE_FENCE_ANDROID, NULL);
	if (sync == EGL_NO_SYNC_KHR)
		return VSYNC_ERROR;
	/* The fd only exists once the fence command reached the driver. */
	glFlush();
	int fd = eglDupNativeFenceFDANDROID(egl_display, sync);
	eglDestroySyncKHR(egl_display, sync);
	if (fd == EGL_NO_NATIVE_FENCE_FD_ANDROID || fd < 0)
		return VSYNC_ERROR;
	*out_fd = fd;
	return VSYNC_OK;
}

enum vsync_result vsync_egl_fence_import(void *egl_display, int fd,
	void **out_sync)
{
	if (out_sync)
		*out_sync = NULL;
	if (egl_display == EGL_NO_DISPLAY || fd < 0 || !out_sync)
		return VSYNC_INVALID;
	enum vsync_result supported = vsync_egl_native_fence_supported(egl_display);
	if (supported != VSYNC_OK)
		return supported;

	/* EGL takes ownership of the fd on success only. */
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return errno == EBADF ? VSYNC_INVALID : VSYNC_ERROR;
	const EGLint attribs[] = {
		EGL_SYNC_NATIVE_FENCE_FD_ANDROID, dup_fd,
		EGL_NONE,
	};
	EGLSyncKHR sync = eglCreateSyncKHR(egl_display,
		EGL_SYNC_NATIVE_FENCE_ANDROID, attribs);
	if (sync == EGL_NO_SYNC_KHR) {
		close(dup_fd);
		return VSYNC_ERROR;
	}
	*out_sync = sync;
	return VSYNC_OK;
}

enum vsync_result vsync_egl_sync_wait_gpu(void *egl_display, void *sync)
{
	if (egl_display == EGL_NO_DISPLAY || !sync)
		return VSYNC_INVALID;
	struct vsync_egl_caps caps;
	vsync_egl_query_caps(egl_display, &caps);
	if (!caps.wait_sync)
		return VSYNC_UNSUPPORTED;
	if (eglGetCurrentContext() == EGL_NO_CONTEXT)
		return VSYNC_ERROR;
	return eglWaitSyncKHR(egl_display, sync, 0) == EGL_TRUE ?
		VSYNC_OK : VSYNC_ERROR;
}

enum vsync_result vsync_egl_sync_wait_cpu(void *egl_display, void *sync,
	int64_t timeout_ns)
{
	if (egl_display == EGL_NO_DISPLAY || !sync)
		return VSYNC_INVALID;
	struct vsync_egl_caps caps;
	vsync_egl_query_caps(egl_display, &caps);
	if (!caps.fence_sync)
		return VSYNC_UNSUPPORTED;
	EGLTimeKHR timeout = timeout_ns < 0 ? EGL_FOREVER_KHR : (EGLTimeKHR)timeout_ns;
	EGLint flags = eglGetCurrentContext() != EGL_NO_CONTEXT ?
		EGL_SYNC_FLUSH_COMMANDS_BIT_KHR : 0;
	EGLint ret = eglClientWaitSyncKHR(egl_display, sync, flags, timeout);
	switch (ret) {
	case EGL_CONDITION_SATISFIED_KHR:
		return VSYNC_OK;
	case EGL_TIMEOUT_EXPIRED_KHR:
		return VSYNC_TIMEOUT;
	default:
		return VSYNC_ERROR;
	}
}

void vsync_egl_sync_destroy(void *egl_display, void *sync)
{
	if (egl_display == EGL_NO_DISPLAY || !sync)
		return;
	eglDestroySyncKHR(egl_display, sync);
}

enum vsync_result vsync_egl_fence_wait_gpu(void *egl_display, int fd)
{
	void *sync = NULL;
	enum vsync_result res = vsync_egl_fence_import(egl_display, fd, &sync);
	if (res != VSYNC_OK)
		return res;
	res = vsync_egl_sync_wait_gpu(egl_display, sync);
	vsync_egl_sync_destroy(egl_display, sync);
	return res;
}

enum vsync_result vsync_egl_fence_wait_cpu(void *egl_display, int fd,
	int64_t timeout_ns)
{
	void *sync = NULL;
	enum vsync_result res = vsync_egl_fence_import(egl_display, fd, &sync);
	if (res != VSYNC_OK)
		return res;
	res = vsync_egl_sync_wait_cpu(egl_display, sync, timeout_ns);
	vsync_egl_sync_destroy(egl_display, sync);
	return res;
}
