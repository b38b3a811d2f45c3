/*
 * EGL native fences on a surfaceless display. Mesa's software drivers lack
 * EGL_ANDROID_native_fence_sync: every call must say UNSUPPORTED and leave
 * EGL and GL without errors. Where a driver has native fences (a GPU), the
 * real round trip is checked instead.
 */
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vmplane/egl_fence.h"
#include "vmplane/sync_file.h"
#include "tap.h"

#define MS (1000ll * 1000)

static EGLDisplay dpy;
static EGLContext ctx;

static bool setup(void)
{
	if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless"))
		return false;
	dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
	EGLint major, minor;
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor))
		return false;
	if (!eglBindAPI(EGL_OPENGL_ES_API))
		return false;
	EGLConfig config = EGL_NO_CONFIG_KHR;
	if (!epoxy_has_egl_extension(dpy, "EGL_KHR_no_config_context")) {
		const EGLint attribs[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE };
		EGLint n = 0;
		if (!eglChooseConfig(dpy, attribs, &config, 1, &n) || n < 1)
			return false;
	}
	const EGLint ctx_attribs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };
	ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, ctx_attribs);
	return ctx != EGL_NO_CONTEXT;
}

static bool make_current(bool on)
{
	return eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
		on ? ctx : EGL_NO_CONTEXT);
}

static void test_invalid(void)
{
	struct vmsync_egl_caps caps = { true, true, true };
	vmsync_egl_query_caps(EGL_NO_DISPLAY, &caps);
	REQUIRE(!caps.fence_sync && !caps.native_fence && !caps.wait_sync);
	vmsync_egl_query_caps(dpy, NULL);
	int fd = 7;
	void *sync = (void *)1;
	REQUIRE_NAMED(vmsync_egl_native_fence_supported(EGL_NO_DISPLAY), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_fence_export(EGL_NO_DISPLAY, &fd), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE(fd == -1);
	REQUIRE_NAMED(vmsync_egl_fence_export(dpy, NULL), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_fence_import(dpy, -1, &sync), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE(sync == NULL);
	REQUIRE_NAMED(vmsync_egl_fence_import(dpy, 0, NULL), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_sync_wait_cpu(dpy, NULL, 0), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_sync_wait_gpu(dpy, NULL), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_fence_wait_cpu(dpy, -1, 0), VMSYNC_INVALID, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_fence_wait_gpu(EGL_NO_DISPLAY, 0), VMSYNC_INVALID, vmsync_result_str);
	vmsync_egl_sync_destroy(dpy, NULL);
	vmsync_egl_sync_destroy(EGL_NO_DISPLAY, (void *)1);
	REQUIRE(eglGetError() == EGL_SUCCESS);
}

/* The software path: everything UNSUPPORTED, nothing broken. */
static void test_unsupported(void)
{
	int p[2];
	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	int fd = 7;
	void *sync = (void *)1;
	REQUIRE_NAMED(vmsync_egl_native_fence_supported(dpy), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_fence_export(dpy, &fd), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE(fd == -1);
	REQUIRE_NAMED(vmsync_egl_fence_import(dpy, p[0], &sync), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE(sync == NULL);
	REQUIRE_NAMED(vmsync_egl_fence_wait_gpu(dpy, p[0]), VMSYNC_UNSUPPORTED, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_fence_wait_cpu(dpy, p[0], 0), VMSYNC_UNSUPPORTED, vmsync_result_str);
	/* The caller's fd is untouched. */
	REQUIRE(fcntl(p[0], F_GETFD) != -1);
	REQUIRE(eglGetError() == EGL_SUCCESS);
	REQUIRE(glGetError() == GL_NO_ERROR);
	close(p[0]);
	close(p[1]);
}

/* A plain EGL fence exercises the CPU and GPU wait paths on any driver. */
static void test_plain_fence(const struct vmsync_egl_caps *caps)
{
	if (!caps->fence_sync) {
		REQUIRE_NAMED(vmsync_egl_sync_wait_cpu(dpy, (void *)1, 0), VMSYNC_UNSUPPORTED, vmsync_result_str);
		return;
	}
	glClearColor(0.25f, 0.5f, 0.75f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	EGLSyncKHR sync = eglCreateSyncKHR(dpy, EGL_SYNC_FENCE_KHR, NULL);
	REQUIRE(sync != EGL_NO_SYNC_KHR);
	REQUIRE_NAMED(vmsync_egl_sync_wait_cpu(dpy, sync, 1000 * MS), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_sync_wait_cpu(dpy, sync, 0), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_sync_wait_gpu(dpy, sync),
		caps->wait_sync ? VMSYNC_OK : VMSYNC_UNSUPPORTED, vmsync_result_str);
	EGLint status = 0;
	REQUIRE(eglGetSyncAttribKHR(dpy, sync, EGL_SYNC_STATUS_KHR, &status));
	REQUIRE(status == EGL_SIGNALED_KHR);
	vmsync_egl_sync_destroy(dpy, sync);
	REQUIRE(eglGetError() == EGL_SUCCESS);
}

/* Drivers with native fences: export, wait as a sync_file, import, wait. */
static void test_native_round_trip(const struct vmsync_egl_caps *caps)
{
	glClear(GL_COLOR_BUFFER_BIT);
	int fd = -1;
	REQUIRE_NAMED(vmsync_egl_fence_export(dpy, &fd), VMSYNC_OK, vmsync_result_str);
	REQUIRE(fd >= 0);
	REQUIRE_NAMED(vmsync_fd_wait(fd, 1000 * MS), VMSYNC_OK, vmsync_result_str);
	void *sync = NULL;
	REQUIRE_NAMED(vmsync_egl_fence_import(dpy, fd, &sync), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_sync_wait_cpu(dpy, sync, 1000 * MS), VMSYNC_OK, vmsync_result_str);
	REQUIRE_NAMED(vmsync_egl_sync_wait_gpu(dpy, sync),
		caps->wait_sync ? VMSYNC_OK : VMSYNC_UNSUPPORTED, vmsync_result_str);
	vmsync_egl_sync_destroy(dpy, sync);
	REQUIRE_NAMED(vmsync_egl_fence_wait_cpu(dpy, fd, 1000 * MS), VMSYNC_OK, vmsync_result_str);
	/* Imports dup the fd: ours is still open. */
	REQUIRE(fcntl(fd, F_GETFD) != -1);
	close(fd);

	REQUIRE(make_current(false));
	REQUIRE_NAMED(vmsync_egl_fence_export(dpy, &fd), VMSYNC_ERROR, vmsync_result_str);
	REQUIRE(fd == -1);
	REQUIRE(make_current(true));
}

int main(void)
{
	if (!setup())
		tap_skip_all("no surfaceless EGL display with a GLES2 context");
	REQUIRE(make_current(true));
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	struct vmsync_egl_caps caps;
	vmsync_egl_query_caps(dpy, &caps);
	tap_note("renderer %s: fence_sync %d native_fence %d wait_sync %d",
		renderer, caps.fence_sync, caps.native_fence, caps.wait_sync);

	test_invalid();
	bool software = renderer && (strstr(renderer, "llvmpipe") || strstr(renderer, "softpipe"));
	if (software)
		REQUIRE(!caps.native_fence);
	if (caps.native_fence)
		test_native_round_trip(&caps);
	else
		test_unsupported();
	test_plain_fence(&caps);

	make_current(false);
	eglDestroyContext(dpy, ctx);
	eglTerminate(dpy);
	eglReleaseThread();
	tap_note("EGL fences: %s", caps.native_fence ? "native" : "unsupported, as expected");
	return tap_finish();
}
