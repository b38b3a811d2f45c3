/* SPDX-License-Identifier: MIT */
/*
 * WESTON_CAP_EXPLICIT_SYNC is declared exactly when the EGL display has
 * native fences and wait-sync, as stock gl-renderer does. Mesa's software
 * drivers have no native fences; a second run lists them through
 * egl-ext-shim.so. $VMPLANE_TEST_EXPECT_EXPLICIT_SYNC says which case the
 * run must be, so neither can pass by testing the other.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>

#include "weston-test-client-helper.h"
#include "weston-test-fixture-compositor.h"
#include "harness-setup.h"

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	struct compositor_setup setup;

	VMP_SETUP_HEADLESS(&setup, RENDERER_GL, 64, 64);
	return weston_test_harness_execute_as_plugin(harness, &setup);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

static bool
has_extension(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

PLUGIN_TEST(explicit_sync_follows_egl_fences)
{
	const char *want = getenv("VMPLANE_TEST_EXPECT_EXPLICIT_SYNC");
	/* The headless backend's GL display: the same one the renderer got. */
	EGLDisplay dpy = eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA,
					       EGL_DEFAULT_DISPLAY, NULL);
	EGLint major, minor;
	const char *exts;
	bool fences, declared;

	assert(want && (want[0] == '0' || want[0] == '1'));
	assert(dpy != EGL_NO_DISPLAY && eglInitialize(dpy, &major, &minor));
	exts = eglQueryString(dpy, EGL_EXTENSIONS);
	fences = has_extension(exts, "EGL_ANDROID_native_fence_sync") &&
		 has_extension(exts, "EGL_KHR_wait_sync");
	declared = compositor->capabilities & WESTON_CAP_EXPLICIT_SYNC;
	testlog("EGL native fences + wait sync: %s; explicit sync declared: %s\n",
		fences ? "yes" : "no", declared ? "yes" : "no");
	assert(fences == (want[0] == '1'));
	assert(declared == fences);
}
