/* SPDX-License-Identifier: MIT */
/*
 * Compares weston_plugin/abi/weston10.h with the real private headers of
 * the distro weston source. Any difference in a field's offset or size, or
 * in a struct's size, is a compile error; at run time a few values are read
 * from the installed libweston through our layout.
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

#define VMP_ABI_TAG(name) vmp_abi_##name
#define VMP_ABI_LAYOUT_ONLY
#include "abi/weston10.h"
#include "vmp-abi-check.h"
#include "tap.h"

SAME_SIZE(gl_renderer_display_options);
SAME_FIELD(gl_renderer_display_options, egl_platform);
SAME_FIELD(gl_renderer_display_options, egl_native_display);
SAME_FIELD(gl_renderer_display_options, egl_surface_type);
SAME_FIELD(gl_renderer_display_options, drm_formats);
SAME_FIELD(gl_renderer_display_options, drm_formats_count);

SAME_SIZE(gl_renderer_output_options);
SAME_FIELD(gl_renderer_output_options, window_for_legacy);
SAME_FIELD(gl_renderer_output_options, window_for_platform);
SAME_FIELD(gl_renderer_output_options, drm_formats);
SAME_FIELD(gl_renderer_output_options, drm_formats_count);

SAME_SIZE(gl_renderer_pbuffer_options);
SAME_FIELD(gl_renderer_pbuffer_options, width);
SAME_FIELD(gl_renderer_pbuffer_options, height);
SAME_FIELD(gl_renderer_pbuffer_options, drm_formats);
SAME_FIELD(gl_renderer_pbuffer_options, drm_formats_count);

SAME_SIZE(gl_renderer_interface);
SAME_FIELD(gl_renderer_interface, display_create);
SAME_FIELD(gl_renderer_interface, output_window_create);
SAME_FIELD(gl_renderer_interface, output_pbuffer_create);
SAME_FIELD(gl_renderer_interface, output_destroy);
SAME_FIELD(gl_renderer_interface, output_set_border);
SAME_FIELD(gl_renderer_interface, create_fence_fd);
static_assert((int)GL_RENDERER_BORDER_TOP == (int)VMP_BORDER_TOP &&
	      (int)GL_RENDERER_BORDER_LEFT == (int)VMP_BORDER_LEFT &&
	      (int)GL_RENDERER_BORDER_RIGHT == (int)VMP_BORDER_RIGHT &&
	      (int)GL_RENDERER_BORDER_BOTTOM == (int)VMP_BORDER_BOTTOM,
	      "border sides");

static_assert((int)WESTON_COLOR_CURVE_TYPE_IDENTITY == (int)VMP_CURVE_IDENTITY &&
	      (int)WESTON_COLOR_CURVE_TYPE_LUT_3x1D == (int)VMP_CURVE_LUT_3x1D,
	      "colour curve types");
SAME_SIZE(weston_color_curve);
SAME_FIELD(weston_color_curve, type);
SAME_FIELD(weston_color_curve, u.lut_3x1d.fill_in);
SAME_FIELD(weston_color_curve, u.lut_3x1d.optimal_len);
SAME_SIZE(weston_color_transform);
SAME_FIELD(weston_color_transform, cm);
SAME_FIELD(weston_color_transform, ref_count);
SAME_FIELD(weston_color_transform, destroy_signal);
SAME_FIELD(weston_color_transform, pre_curve);
SAME_SIZE(weston_surface_color_transform);
SAME_FIELD(weston_surface_color_transform, transform);
SAME_FIELD(weston_surface_color_transform, identity_pipeline);

SAME_SIZE(weston_drm_format);
SAME_FIELD(weston_drm_format, format);
SAME_FIELD(weston_drm_format, modifiers);
SAME_SIZE(weston_drm_format_array);
SAME_FIELD(weston_drm_format_array, arr);

SAME_SIZE(weston_paint_node);
SAME_FIELD(weston_paint_node, surface_link);
SAME_FIELD(weston_paint_node, surface);
SAME_FIELD(weston_paint_node, view_link);
SAME_FIELD(weston_paint_node, view);
SAME_FIELD(weston_paint_node, output_link);
SAME_FIELD(weston_paint_node, output);
SAME_FIELD(weston_paint_node, z_order_link);
SAME_FIELD(weston_paint_node, surf_xform);
SAME_FIELD(weston_paint_node, surf_xform_valid);
SAME_FIELD(weston_paint_node, try_view_on_plane_failure_reasons);

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
SAME_FIELD(pixel_format_info, num_planes);
SAME_FIELD(pixel_format_info, opaque_substitute);
SAME_FIELD(pixel_format_info, sampler_type);
SAME_FIELD(pixel_format_info, gl_format);
SAME_FIELD(pixel_format_info, gl_type);
SAME_FIELD(pixel_format_info, pixman_format);
SAME_FIELD(pixel_format_info, depth);
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

	CHECK_MSG(nv12 && nv12->num_planes == 2 && nv12->hsub == 2 && nv12->vsub == 2,
		  "NV12 info reads back through our layout");
	CHECK_MSG(argb && argb->bits.a == 8 && argb->bits.r == 8 &&
		  argb->opaque_substitute == 0x34325258 /* XR24 */,
		  "ARGB8888 info reads back through our layout");
	return tap_finish();
}
