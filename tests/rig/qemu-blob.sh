#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs inside the rig as weston-overlay.sh's display-core program: the
# patched QEMU (-display wayland, our core) with -device virtio-gpu-pci,
# blob=true on a memfd memory backend, booting our own virtio-gpu guest
# (tests/guest/virtio-gpu-guest.c), which flips two blobs and draws
# tests/guest/blob-pattern.h's frame counter into them.
#
# Test (default): at each checkpoint frame the guest waits; the checkpoint
# asks weston-overlay.sh for a writeback capture whose pixels must be that
# very frame, on an overlay plane (rig-wb-capture blob:N). At the end,
# QEMU's display counters (VMPLANE_STATS) must show every presented frame
# zero-copy, no copy at all, and a guest never more than one frame ahead of
# the display (flushes <= presented + watchdog releases + 1), held by the
# display rather than the watchdog for at least 2/3 of its flushes.
#
# Usage: qemu-blob.sh <build-qemu> <guest.elf> [--frames=N] [--check=a,b,...] [--mode=blob|2d|fallback]
#            [--measure] [--qemu=<binary>] [--root=<dir>] --steps=<prefix>
# --measure skips the checks and prints one "MEASURE key=value ..." line
# (bench/qemu-blob-bench.sh). fallback = blob with VMPLANE_QEMU_NO_DMABUF.
# --root runs QEMU in that Debian root (the Debian 13 one for QEMU 10.0,
# given by tests/rig/run-with-qemu) through tests/rig/in-root, with the
# root's libraries and firmware, on the rig's Weston 10.
set -u
build_qemu=$1
guest=$2
shift 2
frames=30
checks=10,20,29
mode=blob
measure=0
steps=
qemu=
root=
for a in "$@"; do
	case $a in
	--frames=*) frames=${a#*=} ;;
	--check=*) checks=${a#*=} ;;
	--mode=*) mode=${a#*=} ;;
	--measure) measure=1 ;;
	--qemu=*) qemu=${a#*=} ;;
	--root=*) root=${a#*=} ;;
	--steps=*) steps=${a#*=} ;;
	*) echo "qemu-blob: unknown argument '$a'" >&2; exit 2 ;;
	esac
done
[ "$measure" = 1 ] && checks=
out=${RIG_OUT:-/tmp}
# shellcheck source=tests/rig/lib.sh
. "${0%/*}/lib.sh"

# Hashing the sources over 9p takes a while: the benchmark asks once.
# $VMPLANE_QEMU (passed in with RIG_PASS_ENV) overrides, as in the e2e tests.
[ -n "$qemu" ] || qemu=${VMPLANE_QEMU:-}
[ -n "$qemu" ] || qemu=$("$build_qemu" --check 2>/dev/null)
if [ -z "$qemu" ] || [ ! -x "$qemu" ]; then
	echo "not ok the patched QEMU is built: run scripts/build-qemu"
	exit 1
fi
# In a root, QEMU sees only what is shared: the output folder (serial
# pipes), the guest and its own build (whose firmware links point at the
# root's /usr/share).
in_root=()
if [ -n "$root" ]; then
	in_root=("$(dirname "$0")/in-root" "$root" "$out" "$guest" "${qemu%/bin/*}" --)
fi
echo "# qemu: $qemu${root:+ in $root}: $("${in_root[@]}" "$qemu" --version | head -n 1)"

device=virtio-gpu-pci,blob=true
# The guest is held until its frame is on screen; TCG repaints can take
# longer than the default 100 ms watchdog: allow 900 ms (QEMU itself
# warns after a block of one second).
envs=(VMPLANE_STATS=1 VMPLANE_QEMU_WATCHDOG_MS=900)
case $mode in
blob) ;;
2d) device=virtio-gpu-pci ;;
fallback) envs+=(VMPLANE_QEMU_NO_DMABUF=1) ;;
*) echo "qemu-blob: unknown mode '$mode'" >&2; exit 2 ;;
esac
guest_mode=blob
[ "$mode" = 2d ] && guest_mode=2d

tag=$out/qemu-$mode
rm -f "$tag".*
mkfifo "$tag.serial.in" "$tag.serial.out"
# Read-write opens never block, whether or not QEMU ever opens its ends.
exec 3<>"$tag.serial.out" 4<>"$tag.serial.in"

# Under TCG the shell's first frames take a while; a window mapped while
# they are still being drawn waited long for its first configure (seen
# once). Start once Weston's log has been quiet for 3 s (at most 60 s).
last=-1 quiet=0
for _ in $(seq 120); do
	size=$(stat -c %s "$out/weston.log" 2>/dev/null || echo 0)
	if [ "$size" = "$last" ]; then
		quiet=$((quiet + 1))
		[ $quiet -ge 6 ] && break
	else
		quiet=0
		last=$size
	fi
	sleep 0.5
