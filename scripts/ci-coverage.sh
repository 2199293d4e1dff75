#!/usr/bin/env bash
# Coverage: a gcov build runs the whole suite (unit, torture and
# integration tests), then gcovr prints line and branch coverage of
# consultd's own code, per file and in total.
#
#   scripts/ci-coverage.sh [BUILD_DIR]      (default build-cov)
#   scripts/ci-coverage.sh --report [BUILD_DIR]   only print the summary
#
# Tests that fail make this fail; the coverage figures themselves are
# reported, not enforced.
set -euo pipefail
cd "$(dirname "$0")/.."
report_only=0
if [ "${1:-}" = --report ]; then
	report_only=1
	shift
fi
build=${1:-build-cov}
jobs=$(nproc 2>/dev/null || echo 2)

summary() {
	echo "== coverage of consultd's own code (gcovr $(gcovr --version | awk 'NR==1 {print $2}'))"
	gcovr --root . --object-directory "$build" \
		--filter 'daemon/' --filter 'intake/' --filter 'classify/' \
		--filter 'storage/' --filter 'report/' --filter 'ctl/' --filter 'config/' --filter 'receipts/' --filter 'net/' \
		--exclude-unreachable-branches --exclude-throw-branches \
		--sort-percentage --txt - "$@"
	gcovr --root . --object-directory "$build" \
		--filter 'daemon/' --filter 'intake/' --filter 'classify/' \
		--filter 'storage/' --filter 'report/' --filter 'ctl/' --filter 'config/' --filter 'receipts/' --filter 'net/' \
		--exclude-unreachable-branches --print-summary --txt /dev/null
}

if [ "$report_only" = 1 ]; then
	summary
	exit 0
fi

cmake -S . -B "$build" -DCOVERAGE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null
# Counts from an earlier run would add up; start from zero.
find "$build" -name '*.gcda' -delete
(cd "$build" && ctest --output-on-failure -j "$jobs")
