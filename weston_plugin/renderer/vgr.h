/*
 * vgr: the vmplane GL renderer for libweston 10 (internal header).
 */
#ifndef VMPLANE_VGR_H
#define VMPLANE_VGR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <pixman.h>
#include <wayland-server-core.h>
#include <libweston/libweston.h>

#include "abi/weston10.h"
#include "vmplane/clock.h"
#include "vmplane/robustness.h"

#define VGR_MAX_PLANES 3
#define VGR_DAMAGE_HISTORY 4

#ifndef ARRAY_LENGTH
#define ARRAY_LENGTH(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define vgr_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* How a surface's content is sampled; selects a fragment program. */
enum vgr_variant {
	VGR_VARIANT_NONE = 0,
	VGR_VARIANT_RGBA,	/* premultiplied RGBA texture */
	VGR_VARIANT_RGBX,	/* RGB texture, alpha forced to 1 */
	VGR_VARIANT_SOLID,	/* uniform colour */
	VGR_VARIANT_EXTERNAL,	/* GL_TEXTURE_EXTERNAL_OES, sampled as RGBA */
	VGR_VARIANT_Y_U_V,	/* three single-channel planes */
	VGR_VARIANT_Y_UV,	/* luma + interleaved chroma plane */
	VGR_VARIANT_Y_XUXV,	/* packed YUYV: luma from RG, chroma from RGBA */
	VGR_VARIANT_XYUV,	/* packed 4:4:4, channels r=V g=U b=Y */
	VGR_VARIANT_COUNT,
};

/* Program modifiers; part of the program cache key. */
enum vgr_program_flags {
	VGR_PROG_PRE_CURVE = 1 << 0,	/* per-channel 1D LUT after sampling */
};

struct vgr_program {
	struct vgr_renderer *gr;
	struct rb_resource res;		/* RB_RESOURCE_PROGRAM */
	enum vgr_variant variant;
	uint32_t flags;
	GLuint id;
	GLint u_proj;
	GLint u_alpha;
	GLint u_color;
	GLint u_tex[VGR_MAX_PLANES];
	GLint u_lut;
	GLint u_lut_scale_offset;
};

enum vgr_buffer_kind {
	VGR_BUFFER_NONE = 0,
	VGR_BUFFER_SHM,
	VGR_BUFFER_SOLID,
	VGR_BUFFER_DMABUF,
};

/* One GL texture plane of a client buffer. */
struct vgr_plane {
	GLuint tex;
	int width, height;	/* in texels */
	int hsub, vsub;
	int cpp;		/* bytes per texel */
	uint32_t offset;	/* start in the shm pool */
	int stride;		/* bytes */
	GLenum internal_format, format, type;
};

struct vgr_dmabuf_image;

struct vgr_surface {
	struct vgr_renderer *gr;
	struct weston_surface *surface;
	struct rb_resource res;		/* RB_RESOURCE_TEXTURE: the planes */
	struct wl_list link;		/* vgr_renderer.surfaces */
	struct wl_listener surface_destroy;
	struct wl_listener renderer_destroy;

	enum vgr_buffer_kind kind;
	enum vgr_variant variant;
	float color[4];
	GLenum target;

	struct vgr_plane planes[VGR_MAX_PLANES];
	int n_planes;

	/* Held until the next attach so content can be re-uploaded at will. */
	struct weston_buffer_reference buffer_ref;
	struct weston_buffer_release_reference release_ref;
	uint32_t shm_format;
	int buffer_width, buffer_height;
	bool y_inverted;
	bool needs_full_upload;
	pixman_region32_t texture_damage;	/* surface coordinates */

	struct vgr_dmabuf_image *image;		/* non-NULL for dma-buf */
	bool used_in_repaint;
};

struct vgr_output {
	struct vgr_renderer *gr;
	struct weston_output *output;
	/* The backend's entry points behind the repaint gate. */
	int (*backend_start_repaint_loop)(struct weston_output *output);
	int (*backend_repaint)(struct weston_output *output,
			       pixman_region32_t *damage, void *repaint_data);
	struct rb_resource surface_res;	/* RB_RESOURCE_OUTPUT_SURFACE */
	struct rb_resource shadow_res;	/* RB_RESOURCE_FBO */
	EGLSurface egl_surface;
	EGLConfig config;
	bool is_pbuffer;
	int pbuffer_width, pbuffer_height;
	/* Frames to repaint in full: buffer ages lie after a reset. */
	unsigned full_redraws;
	int fb_width, fb_height;
	pixman_region32_t history[VGR_DAMAGE_HISTORY];
	unsigned history_head;

	/* Blending space framebuffer, used for colour-managed outputs. */
	GLuint shadow_tex, shadow_fbo;
	int shadow_width, shadow_height;
};

struct vgr_renderer {
	struct weston_renderer base;
	struct weston_compositor *compositor;

