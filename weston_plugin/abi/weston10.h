/* SPDX-License-Identifier: MIT */
/*
 * Private libweston 10.0.x layouts the renderer relies on.
 *
 * libweston 10 does not install these declarations, so they are restated
 * here, field for field, from reading the 10.0.1 sources.  Only what the
 * renderer touches is declared.  tests/weston/abi-layout-check.c compiles
 * this header next to the real private headers and fails on any offset or
 * size difference.
 *
 * VMP_ABI_TAG() lets the checker give our copies distinct tags so both sets
 * can live in one translation unit; VMP_ABI_LAYOUT_ONLY drops prototypes.
 */
#ifndef VMPLANE_WESTON_ABI_WESTON10_H
#define VMPLANE_WESTON_ABI_WESTON10_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <pixman.h>
#include <wayland-server-core.h>
#include <libweston/libweston.h>
#include <EGL/egl.h>

#ifndef VMP_ABI_TAG
#define VMP_ABI_TAG(name) name
#endif

/* ---- gl-renderer.h: the module's entry point and its option structs ---- */

enum VMP_ABI_TAG(gl_renderer_border_side) {
	VMP_BORDER_TOP = 0,
	VMP_BORDER_LEFT = 1,
	VMP_BORDER_RIGHT = 2,
	VMP_BORDER_BOTTOM = 3,
};

struct VMP_ABI_TAG(gl_renderer_display_options) {
	EGLenum egl_platform;
	void *egl_native_display;
	EGLint egl_surface_type;
	const uint32_t *drm_formats;
	unsigned drm_formats_count;
};

struct VMP_ABI_TAG(gl_renderer_output_options) {
	EGLNativeWindowType window_for_legacy;
	void *window_for_platform;
	const uint32_t *drm_formats;
	unsigned drm_formats_count;
};

struct VMP_ABI_TAG(gl_renderer_pbuffer_options) {
	int width;
	int height;
	const uint32_t *drm_formats;
	unsigned drm_formats_count;
};

struct VMP_ABI_TAG(gl_renderer_interface) {
	int (*display_create)(struct weston_compositor *ec,
			      const struct VMP_ABI_TAG(gl_renderer_display_options) *opts);
	int (*output_window_create)(struct weston_output *output,
				    const struct VMP_ABI_TAG(gl_renderer_output_options) *opts);
	int (*output_pbuffer_create)(struct weston_output *output,
				     const struct VMP_ABI_TAG(gl_renderer_pbuffer_options) *opts);
	void (*output_destroy)(struct weston_output *output);
	void (*output_set_border)(struct weston_output *output,
				  enum VMP_ABI_TAG(gl_renderer_border_side) side,
				  int32_t width, int32_t height,
				  int32_t tex_width, unsigned char *data);
	int (*create_fence_fd)(struct weston_output *output);
};

/* ---- color.h: only what a paint node embeds and the pre-curve LUT ---- */

enum VMP_ABI_TAG(weston_color_curve_type) {
	VMP_CURVE_IDENTITY = 0,
	VMP_CURVE_LUT_3x1D = 1,
};

struct VMP_ABI_TAG(weston_color_curve) {
	enum VMP_ABI_TAG(weston_color_curve_type) type;
	union {
		struct {
			/* Writes 3 * len floats: the R, then G, then B table. */
			void (*fill_in)(struct weston_color_transform *xform,
					float *values, unsigned len);
			unsigned optimal_len;
		} lut_3x1d;
	} u;
};

struct VMP_ABI_TAG(weston_color_transform) {
	struct weston_color_manager *cm;
	int ref_count;
	struct wl_signal destroy_signal;
	struct VMP_ABI_TAG(weston_color_curve) pre_curve;
};

struct VMP_ABI_TAG(weston_surface_color_transform) {
	struct weston_color_transform *transform;
	bool identity_pipeline;
};

/* ---- libweston-internal.h ---- */

struct VMP_ABI_TAG(weston_drm_format) {
	uint32_t format;
	struct wl_array modifiers; /* uint64_t */
};

struct VMP_ABI_TAG(weston_drm_format_array) {
	struct wl_array arr; /* struct weston_drm_format */
};

/* One per (surface, view, output); lives on output->paint_node_z_order_list. */
struct VMP_ABI_TAG(weston_paint_node) {
	struct wl_list surface_link;
	struct weston_surface *surface;
	struct wl_list view_link;
	struct weston_view *view;
	struct wl_list output_link;
	struct weston_output *output;
	struct wl_list z_order_link;
	struct VMP_ABI_TAG(weston_surface_color_transform) surf_xform;
	bool surf_xform_valid;
	uint32_t try_view_on_plane_failure_reasons;
};

