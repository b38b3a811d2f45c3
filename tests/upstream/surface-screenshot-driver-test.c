/* SPDX-License-Identifier: MIT */
/*
 * Drives Weston's own surface-screenshot plugin (built unmodified from the
 * distro source) with our renderer: the debug binding writes the surface
 * under the pointer, through weston_surface_copy_content(), to a PAM file,
 * which must hold the client's pixels, rows and columns in place.
 */
#include "config.h"

#include <dirent.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness-setup.h"

#define W 64
#define H 48

static enum test_result_code
fixture_setup(struct weston_test_harness *harness)
{
	struct compositor_setup setup;

	VMP_SETUP_HEADLESS(&setup, RENDERER_GL, 320, 240);
	/* The desktop shell installs Weston's debug key binding. */
	setup.shell = SHELL_DESKTOP;
	setup.extra_module = SURFACE_SCREENSHOT_MODULE;
	return weston_test_harness_execute_as_client(harness, &setup);
}
DECLARE_FIXTURE_SETUP(fixture_setup);

/* Opaque quadrants: any flip or swap of rows, columns or channels shows. */
static uint32_t
quadrant_argb(int x, int y)
{
	static const uint32_t colors[4] = {
		0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffff80,
	};

	return colors[(y >= H / 2) * 2 + (x >= W / 2)];
}

static void
send_key(struct client *client, uint32_t key, uint32_t state)
{
	weston_test_send_key(client->test->weston_test, 0, 1, 0, key, state);
}

static void
press(struct client *client, uint32_t key)
{
	send_key(client, key, WL_KEYBOARD_KEY_STATE_PRESSED);
	send_key(client, key, WL_KEYBOARD_KEY_STATE_RELEASED);
}

/* The newest surfaceshot-*.pam in the working directory. */
static bool
find_shot(char *name, size_t len)
{
	struct dirent *e;
	DIR *d = opendir(".");
	bool found = false;

	assert(d);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "surfaceshot-", 12) != 0 ||
		    !strstr(e->d_name, ".pam"))
			continue;
		if (!found || strcmp(e->d_name, name) > 0)
			snprintf(name, len, "%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

static void
remove_shots(void)
{
	char name[512];

	while (find_shot(name, sizeof name))
		assert(unlink(name) == 0);
}

TEST(plugin_shoots_the_surface_under_the_pointer)
{
	struct client *client = create_client_and_test_surface(40, 30, W, H);
	struct surface *s = client->surface;
	uint32_t *p;
	unsigned char px[4];
	char name[512], line[256];
	int width = 0, height = 0, bad = 0;
	FILE *f;

	remove_shots();
	buffer_destroy(s->buffer);
	s->buffer = create_shm_buffer_a8r8g8b8(client, W, H);
	p = pixman_image_get_data(s->buffer->image);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			p[y * W + x] = quadrant_argb(x, y);
	wl_surface_attach(s->wl_surface, s->buffer->proxy, 0, 0);
	wl_surface_damage(s->wl_surface, 0, 0, W, H);
	wl_surface_commit(s->wl_surface);
	weston_test_move_pointer(client->test->weston_test, 0, 1, 0, 50, 40);
	client_roundtrip(client);
	assert(client->input->pointer->focus == s);

	/* Weston's debug binding: super+shift+space, then the plugin's key. */
	send_key(client, KEY_LEFTMETA, WL_KEYBOARD_KEY_STATE_PRESSED);
	send_key(client, KEY_LEFTSHIFT, WL_KEYBOARD_KEY_STATE_PRESSED);
	press(client, KEY_SPACE);
	send_key(client, KEY_LEFTSHIFT, WL_KEYBOARD_KEY_STATE_RELEASED);
	send_key(client, KEY_LEFTMETA, WL_KEYBOARD_KEY_STATE_RELEASED);
	press(client, KEY_H);
	client_roundtrip(client);

	assert(find_shot(name, sizeof name));
	f = fopen(name, "rb");
	assert(f);
	while (fgets(line, sizeof line, f) && strcmp(line, "ENDHDR\n") != 0) {
		sscanf(line, "WIDTH %d", &width);
		sscanf(line, "HEIGHT %d", &height);
	}
	assert(width == W && height == H);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			uint32_t want = quadrant_argb(x, y);

			assert(fread(px, 1, 4, f) == 4);
			if (px[0] == ((want >> 16) & 0xff) &&
			    px[1] == ((want >> 8) & 0xff) &&
			    px[2] == (want & 0xff) && px[3] == (want >> 24))
				continue;
			if (bad++ == 0)
				fprintf(stderr, "pixel %d,%d: %02x%02x%02x%02x, "
					"want %08x (RGBA)\n", x, y, px[0], px[1],
					px[2], px[3], want);
		}
	}
	fclose(f);
	assert(bad == 0);
	remove_shots();
	client_destroy(client);
}
