/* SPDX-License-Identifier: MIT */
/* Guest GL client: draws a known pattern with GLES2 through GBM + EGL on the
 * virtio-gpu KMS card and page-flips it, printing markers to stdout. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <gbm.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

/* The pattern, shared with the host-side check (tests/guest/check-pattern):
 * quadrants red, green / blue, white; a magenta bar moving through the middle
 * band (rows 7/16..9/16 of the height), never over the quadrant probes. */
#define GP_BAR_TOP_16THS 7
#define GP_BAR_BOTTOM_16THS 9

struct gp_kms {
	int fd;
	uint32_t connector_id;
	uint32_t crtc_id;
	drmModeModeInfo mode;
};

struct gp_gl {
	struct gbm_device *gbm;
	struct gbm_surface *surface;
	EGLDisplay display;
	EGLContext context;
	EGLSurface egl_surface;
	GLuint program;
	GLint pos_loc;
};

struct gp_fb {
	struct gbm_bo *bo;
	uint32_t fb_id;
};

static double
gp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
gp_kms_pick(struct gp_kms *kms)
{
	drmModeRes *res = drmModeGetResources(kms->fd);
	drmModeConnector *conn = NULL;
	bool ok = false;
	int i;

	if (!res)
		return false;
	for (i = 0; i < res->count_connectors && !conn; i++) {
		conn = drmModeGetConnector(kms->fd, res->connectors[i]);
		if (conn && (conn->connection != DRM_MODE_CONNECTED ||
			     conn->count_modes == 0)) {
			drmModeFreeConnector(conn);
			conn = NULL;
		}
	}
	if (!conn)
		goto out;
	kms->connector_id = conn->connector_id;
	kms->mode = conn->modes[0];
	for (i = 0; i < conn->count_modes; i++) {
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			kms->mode = conn->modes[i];
			break;
		}
	}
	/* The first CRTC the connector's first encoder can drive. */
	for (i = 0; i < conn->count_encoders && !ok; i++) {
		drmModeEncoder *enc = drmModeGetEncoder(kms->fd, conn->encoders[i]);
		int c;

		if (!enc)
			continue;
		for (c = 0; c < res->count_crtcs; c++) {
			if (enc->possible_crtcs & (1u << c)) {
				kms->crtc_id = res->crtcs[c];
				ok = true;
				break;
			}
		}
		drmModeFreeEncoder(enc);
	}
	drmModeFreeConnector(conn);
out:
	drmModeFreeResources(res);
	return ok;
}

/* The first card whose KMS has a connected output. */
static bool
gp_kms_open(struct gp_kms *kms, const char *path)
{
	char name[32];
	int i;

	for (i = 0; i < 8; i++) {
		const char *p = path;

		if (!p) {
			snprintf(name, sizeof(name), "/dev/dri/card%d", i);
			p = name;
		}
		kms->fd = open(p, O_RDWR | O_CLOEXEC);
		if (kms->fd >= 0) {
			if (gp_kms_pick(kms)) {
				printf("GLPATTERN CARD %s MODE %ux%u\n", p,
				       kms->mode.hdisplay, kms->mode.vdisplay);
				return true;
			}
			close(kms->fd);
		}
		if (path)
			break;
	}
	return false;
}

static GLuint
gp_shader(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[512] = "";

		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		fprintf(stderr, "gl-pattern: shader: %s\n", log);
		glDeleteShader(s);
		return 0;
	}
	return s;
}

static bool
gp_program(struct gp_gl *gl)
{
	static const char *vs =
		"attribute vec2 pos;\n"
		"void main() { gl_Position = vec4(pos, 0.0, 1.0); }\n";
	static const char *fs =
		"precision mediump float;\n"
		"void main() { gl_FragColor = vec4(1.0, 0.0, 1.0, 1.0); }\n";
	GLuint v = gp_shader(GL_VERTEX_SHADER, vs);
	GLuint f = gp_shader(GL_FRAGMENT_SHADER, fs);
	GLint ok = 0;

	if (!v || !f)
		return false;
	gl->program = glCreateProgram();
	glAttachShader(gl->program, v);
	glAttachShader(gl->program, f);
	glLinkProgram(gl->program);
	glGetProgramiv(gl->program, GL_LINK_STATUS, &ok);
	glDeleteShader(v);
	glDeleteShader(f);
	gl->pos_loc = glGetAttribLocation(gl->program, "pos");
	return ok && gl->pos_loc >= 0;
}