/* ---- linux-dmabuf.h ---- */

#define VMP_DMABUF_MAX_PLANES 4

struct linux_dmabuf_buffer;

struct VMP_ABI_TAG(dmabuf_attributes) {
	int32_t width;
	int32_t height;
	uint32_t format;
	uint32_t flags; /* zwp_linux_buffer_params_v1 flags */
	int n_planes;
	int fd[VMP_DMABUF_MAX_PLANES];
	uint32_t offset[VMP_DMABUF_MAX_PLANES];
	uint32_t stride[VMP_DMABUF_MAX_PLANES];
	uint64_t modifier[VMP_DMABUF_MAX_PLANES];
};

struct VMP_ABI_TAG(linux_dmabuf_buffer) {
	struct wl_resource *buffer_resource;
	struct wl_resource *params_resource;
	struct weston_compositor *compositor;
	struct VMP_ABI_TAG(dmabuf_attributes) attributes;
	void *user_data;
	void (*user_data_destroy_func)(struct linux_dmabuf_buffer *buffer);
	bool direct_display;
};

/* ---- pixel-formats.h ---- */

struct VMP_ABI_TAG(pixel_format_info) {
	uint32_t format;
	const char *drm_format_name;
	int num_planes;
	uint32_t opaque_substitute;
	uint32_t sampler_type;
	int gl_format;
	int gl_type;
	pixman_format_code_t pixman_format;
	int depth;
	int bpp;
	int hsub;
	int vsub;
	int chroma_order;	/* 0: U before V */
	int luma_chroma_order;	/* 0: luma first in packed formats */
	struct {
		int r, g, b, a;
	} bits;
	int component_type;	/* 0: fixed point, 1: float */
};

/* weston_dmabuf_feedback* are only handled through pointers. */
struct weston_dmabuf_feedback;
struct weston_dmabuf_feedback_format_table;
struct weston_dmabuf_feedback_tranche;

#ifndef VMP_ABI_LAYOUT_ONLY

/* Buffer references (exported, internal header). */
void weston_buffer_reference(struct weston_buffer_reference *ref,
			     struct weston_buffer *buffer);
void weston_buffer_release_reference(struct weston_buffer_release_reference *ref,
				     struct weston_buffer_release *buf_release);
void weston_buffer_send_server_error(struct weston_buffer *buffer,
				     const char *msg);

/* DRM format arrays. */
void weston_drm_format_array_init(struct weston_drm_format_array *formats);
void weston_drm_format_array_fini(struct weston_drm_format_array *formats);
struct weston_drm_format *
weston_drm_format_array_add_format(struct weston_drm_format_array *formats,
				   uint32_t format);
struct weston_drm_format *
weston_drm_format_array_find_format(const struct weston_drm_format_array *formats,
				    uint32_t format);
int weston_drm_format_add_modifier(struct weston_drm_format *format,
				   uint64_t modifier);
bool weston_drm_format_has_modifier(const struct weston_drm_format *format,
				    uint64_t modifier);

/* Geometry helpers. */
void weston_surface_to_buffer_float(struct weston_surface *surface,
				    float x, float y, float *bx, float *by);
pixman_box32_t weston_surface_to_buffer_rect(struct weston_surface *surface,
					     pixman_box32_t rect);
void weston_output_region_from_global(struct weston_output *output,
				      pixman_region32_t *region);

/* linux-dmabuf. */
struct linux_dmabuf_buffer *linux_dmabuf_buffer_get(struct wl_resource *resource);
void linux_dmabuf_buffer_set_user_data(struct linux_dmabuf_buffer *buffer,
				       void *data,
				       void (*func)(struct linux_dmabuf_buffer *buffer));
void *linux_dmabuf_buffer_get_user_data(struct linux_dmabuf_buffer *buffer);
struct weston_dmabuf_feedback *weston_dmabuf_feedback_create(dev_t main_device);
void weston_dmabuf_feedback_destroy(struct weston_dmabuf_feedback *feedback);
struct weston_dmabuf_feedback_format_table *
weston_dmabuf_feedback_format_table_create(const struct weston_drm_format_array *formats);
void weston_dmabuf_feedback_format_table_destroy(struct weston_dmabuf_feedback_format_table *table);
struct weston_dmabuf_feedback_tranche *
weston_dmabuf_feedback_tranche_create(struct weston_dmabuf_feedback *feedback,
				      struct weston_dmabuf_feedback_format_table *table,
				      dev_t target_device, uint32_t flags,
				      int preference);

/* Pixel formats. */
const struct pixel_format_info *pixel_format_get_info(uint32_t format);

#endif /* VMP_ABI_LAYOUT_ONLY */

#endif
