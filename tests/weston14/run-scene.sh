#!/bin/sh
# Runs w14-scene-client against a real Weston 14 (headless, GL, kiosk
# shell) with the vmplane gl-renderer.so and vmplane.so.
# Usage: run-scene.sh WESTON GL_RENDERER_SO VMPLANE_SO CLIENT [ARGS...]
set -u
weston=$1 renderer=$2 module=$3 client=$4
shift 4

dir=$(mktemp -d "${TMPDIR:-/tmp}/w14-scene.XXXXXX")
: "${XDG_RUNTIME_DIR:=$dir}"
export XDG_RUNTIME_DIR
socket="w14-scene-$$"
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

# The client expects this background (0x30, 0x60, 0xc0) and output size.
cat > "$dir/weston.ini" <<INI
[shell]
background-color=0xff3060c0
INI

GALLIUM_DRIVER=${GALLIUM_DRIVER:-llvmpipe} \
WESTON_MODULE_MAP="gl-renderer.so=$renderer;vmplane.so=$module" \
	"$weston" --backend=headless --renderer=gl --shell=kiosk \
	--width=320 --height=240 --socket="$socket" --config="$dir/weston.ini" \
	--modules=vmplane.so --debug --log="$dir/weston.log" &
pid=$!

i=0
while [ ! -S "$XDG_RUNTIME_DIR/$socket" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "FAIL: weston did not start"
		cat "$dir/weston.log"
		exit 1
	fi
	sleep 0.1
done

WAYLAND_DISPLAY=$socket "$client" "$@"
rc=$?
if [ $rc -ne 0 ] || ! grep -q "vgr: vmplane GL renderer ready on libweston 14" "$dir/weston.log"; then
	echo "--- weston log"
	cat "$dir/weston.log"
	[ $rc -ne 0 ] || rc=1
fi
exit $rc
