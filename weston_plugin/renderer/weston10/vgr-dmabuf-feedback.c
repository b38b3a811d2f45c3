/* SPDX-License-Identifier: MIT */
/*
 * linux-dmabuf default feedback: one tranche of the renderer's formats on
 * the DRM device that EGL (or the backend's GBM device) renders with.
 */
#include <sys/stat.h>
#include <gbm.h>
#include <libweston/libweston.h>

#include "vgr.h"

#ifndef EGL_DRM_RENDER_NODE_FILE_EXT
#define EGL_DRM_RENDER_NODE_FILE_EXT 0x3377
#endif

static bool
main_device(struct vgr_renderer *gr, dev_t *dev)
{
	struct stat st;
	const char *node = NULL;
	EGLAttrib attr = 0;

	if (rb_egl_has_extension(EGL_NO_DISPLAY, "EGL_EXT_device_query") &&
	    eglQueryDisplayAttribEXT(gr->display, EGL_DEVICE_EXT, &attr) && attr) {
		EGLDeviceEXT edev = (EGLDeviceEXT)attr;
		const char *dexts = eglQueryDeviceStringEXT(edev, EGL_EXTENSIONS);

		if (rb_egl_list_has_extension(dexts,
					      "EGL_EXT_device_drm_render_node"))
			node = eglQueryDeviceStringEXT(edev,
						       EGL_DRM_RENDER_NODE_FILE_EXT);
		if (!node && rb_egl_list_has_extension(dexts, "EGL_EXT_device_drm"))
			node = eglQueryDeviceStringEXT(edev, EGL_DRM_DEVICE_FILE_EXT);
		if (node && stat(node, &st) == 0) {
			*dev = st.st_rdev;
			return true;
		}
	}
	/* EGL could not tell: the backend's GBM device can. */
	if (gr->platform == EGL_PLATFORM_GBM_KHR && gr->native_display &&
	    fstat(gbm_device_get_fd(gr->native_display), &st) == 0) {
		*dev = st.st_rdev;
		return true;
	}
	return false;
}

bool
vgr_dmabuf_setup_feedback(struct vgr_renderer *gr)
{
	struct weston_compositor *ec = vgr_fe(gr)->compositor;
	dev_t dev;

	/* The CPU path has feedback too: its LINEAR formats on the GBM device. */
	if (!main_device(gr, &dev))
		return false;
	ec->dmabuf_feedback_format_table =
		weston_dmabuf_feedback_format_table_create(vgr_dmabuf_formats(gr));
	if (!ec->dmabuf_feedback_format_table)
		return false;
	ec->default_dmabuf_feedback = weston_dmabuf_feedback_create(dev);
	if (!ec->default_dmabuf_feedback ||
	    !weston_dmabuf_feedback_tranche_create(ec->default_dmabuf_feedback,
						   ec->dmabuf_feedback_format_table,
						   dev, 0, 0 /* renderer */)) {
		vgr_dmabuf_feedback_fini(gr);
		return false;
	}
	return true;
}

void
vgr_dmabuf_feedback_fini(struct vgr_renderer *gr)
{
	struct weston_compositor *ec = vgr_fe(gr)->compositor;

	if (ec->default_dmabuf_feedback) {
		weston_dmabuf_feedback_destroy(ec->default_dmabuf_feedback);
		ec->default_dmabuf_feedback = NULL;
	}
	if (ec->dmabuf_feedback_format_table) {
		weston_dmabuf_feedback_format_table_destroy(
			ec->dmabuf_feedback_format_table);
		ec->dmabuf_feedback_format_table = NULL;
	}
}
