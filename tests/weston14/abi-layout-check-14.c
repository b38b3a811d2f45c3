/* SPDX-License-Identifier: MIT */
/*
 * Compares weston_plugin/abi/weston14.h with the real private headers of a
 * libweston 14.0.x source tree. Any difference in a field's offset or size,
 * or in a struct's size, is a compile error; at run time a few values are
 * read from the installed libweston-14 through our layout.
 */
/* The real gl-renderer.h only declares EGL types with this set. */
#define ENABLE_EGL 1
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>

#include "libweston-internal.h"
#include "renderer-gl/gl-renderer.h"
#include "linux-dmabuf.h"
#include "pixel-formats.h"
#include "output-capture.h"

#define VMP_ABI_TAG(name) vmp_abi_##name
#define VMP_ABI_LAYOUT_ONLY
#include "abi/weston14.h"

#define MEMBER_SIZE(type, f) sizeof(((type *)0)->f)

#define SAME_FIELD(T, f)							\
	static_assert(offsetof(struct T, f) ==				\
		      offsetof(struct vmp_abi_##T, f),			\
		      "offset of " #T "." #f);				\
	static_assert(MEMBER_SIZE(struct T, f) ==			\
		      MEMBER_SIZE(struct vmp_abi_##T, f),		\
		      "size of " #T "." #f)

#define SAME_SIZE(T)							\
	static_assert(sizeof(struct T) == sizeof(struct vmp_abi_##T),	\
		      "size of " #T);					\
	static_assert(_Alignof(struct T) == _Alignof(struct vmp_abi_##T), \
		      "alignment of " #T)

SAME_SIZE(weston_renderer_options);

SAME_SIZE(weston_renderbuffer);
SAME_FIELD(weston_renderbuffer, damage);
SAME_FIELD(weston_renderbuffer, refcount);
SAME_FIELD(weston_renderbuffer, destroy);

static_assert((int)VMP_CAPTURE_SOURCE_FRAMEBUFFER ==
	      (int)WESTON_OUTPUT_CAPTURE_SOURCE_FRAMEBUFFER, "capture source");
static_assert((int)VMP_CAPTURE_SOURCE_FULL_FRAMEBUFFER ==
	      (int)WESTON_OUTPUT_CAPTURE_SOURCE_FULL_FRAMEBUFFER, "capture source");
static_assert((int)VMP_CAPTURE_SOURCE_BLENDING ==
	      (int)WESTON_OUTPUT_CAPTURE_SOURCE_BLENDING, "capture source");

SAME_SIZE(linux_dmabuf_memory);
SAME_FIELD(linux_dmabuf_memory, attributes);
SAME_FIELD(linux_dmabuf_memory, destroy);

SAME_SIZE(weston_renderer);
SAME_FIELD(weston_renderer, read_pixels);
SAME_FIELD(weston_renderer, repaint_output);
SAME_FIELD(weston_renderer, resize_output);
SAME_FIELD(weston_renderer, flush_damage);
SAME_FIELD(weston_renderer, attach);
SAME_FIELD(weston_renderer, destroy);
SAME_FIELD(weston_renderer, surface_copy_content);
SAME_FIELD(weston_renderer, import_dmabuf);
SAME_FIELD(weston_renderer, get_supported_formats);
SAME_FIELD(weston_renderer, fill_buffer_info);
SAME_FIELD(weston_renderer, buffer_init);
SAME_FIELD(weston_renderer, create_renderbuffer_dmabuf);
SAME_FIELD(weston_renderer, remove_renderbuffer_dmabuf);
SAME_FIELD(weston_renderer, dmabuf_alloc);
SAME_FIELD(weston_renderer, type);
SAME_FIELD(weston_renderer, gl);
SAME_FIELD(weston_renderer, pixman);

SAME_SIZE(gl_renderer_display_options);
SAME_FIELD(gl_renderer_display_options, base);
SAME_FIELD(gl_renderer_display_options, egl_platform);
SAME_FIELD(gl_renderer_display_options, egl_native_display);
SAME_FIELD(gl_renderer_display_options, egl_surface_type);
SAME_FIELD(gl_renderer_display_options, formats);
SAME_FIELD(gl_renderer_display_options, formats_count);

SAME_SIZE(gl_renderer_output_options);
SAME_FIELD(gl_renderer_output_options, window_for_legacy);
SAME_FIELD(gl_renderer_output_options, window_for_platform);
SAME_FIELD(gl_renderer_output_options, fb_size);
SAME_FIELD(gl_renderer_output_options, area);
SAME_FIELD(gl_renderer_output_options, formats);
SAME_FIELD(gl_renderer_output_options, formats_count);

SAME_SIZE(gl_renderer_fbo_options);
SAME_FIELD(gl_renderer_fbo_options, fb_size);
SAME_FIELD(gl_renderer_fbo_options, area);

SAME_SIZE(gl_renderer_interface);
SAME_FIELD(gl_renderer_interface, display_create);
SAME_FIELD(gl_renderer_interface, output_window_create);
SAME_FIELD(gl_renderer_interface, output_fbo_create);
SAME_FIELD(gl_renderer_interface, output_destroy);
SAME_FIELD(gl_renderer_interface, output_set_border);
SAME_FIELD(gl_renderer_interface, create_fence_fd);
SAME_FIELD(gl_renderer_interface, create_fbo);
static_assert((int)GL_RENDERER_BORDER_TOP == (int)VMP_BORDER_TOP &&
	      (int)GL_RENDERER_BORDER_LEFT == (int)VMP_BORDER_LEFT &&
	      (int)GL_RENDERER_BORDER_RIGHT == (int)VMP_BORDER_RIGHT &&
	      (int)GL_RENDERER_BORDER_BOTTOM == (int)VMP_BORDER_BOTTOM,
	      "border sides");

SAME_SIZE(weston_drm_format);
SAME_FIELD(weston_drm_format, format);
SAME_FIELD(weston_drm_format, modifiers);

SAME_SIZE(weston_drm_format_array);
SAME_FIELD(weston_drm_format_array, arr);

SAME_SIZE(weston_surface_color_transform);
SAME_FIELD(weston_surface_color_transform, transform);
SAME_FIELD(weston_surface_color_transform, identity_pipeline);

SAME_SIZE(weston_paint_node);
SAME_FIELD(weston_paint_node, surface_link);
SAME_FIELD(weston_paint_node, surface);
SAME_FIELD(weston_paint_node, view_link);
SAME_FIELD(weston_paint_node, view);
SAME_FIELD(weston_paint_node, output_link);
SAME_FIELD(weston_paint_node, output);
SAME_FIELD(weston_paint_node, status);
SAME_FIELD(weston_paint_node, buffer_to_output_matrix);
SAME_FIELD(weston_paint_node, output_to_buffer_matrix);
SAME_FIELD(weston_paint_node, needs_filtering);
SAME_FIELD(weston_paint_node, valid_transform);
SAME_FIELD(weston_paint_node, transform);
SAME_FIELD(weston_paint_node, z_order_link);
SAME_FIELD(weston_paint_node, visible);
SAME_FIELD(weston_paint_node, damage);
SAME_FIELD(weston_paint_node, plane);
SAME_FIELD(weston_paint_node, plane_next);
SAME_FIELD(weston_paint_node, surf_xform);
SAME_FIELD(weston_paint_node, surf_xform_valid);
SAME_FIELD(weston_paint_node, try_view_on_plane_failure_reasons);
SAME_FIELD(weston_paint_node, is_fully_opaque);
SAME_FIELD(weston_paint_node, is_fully_blended);
SAME_FIELD(weston_paint_node, is_direct);
SAME_FIELD(weston_paint_node, draw_solid);
SAME_FIELD(weston_paint_node, solid);
SAME_FIELD(weston_paint_node, need_hole);
SAME_FIELD(weston_paint_node, psf_flags);

static_assert(MAX_DMABUF_PLANES == VMP_DMABUF_MAX_PLANES, "dma-buf planes");
SAME_SIZE(dmabuf_attributes);
SAME_FIELD(dmabuf_attributes, width);
SAME_FIELD(dmabuf_attributes, height);
SAME_FIELD(dmabuf_attributes, format);
SAME_FIELD(dmabuf_attributes, flags);
SAME_FIELD(dmabuf_attributes, n_planes);
SAME_FIELD(dmabuf_attributes, fd);
SAME_FIELD(dmabuf_attributes, offset);
SAME_FIELD(dmabuf_attributes, stride);
SAME_FIELD(dmabuf_attributes, modifier);

SAME_SIZE(linux_dmabuf_buffer);
SAME_FIELD(linux_dmabuf_buffer, buffer_resource);
SAME_FIELD(linux_dmabuf_buffer, params_resource);
SAME_FIELD(linux_dmabuf_buffer, compositor);
SAME_FIELD(linux_dmabuf_buffer, attributes);
SAME_FIELD(linux_dmabuf_buffer, user_data);
SAME_FIELD(linux_dmabuf_buffer, user_data_destroy_func);
SAME_FIELD(linux_dmabuf_buffer, direct_display);

SAME_SIZE(pixel_format_info);
SAME_FIELD(pixel_format_info, format);
SAME_FIELD(pixel_format_info, drm_format_name);
SAME_FIELD(pixel_format_info, hide_from_clients);
SAME_FIELD(pixel_format_info, num_planes);
SAME_FIELD(pixel_format_info, opaque_substitute);
SAME_FIELD(pixel_format_info, sampler_type);
SAME_FIELD(pixel_format_info, gl_internalformat);
SAME_FIELD(pixel_format_info, gl_format);
SAME_FIELD(pixel_format_info, gl_type);
SAME_FIELD(pixel_format_info, gl_channel_order);
SAME_FIELD(pixel_format_info, pixman_format);
SAME_FIELD(pixel_format_info, addfb_legacy_depth);
SAME_FIELD(pixel_format_info, bpp);
SAME_FIELD(pixel_format_info, hsub);
SAME_FIELD(pixel_format_info, vsub);
SAME_FIELD(pixel_format_info, chroma_order);
SAME_FIELD(pixel_format_info, luma_chroma_order);
SAME_FIELD(pixel_format_info, bits);
SAME_FIELD(pixel_format_info, component_type);

int
main(void)
{
	/* The installed library, read through our layout. */
	const struct vmp_abi_pixel_format_info *nv12 =
		(const void *)pixel_format_get_info(0x3231564e /* NV12 */);
	const struct vmp_abi_pixel_format_info *argb =
		(const void *)pixel_format_get_info(0x34325241 /* AR24 */);
	int fails = 0;

	if (!nv12 || nv12->num_planes != 2 || nv12->hsub != 2 ||
	    nv12->vsub != 2) {
		printf("not ok: NV12 info does not read back through our layout\n");
		fails++;
	}
	if (!argb || argb->bits.a != 8 || argb->bits.r != 8 ||
	    argb->opaque_substitute != 0x34325258 /* XR24 */) {
		printf("not ok: ARGB8888 info does not read back through our layout\n");
		fails++;
	}
	if (!fails)
		printf("ok: abi/weston14.h matches the weston source and the library\n");
	return fails ? 1 : 0;
}
