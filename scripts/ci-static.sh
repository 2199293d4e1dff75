#!/usr/bin/env bash
# Static analysis of consultd's own code: cppcheck and clang-tidy.
#
#   scripts/ci-static.sh BUILD_DIR
#
# BUILD_DIR must hold compile_commands.json (every CMake build here writes
# one). Only daemon/ intake/ classify/ storage/ report/ ctl/ config/
# receipts/ net/ are analysed: not tests, fuzzers or libraries. Any finding
# fails the run.
# Suppressions live in .ci/cppcheck.supp and .clang-tidy (checks turned
# off) or as NOLINT comments at the line, each with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: ci-static.sh BUILD_DIR}
dirs=(daemon intake classify storage report ctl config receipts net)
jobs=$(nproc 2>/dev/null || echo 2)
status=0

echo "== cppcheck $(cppcheck --version | awk '{print $2}')"
filters=()
for d in "${dirs[@]}"; do filters+=("--file-filter=$d/*"); done
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
if ! cppcheck --project="$build/compile_commands.json" "${filters[@]}" \
	--enable=warning,style,performance,portability --inline-suppr \
	--library=posix --suppressions-list=.ci/cppcheck.supp \
	--cppcheck-build-dir="$cache" -j "$jobs" --quiet --error-exitcode=1 \
	--template='{file}:{line}: {severity} [{id}] {message}'; then
	echo "cppcheck: findings above" >&2
	status=1
fi

echo "== clang-tidy $(clang-tidy --version | awk '/version/ {print $NF; exit}')"
# The checks are in .clang-tidy. One process per file, $jobs at a time.
files=()
for d in "${dirs[@]}"; do
	for f in "$d"/*.c; do [ -e "$f" ] && files+=("$PWD/$f"); done
done
if ! printf '%s\n' "${files[@]}" |
	xargs -P "$jobs" -n 1 clang-tidy -p "$build" --quiet 2> >(grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' >&2); then
	echo "clang-tidy: findings above" >&2
	status=1
fi
exit "$status"