	EGLDisplay display;
	struct rb_context *ctx;
	EGLConfig context_config;	/* EGL_NO_CONFIG_KHR when configless */
	EGLSurface dummy_surface;
	EGLenum platform;
	void *native_display;
	EGLint surface_type;
	int gl_major;

	bool has_configless;
	bool has_surfaceless;
	bool has_buffer_age;
	bool has_dmabuf_import;
	bool has_dmabuf_modifiers;
	bool has_native_fence;
	bool has_wait_sync;
	bool has_unpack_subimage;
	bool has_texture_rg;
	bool has_external_image;
	bool has_color_ops;
	bool has_bgra_read;
	bool force_cpu_dmabuf;

	struct vgr_program *programs[VGR_VARIANT_COUNT][2];
	GLuint lut_tex;		/* scratch texture for colour curves */
	struct rb_resource lut_res;	/* RB_RESOURCE_TEXTURE */

	/* GPU reset recovery (vgr-reset.c). */
	struct rb_registry *registry;
	struct rb_recovery *recovery;
	struct wl_event_source *recover_idle;
	struct wl_event_source *warm_up_idle;
	struct wl_event_source *retry_timer;
	/* One status read per refresh while frames are drawn. */
	struct wl_event_source *watch_timer;
	/* Bumped per new context; EGLImages re-import once per generation. */
	uint32_t generation;
	bool check_each_frame;
	/* Draws go to one pixel: compiling the pipeline ahead of a frame. */
	bool warming_up;
	bool recovered_pending;
	uint32_t reset_serial;
	/* Repaints drawn, and those the backend completed undrawn. */
	uint64_t frames_drawn, frames_undrawn;
	uint64_t reset_detected_ns;
	/* Where a recovery's time goes (CLOCK_MONOTONIC; vmp_reset_event). */
	uint64_t inject_ns, rebuild_start_ns, rebuild_end_ns, frame_start_ns;
	uint64_t warm_up_ns;
	bool warm_up_on_recovery;	/* VMPLANE_RESET_WARM_UP, default on */
	struct wl_signal reset_signal;	/* struct vmp_reset_event */

	struct weston_drm_format_array dmabuf_formats;
	bool dmabuf_formats_ready;

	struct wl_list surfaces;	/* vgr_surface.link */
	struct wl_signal destroy_signal;
};

static inline struct vgr_renderer *
vgr_get(struct weston_compositor *ec)
{
	return (struct vgr_renderer *)ec->renderer;
}

#include "vgr-version.h"

/* vgr-egl.c */
bool vgr_egl_init(struct vgr_renderer *gr,
		  const struct gl_renderer_display_options *opts);
void vgr_egl_fini(struct vgr_renderer *gr);
bool vgr_egl_choose_config(struct vgr_renderer *gr, EGLint surface_type,
			   const uint32_t *formats, unsigned count,
			   EGLConfig *out);
bool vgr_egl_has_ext(const char *list, const char *name);
/* EGL_NO_SURFACE: our context with whatever surface is bound, if any. */
bool vgr_make_current(struct vgr_renderer *gr, EGLSurface surface);
/* robustness/'s log lines go to Weston's log. */
void vgr_rb_log(void *data, enum rb_log_level level, const char *fmt,
		va_list args);
/* The renderer's context is current and may be used. */
bool vgr_gl_current(struct vgr_renderer *gr);

/* vgr-objects.c: every GL/EGL object is created and destroyed here. */
GLuint vgr_texture_create(struct vgr_renderer *gr, GLenum target);
void vgr_texture_destroy(struct vgr_renderer *gr, GLuint tex);
GLuint vgr_program_object_create(struct vgr_renderer *gr,
				 const char *vs, const char *fs);
void vgr_program_object_destroy(struct vgr_renderer *gr, GLuint prog);
bool vgr_fbo_create(struct vgr_renderer *gr, GLuint tex, GLuint *fbo);
void vgr_fbo_destroy(struct vgr_renderer *gr, GLuint fbo);
EGLImageKHR vgr_image_create(struct vgr_renderer *gr, EGLenum target,
			     EGLClientBuffer buffer, const EGLint *attribs);
void vgr_image_destroy(struct vgr_renderer *gr, EGLImageKHR image);
EGLSurface vgr_egl_surface_create_window(struct vgr_renderer *gr,
					 EGLConfig config, void *window,
					 EGLNativeWindowType legacy);
EGLSurface vgr_egl_surface_create_pbuffer(struct vgr_renderer *gr,
					  EGLConfig config, int w, int h);
void vgr_egl_surface_destroy(struct vgr_renderer *gr, EGLSurface surface);
/* The colour-curve scratch texture, created on first use. */
GLuint vgr_lut_texture(struct vgr_renderer *gr);
void vgr_lut_texture_destroy(struct vgr_renderer *gr);
/* Registry entries; every object above belongs to one. */
void vgr_resource_add(struct vgr_renderer *gr, struct rb_resource *res,
		      enum rb_resource_kind kind,
		      const struct rb_resource_impl *impl, void *data);
