/* SPDX-License-Identifier: MIT */
/*
 * Private libweston 14.0.x layouts the Weston 14 front end relies on.
 *
 * libweston 14 installs none of these, so they are restated here from
 * reading the 14.0.1 sources (14.0.2, Debian trixie's, changes no renderer
 * header). Only what the front end touches is declared.
 * tests/weston/abi-layout-check-14.c compiles this header next to the real
 * private headers and fails on any offset or size difference.
 *
 * VMP_ABI_TAG() lets the checker give our copies distinct tags so both sets
 * can live in one translation unit; VMP_ABI_LAYOUT_ONLY drops prototypes.
 */
#ifndef VMPLANE_WESTON_ABI_WESTON14_H
#define VMPLANE_WESTON_ABI_WESTON14_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <pixman.h>
#include <wayland-server-core.h>
#include <libweston/libweston.h>
#include <libweston/matrix.h>
#include <EGL/egl.h>

#ifndef VMP_ABI_TAG
#define VMP_ABI_TAG(name) name
#endif

struct pixel_format_info;
struct weston_paint_node;
struct linux_dmabuf_buffer;
struct linux_dmabuf_memory;
struct dmabuf_attributes;
struct weston_drm_format_array;
struct weston_capture_task;
struct weston_renderbuffer;
struct pixman_renderer_interface;

/* ---- libweston-internal.h: the renderer's vtable ---- */

/* A render target of an output: the damage it has not seen yet; freed
 * through destroy when the last reference goes. */
struct VMP_ABI_TAG(weston_renderbuffer) {
	pixman_region32_t damage;
	int refcount;
	void (*destroy)(struct weston_renderbuffer *renderbuffer);
};

/* Empty in 14; display options embed it first. */
struct VMP_ABI_TAG(weston_renderer_options) {
};

/* A dma-buf the compositor allocated, with its own destructor. */
struct VMP_ABI_TAG(linux_dmabuf_memory) {
	struct dmabuf_attributes *attributes;
	void (*destroy)(struct linux_dmabuf_memory *dmabuf);
};

struct VMP_ABI_TAG(weston_renderer) {
	int (*read_pixels)(struct weston_output *output,
			   const struct pixel_format_info *format,
			   void *pixels, uint32_t x, uint32_t y,
			   uint32_t width, uint32_t height);
	/* Draws into @renderbuffer, or the output's own surface if NULL. */
	void (*repaint_output)(struct weston_output *output,
			       pixman_region32_t *output_damage,
			       struct weston_renderbuffer *renderbuffer);
	bool (*resize_output)(struct weston_output *output,
			      const struct weston_size *fb_size,
			      const struct weston_geometry *area);
	/* Per paint node since 14: the surface and buffer are reached
	 * through it. */
	void (*flush_damage)(struct weston_paint_node *pnode);
	void (*attach)(struct weston_paint_node *pnode);
	void (*destroy)(struct weston_compositor *ec);
	int (*surface_copy_content)(struct weston_surface *surface,
				    void *target, size_t size,
				    int src_x, int src_y,
				    int width, int height);
	bool (*import_dmabuf)(struct weston_compositor *ec,
			      struct linux_dmabuf_buffer *buffer);
	const struct weston_drm_format_array *
		(*get_supported_formats)(struct weston_compositor *ec);
	/* Fills a new buffer's size, format and origin (shm, dma-buf,
	 * solid); false refuses the buffer. */
	bool (*fill_buffer_info)(struct weston_compositor *ec,
				 struct weston_buffer *buffer);
	void (*buffer_init)(struct weston_compositor *ec,
			    struct weston_buffer *buffer);
	struct weston_renderbuffer *
		(*create_renderbuffer_dmabuf)(struct weston_output *output,
					      struct linux_dmabuf_memory *dmabuf);
	void (*remove_renderbuffer_dmabuf)(struct weston_output *output,
					   struct weston_renderbuffer *renderbuffer);
	struct linux_dmabuf_memory *
		(*dmabuf_alloc)(struct weston_renderer *renderer,
				unsigned int width, unsigned int height,
				uint32_t format, const uint64_t *modifiers,
				unsigned int count);
	/* Backends branch on it: WESTON_RENDERER_GL. */
	enum weston_renderer_type type;
	const struct VMP_ABI_TAG(gl_renderer_interface) *gl;
	const struct pixman_renderer_interface *pixman;
};

