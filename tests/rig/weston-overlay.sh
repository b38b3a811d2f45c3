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
failures=0
rm -f "$out"/step.* "$out"/core.* "$out/weston.log"

check() {
	# check <description> <command...>
	desc=$1
	shift
	if "$@"; then
		echo "ok $desc"
	else
		echo "not ok $desc"
		failures=$((failures + 1))
	fi
}
stamp() { echo "# T+$(cut -d' ' -f1 /proc/uptime) $*"; }

card=
for c in /sys/class/drm/card[0-9]*; do
	n=${c##*/card}
	grep -q '^vkms ' "/sys/kernel/debug/dri/$n/name" 2>/dev/null && card=card$n
done
check "vkms card present ($card)" test -n "$card"
[ -n "$card" ] || exit 1
minor=${card#card}

export XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
ini=$out/weston.ini
cat >"$ini" <<EOF
[core]
idle-time=0
require-input=false

[shell]
panel-position=none
startup-animation=none
animation=none
close-animation=none
background-color=0xff204080
EOF

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
stamp "starting weston"
# Weston's log lives in the rig's tmpfs and is streamed to $out: written to
# the 9p share, each of its lines (the drm-backend scope prints about 135 a
# repaint) was a round trip through TCG that held the repaint up, and 27
# of 30 guest flushes in rig-qemu-blob were let go by the watchdog rather
# than by the display (10 of 30 without the scope, on a busier host).
log=/run/rig-weston.log
: >"$log"
# Polled once a second, so the share sees a few large writes.
tail -n +1 -f -s 1 ---disable-inotify "$log" >"$out/weston.log" &
log_copier=$!
# shellcheck disable=SC2086
weston --backend=drm-backend.so --drm-device="$card" --tty=2 --continue-without-input \
	-c "$ini" --socket=rig --log="$log" -l log,drm-backend $extra &
weston_pid=$!
i=0
while [ ! -S "$XDG_RUNTIME_DIR/rig" ] && [ $i -lt 600 ] && kill -0 $weston_pid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
check "weston is up on vkms" test -S "$XDG_RUNTIME_DIR/rig"
if [ ! -S "$XDG_RUNTIME_DIR/rig" ]; then
	tail -n 30 "$log"
	kill $log_copier
	cp "$log" "$out/weston.log"
	exit 1
fi
stamp "weston up"
if [ -n "$renderer" ]; then
	check "weston loaded our renderer" grep -qF "Loading module '$renderer'" "$log"
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
		"$capture" $weston_pid "$prefix.$n.ppm" $(cat "$prefix.$n.ready") \
			>"$prefix.capture.$n.log" 2>&1 &
		capture_pid=$!
		# Not timeout(1): a capture stuck in a DRM ioctl cannot be reaped.
		i=0
		while kill -0 $capture_pid 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 $capture_pid 2>/dev/null; then
			echo "# capture stuck after 60 s; kernel stack:"
			sed 's/^/#   /' "/proc/$capture_pid/stack" 2>/dev/null
			dmesg | tail -n 20 | sed 's/^/#   dmesg: /'
			kill -KILL $capture_pid 2>/dev/null
			capture_rc=124
		else
			wait $capture_pid
			capture_rc=$?
		fi
		kill -CONT $weston_pid 2>/dev/null
		sed 's/^/  capture: /' "$prefix.capture.$n.log"
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
	overlay_lines=$(grep -c 'on Overlay plane' "$log")
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

check "weston still running" kill -0 $weston_pid

kill $weston_pid 2>/dev/null
wait $weston_pid 2>/dev/null
kill $log_copier
cp "$log" "$out/weston.log"
dmesg >"$out/dmesg.txt"
check "no segfault or oops in the kernel log" \
	sh -c "! grep -q 'segfault\\|Oops' '$out/dmesg.txt'"
grep -q 'soft lockup' "$out/dmesg.txt" && echo "# warning: soft lockups in the guest (host overloaded?)"
stamp "done, $failures failures"
[ $failures = 0 ]
