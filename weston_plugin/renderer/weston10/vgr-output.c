/* SPDX-License-Identifier: MIT */
/* Output targets, the repaint loop and read-back. */
#include <unistd.h>
#include <drm_fourcc.h>
#include <libweston/libweston.h>

#include "vgr.h"

static struct vgr_output *
output_get(struct weston_output *output)
{
	return output->renderer_state;
}

/* After a reset a headless pbuffer is re-created (its content died with the
 * context); a window surface is kept (vgr_output_surface_resume). */
static bool
output_surface_rebuild(struct rb_resource *res, void *data)
{
	struct vgr_output *vo = data;
	struct vgr_renderer *gr = vo->gr;

	if (vo->is_pbuffer) {
		EGLSurface fresh = vgr_egl_surface_create_pbuffer(gr, vo->config,
								  vo->pbuffer_width,
								  vo->pbuffer_height);

		if (fresh == EGL_NO_SURFACE)
			return false;
		vgr_egl_surface_destroy(gr, vo->egl_surface);
		vo->egl_surface = fresh;
	}
	return vgr_output_surface_resume(vo);
}

static const struct rb_resource_impl output_surface_impl = {
	.rebuild = output_surface_rebuild,
	.name = "output surface",
};

static bool
shadow_rebuild(struct rb_resource *res, void *data)
{
	return vgr_output_shadow_rebuild(data);
}

static void
shadow_forget(struct rb_resource *res, void *data)
{
	struct vgr_output *vo = data;

	vo->shadow_fbo = 0;
	vo->shadow_tex = 0;
}

static const struct rb_resource_impl shadow_impl = {
	.rebuild = shadow_rebuild,
	.forget = shadow_forget,
	.name = "shadow framebuffer",
};

static int
output_init(struct weston_output *output, EGLSurface surface, EGLConfig config,
	    bool pbuffer)
{
	struct vgr_output *vo = vgr_output_state_create(output, surface, config);
	struct vgr_renderer *gr;

	if (!vo)
		return -1;
	gr = vo->gr;
	vo->is_pbuffer = pbuffer;
	vgr_resource_add(gr, &vo->surface_res, RB_RESOURCE_OUTPUT_SURFACE,
			 &output_surface_impl, vo);
	vgr_resource_add(gr, &vo->shadow_res, RB_RESOURCE_FBO, &shadow_impl, vo);

	if (!vgr_make_current(gr, surface)) {
		vgr_output_destroy(output);
		return -1;
	}
	vgr_output_start(vo);
	return 0;
}

int
vgr_output_window_create(struct weston_output *output,
			 const struct gl_renderer_output_options *opts)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	EGLConfig config;
	EGLSurface surface;

	surface = vgr_output_window_surface(gr, opts->drm_formats,
					    opts->drm_formats_count,
					    opts->window_for_platform,
					    opts->window_for_legacy, &config);
	if (surface == EGL_NO_SURFACE)
		return -1;
	return output_init(output, surface, config, false);
}

int
vgr_output_pbuffer_create(struct weston_output *output,
			  const struct gl_renderer_pbuffer_options *opts)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	EGLConfig config;
	EGLSurface surface;

	if (!vgr_choose_config(gr, EGL_PBUFFER_BIT, opts->drm_formats,
			       opts->drm_formats_count, &config))
		return -1;
	surface = vgr_egl_surface_create_pbuffer(gr, config, opts->width,
						 opts->height);
	if (surface == EGL_NO_SURFACE) {
		weston_log("vgr: failed to create a pbuffer (0x%x)\n",
			   eglGetError());
		return -1;
	}
	if (output_init(output, surface, config, true) < 0)
		return -1;
	output_get(output)->pbuffer_width = opts->width;
	output_get(output)->pbuffer_height = opts->height;
	return 0;
}

static void
shadow_fini(struct vgr_output *vo)
{
	vgr_fbo_destroy(vo->gr, vo->shadow_fbo);
	vgr_texture_destroy(vo->gr, vo->shadow_tex);
	vo->shadow_fbo = 0;
	vo->shadow_tex = 0;
}

void
vgr_output_destroy(struct weston_output *output)
{
	struct vgr_output *vo = output_get(output);

	if (!vo)
		return;
	vgr_repaint_gate_remove(vo);
	vgr_resource_remove(&vo->surface_res);
	vgr_resource_remove(&vo->shadow_res);
	if (vgr_make_current(vo->gr, EGL_NO_SURFACE))
		shadow_fini(vo);
	vgr_output_state_destroy(vo);
}

static void
output_projection(struct weston_output *output, struct weston_matrix *proj)
{
	int w = output->current_mode->width;
	int h = output->current_mode->height;

	/* global -> framebuffer pixels (y down) -> clip space (y up) */
	*proj = output->matrix;
	weston_matrix_translate(proj, -w / 2.0f, -h / 2.0f, 0.0f);
	weston_matrix_scale(proj, 2.0f / w, -2.0f / h, 1.0f);
}

static void
draw_views(struct weston_output *output, pixman_region32_t *damage,
	   const struct weston_matrix *proj, bool linear)
{
	struct weston_compositor *ec = output->compositor;
	struct weston_paint_node *pnode;

	/* The z-order list runs top to bottom; paint bottom up. */
	wl_list_for_each_reverse(pnode, &output->paint_node_z_order_list,
				 z_order_link) {
		if (pnode->view->plane == &ec->primary_plane)
			vgr_draw_paint_node(pnode, damage, proj,
					    output->current_mode->height, linear);
	}
}