done
stamp "qemu $mode: $frames frames, checkpoints ${checks:-none}"
"${in_root[@]}" env "${envs[@]}" "$qemu" -nodefaults -no-user-config -accel tcg \
	-machine q35,memory-backend=mem -m 64M \
	-object memory-backend-memfd,id=mem,size=64M,share=on \
	-L /usr/share/seabios -L /usr/share/qemu \
	-kernel "$guest" -append "mode=$guest_mode frames=$frames check=$checks hold=start" \
	-device "$device" -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-display wayland -serial "pipe:$tag.serial" -monitor none \
	>"$tag.stdout" 2>"$tag.stderr" &
qemu_pid=$!

# cpu_ticks <pid> [tid]: utime + stime of a process or one of its threads.
cpu_ticks() {
	f=/proc/$1/stat
	[ -n "${2:-}" ] && f=/proc/$1/task/$2/stat
	sed 's/^.*) //' "$f" 2>/dev/null | awk '{ print $12 + $13 }'
}
# QEMU's main thread runs the device model's command queue and the display.
qemu_main() { cpu_ticks $qemu_pid $qemu_pid; }
weston_pid=$(pgrep -x weston | head -n 1)
weston_cpu() { cpu_ticks "$weston_pid"; }

started=0 done=0 guest_failed=0 n_frames=0 checkpoint=0
lat_ticks=()
deadline=$((SECONDS + 600))
partial=
while :; do
	if ! IFS= read -r -t 5 -u 3 line; then
		# A slow guest can take longer than that for one line: keep its start.
		partial+=$line
		kill -0 $qemu_pid 2>/dev/null || break
		if [ $SECONDS -ge $deadline ]; then
			echo "# the guest did not finish within 600 s"
			break
		fi
		continue
	fi
	line=$partial${line%$'\r'}
	partial=
	echo "$line" >>"$tag.guest.log"
	case $line in
	START*)
		stamp "guest: $line"
		started=1
		# Weston's first composites of QEMU's new window (llvmpipe
		# compiling its shaders under TCG) took up to 18 s and overlapped
		# the guest's first 8 flushes, each let go by the watchdog: the
		# guest waits at START until Weston has been idle for a second.
		idle=0 w_last=$(weston_cpu) idle_from=$SECONDS
		for _ in $(seq 180); do
			sleep 0.5
			w_now=$(weston_cpu)
			if [ $((w_now - w_last)) -le 2 ]; then
				idle=$((idle + 1))
				[ $idle -ge 2 ] && break
			else
				idle=0
			fi
			w_last=$w_now
		done
		stamp "weston idle (after $((SECONDS - idle_from)) s); the guest starts flipping"
		printf s >&4
		t_start=$(date +%s%N)
		q0=$(qemu_main) w0=$(weston_cpu)
		;;
	FRAME*)
		read -r _ n t0 t1 <<<"$line"
		[ "$n" = "$n_frames" ] || echo "# guest frame $n out of order (want $n_frames)"
		n_frames=$((n_frames + 1))
		[ -z "${tsc0:-}" ] && tsc0=$t0
		lat_ticks+=($((t1 - t0)))
		;;
	CHECK*)
		n=${line#CHECK }
		checkpoint=$((checkpoint + 1))
		stamp "guest holds at frame $n (checkpoint $checkpoint)"
		# The flush returned; let the compositor finish that repaint.
		sleep 2
		echo "blob:$n" >"$steps.$checkpoint.ready"
		i=0
		while [ ! -f "$steps.$checkpoint.go" ] && [ $i -lt 1200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		printf c >&4
		;;
	DONE*)
		read -r _ _ tsc1 <<<"$line"
		t_end=$(date +%s%N)
		q1=$(qemu_main) w1=$(weston_cpu)
		done=1
		printf d >&4
		break
		;;
	FAIL*)
		echo "# guest: $line"
		guest_failed=1
		break
		;;
	esac
