#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Same scene, same run: stock Weston's gl-renderer.so, then ours.
#   bench/renderer-bench.sh <our gl-renderer.so> [gallium driver]
# Needs the harness (scripts/build-weston-harness on PKG_CONFIG_PATH).
set -euo pipefail
ours=$(realpath "$1")
driver=${2:-llvmpipe}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 0700 "$work/xdg"

shell=${HARNESS_SHELL:-$(pkg-config --variable=test_shell vmplane-weston-harness)}
# meson passes the client it built; by hand, build one here.
if [ -n "${BENCH_EXE:-}" ]; then
	cp "$BENCH_EXE" "$work/renderer-bench"
else
	cc -std=gnu11 -O2 -DTHIS_TEST_NAME='"renderer-bench"' "$here/device-renderer-bench.c" \
		-o "$work/renderer-bench" $(pkg-config --cflags --libs vmplane-weston-harness)
fi

# One client for here and the GPU machine (bench/device-renderer-bench.c);
# it prints "device-bench: fps=F compositor_ms=C ...".
run() {
	local map="weston-test-desktop-shell.so=$shell;"
	[ -n "$1" ] && map+="gl-renderer.so=$1;"
	WESTON_MODULE_MAP="$map" GALLIUM_DRIVER=$driver XDG_RUNTIME_DIR="$work/xdg" \
		DEVBENCH_FRAMES=${DEVBENCH_FRAMES:-150} \
		"$work/renderer-bench" 2>&1 | sed -n 's/^device-bench: //p'
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

stock=$(run "")
mine=$(run "$ours")
echo "driver: $driver"
echo "stock gl-renderer: $(field fps "$stock") fps, $(field compositor_ms "$stock") ms compositor CPU per frame"
echo "vmplane gl-renderer: $(field fps "$mine") fps, $(field compositor_ms "$mine") ms compositor CPU per frame"
awk -v a="$(field fps "$mine")" -v b="$(field fps "$stock")" \
	'BEGIN { printf "ratio ours/stock fps: %.3f\n", a / b }'
awk -v a="$(field compositor_ms "$mine")" -v b="$(field compositor_ms "$stock")" \
	'BEGIN { printf "ratio ours/stock compositor CPU per frame: %.3f\n", a / b }'
