#!/usr/bin/env bash
# Build every libFuzzer target (fuzz/fuzz_*.c) and run each for a fixed time
# from its committed seeds in fuzz/corpus/<name without fuzz_>/.
#
#   scripts/ci-fuzz.sh [BUILD_DIR]      (default build-fuzz)
#
# CONSULTD_FUZZ_SECONDS (default 60) is the time per target; targets run
# CONSULTD_FUZZ_JOBS (default $(nproc)) at a time. The committed seed folders are only read: libFuzzer
# writes what it finds to a temporary corpus given first
# (`fuzzer TMPDIR SEEDDIR`). Any crash, leak, sanitizer report, timeout or
# out-of-memory fails the run, and the input that caused it is printed
# (base64) and kept in BUILD_DIR/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${CONSULTD_FUZZ_SECONDS:-60}
jobs=${CONSULTD_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

CC=${CC:-clang} cmake -S . -B "$build" -DFUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build/fuzz" -j "$jobs" >/dev/null

# Scratch space inside the build folder, away from other users of /tmp.
work=$(cd "$build" && pwd)/fuzz-work
rm -rf "$work" "$build/artifacts"
mkdir -p "$work" "$build/artifacts"
trap 'rm -rf "$work"' EXIT

targets=()
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	seeds=fuzz/corpus/${name#fuzz_}
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
		echo "ci-fuzz: $name has no seeds in $seeds" >&2
		exit 1
	fi
	targets+=("$name")
done

# One target: fuzz for $seconds, then report. Runs in a child bash.
run_one() {
	local name=$1 build=$2 seconds=$3 work=$4
	local seeds=fuzz/corpus/${name#fuzz_} out=$work/$name
	mkdir -p "$out/corpus" "$out/tmp"
	# fuzz_classify loads the shipped theme set.
	if THEMES=config/themes/london-pcp.themes TMPDIR=$out/tmp \
		"$build/fuzz/$name" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$name-" \
		"$out/corpus" "$seeds" >"$out/log" 2>&1; then
		printf '%-16s ok   %s\n' "$name" \
			"$(grep -E '^stat::number_of_executed_units' "$out/log" | awk '{print $2 " runs,"}') $(grep -c . <(ls "$out/corpus")) new inputs (not kept)"
		return 0
	fi
	echo "== $name FAILED; last lines of its log:"
	tail -n 60 "$out/log"
	local a
	for a in "$build/artifacts/$name-"*; do
		[ -e "$a" ] || continue
		echo "== input $(basename "$a") (base64):"
		base64 "$a" | head -c 20000
		echo
	done
	return 1
}
export -f run_one

echo "ci-fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
status=0
printf '%s\n' "${targets[@]}" |
	xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$build" "$seconds" "$work" || status=1
exit "$status"
