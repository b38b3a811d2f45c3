/* SPDX-License-Identifier: MIT */
/* What both front ends declare alike: the surface and renderer state and the
 * functions of ../common/, compiled against the front end's own "vgr.h". */
#ifndef VMPLANE_VGR_COMMON_H
#define VMPLANE_VGR_COMMON_H

/* Included at the end of the front end's part of vgr.h: it needs
 * struct vgr_output, vgr_gl_format and vgr_buffer_unref() from there. */

enum vgr_buffer_kind {
	VGR_BUFFER_NONE = 0,
	VGR_BUFFER_SHM,
	VGR_BUFFER_SOLID,
	VGR_BUFFER_DMABUF,
};

struct vgr_surface {
	struct vgr_renderer *gr;
	struct weston_surface *surface;
	struct rb_resource res;		/* RB_RESOURCE_TEXTURE: the planes */
	struct wl_list link;		/* vgr_frontend.surfaces */
	struct wl_listener surface_destroy;
	struct wl_listener renderer_destroy;

	enum vgr_buffer_kind kind;
	enum vgr_variant variant;
	float color[4];
	GLenum target;

	struct vgr_plane planes[VGR_MAX_PLANES];
	int n_planes;

	/* Held until the next attach, so the content can be uploaded again
	 * after a reset. */
	struct weston_buffer_reference buffer_ref;
	struct weston_buffer_release_reference release_ref;
	uint32_t shm_format;
	int buffer_width, buffer_height;
	bool origin_top_left;		/* the buffer's first row is its top */
	bool needs_full_upload;
	pixman_region32_t texture_damage;	/* surface coordinates */

	struct vgr_dmabuf_image *image;		/* non-NULL for dma-buf */

	/* A dma-buf held back until its acquire fence signals (fd watched
	 * on the event loop); the content above stays until then. */
	struct weston_buffer_reference pending_ref;
	struct weston_buffer_release_reference pending_release_ref;
	struct wl_event_source *pending_source;
	struct wl_event_source *pending_timer;
	int pending_fd;
};

/* The renderer libweston sees: its weston_renderer first, the core
 * embedded (vgr_fe() finds this from the core). */
struct vgr_frontend {
	struct weston_renderer base;
	struct vgr_renderer gr;
	struct weston_compositor *compositor;

	struct weston_drm_format_array dmabuf_formats;
	bool dmabuf_formats_ready;

	struct wl_list surfaces;	/* vgr_surface.link */
	struct wl_signal destroy_signal;
};

static inline struct vgr_frontend *
vgr_fe(struct vgr_renderer *gr)
{
	return vgr_container_of(gr, struct vgr_frontend, gr);
}

static inline struct vgr_renderer *
vgr_get(struct weston_compositor *ec)
{
	struct vgr_frontend *fe = (struct vgr_frontend *)ec->renderer;

	return fe ? &fe->gr : NULL;
}

/* vgr-api.c */
bool vgr_api_register(struct vgr_renderer *gr);

/* vgr-renderer.c */
/* The front end's state with the weston_renderer entry points both
 * versions share, EGL (a config for @formats where needed) and GL set
 * up; NULL, with nothing left behind, if the running libweston is not
 * the front end's (vgr_version_check()) or EGL or GL fail. The front end
 * adds its entry points and sets ec->renderer. */
struct vgr_frontend *vgr_display_create(struct weston_compositor *ec,
					EGLenum platform, void *native_display,
					EGLint surface_type,
					const vgr_gl_format *formats,
					unsigned count);
/* vgr_egl_choose_config() for an option struct's format list. */
bool vgr_choose_config(struct vgr_renderer *gr, EGLint surface_type,
		       const vgr_gl_format *formats, unsigned count,
		       EGLConfig *out);

/* The front end's vgr-hooks.c: one entry of an option struct's format
 * list as a vgr_config_format (depths no config has if unknown). */
void vgr_config_format_of(vgr_gl_format format, struct vgr_config_format *out);
/* The front end's vgr-dmabuf.c: the format list and what else it set up. */
void vgr_dmabuf_fini(struct vgr_renderer *gr);

/* vgr-repaint-gate.c; the front end wraps output->repaint itself
 * (vgr_repaint_gate_repaint), as its signature is version-specific. */
void vgr_repaint_gate_install(struct vgr_output *vo);
void vgr_repaint_gate_remove(struct vgr_output *vo);
/* For the wrapped repaint: true when it must fail this frame (a recovery
 * runs, GL is @usable no more, and no other output was repainted in this
 * cycle yet). */
bool vgr_repaint_gate_refuse(struct weston_output *output, bool usable);
/* For the wrapped repaint, just before the backend's: the feedback held
 * since a refused frame joins this frame's. */
void vgr_repaint_gate_pass(struct vgr_output *vo);

/* vgr-surface.c */
/* The surface's state, created on first use; the front end's
 * vgr_surface_get() adds what its version needs on creation. */
struct vgr_surface *vgr_surface_state_get(struct weston_surface *surface);
void vgr_surface_drop_textures(struct vgr_surface *vs);
/* Creates the textures of the current content's planes (handles 0). */
void vgr_surface_create_textures(struct vgr_surface *vs);
/* Back to no content: textures dropped, the references kept. */
void vgr_surface_reset_content(struct vgr_surface *vs);
/* A solid colour (straight alpha) instead of any content. */
void vgr_surface_set_solid(struct vgr_surface *vs, float r, float g, float b,
			   float a);
