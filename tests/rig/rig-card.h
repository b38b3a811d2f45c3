/* SPDX-License-Identifier: MIT */
/* DRM card lookup for the programs that run inside the rig. */
#ifndef RIG_CARD_H
#define RIG_CARD_H

/*
 * Open the DRM primary node (/dev/dri/cardN) whose driver is `driver`.
 * Returns the fd or -1.
 */
int rig_open_card(const char *driver);

#endif