static bool
gp_gl_init(struct gp_gl *gl, int fd, uint32_t w, uint32_t h)
{
	static const EGLint config_attribs[] = {
		EGL_SURFACE_TYPE, EGL_WINDOW_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_ALPHA_SIZE, 0,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
		EGL_NONE,
	};
	static const EGLint context_attribs[] = {
		EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE,
	};
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display;
	EGLConfig configs[64], config = NULL;
	EGLint n = 0, i;

	gl->gbm = gbm_create_device(fd);
	if (!gl->gbm)
		return false;
	gl->surface = gbm_surface_create(gl->gbm, w, h, GBM_FORMAT_XRGB8888,
					 GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING);
	if (!gl->surface)
		return false;
	get_display = (PFNEGLGETPLATFORMDISPLAYEXTPROC)
		eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!get_display)
		return false;
	gl->display = get_display(EGL_PLATFORM_GBM_KHR, gl->gbm, NULL);
	if (gl->display == EGL_NO_DISPLAY || !eglInitialize(gl->display, NULL, NULL))
		return false;
	eglBindAPI(EGL_OPENGL_ES_API);
	if (!eglChooseConfig(gl->display, config_attribs, configs, 64, &n))
		return false;
	/* GBM needs the config whose visual is the surface's format. */
	for (i = 0; i < n; i++) {
		EGLint id = 0;

		eglGetConfigAttrib(gl->display, configs[i], EGL_NATIVE_VISUAL_ID, &id);
		if ((uint32_t)id == GBM_FORMAT_XRGB8888) {
			config = configs[i];
			break;
		}
	}
	if (!config)
		return false;
	gl->context = eglCreateContext(gl->display, config, EGL_NO_CONTEXT,
				       context_attribs);
	if (gl->context == EGL_NO_CONTEXT)
		return false;
	gl->egl_surface = eglCreateWindowSurface(gl->display, config,
						 (EGLNativeWindowType)gl->surface, NULL);
	if (gl->egl_surface == EGL_NO_SURFACE)
		return false;
	if (!eglMakeCurrent(gl->display, gl->egl_surface, gl->egl_surface, gl->context))
		return false;
	return gp_program(gl);
}

