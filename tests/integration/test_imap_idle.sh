#!/usr/bin/env bash
# IDLE: new mail is stored promptly, without waiting for the poll interval,
# and a sweep or a stop interrupts an IDLE at once.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
# A poll interval far longer than the test: only IDLE can bring mail in.
POLL_INTERVAL=1h write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
dovecot_deliver "$samples"/01-*.eml || exit 1
wait_for 10 count_is 1
check "the first message is stored" count_is 1
sleep 1 # consultd is in IDLE now
n=1
for f in "$samples"/0[2-6]-*.eml; do
	dovecot_deliver "$f" || exit 1
	n=$((n + 1))
	wait_for 5 count_is "$n"
	check "message $n stored within seconds, by IDLE (poll interval 1 h)" count_is "$n"
	sleep 0.3
done
check "no IDLE fallback to polling" bash -c "! grep -q 'event=no-idle' daemon.log"
start=$(date +%s%N)
kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "stop took $ms ms"
check "SIGTERM during IDLE: exit 0" test "$rc" -eq 0
check "SIGTERM during IDLE: stops within 5 s (took $ms ms)" test "$ms" -lt 5000
daemon_pid=

finish
