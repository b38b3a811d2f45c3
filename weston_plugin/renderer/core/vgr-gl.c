/* SPDX-License-Identifier: MIT */
/* GL version, required extensions and the context's default state. */
#include <string.h>

#include "vgr-core.h"

bool
vgr_gl_init(struct vgr_renderer *gr)
{
	const char *exts = (const char *)glGetString(GL_EXTENSIONS);

	gr->gl_major = epoxy_gl_version() / 10;
	vgr_log("vgr: GL %s, renderer %s\n",
		(const char *)glGetString(GL_VERSION),
		(const char *)glGetString(GL_RENDERER));

	if (!rb_egl_list_has_extension(exts, "GL_EXT_texture_format_BGRA8888")) {
		vgr_log("vgr: GL_EXT_texture_format_BGRA8888 is required\n");
		return false;
	}
	gr->has_unpack_subimage = gr->gl_major >= 3 ||
		rb_egl_list_has_extension(exts, "GL_EXT_unpack_subimage");
	if (!gr->has_unpack_subimage) {
		vgr_log("vgr: GL_EXT_unpack_subimage is required on GLES2\n");
		return false;
	}
	gr->has_texture_rg = gr->gl_major >= 3 ||
		rb_egl_list_has_extension(exts, "GL_EXT_texture_rg");
	gr->has_external_image =
		rb_egl_list_has_extension(exts, "GL_OES_EGL_image_external");
	gr->has_bgra_read =
		rb_egl_list_has_extension(exts, "GL_EXT_read_format_bgra");
	gr->has_color_ops = gr->gl_major >= 3 &&
		(rb_egl_list_has_extension(exts, "GL_EXT_color_buffer_half_float") ||
		 rb_egl_list_has_extension(exts, "GL_EXT_color_buffer_float"));

	/* Mesa 22.3's software drivers crash sampling foreign dma-bufs. */
	if (strstr((const char *)glGetString(GL_RENDERER), "llvmpipe") ||
	    strstr((const char *)glGetString(GL_RENDERER), "softpipe")) {
		if (gr->has_dmabuf_import)
			vgr_log("vgr: software GL: dma-bufs go through the CPU path\n");
		gr->force_cpu_dmabuf = true;
	}

	vgr_gl_defaults();
	return true;
}

void
vgr_gl_defaults(void)
{
	glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
	glPixelStorei(GL_PACK_ALIGNMENT, 1);
}
