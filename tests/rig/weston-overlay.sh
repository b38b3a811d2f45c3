#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs inside the rig (tests/rig/run): Weston 10's DRM backend on vkms, one
# boot for all checks. A client puts LINEAR dma-bufs from udmabuf and vgem
# on subsurfaces; they must land on overlay planes (drm-backend log scope
# and debugfs KMS state), presentation feedback must say ZERO_COPY, and vkms
# writeback must capture the client's pixels. With our renderer the client
# also checks the dma-buf feedback (v4), covers the udmabuf with a
# translucent surface (composited through the renderer's safe path) and,
# with our module, injects a GPU reset; each scene is captured by writeback.
# Then our QEMU display core (rig-qemu-ui-wayland) runs on the same Weston.
#
# Usage: weston-overlay.sh <rig-overlay-client|-> <rig-wb-capture> [gl-renderer.so|- \
#            [vmplane.so|- [rig-qemu-ui-wayland [args...]]]]
# With a renderer path, Weston loads it in place of its own gl-renderer.so;
# "-" leaves a part out.
set -u
client=$1
capture=$2
renderer=${3:-}
module=${4:-}
[ "$renderer" = - ] && renderer=
[ "$module" = - ] && module=
shift $(($# < 4 ? $# : 4))
out=${RIG_OUT:-/tmp}
# shellcheck source=tests/rig/lib.sh
. "${0%/*}/lib.sh"
rm -f "$out"/step.* "$out"/core.* "$out/weston.log"

find_vkms

extra=
if [ -n "$renderer" ]; then
	export WESTON_MODULE_MAP="gl-renderer.so=$renderer"
	echo "# renderer: $renderer"
	# Ours samples foreign dma-bufs safely: no direct display needed, but
	# the backend offers it once our renderer imports dma-bufs, as stock.
	client_args="--vgem --feedback=/dev/dri/$card --composite --direct-global"
	if [ -n "$module" ]; then
		# vmplane_debug_v1 is only offered with the debug protocol.
		extra="--debug --modules=$module"
		client_args="$client_args --reset"
	fi
else
	# Stock Weston's GL renderer crashes sampling foreign dma-bufs.
	client_args="--vgem --direct"
fi
# shellcheck disable=SC2086
start_weston "$out/weston.ini" "" -l log,drm-backend $extra
if [ -n "$renderer" ]; then
	check "weston loaded our renderer" grep -qF "Loading module '$renderer'" "$weston_log"
fi
# The shell's first frames come before the client: let them settle.
sleep 1

# planes_with <WxH> <state>: debugfs plane names scanning out a WxH framebuffer.
planes_with() {
	awk -v size="size=$1" '/^plane\[/ { name = $2 } index($0, size) { print name }' "$2"
}

# serve_checkpoints <prefix> <pid>: at each checkpoint of a client, capture
# through writeback with the client's checks, then let it go on.
serve_checkpoints() {
	prefix=$1
	pid=$2
	n=1
	while :; do
		i=0
		while [ ! -f "$prefix.$n.ready" ] && [ $i -lt 3000 ] && kill -0 "$pid" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		[ -f "$prefix.$n.ready" ] || break
		stamp "checkpoint ${prefix##*/}.$n"
		# Every plane the client expects must show in the kernel's KMS state too.
		state=$prefix.kms-state.$n.txt
		cat "/sys/kernel/debug/dri/$minor/state" >"$state" 2>&1
		for size in $(tr ' ' '\n' <"$prefix.$n.ready" | sed -n 's/^plane:\([0-9]*x[0-9]*\)=.*/\1/p'); do
			on_plane=$(planes_with "$size" "$state" | head -n 1)
			check "debugfs state: the client's $size buffer is on ${on_plane:-no plane}" \
				test -n "$on_plane"
			check "debugfs state: that plane is not the primary" test "${on_plane:-plane-0}" != plane-0
		done
		# shellcheck disable=SC2046
		wb_capture "$capture" "$prefix.$n.ppm" "$prefix.capture.$n.log" $(cat "$prefix.$n.ready")
		capture_rc=$?
		check "checkpoint ${prefix##*/}.$n: writeback capture matches ($(cat "$prefix.$n.ready"))" \
			test $capture_rc = 0
		touch "$prefix.$n.go"
		n=$((n + 1))
	done
	check "${prefix##*/}: client reached its first checkpoint" test $n -gt 1
}

if [ "$client" != - ]; then
	# shellcheck disable=SC2086
	WAYLAND_DISPLAY=rig "$client" --frames=20 --steps="$out/step" $client_args \
		>"$out/client.log" 2>&1 &
	client_pid=$!
	serve_checkpoints "$out/step" $client_pid
	wait $client_pid
	client_rc=$?
	sed 's/^/  client: /' "$out/client.log"
	check "client checks passed" test $client_rc = 0
	grep '^RIG-STATS' "$out/client.log"
	grep '^RIG-SKIP' "$out/client.log" | sed 's/^RIG-SKIP /ok # SKIP /'
	overlay_lines=$(grep -c 'on Overlay plane' "$weston_log")
	check "drm-backend scope: view on an overlay plane in $overlay_lines repaints" \
		test "$overlay_lines" -ge 10
fi

if [ $# -gt 0 ]; then
	stamp "display core: $*"
	WAYLAND_DISPLAY=rig "$@" --steps="$out/core" >"$out/core.log" 2>&1 &
	core_pid=$!
	case " $* " in
	*" --bench="*) ;;
	*) serve_checkpoints "$out/core" $core_pid ;;
	esac
	wait $core_pid
	core_rc=$?
	sed 's/^/  core: /' "$out/core.log"
	check "display core checks passed" test $core_rc = 0
fi

finish