/* Adds the surface's damage; uploads shm content if a view of it is
 * @composited (drawn by this renderer) and GL may be used. */
void vgr_surface_flush(struct vgr_surface *vs, bool composited);

/* vgr-shm.c */
void vgr_shm_register_formats(struct vgr_renderer *gr);
/* The surface takes a wl_shm buffer of @format and @layout (the core's,
 * vgr_shm_layout()); textures are kept when only the pixels changed. */
void vgr_shm_take_layout(struct vgr_surface *vs, uint32_t format, int w, int h,
			 const struct vgr_shm_layout *layout,
			 bool origin_top_left);
void vgr_shm_upload(struct vgr_surface *vs, bool full);

/* vgr-acquire.c */
/* At attach of a dma-buf (@img, if imported) with an acquire fence: true
 * when the buffer is held back instead (its fence pending and no GPU wait
 * possible); vgr_attach_acquired() then attaches it once the fence
 * signals. False: attach now (no fence, a GPU wait was queued, or it has
 * signalled). */
bool vgr_acquire_defer(struct vgr_surface *vs, struct weston_buffer *buffer,
		       struct vgr_dmabuf_image *img,
		       struct weston_buffer_release *release);
/* Drops a held-back buffer (a newer commit or the surface's end). */
void vgr_acquire_cancel(struct vgr_surface *vs);
/* The front end's vgr-surface.c: attaches @buffer whose fence signalled. */
void vgr_attach_acquired(struct vgr_surface *vs, struct weston_buffer *buffer,
			 struct weston_buffer_release *release);

/* vgr-dmabuf.c */
/* The importable formats, filled on first use. */
const struct weston_drm_format_array *
vgr_dmabuf_formats(struct vgr_renderer *gr);
const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec);
void vgr_dmabuf_formats_fini(struct vgr_renderer *gr);
/* Textures from the surface's image (after attach or reset). */
bool vgr_dmabuf_surface_upload(struct vgr_surface *vs);

/* vgr-output.c */
/* An EGL window surface for @window (@legacy without platform surfaces)
 * in a config for @formats that must be the context's, if it has one;
 * EGL_NO_SURFACE, logged, on failure. */
EGLSurface vgr_output_window_surface(struct vgr_renderer *gr,
				     const vgr_gl_format *formats,
				     unsigned count, void *window,
				     EGLNativeWindowType legacy,
				     EGLConfig *config);
/* The output's state on @surface (EGL_NO_SURFACE: none yet), now the
 * output's renderer_state; NULL, and @surface destroyed, on failure. */
struct vgr_output *vgr_output_state_create(struct weston_output *output,
					   EGLSurface surface,
					   EGLConfig config);
/* Once the state is complete and current: swap interval 0 for a window
 * and the repaint gate. */
void vgr_output_start(struct vgr_output *vo);
/* Destroys the EGL surface (with no context current while it goes) and
 * the state; the front end has released what it added. */
void vgr_output_state_destroy(struct vgr_output *vo);
void vgr_output_set_border(struct weston_output *output,
			   enum gl_renderer_border_side side,
			   int32_t width, int32_t height,
			   int32_t tex_width, unsigned char *data);
int vgr_create_fence_fd(struct weston_output *output);
/* After a frame on @output that drew @vs: if its client asked for a
 * release, the frame's end (*@frame_fence, created on first use, -1 to
 * start; the caller closes it) becomes the release fence where EGL has
 * native fences; otherwise the release stays immediate. */
void vgr_release_fence_give(struct vgr_surface *vs, struct weston_output *output,
			    int *frame_fence);
/* After a reset: the kept window surface current with the new context,
 * and the next frames repainted in full (buffer ages lie now). */
bool vgr_output_surface_resume(struct vgr_output *vo);
/* Union of what changed since the back buffer was last drawn; a surface
 * that @keeps_content (a pbuffer) is one frame old. */
void vgr_output_buffer_damage(struct vgr_output *vo,
			      pixman_region32_t *frame_damage,
			      pixman_region32_t *out, bool keeps_content);
/* eglSwapBuffers; a failure is reported as a GPU reset. */
bool vgr_output_swap(struct vgr_output *vo);

/* vgr-draw.c */
/* Two triangles per box of @region; @corner gives each corner's vertex
 * from surface coordinates. NULL on allocation failure. */
typedef void (*vgr_corner_func)(void *data, float sx, float sy,
				struct vgr_vertex *v);
struct vgr_vertex *vgr_build_quads(pixman_region32_t *region,
				   vgr_corner_func corner, void *data,
				   int *count);
/* Draws @region (surface coordinates) of the view's surface. */
typedef void (*vgr_region_draw_func)(void *data, pixman_region32_t *region,
				     enum vgr_variant variant);
/* Draws the @opaque part of the view's surface (clipped to the view's
 * scissor here) without blending unless the view is translucent, then
 * the rest blended; @variant is the content's. */
void vgr_draw_view_regions(struct weston_view *view, pixman_region32_t *opaque,
			   enum vgr_variant variant, vgr_region_draw_func draw,
			   void *data);

#endif
