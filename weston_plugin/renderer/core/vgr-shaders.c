/* SPDX-License-Identifier: MIT */
/* Program cache: one program per (sampling variant, modifier flags). */
#include <stdio.h>
#include <stdlib.h>

#include "vgr-core.h"

static const char vertex_src[] =
	"precision highp float;\n"
	"uniform mat4 u_proj;\n"
	"attribute vec2 a_pos;\n"
	"attribute vec2 a_tex;\n"
	"varying vec2 v_tex;\n"
	"void main() {\n"
	"  gl_Position = u_proj * vec4(a_pos, 0.0, 1.0);\n"
	"  v_tex = a_tex;\n"
	"}\n";

/*
 * Every variant produces premultiplied RGBA in `c`; YUV is converted with
 * limited-range BT.601, the convention Weston's shm YUV path uses.
 * Solid colours arrive premultiplied by the view alpha in their only
 * uniform: Mesa 22.3 llvmpipe reads a second fragment uniform from the
 * first one's storage.
 */
static const char fragment_body[] =
	"precision mediump float;\n"
	"varying vec2 v_tex;\n"
	"#if VARIANT == 3\n"
	"uniform vec4 u_color;\n"
	"#else\n"
	"uniform vec4 u_alpha;\n"
	"#endif\n"
	"uniform SAMPLER u_tex0;\n"
	"uniform SAMPLER u_tex1;\n"
	"uniform SAMPLER u_tex2;\n"
	"#if PRE_CURVE\n"
	"uniform sampler2D u_lut;\n"
	"uniform vec4 u_lut_so;\n"
	"float lut(float v, float row) {\n"
	"  return texture2D(u_lut, vec2(v * u_lut_so.x + u_lut_so.y, row)).x;\n"
	"}\n"
	"#endif\n"
	"vec4 yuv(float y, float u, float v) {\n"
	"  y = 1.16438356 * (y - 0.0627451);\n"
	"  u -= 0.5; v -= 0.5;\n"
	"  return vec4(y + 1.59602678 * v,\n"
	"              y - 0.39176229 * u - 0.81296764 * v,\n"
	"              y + 2.01723214 * u, 1.0);\n"
	"}\n"
	"vec4 sample_input() {\n"
	"#if VARIANT == 1 || VARIANT == 4\n"
	"  return texture2D(u_tex0, v_tex);\n"
	"#elif VARIANT == 2\n"
	"  return vec4(texture2D(u_tex0, v_tex).rgb, 1.0);\n"
	"#elif VARIANT == 3\n"
	"  return u_color;\n"
	"#elif VARIANT == 5\n"
	"  return yuv(texture2D(u_tex0, v_tex).x, texture2D(u_tex1, v_tex).x,\n"
	"             texture2D(u_tex2, v_tex).x);\n"
	"#elif VARIANT == 6\n"
	"  vec4 uv = texture2D(u_tex1, v_tex);\n"
	"  return yuv(texture2D(u_tex0, v_tex).x, uv.x, uv.SECOND);\n"
	"#elif VARIANT == 7\n"
	"  vec4 uv = texture2D(u_tex1, v_tex);\n"
	"  return yuv(texture2D(u_tex0, v_tex).x, uv.g, uv.a);\n"
	"#else\n"
	"  vec4 t = texture2D(u_tex0, v_tex);\n"
	"  return yuv(t.b, t.g, t.r);\n"
	"#endif\n"
	"}\n"
	"void main() {\n"
	"  vec4 c = sample_input();\n"
	"#if PRE_CURVE\n"
	"  if (c.a > 0.0) c.rgb /= c.a;\n"
	"  c.rgb = vec3(lut(c.r, 0.166667), lut(c.g, 0.5), lut(c.b, 0.833333)) * c.a;\n"
	"#endif\n"
	"#if VARIANT == 3\n"
	"  gl_FragColor = c;\n"
	"#else\n"
	"  gl_FragColor = c * u_alpha.x;\n"
	"#endif\n"
	"}\n";

