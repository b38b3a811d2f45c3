/* SPDX-License-Identifier: MIT */
/* rb_egl_list_has_extension: exact tokens of a space-separated list. */
#include "vmplane/rb-egl.h"
#include "tap.h"

int
main(void)
{
	const char *list = "GL_EXT_texture_rg GL_EXT_texture GL_OES_a "
			   "GL_EXT_texture_format_BGRA8888";

	CHECK(rb_egl_list_has_extension(list, "GL_EXT_texture_rg"));
	CHECK(rb_egl_list_has_extension(list, "GL_EXT_texture"));
	CHECK(rb_egl_list_has_extension(list, "GL_OES_a"));
	CHECK(rb_egl_list_has_extension(list, "GL_EXT_texture_format_BGRA8888"));
	/* Prefixes, suffixes and middles of real tokens are not tokens. */
	CHECK(!rb_egl_list_has_extension(list, "GL_EXT"));
	CHECK(!rb_egl_list_has_extension(list, "GL_EXT_texture_format"));
	CHECK(!rb_egl_list_has_extension(list, "texture_rg"));
	CHECK(!rb_egl_list_has_extension(list, "GL_OES"));
	CHECK(!rb_egl_list_has_extension("GL_OES_ab", "GL_OES_a"));
	/* A token seen first as a prefix is still found later. */
	CHECK(rb_egl_list_has_extension("GL_OES_ab GL_OES_a", "GL_OES_a"));
	CHECK(!rb_egl_list_has_extension(NULL, "GL_OES_a"));
	CHECK(!rb_egl_list_has_extension(list, NULL));
	CHECK(!rb_egl_list_has_extension(list, ""));
	CHECK(!rb_egl_list_has_extension("", "GL_OES_a"));
	return tap_finish();
}
