/* SPDX-License-Identifier: MIT */
/* A scene of client content for the reset tests: shm ARGB with alpha, shm
 * YUV 4:2:0 and a three-level subsurface tree, drawn once and never
 * committed again. */
#ifndef VMPLANE_TESTS_RESET_SCENE_H
#define VMPLANE_TESTS_RESET_SCENE_H

#include "weston-test-client-helper.h"

struct reset_scene;

struct reset_scene *reset_scene_create(struct client *client, int x, int y);
void reset_scene_destroy(struct reset_scene *scene);

/* A point of the ARGB surface's content, in output coordinates. */
void reset_scene_probe_point(const struct reset_scene *scene, int *x, int *y);

#endif
