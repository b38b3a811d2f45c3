/* SPDX-License-Identifier: MIT */
/* Our boot-sector test guest (tests/guest/pattern.h): finding it, and what it shows. */
#ifndef VMPLANE_E2E_PATTERN_H
#define VMPLANE_E2E_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The patched QEMU and the guest's image ($VMPLANE_GUEST_IMG); false (reason on stderr) to skip. */
bool e2e_pattern_find(char *qemu, size_t size);

/*
 * The guest's screen at guest pixel (x, y), opaque x8r8g8b8; the key box
 * shows the last key's scancode, black while key_scancode < 0.
 */
uint32_t e2e_pattern_pixel(int x, int y, int key_scancode);

#endif