void vgr_resource_remove(struct rb_resource *res);

/* vgr-reset.c */
bool vgr_reset_init(struct vgr_renderer *gr);
void vgr_reset_fini(struct vgr_renderer *gr);
/* Detection: false when GL must not be touched now (a reset was seen,
 * recovery is under way or the renderer is in safe mode). */
bool vgr_reset_check(struct vgr_renderer *gr);
/* A failed swap or EGL_CONTEXT_LOST seen by the caller. */
void vgr_reset_report(struct vgr_renderer *gr);
/* GL may be used: RUNNING, or REBUILDING inside the recovery. */
bool vgr_reset_gl_allowed(struct vgr_renderer *gr);
/* At the start of an output repaint, for the recovery's time split. */
void vgr_reset_frame_begin(struct vgr_renderer *gr);
/* After a frame was presented: sends a pending RECOVERED event. */
void vgr_reset_frame_done(struct vgr_renderer *gr);
/* After a drawn frame of @output: read the status again about when the
 * backend completes it, ahead of the next repaint. */
void vgr_reset_watch_frame(struct vgr_renderer *gr,
			   struct weston_output *output);
bool vgr_api_register(struct vgr_renderer *gr);

/* vgr-shaders.c */
struct vgr_program *vgr_program_get(struct vgr_renderer *gr,
				    enum vgr_variant variant, uint32_t flags);
void vgr_programs_destroy(struct vgr_renderer *gr);
/* Re-applies the context's default pixel-store state. */
void vgr_gl_defaults(void);

/* vgr-output.c */
int vgr_output_window_create(struct weston_output *output,
			     const struct gl_renderer_output_options *opts);
int vgr_output_pbuffer_create(struct weston_output *output,
			      const struct gl_renderer_pbuffer_options *opts);
void vgr_output_destroy(struct weston_output *output);
void vgr_output_set_border(struct weston_output *output,
			   enum gl_renderer_border_side side,
			   int32_t width, int32_t height,
			   int32_t tex_width, unsigned char *data);
int vgr_create_fence_fd(struct weston_output *output);
void vgr_repaint_output(struct weston_output *output,
			pixman_region32_t *output_damage);
/* Runs the draws of the output's next full repaint clipped to one pixel,
 * so a driver that compiles per pipeline state does it now rather than in
 * that frame; the frame redraws everything anyway. */
void vgr_output_warm_up(struct weston_output *output);

/* vgr-repaint-gate.c */
void vgr_repaint_gate_install(struct vgr_output *vo);
void vgr_repaint_gate_remove(struct vgr_output *vo);
int vgr_read_pixels(struct weston_output *output, pixman_format_code_t format,
		    void *pixels, uint32_t x, uint32_t y,
		    uint32_t width, uint32_t height);

/* vgr-draw.c */
void vgr_draw_paint_node(struct weston_paint_node *pnode,
			 pixman_region32_t *damage,
			 const struct weston_matrix *proj, int fb_height,
			 bool linear_blend);

/* vgr-surface.c */
struct vgr_surface *vgr_surface_get(struct weston_surface *surface);
void vgr_attach(struct weston_surface *surface, struct weston_buffer *buffer);
void vgr_flush_damage(struct weston_surface *surface);
void vgr_surface_set_color(struct weston_surface *surface,
			   float r, float g, float b, float a);
void vgr_surface_get_content_size(struct weston_surface *surface,
				  int *width, int *height);
void vgr_surface_drop_textures(struct vgr_surface *vs);
/* Creates the textures of the current content's planes (handles 0). */
void vgr_surface_create_textures(struct vgr_surface *vs);

/* vgr-shm.c */
bool vgr_shm_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		    struct wl_shm_buffer *shm);
void vgr_shm_upload(struct vgr_surface *vs, bool full);
void vgr_shm_register_formats(struct vgr_renderer *gr);

/* vgr-dmabuf.c */
bool vgr_import_dmabuf(struct weston_compositor *ec,
		       struct linux_dmabuf_buffer *dmabuf);
const struct weston_drm_format_array *
vgr_get_supported_formats(struct weston_compositor *ec);
bool vgr_dmabuf_attach(struct vgr_surface *vs, struct weston_buffer *buffer,
		       struct linux_dmabuf_buffer *dmabuf);
/* Textures from the retained dma-buf attributes (after attach or reset). */
bool vgr_dmabuf_surface_upload(struct vgr_surface *vs);
void vgr_dmabuf_surface_release(struct vgr_surface *vs);
bool vgr_dmabuf_setup_feedback(struct vgr_renderer *gr);
void vgr_dmabuf_fini(struct vgr_renderer *gr);

#endif
