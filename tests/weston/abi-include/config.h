/* SPDX-License-Identifier: MIT */
/* Stand-in for Weston's build-time config.h; the layout check needs none of it. */
