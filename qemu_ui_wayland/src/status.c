/* SPDX-License-Identifier: MIT */
/* Short English text for each vmpd_status. */
#include <vmplane/display-dmabuf.h>

const char *
vmpd_status_str(enum vmpd_status status)
{
	switch (status) {
	case VMPD_OK:
		return "ok";
	case VMPD_ERR_INVALID:
		return "invalid argument";
	case VMPD_ERR_BAD_FD:
		return "bad dma-buf file descriptor";
	case VMPD_ERR_PLANES:
		return "bad plane count";
	case VMPD_ERR_SIZE:
		return "bad buffer size";
	case VMPD_ERR_FOURCC:
		return "unknown pixel format";
	case VMPD_ERR_STRIDE:
		return "impossible stride";
	case VMPD_ERR_OFFSET:
		return "plane offset outside the dma-buf";
	case VMPD_ERR_RECT:
		return "scanout rectangle outside the buffer";
	case VMPD_ERR_UNSUPPORTED:
		return "the compositor cannot take this buffer";
	case VMPD_ERR_IMPORT:
		return "import failed";
	case VMPD_ERR_NOMEM:
		return "out of memory";
	case VMPD_ERR_DISCONNECTED:
		return "compositor disconnected";
	case VMPD_ERR_STATE:
		return "not valid in the current mode";
	}
	return "unknown status";
}
