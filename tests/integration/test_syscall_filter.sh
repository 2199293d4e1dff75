#!/usr/bin/env bash
# The units' SystemCallFilter= (@system-service without @privileged and
# @resources) allows every system call consultd makes, it never maps
# memory writable and executable, and opens only AF_UNIX, AF_INET and
# AF_INET6 sockets: consultd runs under
# strace through intake with IDLE, a reload, a stop, then a closed window
# with the final sweep, the closing summary on a work thread and the
# retention purge; each call seen must be in the allowed set, as
# systemd-analyze expands it. Skipped (77) without strace or systemd-analyze.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

for tool in strace systemd-analyze; do
	if ! command -v "$tool" >/dev/null; then
		echo "skip: no $tool"
		exit 77
	fi
done

# A sanitizer's runtime makes calls of its own (and LeakSanitizer cannot
# run under ptrace): this is about the consultd that gets installed.
if ldd "$CONSULTD" 2>/dev/null | grep -q -e libasan -e libubsan -e libtsan; then
	echo "skip: a sanitizer build"
	exit 77
fi

# The names a filter expression allows, its groups expanded.
expand() { # expand @group|name...
	local item
	for item in "$@"; do
		if [ "${item#@}" != "$item" ]; then
			expand $(systemd-analyze syscall-filter "$item" | sed -n 's/^    \([@a-z0-9_-]*\)$/\1/p')
		else
			echo "$item"
		fi
	done
}
unit=$SOURCE_DIR/systemd/consultd@.service.in
allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$unit")
deny=$(sed -n 's/^SystemCallFilter=~\(.*\)/\1/p' "$unit")
check "the unit's filter read ($allow minus $deny)" test -n "$allow" -a -n "$deny"
expand $allow | sort -u >allowed.tmp 2>/dev/null
expand $deny | sort -u >denied.tmp 2>/dev/null
comm -23 allowed.tmp denied.tmp >allowed.txt
rm -f allowed.tmp denied.tmp
check "the allowed set is not empty" test "$(wc -l <allowed.txt)" -gt 100
mv allowed.txt "${TMPDIR:-/tmp}/consultd-allowed.$$"
allowed=${TMPDIR:-/tmp}/consultd-allowed.$$
on_exit() { rm -f "$allowed"; }

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
dovecot_deliver "$samples"/0*.eml || exit 1
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
sed -i 's|^path = consultd.sqlite|&\nretention = 1|' consultd.conf

# strace -f follows every thread; the daemon is its child.
strace -f -qq -o trace1.txt "$CONSULTD" -c consultd.conf 2>daemon.log &
tracer=$!
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 60 count_is 9
check "9 stored under strace" count_is 9
daemon_pid=$(pgrep -P "$tracer" | head -n 1)
kill -HUP "$daemon_pid"
reloaded() { grep -q 'event=reload' daemon.log; }
wait_for 20 reloaded
check "reloaded under strace" reloaded
kill -TERM "$daemon_pid"
wait "$tracer"
check "stopped cleanly under strace" test $? -eq 0
daemon_pid=

# The window closed days ago: sweep, closing summary, purge, exit.
write_config consultd.conf "$(rfc3339 '-10 days')" "$(rfc3339 '-3 days')" 0 exit
sed -i 's|^path = consultd.sqlite|&\nretention = 1|' consultd.conf
strace -f -qq -o trace2.txt "$CONSULTD" -c consultd.conf 2>>daemon.log
check "closed window under strace: exit 0" test $? -eq 0
check "the closing summary was written" grep -q 'event=closing-summary path=' daemon.log
check "the purge ran" grep -q 'event=retention-purge' daemon.log

# The first word of each traced line that is a call ("PID name(").
sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p; s/^[0-9]* *<\.\.\. \([a-z0-9_]*\) resumed>.*/\1/p' \
	trace1.txt trace2.txt | sort -u >used.txt
check "system calls were seen" test "$(wc -l <used.txt)" -gt 20
# execve is made by strace on consultd's behalf, before any filter applies.
# SQLite gives a new WAL the store's owner with fchown only when running as
# root, which the unit never does (DynamicUser=).
artefacts=(-e execve)
[ "$(id -u)" -eq 0 ] && artefacts+=(-e fchown)
outside=$(grep -v -x "${artefacts[@]}" used.txt | comm -23 - "$allowed")
check "every system call consultd makes is allowed by the unit's filter" test -z "$outside"
[ -n "$outside" ] && echo "not allowed: $outside"
echo "$(wc -l <used.txt) distinct system calls seen"
# MemoryDenyWriteExecute=: no mapping is ever writable and executable.
check "no memory both writable and executable (MemoryDenyWriteExecute)" \
	bash -c '! grep -h -E "(mmap|mprotect|pkey_mprotect)\(.*(PROT_WRITE\|PROT_EXEC|PROT_EXEC\|PROT_WRITE)" trace1.txt trace2.txt'
# RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6.
families=$(grep -h -o 'socket(AF_[A-Z0-9]*' trace1.txt trace2.txt | cut -d'(' -f2 | sort -u | tr '\n' ' ')
check "sockets only of AF_UNIX, AF_INET, AF_INET6 ($families)" \
	bash -c "! echo '$families' | tr ' ' '\n' | grep -v -x -e AF_UNIX -e AF_INET -e AF_INET6 -e ''"
finish
