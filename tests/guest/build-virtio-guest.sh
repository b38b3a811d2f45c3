#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the virtio-gpu test guest (a 32-bit multiboot ELF for QEMU's -kernel)
# with the host's gcc and binutils: $1 entry (.S), $2 guest (.c), $3 output.
set -eu
entry=$1 src=$2 out=$3
cc=${CC_GUEST:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector
	-fno-asynchronous-unwind-tables -nostdlib -O2 -std=gnu11 -Wall -Wextra -Werror"
# shellcheck disable=SC2086
$cc $flags -c -o "$tmp/entry.o" "$entry"
# shellcheck disable=SC2086
$cc $flags -I "$(dirname "$src")" -c -o "$tmp/guest.o" "$src"
# The entry (with the multiboot header) first, inside the loader's 8 KiB window.
ld -m elf_i386 -nostdlib -static -N --no-warn-rwx-segments -Ttext=0x100000 -e _start -o "$tmp/guest.elf" \
	"$tmp/entry.o" "$tmp/guest.o"
mv "$tmp/guest.elf" "$out"
