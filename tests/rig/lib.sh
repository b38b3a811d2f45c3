# SPDX-License-Identifier: MIT
# Shared by the rig's Weston scripts (sourced, runs inside the rig): TAP
# checks, Weston 10's DRM backend started on vkms, writeback captures and
# the end-of-run checks. The caller sets $out first; $failures counts.
# shellcheck shell=sh

failures=0

# check <description> <command...>
check() {
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

# wait_for <tenths of a second> <command...>: polls until the command holds.
wait_for() {
	limit=$1
	shift
	i=0
	while ! "$@" && [ $i -lt "$limit" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}

# find_vkms: sets card (cardN) and minor (N) for vkms, or exits.
find_vkms() {
	card=
	for c in /sys/class/drm/card[0-9]*; do
		n=${c##*/card}
		grep -q '^vkms ' "/sys/kernel/debug/dri/$n/name" 2>/dev/null && card=card$n
	done
	check "vkms card present ($card)" test -n "$card"
	[ -n "$card" ] || exit 1
	minor=${card#card}
}

# start_weston <ini> <environment> <weston option...>: Weston on $card
# (find_vkms) with a quiet desktop shell and socket "rig"; <environment>
# (NAME=value words, may be empty) reaches Weston alone. Sets weston_pid
# once the socket is there; exits when it never comes. Weston logs to
# $weston_log in the rig's tmpfs, streamed to $out/weston.log: written to
# the 9p share, each line (the drm-backend scope prints about 135 a
# repaint) was a round trip through TCG that held the repaint up, and 27
# of 30 guest flushes in rig-qemu-blob were let go by the watchdog rather
# than by the display.
start_weston() {
	ini=$1
	weston_env=$2
	shift 2
	export XDG_RUNTIME_DIR=/run/user/0
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
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
	weston_log=/run/rig-weston.log
	: >"$weston_log"
	# Polled once a second, so the share sees a few large writes.
	tail -n +1 -f -s 1 ---disable-inotify "$weston_log" >"$out/weston.log" 3>&- &
	log_copier=$!
	stamp "starting weston"
	# shellcheck disable=SC2086
	env $weston_env weston --backend=drm-backend.so --drm-device="$card" --tty=2 \
		--continue-without-input -c "$ini" --socket=rig --log="$weston_log" "$@" 3>&- &
	weston_pid=$!
	i=0
	while [ ! -S "$XDG_RUNTIME_DIR/rig" ] && [ $i -lt 600 ] && kill -0 $weston_pid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	check "weston is up on vkms" test -S "$XDG_RUNTIME_DIR/rig"
	if [ ! -S "$XDG_RUNTIME_DIR/rig" ]; then
		tail -n 30 "$weston_log"
		stop_log_copier
		exit 1
	fi
	stamp "weston up"
}

# wb_capture <capture program> <ppm> <log> <check...>: one writeback capture
# of Weston's current frame; its status, 124 when it got stuck.
wb_capture() {
	program=$1
	ppm=$2
	log=$3
	shift 3
	"$program" $weston_pid "$ppm" "$@" >"$log" 2>&1 &
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
	# The capture stops Weston while it runs; a killed one cannot resume it.
	kill -CONT $weston_pid 2>/dev/null
	sed 's/^/  capture: /' "$log"
	return $capture_rc
}

# stop_log_copier: the whole of Weston's log in $out/weston.log.
stop_log_copier() {
	kill $log_copier 2>/dev/null
	wait $log_copier 2>/dev/null
	cp "$weston_log" "$out/weston.log"
}

# finish: Weston still there, then stopped; the kernel log clean; the
# script's status.
finish() {
	check "weston still running" kill -0 $weston_pid
	kill $weston_pid 2>/dev/null
	wait $weston_pid 2>/dev/null
	stop_log_copier
	dmesg >"$out/dmesg.txt"
	check "no segfault or oops in the kernel log" \
		sh -c "! grep -q 'segfault\\|Oops' '$out/dmesg.txt'"
	grep -q 'soft lockup' "$out/dmesg.txt" &&
		echo "# warning: soft lockups in the guest (host overloaded?)"
	stamp "done, $failures failures"
	[ $failures = 0 ]
}
