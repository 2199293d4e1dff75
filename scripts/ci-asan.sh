#!/usr/bin/env bash
# The whole suite (unit, torture and integration tests) built with
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/ci-asan.sh [BUILD_DIR]      (default build-asan)
#
# Every sanitizer report fails the run, also one from a consultd that a
# test killed or whose exit status it did not look at: reports go to
# files (log_path) as well as failing the process, and any file left is
# printed and fails the run. Leaks inside libraries are suppressed in
# .ci/lsan.supp, each with its reason; never our own.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B "$build" -DSANITIZE=address,undefined -DWERROR=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null

reports=$(cd "$build" && pwd)/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
chmod 777 "$reports" # helpers may run as another user
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"

status=0 tests=passed
(cd "$build" && ctest --output-on-failure -j "$jobs") || { status=1; tests=FAILED; }
n=0
for r in "$reports"/*; do
	[ -e "$r" ] || continue
	echo "ci-asan: sanitizer report $(basename "$r"):" >&2
	cat "$r" >&2
	n=$((n + 1))
	status=1
done
echo "ci-asan: tests $tests, $n sanitizer report(s)"
exit "$status"