/* Release fences for what this frame sampled (vgr_release_fence_give). */
static void
give_release_fences(struct weston_output *output)
{
	struct weston_compositor *ec = output->compositor;
	struct weston_paint_node *pnode;
	int fence = -1;

	wl_list_for_each(pnode, &output->paint_node_z_order_list,
			 z_order_link) {
		if (pnode->view->plane == &ec->primary_plane &&
		    pnode->surface->renderer_state)
			vgr_release_fence_give(pnode->surface->renderer_state,
					       output, &fence);
	}
	if (fence >= 0)
		close(fence);
}

void
vgr_output_warm_up(struct weston_output *output)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderer *gr;
	struct weston_matrix proj;

	if (!vo || vo->egl_surface == EGL_NO_SURFACE)
		return;
	gr = vo->gr;
	if (!vgr_make_current(gr, vo->egl_surface))
		return;
	output_projection(output, &proj);
	/* The colour-managed path blends in the shadow buffer's format. */
	if (output->from_blend_to_output && vo->shadow_fbo)
		glBindFramebuffer(GL_FRAMEBUFFER, vo->shadow_fbo);
	else
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glViewport(0, 0, output->current_mode->width,
		   output->current_mode->height);
	gr->warming_up = true;
	draw_views(output, &output->region, &proj,
		   output->from_blend_to_output != NULL);
	gr->warming_up = false;
	/* Leave the pixel as a fresh surface has it, whatever covers it. */
	glScissor(0, 0, 1, 1);
	glClearColor(0.0f, 0.0f, 0.0f, 0.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDisable(GL_SCISSOR_TEST);
}

void
vgr_repaint_output(struct weston_output *output,
		   pixman_region32_t *output_damage)
{
	struct vgr_output *vo = output_get(output);
	struct vgr_renderer *gr = vo->gr;
	struct weston_compositor *ec = output->compositor;
	struct weston_matrix proj;
	pixman_region32_t total;
	int w = output->current_mode->width;
	int h = output->current_mode->height;
	bool shadow;

	vgr_repaint_gate_install(vo);
	vgr_reset_frame_begin(gr);
	/* Reset detection, before any GL work of this frame. */
	if (!vgr_make_current(gr, vo->egl_surface) || !vgr_reset_check(gr)) {
		gr->frames_undrawn++;
		/* Screenshooters wait for this signal, and safe mode can last:
		 * their read is answered at once (vgr_read_pixels). */
		if (vgr_reset_in_safe_mode(gr))
			wl_signal_emit(&output->frame_signal, output_damage);
		return;
	}

	output_projection(output, &proj);
	pixman_region32_init(&total);
	vgr_output_buffer_damage(vo, output_damage, &total, vo->is_pbuffer);

	shadow = output->from_blend_to_output != NULL ||
		 (gr->has_color_ops &&
		  ec->test_data.test_quirks.gl_force_full_redraw_of_shadow_fb);
	if (shadow && vgr_output_blit_shadow(vo, NULL, NULL)) {
		glBindFramebuffer(GL_FRAMEBUFFER, vo->shadow_fbo);
		glViewport(0, 0, w, h);
		if (ec->test_data.test_quirks.gl_force_full_redraw_of_shadow_fb)
			draw_views(output, &output->region, &proj, true);
		else
			draw_views(output, output_damage, &proj, true);
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
		glViewport(0, 0, w, h);
		vgr_output_blit_shadow(vo, &total, &proj);
	} else {
		glBindFramebuffer(GL_FRAMEBUFFER, 0);
		glViewport(0, 0, w, h);
		draw_views(output, &total, &proj, false);
	}
	glDisable(GL_SCISSOR_TEST);
	pixman_region32_fini(&total);

	/* A context lost during the frame: no screenshooter may read it. */
	if (!rb_context_check_gl_errors(gr->ctx, NULL)) {
		vgr_reset_check(gr);
		return;
	}

	/* Screenshooters read the back buffer from this signal. */
	wl_signal_emit(&output->frame_signal, output_damage);

	if (!vgr_output_swap(vo))
		return;
	if (vo->is_pbuffer)
		vgr_submit_frame(gr);
	give_release_fences(output);
	gr->frames_drawn++;
	vgr_reset_watch_frame(gr, output->current_mode ?
				  output->current_mode->refresh : 0);
	vgr_reset_frame_done(gr);
}

int
vgr_read_pixels(struct weston_output *output, pixman_format_code_t format,
		void *pixels, uint32_t x, uint32_t y,
		uint32_t width, uint32_t height)
{
	struct vgr_output *vo = output_get(output);
	uint32_t fourcc;

	switch (format) {
	case PIXMAN_a8r8g8b8:
		fourcc = DRM_FORMAT_ARGB8888;
		break;
	case PIXMAN_a8b8g8r8:
		fourcc = DRM_FORMAT_ABGR8888;
		break;
	default:
		return -1;
	}
	if (vo && vgr_reset_in_safe_mode(vo->gr))
		return vgr_safe_mode_read_pixels(vo->gr, pixels, width, height);
	if (!vo || !vgr_make_current(vo->gr, vo->egl_surface))
		return -1;
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	/* Bottom-up rows: Weston 10 flips them (WESTON_CAP_CAPTURE_YFLIP). */
	return vgr_read_rect(vo->gr, fourcc, x, y, width, height, pixels,
			     width * 4, false) ? 0 : -1;
}
