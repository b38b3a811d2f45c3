#!/bin/sh
# SPDX-License-Identifier: MIT
# Assembles the test guest's boot sector into a raw 512-byte image.
# $1: source (.S), $2: output image. Needs only binutils and cpp.
set -eu
src=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpp -P -I "$(dirname "$src")" "$src" >"$tmp/boot.s"
as --64 -o "$tmp/boot.o" "$tmp/boot.s"
ld -m elf_x86_64 -Ttext=0x7c00 --oformat=binary -e start -o "$tmp/boot.img" "$tmp/boot.o"
size=$(wc -c <"$tmp/boot.img")
if [ "$size" -ne 512 ]; then
	echo "boot sector is $size bytes, must be 512" >&2
	exit 1
fi
mv "$tmp/boot.img" "$out"