static bool
program_compile(struct vgr_renderer *gr, struct vgr_program *p)
{
	enum vgr_variant variant = p->variant;
	const char *sampler = variant == VGR_VARIANT_EXTERNAL ?
			      "samplerExternalOES" : "sampler2D";
	char *fs = NULL;
	char name[8];
	int i;

	if (asprintf(&fs,
		     "%s#define VARIANT %d\n#define PRE_CURVE %d\n"
		     "#define SAMPLER %s\n#define SECOND %s\n%s",
		     variant == VGR_VARIANT_EXTERNAL ?
			"#extension GL_OES_EGL_image_external : require\n" : "",
		     (int)variant, (p->flags & VGR_PROG_PRE_CURVE) ? 1 : 0,
		     sampler, gr->has_texture_rg ? "y" : "w",
		     fragment_body) < 0)
		return false;

	p->id = vgr_program_object_create(gr, vertex_src, fs);
	free(fs);
	if (!p->id)
		return false;

	p->u_proj = glGetUniformLocation(p->id, "u_proj");
	p->u_alpha = glGetUniformLocation(p->id, "u_alpha");
	p->u_color = glGetUniformLocation(p->id, "u_color");
	p->u_lut = glGetUniformLocation(p->id, "u_lut");
	p->u_lut_scale_offset = glGetUniformLocation(p->id, "u_lut_so");
	glUseProgram(p->id);
	for (i = 0; i < VGR_MAX_PLANES; i++) {
		snprintf(name, sizeof name, "u_tex%d", i);
		p->u_tex[i] = glGetUniformLocation(p->id, name);
		if (p->u_tex[i] >= 0)
			glUniform1i(p->u_tex[i], i);
	}
	if (p->u_lut >= 0)
		glUniform1i(p->u_lut, VGR_MAX_PLANES);
	return true;
}

static bool
program_rebuild(struct rb_resource *res, void *data)
{
	struct vgr_program *p = data;

	return program_compile(p->gr, p);
}

static void
program_forget(struct rb_resource *res, void *data)
{
	struct vgr_program *p = data;

	p->id = 0;
}

static const struct rb_resource_impl program_impl = {
	.rebuild = program_rebuild,
	.forget = program_forget,
	.name = "program",
};

static struct vgr_program *
program_build(struct vgr_renderer *gr, enum vgr_variant variant,
	      uint32_t flags)
{
	struct vgr_program *p;

	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->gr = gr;
	p->variant = variant;
	p->flags = flags;
	if (!program_compile(gr, p)) {
		free(p);
		return NULL;
	}
	vgr_resource_add(gr, &p->res, RB_RESOURCE_PROGRAM, &program_impl, p);
	return p;
}

struct vgr_program *
vgr_program_get(struct vgr_renderer *gr, enum vgr_variant variant,
		uint32_t flags)
{
	struct vgr_program **slot;

	if (variant <= VGR_VARIANT_NONE || variant >= VGR_VARIANT_COUNT)
		return NULL;
	slot = &gr->programs[variant][(flags & VGR_PROG_PRE_CURVE) ? 1 : 0];
	if (!*slot)
		*slot = program_build(gr, variant, flags);
	/* A rebuild that failed leaves it empty: try again now. */
	else if (!(*slot)->id && !program_compile(gr, *slot))
		return NULL;
	return *slot;
}

void
vgr_programs_destroy(struct vgr_renderer *gr)
{
	int v, f;

	for (v = 0; v < VGR_VARIANT_COUNT; v++) {
		for (f = 0; f < 2; f++) {
			struct vgr_program *p = gr->programs[v][f];

			if (!p)
				continue;
			vgr_resource_remove(&p->res);
			vgr_program_object_destroy(gr, p->id);
			free(p);
			gr->programs[v][f] = NULL;
		}
	}
}
