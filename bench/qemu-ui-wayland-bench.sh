#!/bin/sh
# Runs qemu-ui-wayland-bench in every mode and prints per-frame figures as ratios
# against the full-frame baseline measured in the same run. With valgrind,
# also counts the CPU instructions the core executes per frame (callgrind,
# collection limited to the core's entry points).
set -eu
exe=${BENCH_EXE:?BENCH_EXE must name qemu-ui-wayland-bench}
frames=${BENCH_FRAMES:-120}
cg_frames=${BENCH_CG_FRAMES:-30}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
export XDG_RUNTIME_DIR="$dir"

field() { sed -n "s/.* $1 \([0-9.]*\).*/\1/p"; }

for mode in 2d-full 2d-damage dmabuf fallback; do
	"$exe" "$mode" "$frames" > "$dir/$mode.out"
	cat "$dir/$mode.out"
done
full=$(field bytes_per_frame < "$dir/2d-full.out")
dmg=$(field bytes_per_frame < "$dir/2d-damage.out")
dma=$(field bytes_per_frame < "$dir/dmabuf.out")
fb=$(field bytes_per_frame < "$dir/fallback.out")
echo "1920x1080 guest, bytes copied by the core per frame:"
awk -v f="$full" -v d="$dmg" -v z="$dma" -v b="$fb" 'BEGIN {
	printf "  2D, full-frame damage (baseline): %12.0f  1.000\n", f
	printf "  2D, 10%% damage:                   %12.0f  %.3f of baseline\n", d, d / f
	printf "  dma-buf zero-copy:                %12.0f  %.3f of baseline\n", z, z / f
	printf "  dma-buf refused -> fallback:      %12.0f  %.3f of baseline\n", b, b / f
}'

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not installed: no instruction counts"
	exit 0
fi
echo "CPU instructions executed in the core per frame (callgrind, $cg_frames frames):"
for mode in 2d-full 2d-damage dmabuf; do
	valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$mode" \
		--toggle-collect=vmpd_head_update --toggle-collect=vmpd_head_set_dmabuf \
		--toggle-collect=vmpd_head_set_surface --toggle-collect=vmpd_display_dispatch \
		"$exe" "$mode" "$cg_frames" > /dev/null 2> "$dir/cg.$mode.log"
	ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$dir/cg.$mode")
	echo "$mode $ir" >> "$dir/ir"
done
awk -v n="$cg_frames" '{ ir[$1] = $2 } END {
	# Warm-up frames are included: 4 extra frames per run.
	f = ir["2d-full"] / (n + 4)
	printf "  2D, full-frame damage (baseline): %12.0f  1.000\n", f
	printf "  2D, 10%% damage:                   %12.0f  %.3f of baseline\n", ir["2d-damage"] / (n + 4), ir["2d-damage"] / (n + 4) / f
	printf "  dma-buf zero-copy:                %12.0f  %.3f of baseline\n", ir["dmabuf"] / (n + 4), ir["dmabuf"] / (n + 4) / f
}' "$dir/ir"
