#!/usr/bin/env bash
# Run the IMAP integration test with consultd under valgrind memcheck.
#
#   scripts/ci-valgrind.sh BUILD_DIR [TEST_SCRIPT]
#
# BUILD_DIR is a plain (non-sanitizer) build. consultd is started through a
# small wrapper that execs valgrind, so the test script is unchanged; its
# waits are stretched with CONSULTD_TEST_SLOWDOWN, never its assertions.
# Fails on any memcheck error and on any definitely-lost block, including
# from the run the test kills with SIGKILL (errors are written as they
# happen; leaks are only known for runs that exit, which the test's last
# run does via SIGTERM, and there --error-exitcode also fails the test).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:?usage: ci-valgrind.sh BUILD_DIR [TEST]}" && pwd)
test_script=${2:-tests/integration/test_imap_intake.sh}
src=$(pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # the test's Dovecot users traverse TMPDIR-relative paths
mkdir "$work/logs"
cat >"$work/consultd" <<WRAP
#!/bin/sh
exec valgrind --quiet --leak-check=full --show-leak-kinds=definite \\
	--errors-for-leak-kinds=definite --error-exitcode=97 --num-callers=30 \\
	--suppressions="$src/.ci/valgrind.supp" \\
	--log-file="$work/logs/consultd.%p.log" "$build/consultd" "\$@"
WRAP
chmod 755 "$work/consultd"

status=0
CONSULTD="$work/consultd" CONSULTCTL="$build/consultctl" SOURCE_DIR="$src" \
	CONSULTD_TEST_SLOWDOWN="${CONSULTD_TEST_SLOWDOWN:-8}" \
	bash "$test_script" || status=$?

# Every memcheck report block starts with a line naming its kind.
pattern='(Invalid (read|write|free)|uninitialised|Mismatched free|overlap|Syscall param|definitely lost in|Argument .* of function|fishy)'
for log in "$work"/logs/*.log; do
	[ -s "$log" ] || continue
	if grep -Eq "$pattern" "$log"; then
		echo "ci-valgrind: memcheck findings in $(basename "$log"):" >&2
		cat "$log" >&2
		status=1
	fi
done
n=$(find "$work/logs" -name '*.log' | wc -l)
echo "ci-valgrind: $n consultd run(s) checked, status $status"
exit "$status"