/* ---- gl-renderer.h: the module's entry point and its option structs ---- */

enum VMP_ABI_TAG(gl_renderer_border_side) {
	VMP_BORDER_TOP = 0,
	VMP_BORDER_LEFT = 1,
	VMP_BORDER_RIGHT = 2,
	VMP_BORDER_BOTTOM = 3,
};

struct VMP_ABI_TAG(gl_renderer_display_options) {
	struct VMP_ABI_TAG(weston_renderer_options) base;
	EGLenum egl_platform;
	void *egl_native_display;
	EGLint egl_surface_type;
	/* Formats by their table entries now, not bare fourccs. */
	const struct pixel_format_info **formats;
	unsigned formats_count;
};

struct VMP_ABI_TAG(gl_renderer_output_options) {
	EGLNativeWindowType window_for_legacy;
	void *window_for_platform;
	struct weston_size fb_size;
	struct weston_geometry area;	/* the output inside fb_size */
	const struct pixel_format_info **formats;
	unsigned formats_count;
};

/* Headless and friends: no EGL surface, the backend's renderbuffers. */
struct VMP_ABI_TAG(gl_renderer_fbo_options) {
	struct weston_size fb_size;
	struct weston_geometry area;
};

struct VMP_ABI_TAG(gl_renderer_interface) {
	int (*display_create)(struct weston_compositor *ec,
			      const struct VMP_ABI_TAG(gl_renderer_display_options) *opts);
	int (*output_window_create)(struct weston_output *output,
				    const struct VMP_ABI_TAG(gl_renderer_output_options) *opts);
	int (*output_fbo_create)(struct weston_output *output,
				 const struct VMP_ABI_TAG(gl_renderer_fbo_options) *opts);
	void (*output_destroy)(struct weston_output *output);
	void (*output_set_border)(struct weston_output *output,
				  enum VMP_ABI_TAG(gl_renderer_border_side) side,
				  int32_t width, int32_t height,
				  int32_t tex_width, unsigned char *data);
	int (*create_fence_fd)(struct weston_output *output);
	/* A renderbuffer the caller reads back through @pixels. */
	struct weston_renderbuffer *
		(*create_fbo)(struct weston_output *output,
			      const struct pixel_format_info *format,
			      int width, int height, uint32_t *pixels);
};

/* ---- libweston-internal.h: formats and paint nodes ---- */

struct VMP_ABI_TAG(weston_drm_format) {
	uint32_t format;
	struct wl_array modifiers; /* uint64_t */
};

struct VMP_ABI_TAG(weston_drm_format_array) {
	struct wl_array arr; /* struct weston_drm_format */
};

/* color.h: what a paint node embeds. */
struct VMP_ABI_TAG(weston_surface_color_transform) {
	struct weston_color_transform *transform;
	bool identity_pipeline;
};

/* One per (surface, view, output), on output->paint_node_z_order_list;
 * 14 hands it to attach and flush_damage. */
struct VMP_ABI_TAG(weston_paint_node) {
	struct wl_list surface_link;
	struct weston_surface *surface;
	struct wl_list view_link;
	struct weston_view *view;
	struct wl_list output_link;
	struct weston_output *output;
	int status;	/* enum paint_node_status, a bit set */
	struct weston_matrix buffer_to_output_matrix;
	struct weston_matrix output_to_buffer_matrix;
	bool needs_filtering;
	bool valid_transform;
	enum wl_output_transform transform;
	struct wl_list z_order_link;
	pixman_region32_t visible;
	pixman_region32_t damage;	/* global coordinates */
	struct weston_plane *plane;
	struct weston_plane *plane_next;
	struct VMP_ABI_TAG(weston_surface_color_transform) surf_xform;
	bool surf_xform_valid;
	uint32_t try_view_on_plane_failure_reasons;
	bool is_fully_opaque;
	bool is_fully_blended;
	bool is_direct;
	/* A solid weston_buffer drawn as a colour, no texture. */
	bool draw_solid;
	struct weston_solid_buffer_values solid;
	bool need_hole;
	uint32_t psf_flags;
};

/* ---- linux-dmabuf.h ---- */

