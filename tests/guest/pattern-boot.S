/* SPDX-License-Identifier: MIT */
/*
 * vmplane test guest: a 512-byte boot sector.
 *
 * Switches to VGA mode 13h (320x200, 256 colours), loads a known palette,
 * draws a test pattern, then waits for keys and repaints the key box with
 * a colour derived from each key's scan code. Everything the e2e tests
 * check is defined in pattern.h; keep the two in sync.
 *
 * Build: as -o x.o pattern-boot.S && ld -m elf_x86_64 -Ttext=0x7c00 \
 *        --oformat=binary -e start -o pattern.img x.o
 */
#include "pattern.h"

	.code16
	.intel_syntax noprefix
	.text
	.global start
start:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	cld
	sti

	mov ax, 0x0013			/* BIOS: set mode 13h */
	int 0x10

	/* Fixed colours 0..PAT_N_FIXED-1 from the table below. */
	mov dx, 0x3c8
	xor al, al
	out dx, al
	inc dx
	mov si, offset palette
	mov cx, PAT_N_FIXED * 3
1:	lodsb
	out dx, al
	loop 1b

	/* Key colours: entry PAT_KEY_BASE + j is (j, 63 - j, 32) in 6-bit DAC units. */
	dec dx
	mov al, PAT_KEY_BASE
	out dx, al
	inc dx
	xor bx, bx
2:	mov al, bl
	out dx, al
	mov al, 63
	sub al, bl
	out dx, al
	mov al, 32
	out dx, al
	inc bx
	cmp bx, 64
	jb 2b

	mov ax, 0xa000
	mov es, ax

	mov si, offset rects
3:	mov cx, [si + 4]		/* width 0 ends the table */
	jcxz keys
	call fill_rect
	add si, 10
	jmp 3b

keys:
	xor ah, ah			/* BIOS: wait for a key, AH = scan code */
	int 0x16
	mov al, ah
	and al, 0x3f
	add al, PAT_KEY_BASE
	mov [keybox + 8], al
	mov si, offset keybox
	call fill_rect
	jmp keys

/* Fills the rectangle described at DS:SI: x, y, w, h, colour (words). */
fill_rect:
	mov ax, [si + 2]
	mov bx, PAT_WIDTH
	mul bx
	add ax, [si]
	mov di, ax
	mov dx, [si + 6]
	mov al, [si + 8]
4:	mov cx, [si + 4]
	push di
	rep stosb
	pop di
	add di, PAT_WIDTH
	dec dx
	jnz 4b
	ret

palette:
	.byte PAT_BLACK_RGB6
	.byte PAT_RED_RGB6
	.byte PAT_GREEN_RGB6
	.byte PAT_BLUE_RGB6
	.byte PAT_WHITE_RGB6
	.byte PAT_YELLOW_RGB6

rects:
	.word 0, 0, PAT_WIDTH / 2, PAT_HEIGHT / 2, PAT_RED
	.word PAT_WIDTH / 2, 0, PAT_WIDTH / 2, PAT_HEIGHT / 2, PAT_GREEN
	.word 0, PAT_HEIGHT / 2, PAT_WIDTH / 2, PAT_HEIGHT / 2, PAT_BLUE
	.word PAT_WIDTH / 2, PAT_HEIGHT / 2, PAT_WIDTH / 2, PAT_HEIGHT / 2, PAT_WHITE
	.word PAT_MARK_X, PAT_MARK_Y, PAT_MARK_SIZE, PAT_MARK_SIZE, PAT_YELLOW
keybox:
	.word PAT_KEY_X, PAT_KEY_Y, PAT_KEY_W, PAT_KEY_H, PAT_BLACK
	.word 0, 0, 0, 0, 0

	.org 510
	.word 0xaa55