done
# isa-debug-exit: the guest's 0 becomes QEMU's status 1.
i=0
while kill -0 $qemu_pid 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $qemu_pid 2>/dev/null && kill -TERM $qemu_pid
wait $qemu_pid
qemu_rc=$?
sed 's/^/# qemu: /' "$tag.stderr"
stats=$(grep -m1 '^wayland stats: console 0:' "$tag.stderr")
# The counters when the guest's first dma-buf came: QEMU's own boot screen
# went through the 2D path before it, and only what follows is the guest's.
before=$(grep -m1 '^wayland stats: console 0, first dma-buf scanout:' "$tag.stderr")
# num <key> [line]: the number before <key> in a counters line (0 if none).
num() {
	v=$(sed -n "s/.* \([0-9][0-9]*\) $1.*/\1/p" <<<"${2-$stats}")
	echo "${v:-0}"
}
since() { echo $(($(num "$1") - $(num "$1" "$before"))); }
submitted=$(since 'frames submitted')
presented=$(since presented)
zero_copy=$(since 'on a plane')
copies=$(since 'copies (')
watchdog=$(since 'watchdog releases')
imports=$(num 'dma-buf imports')

if [ "$measure" = 1 ]; then
	[ "$done" = 1 ] || { echo "MEASURE-FAILED mode=$mode rc=$qemu_rc"; exit 1; }
	hz=$(getconf CLK_TCK)
	# The guest's TSC, calibrated against the wall clock over the whole run.
	sorted=$(printf '%s\n' "${lat_ticks[@]}" | sort -n)
	med=$(sed -n "$(((n_frames + 1) / 2))p" <<<"$sorted")
	echo "MEASURE mode=$mode frames=$n_frames wall_ns=$((t_end - t_start))" \
		"tsc=$((tsc1 - tsc0)) lat_med_ticks=$med qemu_ticks=$((q1 - q0))" \
		"weston_ticks=$((w1 - w0)) hz=$hz submitted=$submitted" \
		"presented=$presented zero_copy=$zero_copy copies=$copies" \
		"watchdog=$watchdog"
	exit 0
fi

check "the guest started (virtio-gpu found, blob feature offered)" test "$started" = 1
check "the guest never failed a virtio-gpu command" test "$guest_failed" = 0
check "the guest flushed $frames frames and finished ($n_frames)" \
	test "$done" = 1 -a "$n_frames" = "$frames"
check "QEMU ended through the guest's isa-debug-exit (status $qemu_rc)" test "$qemu_rc" = 1
check "QEMU printed its display counters, at exit and at the first dma-buf" \
	test -n "$stats" -a -n "$before"
echo "# $before"
echo "# $stats"
echo "# since the first dma-buf: $submitted submitted, $presented presented," \
	"$zero_copy zero-copy, $copies copies, $watchdog watchdog releases"
check "every guest frame reached the compositor ($submitted submitted, $watchdog watchdog)" \
	test "$submitted" -ge $((n_frames - watchdog))
check "frames were presented ($presented)" test "$presented" -gt 0
# Boot-screen frames still in flight at the switch are presented after it.
boot_in_flight=$(($(num 'frames submitted' "$before") - $(num presented "$before")))
check "every presented guest frame was on a plane ($zero_copy zero-copy of $presented, $boot_in_flight boot-screen frames in flight at the switch)" \
	test "$((presented - zero_copy))" -le "$boot_in_flight" -a "$zero_copy" -gt 0
check "no copy in QEMU's display ($copies)" test "$copies" = 0
check "the two blobs were imported once each and then reused ($imports imports)" \
	test "$imports" -ge 1 -a "$imports" -le 2
# Each flush's reply is held until the frame is on screen, or the watchdog.
ahead=$((n_frames - presented - watchdog))
check "the guest was never more than one frame ahead ($n_frames flushes, $presented presented, $watchdog watchdog releases: $ahead ahead)" \
	test "$ahead" -le 1
# Each flush's hold, from the guest's TSC (its rate from the wall time).
if [ "$done" = 1 ]; then
	holds=$(printf '%s\n' "${lat_ticks[@]}" |
		awk -v tsc=$((tsc1 - tsc0)) -v ns=$((t_end - t_start)) '{ printf "%.0f\n", $1 * ns / tsc / 1e6 }' |
		sort -n)
	echo "# flush to release: median $(sed -n "$(((n_frames + 1) / 2))p" <<<"$holds") ms," \
		"max $(tail -n 1 <<<"$holds") ms (watchdog 900 ms)"
fi
# Paced by the display, not by the watchdog, for most flushes. Measured on
# a 2-core host shared with other builds (load average 4 to 7), 30 frames:
# 4 to 9 watchdog releases, most of them the first frames while Weston
# still composited QEMU's new window; 27 and 28 when each line of Weston's
# log was a write over 9p. At most a third leaves room for a busier host.
check "most flushes were let go by the display, not the watchdog ($((n_frames - watchdog)) of $n_frames; at most a third by the watchdog)" \
	test $((3 * watchdog)) -le "$n_frames"
check "the guest's content moved: $checkpoint checkpoints with distinct frame counters" \
	test "$checkpoint" -ge 2
[ "$failures" = 0 ]
