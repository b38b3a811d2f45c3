/* SPDX-License-Identifier: MIT */
/* Screenshots of the whole output for the harness's e2e tests, as plain pixels. */
#ifndef VMPLANE_E2E_CAPTURE_H
#define VMPLANE_E2E_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

struct client;

/* x8r8g8b8 rows of w pixels, no padding; px is the caller's to free(). */
struct e2e_capture {
	uint32_t *px;
	int w, h;
};

/* Replaces c's pixels with a screenshot of the output; false if none came. */
bool e2e_capture_output(struct client *client, struct e2e_capture *c);
/* Writes c as a PNG in the test's output folder, its file name printf-formatted. */
void e2e_capture_save(const struct e2e_capture *c, const char *name_fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
