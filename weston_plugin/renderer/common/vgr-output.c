/* SPDX-License-Identifier: MIT */
/* Output pieces both front ends share: the state's creation and end, EGL
 * window surfaces (damage history, resume after a reset, swap), fences. */
#include <stdlib.h>
#include <unistd.h>
#include <libweston/libweston.h>

#include "vgr.h"
#include "vmplane/egl_fence.h"

void
vgr_output_set_border(struct weston_output *output,
		      enum gl_renderer_border_side side,
		      int32_t width, int32_t height,
		      int32_t tex_width, unsigned char *data)
{
	/* Borders (wayland backend, decorated headless) are not drawn. */
}

int
vgr_create_fence_fd(struct weston_output *output)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	int fd = -1;

	if (!gr->has_native_fence)
		return -1;
	if (vmsync_egl_fence_export(gr->display, &fd) != VMSYNC_OK)
		return -1;
	return fd;
}

void
vgr_release_fence_give(struct vgr_surface *vs, struct weston_output *output,
		       int *frame_fence)
{
	struct weston_buffer_release *release = vs->release_ref.buffer_release;
	int fd;

	/* Only a dma-buf is read after attach; an shm buffer was copied. */
	if (!release || vs->kind != VGR_BUFFER_DMABUF)
		return;
	/* One fence per frame, created after its draws: a copy for each. */
	if (*frame_fence < 0)
		*frame_fence = vgr_create_fence_fd(output);
	if (*frame_fence < 0)
		return; /* immediate_release when the reference drops */
	fd = dup(*frame_fence);
	if (fd < 0)
		return;
	/* A later frame's fence covers the earlier ones: keep the newest. */
	if (release->fence_fd >= 0)
		close(release->fence_fd);
	release->fence_fd = fd;
}

EGLSurface
vgr_output_window_surface(struct vgr_renderer *gr, const vgr_gl_format *formats,
			  unsigned count, void *window,
			  EGLNativeWindowType legacy, EGLConfig *config)
{
	EGLSurface surface;

	if (!vgr_choose_config(gr, EGL_WINDOW_BIT, formats, count, config))
		return EGL_NO_SURFACE;
	if (gr->context_config != EGL_NO_CONFIG_KHR &&
	    *config != gr->context_config) {
		weston_log("vgr: output config differs from the context's\n");
		return EGL_NO_SURFACE;
	}
	surface = vgr_egl_surface_create_window(gr, *config, window, legacy);
	if (surface == EGL_NO_SURFACE)
		weston_log("vgr: failed to create a window surface (0x%x)\n",
			   eglGetError());
	return surface;
}

struct vgr_output *
vgr_output_state_create(struct weston_output *output, EGLSurface surface,
			EGLConfig config)
{
	struct vgr_renderer *gr = vgr_get(output->compositor);
	struct vgr_output *vo;
	unsigned i;

	vo = calloc(1, sizeof *vo);
	if (!vo) {
		vgr_egl_surface_destroy(gr, surface);
		return NULL;
	}
	vo->gr = gr;
	vo->output = output;
	vo->egl_surface = surface;
	vo->config = config;
	wl_list_init(&vo->held_feedback);
	for (i = 0; i < VGR_DAMAGE_HISTORY; i++)
		pixman_region32_init(&vo->history[i]);
	output->renderer_state = vo;
	return vo;
}

void
vgr_output_start(struct vgr_output *vo)
{
	/* Swap interval 0: the backend paces frames itself. */
	if (vo->egl_surface != EGL_NO_SURFACE)
		eglSwapInterval(vo->gr->display, 0);
	vgr_repaint_gate_install(vo);
}

void
vgr_output_state_destroy(struct vgr_output *vo)
{
	unsigned i;

	if (vo->egl_surface != EGL_NO_SURFACE) {
		eglMakeCurrent(vo->gr->display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       EGL_NO_CONTEXT);
		vgr_egl_surface_destroy(vo->gr, vo->egl_surface);
		vgr_make_current(vo->gr, EGL_NO_SURFACE);
	}
	for (i = 0; i < VGR_DAMAGE_HISTORY; i++)
		pixman_region32_fini(&vo->history[i]);
	vo->output->renderer_state = NULL;
	free(vo);
}

/*
 * A window surface survives a reset: on DRM its gbm bos may still be held
 * by KMS as the scanned-out framebuffer, destroying the EGLSurface would
 * free them under the display controller, and the EGLDisplay (with wl_drm
 * bound to it) outlives a context loss; only the context is new.
 */
bool
vgr_output_surface_resume(struct vgr_output *vo)
{
	struct vgr_renderer *gr = vo->gr;
	unsigned i;

	if (!rb_context_make_current(gr->ctx, vo->egl_surface, vo->egl_surface))
		return false;
	eglSwapInterval(gr->display, 0);
	for (i = 0; i < VGR_DAMAGE_HISTORY; i++)
		pixman_region32_clear(&vo->history[i]);
	vo->full_redraws = VGR_DAMAGE_HISTORY;
	return true;
}

void
vgr_output_buffer_damage(struct vgr_output *vo, pixman_region32_t *frame_damage,
			 pixman_region32_t *out, bool keeps_content)
{
	EGLint age = 0;
	unsigned i;

	if (vo->full_redraws > 0)
		vo->full_redraws--;
	else if (keeps_content)
		age = 1;
	else if (vo->gr->has_buffer_age)
		eglQuerySurface(vo->gr->display, vo->egl_surface,
				EGL_BUFFER_AGE_EXT, &age);

	if (age <= 0 || age > VGR_DAMAGE_HISTORY) {
		pixman_region32_copy(out, &vo->output->region);
	} else {
		pixman_region32_copy(out, frame_damage);
		for (i = 0; i < (unsigned)age - 1; i++)
			pixman_region32_union(out, out,
				&vo->history[(vo->history_head + i) % VGR_DAMAGE_HISTORY]);
	}

	/* Remember this frame's damage for later buffer ages. */
	vo->history_head = (vo->history_head + VGR_DAMAGE_HISTORY - 1) %
			   VGR_DAMAGE_HISTORY;
	pixman_region32_copy(&vo->history[vo->history_head], frame_damage);
}

bool
vgr_output_swap(struct vgr_output *vo)
{
	struct vgr_renderer *gr = vo->gr;

	if (eglSwapBuffers(gr->display, vo->egl_surface))
		return true;
	weston_log("vgr: eglSwapBuffers failed (0x%x): treated as a GPU reset\n",
		   eglGetError());
	vgr_reset_report(gr);
	return false;
}
