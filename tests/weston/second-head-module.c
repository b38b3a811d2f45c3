/* SPDX-License-Identifier: MIT */
/*
 * Test-only Weston module: adds a second head to the headless backend, so
 * the reset tests can run with two outputs (Weston 10's headless front end
 * creates one). The front end's head configurator enables it to the right
 * of the first, at the same size.
 */
#include <libweston/libweston.h>
#include <libweston/windowed-output-api.h>

int wet_module_init(struct weston_compositor *compositor, int *argc,
		    char *argv[]);

WL_EXPORT int
wet_module_init(struct weston_compositor *compositor, int *argc, char *argv[])
{
	const struct weston_windowed_output_api *api =
		weston_windowed_output_get_api(compositor);

	if (!api) {
		weston_log("second-head: the backend has no windowed output API\n");
		return -1;
	}
	return api->create_head(compositor, "headless-2");
}
