/* SPDX-License-Identifier: MIT */
/* DRM card lookup for the programs that run inside the rig. */
#include "rig-card.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

int rig_open_card(const char *driver)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		drmVersionPtr v = drmGetVersion(fd);
		bool match = v && strcmp(v->name, driver) == 0;
		drmFreeVersion(v);
		if (match)
			return fd;
		close(fd);
	}
	return -1;
}
