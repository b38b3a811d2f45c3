#!/usr/bin/env bash
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
	cc -std=gnu11 -O2 -DTHIS_TEST_NAME='"renderer-bench"' "$here/renderer-bench.c" \
		-o "$work/renderer-bench" $(pkg-config --cflags --libs vmplane-weston-harness)
fi

run() {
	local map="weston-test-desktop-shell.so=$shell;"
	[ -n "$1" ] && map+="gl-renderer.so=$1;"
	WESTON_MODULE_MAP="$map" GALLIUM_DRIVER=$driver XDG_RUNTIME_DIR="$work/xdg" \
		"$work/renderer-bench" 2>&1 | sed -n 's/^renderer-bench fps: //p'
}

stock=$(run "")
mine=$(run "$ours")
echo "driver: $driver"
echo "stock gl-renderer: $stock fps"
echo "vmplane gl-renderer: $mine fps"
awk -v a="$mine" -v b="$stock" 'BEGIN { printf "ratio ours/stock: %.3f\n", a / b }'
