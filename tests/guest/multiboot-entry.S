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
	/* Multiboot leaves GDTR undefined: our own flat code and data segments. */
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	mov $0x10, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %ss
	mov %cx, %fs
	mov %cx, %gs
	mov $stack_top, %esp
	push %ebx			/* multiboot info */
	push %eax			/* loader magic */
	call guest_main
2:	cli
	hlt
	jmp 2b

/* Every interrupt: acknowledge the master PIC; only its timer is unmasked. */
	.global irq_stub
irq_stub:
	push %eax
	mov $0x20, %al
	out %al, $0x20
	pop %eax
	iret

	.section .rodata
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff		/* 0x08: code, flat 4 GiB */
	.quad 0x00cf92000000ffff		/* 0x10: data, flat 4 GiB */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	.bss
	.align 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