#define VMP_DMABUF_MAX_PLANES 4

struct VMP_ABI_TAG(dmabuf_attributes) {
	int32_t width;
	int32_t height;
	uint32_t format;
	uint32_t flags; /* zwp_linux_buffer_params_v1 flags */
	int n_planes;
	int fd[VMP_DMABUF_MAX_PLANES];
	uint32_t offset[VMP_DMABUF_MAX_PLANES];
	uint32_t stride[VMP_DMABUF_MAX_PLANES];
	/* One for all planes since 12. */
	uint64_t modifier;
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
	bool hide_from_clients;
	int num_planes;
	uint32_t opaque_substitute;
	uint32_t sampler_type;
	int gl_internalformat;
	int gl_format;
	int gl_type;
	int gl_channel_order;	/* enum, int-sized */
	pixman_format_code_t pixman_format;
	int addfb_legacy_depth;
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

/* ---- output-capture.h: the weston_capture_v1 sources ---- */

enum VMP_ABI_TAG(weston_output_capture_source) {
	VMP_CAPTURE_SOURCE_WRITEBACK = 0,
	VMP_CAPTURE_SOURCE_FRAMEBUFFER = 1,
	VMP_CAPTURE_SOURCE_FULL_FRAMEBUFFER = 2,
	VMP_CAPTURE_SOURCE_BLENDING = 3,
};

struct weston_capture_task;
struct weston_dmabuf_feedback;
struct weston_dmabuf_feedback_format_table;
struct weston_dmabuf_feedback_tranche;

#ifndef VMP_ABI_LAYOUT_ONLY

/* DRM format arrays. */
void weston_drm_format_array_init(struct weston_drm_format_array *formats);
void weston_drm_format_array_fini(struct weston_drm_format_array *formats);
struct weston_drm_format *
weston_drm_format_array_add_format(struct weston_drm_format_array *formats,
				   uint32_t format);
int weston_drm_format_add_modifier(struct weston_drm_format *format,
				   uint64_t modifier);

/* linux-dmabuf. */
struct linux_dmabuf_buffer *linux_dmabuf_buffer_get(struct weston_compositor *ec,
						    struct wl_resource *resource);
void linux_dmabuf_buffer_set_user_data(struct linux_dmabuf_buffer *buffer,
				       void *data,
				       void (*func)(struct linux_dmabuf_buffer *buffer));
void *linux_dmabuf_buffer_get_user_data(struct linux_dmabuf_buffer *buffer);

/* Pixel formats. */
const struct pixel_format_info *pixel_format_get_info(uint32_t format);

/* The va_list log, exported but not in an installed header. */
int weston_vlog(const char *fmt, va_list ap);

/* Buffers and surfaces (libweston-internal.h, exported). */
void weston_buffer_send_server_error(struct weston_buffer *buffer,
				     const char *msg);
void weston_buffer_reference(struct weston_buffer_reference *ref,
			     struct weston_buffer *buffer,
			     enum weston_buffer_reference_type type);
void weston_buffer_release_reference(struct weston_buffer_release_reference *ref,
				     struct weston_buffer_release *buf_release);
pixman_box32_t weston_surface_to_buffer_rect(struct weston_surface *surface,
					     pixman_box32_t rect);

/* Renderbuffers. */
struct weston_renderbuffer *
weston_renderbuffer_ref(struct weston_renderbuffer *renderbuffer);
void weston_renderbuffer_unref(struct weston_renderbuffer *renderbuffer);

/* Output capture (weston_capture_v1): what a source offers, and its
 * pending tasks, each retired once. */
void weston_output_update_capture_info(struct weston_output *output,
				       enum weston_output_capture_source src,
				       int width, int height,
				       const struct pixel_format_info *format);
struct weston_capture_task *
weston_output_pull_capture_task(struct weston_output *output,
				enum weston_output_capture_source src,
				int width, int height,
				const struct pixel_format_info *format);
struct weston_buffer *
weston_capture_task_get_buffer(struct weston_capture_task *ct);
void weston_capture_task_retire_failed(struct weston_capture_task *ct,
				       const char *err_msg);
void weston_capture_task_retire_complete(struct weston_capture_task *ct);

#endif /* VMP_ABI_LAYOUT_ONLY */

#endif