static void
gp_draw(struct gp_gl *gl, uint32_t w, uint32_t h, unsigned frame)
{
	static const float quads[4][4] = {
		/* x, y (GL origin bottom-left), then colour index */
		{ 0, 1, 1, 0 }, /* top-left red */
		{ 1, 1, 0, 1 }, /* top-right green */
		{ 0, 0, 0, 0 }, /* bottom-left blue */
		{ 1, 0, 1, 1 }, /* bottom-right white */
	};
	static const float colours[4][3] = {
		{ 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 1, 1 },
	};
	uint32_t hw = w / 2, hh = h / 2;
	float bar_w = 2.0f / 16, x0;
	GLfloat verts[8];
	int q;

	glViewport(0, 0, w, h);
	glEnable(GL_SCISSOR_TEST);
	for (q = 0; q < 4; q++) {
		glScissor((GLint)(quads[q][0] * hw), (GLint)(quads[q][1] * hh), hw, hh);
		glClearColor(colours[q][0], colours[q][1], colours[q][2], 1);
		glClear(GL_COLOR_BUFFER_BIT);
	}
	glDisable(GL_SCISSOR_TEST);

	/* The moving bar, with a shader, so each frame differs. */
	x0 = -1.0f + (frame % 16) * bar_w;
	verts[0] = x0;         verts[1] = 1.0f - 2.0f * GP_BAR_BOTTOM_16THS / 16;
	verts[2] = x0 + bar_w; verts[3] = verts[1];
	verts[4] = x0;         verts[5] = 1.0f - 2.0f * GP_BAR_TOP_16THS / 16;
	verts[6] = x0 + bar_w; verts[7] = verts[5];
	glUseProgram(gl->program);
	glVertexAttribPointer(gl->pos_loc, 2, GL_FLOAT, GL_FALSE, 0, verts);
	glEnableVertexAttribArray(gl->pos_loc);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

static void
gp_fb_destroy(struct gbm_bo *bo, void *data)
{
	struct gp_fb *fb = data;

	if (fb->fb_id)
		drmModeRmFB(gbm_device_get_fd(gbm_bo_get_device(bo)), fb->fb_id);
	free(fb);
}

static struct gp_fb *
gp_fb_get(int fd, struct gbm_bo *bo)
{
	struct gp_fb *fb = gbm_bo_get_user_data(bo);
	uint32_t handles[4] = { gbm_bo_get_handle(bo).u32 };
	uint32_t pitches[4] = { gbm_bo_get_stride(bo) };
	uint32_t offsets[4] = { 0 };

	if (fb)
		return fb;
	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return NULL;
	fb->bo = bo;
	if (drmModeAddFB2(fd, gbm_bo_get_width(bo), gbm_bo_get_height(bo),
			  GBM_FORMAT_XRGB8888, handles, pitches, offsets,
			  &fb->fb_id, 0) != 0) {
		free(fb);
		return NULL;
	}
	gbm_bo_set_user_data(bo, fb, gp_fb_destroy);
	return fb;
}

static void
gp_flip_done(int fd, unsigned seq, unsigned sec, unsigned usec, void *data)
{
	(void)fd; (void)seq; (void)sec; (void)usec;
	*(bool *)data = false;
}

static bool
gp_wait_flip(int fd, bool *pending)
{
	drmEventContext ev = {
		.version = 2,
		.page_flip_handler = gp_flip_done,
	};

	while (*pending) {
		if (drmHandleEvent(fd, &ev) != 0 && errno != EINTR)
			return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	struct gp_kms kms = { .fd = -1 };
	struct gp_gl gl = { 0 };
	struct gbm_bo *prev = NULL;
	unsigned frames = 300, hold = 0, f;
	const char *card = NULL;
	double start, elapsed;
	int opt;

	while ((opt = getopt(argc, argv, "n:d:H:")) != -1) {
		switch (opt) {
		case 'n': frames = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': card = optarg; break;
		case 'H': hold = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: %s [-n frames] [-H hold-seconds] [-d /dev/dri/cardN]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!gp_kms_open(&kms, card)) {
		printf("GLPATTERN FAIL no KMS card with a connected output\n");
		return 1;
	}
	if (!gp_gl_init(&gl, kms.fd, kms.mode.hdisplay, kms.mode.vdisplay)) {
		printf("GLPATTERN FAIL EGL/GLES set-up (eglGetError 0x%x)\n", eglGetError());
		return 1;
	}
	printf("GLPATTERN RENDERER %s\n", (const char *)glGetString(GL_RENDERER));
	printf("GLPATTERN VERSION %s\n", (const char *)glGetString(GL_VERSION));

	start = gp_now();
	for (f = 0; f < frames; f++) {
		struct gbm_bo *bo;
		struct gp_fb *fb;
		bool pending = true;

		gp_draw(&gl, kms.mode.hdisplay, kms.mode.vdisplay, f);
		if (!eglSwapBuffers(gl.display, gl.egl_surface)) {
			printf("GLPATTERN FAIL eglSwapBuffers 0x%x\n", eglGetError());
			return 1;
		}
		bo = gbm_surface_lock_front_buffer(gl.surface);
		fb = bo ? gp_fb_get(kms.fd, bo) : NULL;
		if (!fb) {
			printf("GLPATTERN FAIL no framebuffer for the front buffer\n");
			return 1;
		}
		if (f == 0) {
			if (drmModeSetCrtc(kms.fd, kms.crtc_id, fb->fb_id, 0, 0,
					   &kms.connector_id, 1, &kms.mode) != 0) {
				printf("GLPATTERN FAIL drmModeSetCrtc: %s\n", strerror(errno));
				return 1;
			}
		} else if (drmModePageFlip(kms.fd, kms.crtc_id, fb->fb_id,
					   DRM_MODE_PAGE_FLIP_EVENT, &pending) != 0 ||
			   !gp_wait_flip(kms.fd, &pending)) {
			printf("GLPATTERN FAIL page flip: %s\n", strerror(errno));
			return 1;
		}
		if (prev)
			gbm_surface_release_buffer(gl.surface, prev);
		prev = bo;
		/* Tells a watcher the pattern is on screen and moving. */
		if (f == 10 || (frames <= 10 && f == frames - 1))
			printf("GLPATTERN SHOWING\n");
	}
	elapsed = gp_now() - start;
	printf("GLPATTERN DONE frames %u seconds %.2f fps %.1f\n",
	       frames, elapsed, elapsed > 0 ? frames / elapsed : 0.0);
	/* The last frame stays on screen while we hold the card. */
	if (hold) {
		printf("GLPATTERN HOLDING last bar at 16ths %u for %u s\n",
		       (frames - 1) % 16, hold);
		sleep(hold);
	}
	return 0;
}
