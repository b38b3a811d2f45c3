#!/bin/bash
# SPDX-License-Identifier: MIT
# vmplane-qemu-ui-wayland.pc, uninstalled and installed, describes the display core
# completely: a program taking the address of every function of its public
# headers links with only `pkg-config --cflags --libs` (no --static, as
# QEMU's meson asks).
# usage: pkg-config-test.sh SOURCE-ROOT BUILD-DIR CC LIBDIR
set -u
src=$1 build=$2 cc=$3 libdir=$4
work=$(mktemp -d /tmp/vmplane-pkg-config.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Every function the public headers declare: "name(" after a return type.
funcs=$(sed -n 's/^[a-z].*[ *]\(vmpd_[a-z0-9_]*\)(.*/\1/p' "$src"/qemu_ui_wayland/include/vmplane/*.h | sort -u)
[ "$(wc -w <<<"$funcs")" -ge 10 ] || fail "found only these functions in the headers: $funcs"
{
	for h in "$src"/qemu_ui_wayland/include/vmplane/*.h; do
		echo "#include <vmplane/${h##*/}>"
	done
	echo 'int main(void) { static void *volatile keep[] = {'
	for f in $funcs; do echo "	(void *)$f,"; done
	echo '}; return keep[0] == 0; }'
} >"$work/probe.c"

# $1: a name for the case; the environment says where the .pc is.
link() {
	local flags
	flags=$(pkg-config --cflags --libs vmplane-qemu-ui-wayland) || fail "$1: pkg-config cannot resolve vmplane-qemu-ui-wayland"
	echo "$1: $flags"
	# shellcheck disable=SC2086
	$cc "$work/probe.c" -o "$work/probe" $flags 2>"$work/cc.log" ||
		{ cat "$work/cc.log"; fail "$1: the probe does not link with the .pc's flags"; }
}

PKG_CONFIG_PATH=$build/meson-uninstalled link uninstalled
[ -f "$build/meson-uninstalled/vmplane-qemu-ui-wayland-uninstalled.pc" ] || fail "no uninstalled .pc"

meson install -C "$build" --destdir "$work/dest" --no-rebuild --quiet --tags devel >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install --tags devel failed"; }
PKG_CONFIG_PATH=$work/dest$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$work/dest \
	PKG_CONFIG_DISABLE_UNINSTALLED=1 link installed
echo "$(wc -w <<<"$funcs") functions link both ways"
