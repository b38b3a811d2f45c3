#!/bin/sh
# Runs inside the rig (tests/rig/run): Weston 10's DRM backend on vkms, one
# boot for all checks. A client puts a LINEAR udmabuf on a subsurface; it
# must land on an overlay plane (drm-backend log scope and debugfs KMS
# state), presentation feedback must say ZERO_COPY, and vkms writeback must
# capture the client's pixels.
#
# Usage: weston-overlay.sh <rig-overlay-client> <rig-wb-capture> [gl-renderer.so]
# With a renderer path, Weston loads it in place of its own gl-renderer.so.
set -u
client=$1
capture=$2
renderer=${3:-}
out=${RIG_OUT:-/tmp}
failures=0

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

if [ -n "$renderer" ]; then
	export WESTON_MODULE_MAP="gl-renderer.so=$renderer"
	echo "# renderer: $renderer"
fi
stamp "starting weston"
weston --backend=drm-backend.so --drm-device="$card" --tty=2 --continue-without-input \
	-c "$ini" --socket=rig --log="$out/weston.log" -l log,drm-backend &
weston_pid=$!
i=0
while [ ! -S "$XDG_RUNTIME_DIR/rig" ] && [ $i -lt 600 ] && kill -0 $weston_pid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
check "weston is up on vkms" test -S "$XDG_RUNTIME_DIR/rig"
if [ ! -S "$XDG_RUNTIME_DIR/rig" ]; then
	tail -n 30 "$out/weston.log"
	exit 1
fi
stamp "weston up"
if [ -n "$renderer" ]; then
	check "weston loaded our renderer" grep -qF "Loading module '$renderer'" "$out/weston.log"
fi
# The shell's first frames come before the client: let them settle.
sleep 1

WAYLAND_DISPLAY=rig "$client" --frames=20 --hold=15 --direct --ready="$out/client-ready" \
	>"$out/client.log" 2>&1 &
client_pid=$!
i=0
while [ ! -f "$out/client-ready" ] && [ $i -lt 2400 ] && kill -0 $client_pid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
stamp "client holding its last frame"
check "client reached its last frame" test -f "$out/client-ready"

state=$out/kms-state.txt
cat "/sys/kernel/debug/dri/$minor/state" >"$state" 2>&1
# The plane block that carries the client's 256x256 buffer.
on_plane=$(awk '/^plane\[/ { name = $2 } /size=256x256/ { print name }' "$state" | head -n 1)
check "debugfs state: the client's 256x256 buffer is on ${on_plane:-no plane}" \
	test -n "$on_plane"
check "debugfs state: that plane is not the primary" test "${on_plane:-plane-0}" != plane-0

if [ -f "$out/client-ready" ]; then
	read -r _ _ size _ colour <"$out/client-ready"
	stamp "writeback capture"
	timeout 60 "$capture" $weston_pid "$size" "$colour" "$out/writeback.ppm" >"$out/capture.log" 2>&1
	capture_rc=$?
	kill -CONT $weston_pid 2>/dev/null
	sed 's/^/  capture: /' "$out/capture.log"
	check "writeback capture matches the client's frame" test $capture_rc = 0
fi

wait $client_pid
client_rc=$?
sed 's/^/  client: /' "$out/client.log"
check "client checks passed" test $client_rc = 0
grep '^RIG-STATS' "$out/client.log"

overlay_lines=$(grep -c 'on Overlay plane' "$out/weston.log")
check "drm-backend scope: view on an overlay plane in $overlay_lines repaints" \
	test "$overlay_lines" -ge 10
check "weston still running" kill -0 $weston_pid

kill $weston_pid 2>/dev/null
wait $weston_pid 2>/dev/null
dmesg >"$out/dmesg.txt"
check "no segfault or oops in the kernel log" \
	sh -c "! grep -q 'segfault\\|Oops' '$out/dmesg.txt'"
grep -q 'soft lockup' "$out/dmesg.txt" && echo "# warning: soft lockups in the guest (host overloaded?)"
stamp "done, $failures failures"
[ $failures = 0 ]
