#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs w14-scene-client against a real Weston 14 (headless, GL, kiosk
# shell) with the vmplane gl-renderer.so and vmplane.so, then checks
# vmplane-debug's counters agree.
# Usage: run-scene.sh WESTON GL_RENDERER_SO VMPLANE_SO VMPLANE_DEBUG CLIENT [ARGS...]
# With VMP_WRAPPER (and VMP_BINDIR, VMP_LIBDIR: the configured install
# folders) Weston is started through weston-vmplane from a staged tree.
# With VMP_NESTED=1 it runs on the wayland backend (an EGL window surface
# instead of renderbuffers) inside a headless pixman Weston.
set -u
weston=$1 renderer=$2 module=$3 tool=$4 client=$5
shift 5
# Plain words (a reset count): kept unquoted below.
client_args=$*

dir=$(mktemp -d "${TMPDIR:-/tmp}/w14-scene.XXXXXX")
: "${XDG_RUNTIME_DIR:=$dir}"
export XDG_RUNTIME_DIR
socket="w14-scene-$$"
outer=
trap 'kill $pid $outer 2>/dev/null; wait $pid $outer 2>/dev/null; rm -rf "$dir"' EXIT

wait_socket() {
	i=0
	while [ ! -S "$XDG_RUNTIME_DIR/$1" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$2" 2>/dev/null; then
			echo "FAIL: weston did not start"
			cat "$3"
			exit 1
		fi
		sleep 0.1
	done
}

# The client expects this background (0x30, 0x60, 0xc0) and output size.
cat > "$dir/weston.ini" <<INI
[shell]
background-color=0xff3060c0
INI

export GALLIUM_DRIVER=${GALLIUM_DRIVER:-llvmpipe}
backend="--backend=headless --width=320 --height=240"
if [ "${VMP_NESTED:-}" = 1 ]; then
	"$weston" --backend=headless --renderer=pixman --width=320 \
		--height=240 --socket="$socket-outer" \
		--log="$dir/outer.log" 2>/dev/null &
	outer=$!
	wait_socket "$socket-outer" "$outer" "$dir/outer.log"
	export WAYLAND_DISPLAY="$socket-outer"
	backend="--backend=wayland --fullscreen"
fi
backend_so=$(echo "$backend" | sed 's/^--backend=\([a-z]*\).*/\1-backend.so/')
# shellcheck disable=SC2086
set -- $backend --renderer=gl --shell=kiosk --socket="$socket" \
	--config="$dir/weston.ini" --debug --log="$dir/weston.log"
if [ -n "${VMP_WRAPPER:-}" ]; then
	stage=$dir/stage
	mkdir -p "$stage$VMP_BINDIR" "$stage$VMP_LIBDIR"
	cp "$VMP_WRAPPER" "$stage$VMP_BINDIR/weston-vmplane"
	# Installed with mode 755; configured in the build tree without it.
	chmod +x "$stage$VMP_BINDIR/weston-vmplane"
	cp "$renderer" "$module" "$stage$VMP_LIBDIR/"
	WESTON=$weston "$stage$VMP_BINDIR/weston-vmplane" "$@" &
else
	WESTON_MODULE_MAP="gl-renderer.so=$renderer;vmplane.so=$module" \
		"$weston" --modules=vmplane.so "$@" &
fi
pid=$!

wait_socket "$socket" "$pid" "$dir/weston.log"

# shellcheck disable=SC2086
WAYLAND_DISPLAY=$socket "$client" $client_args
rc=$?
if [ $rc -eq 0 ]; then
	WAYLAND_DISPLAY=$socket "$tool" counters > "$dir/counters" 2>&1
	echo "vmplane-debug counters:"; cat "$dir/counters"
	if ! awk '$1 == "resets" { r = $2 } $1 == "recoveries" { v = $2 }
		  $1 == "safe_mode" { s = $2 } $1 == "frames_undrawn" { u = $2 }
		  END { exit !(r > 0 && r == v && s == 0 && u == 0) }' "$dir/counters"; then
		echo "FAIL: vmplane-debug counters disagree"
		rc=1
	fi
fi
# Our renderer on the intended backend, or the run proves nothing.
if [ $rc -ne 0 ] || ! grep -q "vgr: vmplane GL renderer ready on libweston 14" "$dir/weston.log" ||
   ! grep -q "Loading module '.*/$backend_so'" "$dir/weston.log"; then
	echo "--- weston log"
	cat "$dir/weston.log"
	[ $rc -ne 0 ] || rc=1
fi
exit $rc
