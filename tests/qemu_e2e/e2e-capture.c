/* SPDX-License-Identifier: MIT */
/* Screenshots of the output through Weston's test harness (e2e-capture.h). */
#include "config.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weston-test-client-helper.h"

#include "e2e-capture.h"

bool
e2e_capture_output(struct client *client, struct e2e_capture *c)
{
	struct buffer *shot = capture_screenshot_of_output(client);
	pixman_image_t *img;

	if (!shot)
		return false;
	img = shot->image;
	c->w = pixman_image_get_width(img);
	c->h = pixman_image_get_height(img);
	free(c->px);
	c->px = malloc((size_t)c->w * c->h * 4);
	assert(c->px);
	for (int y = 0; y < c->h; y++)
		memcpy(c->px + y * c->w,
		       (uint8_t *)pixman_image_get_data(img) + y * pixman_image_get_stride(img),
		       (size_t)c->w * 4);
	buffer_destroy(shot);
	return true;
}

void
e2e_capture_save(const struct e2e_capture *c, const char *name_fmt, ...)
{
	/* The output has no alpha; x8r8g8b8 keeps the PNG opaque. */
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_x8r8g8b8, c->w, c->h, c->px,
						       c->w * 4);
	char *name;
	va_list ap;

	va_start(ap, name_fmt);
	assert(vasprintf(&name, name_fmt, ap) > 0);
	va_end(ap);
	write_image_as_png(img, name);
	testlog("wrote %s\n", name);
	pixman_image_unref(img);
	free(name);
}
