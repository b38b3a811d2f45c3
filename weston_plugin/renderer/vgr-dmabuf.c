/* linux-dmabuf: placeholder until EGL import and the CPU fallback land. */
#include <libweston/libweston.h>

#include "vgr.h"

bool
vgr_import_dmabuf(struct weston_compositor *ec,
		  struct linux_dmabuf_buffer *dmabuf)
{
	return false;
}

const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec)
{
	return &vgr_get(ec)->dmabuf_formats;
}

bool
vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		  struct linux_dmabuf_buffer *dmabuf)
{
	return false;
}

void vgr_dmabuf_surface_release(struct vgr_surface *vs);

void
vgr_dmabuf_surface_release(struct vgr_surface *vs)
{
}

bool
vgr_dmabuf_setup_feedback(struct vgr_renderer *gr)
{
	return false;
}

void
vgr_dmabuf_fini(struct vgr_renderer *gr)
{
	weston_drm_format_array_fini(&gr->dmabuf_formats);
}
