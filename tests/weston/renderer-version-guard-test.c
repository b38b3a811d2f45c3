/* SPDX-License-Identifier: MIT */
/*
 * The renderer must refuse libweston versions whose private ABI it does not
 * match. This executable provides weston_version() and weston_log() itself
 * (fake-weston.c, exported: they interpose on libweston's for the renderer),
 * loads gl-renderer.so like libweston does and checks the refusal.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <libweston/libweston.h>

#include "fake-weston.h"
#include "tap.h"
#include "vgr.h"

int
main(int argc, char **argv)
{
	static const int refused[][3] = {
		{ 10, 0, 4 }, { 10, 0, 5 }, { 10, 1, 0 }, { 11, 0, 0 }, { 9, 0, 0 },
	};
	struct gl_renderer_display_options opts = { 0 };
	struct gl_renderer_interface *iface;
	void *mod;
	size_t i;

	CHECK_MSG(vgr_version_supported(10, 0, 0) && vgr_version_supported(10, 0, 1) &&
	      vgr_version_supported(10, 0, 3), "10.0.0-10.0.3 accepted");
	CHECK_MSG(!vgr_version_supported(10, 0, 4) && !vgr_version_supported(14, 0, 2) &&
	      !vgr_version_supported(10, 0, -1), "other versions rejected");

	if (argc < 2) {
		fprintf(stderr, "usage: %s gl-renderer.so\n", argv[0]);
		return 1;
	}
	/* libweston's loader flags; NODELETE because libweston never unloads
	 * its renderer, and unloading would strand its libraries' memory. */
	mod = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!CHECK_MSG(mod != NULL, "renderer loads with RTLD_LOCAL")) {
		tap_note("%s", dlerror());
		return tap_finish();
	}
	iface = dlsym(mod, "gl_renderer_interface");
	CHECK_MSG(iface && iface->display_create && iface->output_pbuffer_create &&
	      iface->output_window_create && iface->output_destroy &&
	      iface->output_set_border && iface->create_fence_fd,
	      "gl_renderer_interface is complete");
	CHECK_MSG(dlsym(mod, "vgr_version_check") == NULL &&
	      dlsym(mod, "vgr_attach") == NULL, "internal symbols stay hidden");

	for (i = 0; iface && i < sizeof refused / sizeof refused[0]; i++) {
		char want[64], what[128];

		fake_weston_set_version(refused[i][0], refused[i][1],
					refused[i][2]);
		fake_weston_clear_log();
		/* A refused version must not touch the compositor at all. */
		snprintf(want, sizeof want, "refusing libweston %d.%d.%d",
			 refused[i][0], refused[i][1], refused[i][2]);
		snprintf(what, sizeof what, "display_create refuses %d.%d.%d with a log line",
			 refused[i][0], refused[i][1], refused[i][2]);
		CHECK_MSG(iface->display_create(NULL, &opts) == -1 &&
			  strstr(fake_weston_last_log(), want) != NULL, "%s", what);
	}
	dlclose(mod);
	return tap_finish();
}
