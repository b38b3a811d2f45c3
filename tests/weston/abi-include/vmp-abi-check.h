/* SPDX-License-Identifier: MIT */
/* The ABI layout checks' assertions: a struct of abi/weston*.h, included
 * with VMP_ABI_TAG(name) vmp_abi_##name, against the real one. */
#ifndef VMPLANE_TESTS_VMP_ABI_CHECK_H
#define VMPLANE_TESTS_VMP_ABI_CHECK_H

#include <assert.h>
#include <stddef.h>

#define MEMBER_SIZE(type, f) sizeof(((type *)0)->f)

#define SAME_FIELD(T, f)							\
	static_assert(offsetof(struct T, f) ==				\
		      offsetof(struct vmp_abi_##T, f),			\
		      "offset of " #T "." #f);				\
	static_assert(MEMBER_SIZE(struct T, f) ==			\
		      MEMBER_SIZE(struct vmp_abi_##T, f),		\
		      "size of " #T "." #f)

#define SAME_SIZE(T)							\
	static_assert(sizeof(struct T) == sizeof(struct vmp_abi_##T),	\
		      "size of " #T);					\
	static_assert(_Alignof(struct T) == _Alignof(struct vmp_abi_##T), \
		      "alignment of " #T)

#endif
