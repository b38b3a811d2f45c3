/* SPDX-License-Identifier: MIT */
/*
 * Multiboot (v1) header and entry of virtio-gpu-guest.c: QEMU's -kernel
 * loads the 32-bit ELF and jumps here in flat protected mode.
 */
	.section .text.entry, "ax"
	.align 4
	.long 0x1badb002		/* magic */
	.long 0x00000003		/* page-aligned modules, memory info */
	.long -(0x1badb002 + 0x00000003)

	.global _start
_start:
	mov $stack_top, %esp
	push %ebx			/* multiboot info */
	push %eax			/* loader magic */
	call guest_main
1:	cli
	hlt
	jmp 1b

	.bss
	.align 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
