#!/usr/bin/env bash
# The window: nothing is polled before `opens`; mail after `closes` is stored
# late until `closes + grace`; then a final sweep and the closing summary.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples

now=$(date -u +%s)
opens=$((now + 4)) closes=$((now + 8)) grace=4
# Polling, not IDLE, here: the other path of the worker.
IMAP_IDLE=no write_config consultd.conf "$(date -u -d "@$opens" +%Y-%m-%dT%H:%M:%SZ)" \
	"$(date -u -d "@$closes" +%Y-%m-%dT%H:%M:%SZ)" "${grace}s" exit
dovecot_deliver "$samples"/0[1-5]-*.eml || exit 1

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
sleep 2
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
check "nothing fetched before the window opens" test "$(stored)" -eq 0
check "the log says the window is not yet open" grep -q 'window=not yet open' daemon.log
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 15 count_is 5
check "the 5 waiting messages are stored once the window opens" count_is 5
check "none of them is late" test "$(sql 'SELECT count(*) FROM responses WHERE late')" -eq 0

while [ "$(date -u +%s)" -le "$closes" ]; do sleep 0.2; done
dovecot_deliver "$samples"/46-late-*.eml || exit 1
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 30 gone
wait "$daemon_pid"
check "consultd exits 0 after the closing summary (on_close = exit)" test $? -eq 0
daemon_pid=
check "the late response is stored" count_is 6
check "and marked late" test "$(sql 'SELECT count(*) FROM responses WHERE late')" -eq 1
summary=$(ls reports/closing-summary-*.md 2>/dev/null | head -n 1)
check "a closing summary was written to the report folder" test -s "$summary"
check "it is the closing summary" grep -q '— closing summary' "$summary"
check "it counts the late response" grep -q '^- 1 late response' "$summary"
check "it counts 6 responses" grep -q '^- \*\*6 responses\*\*' "$summary"
for ext in html csv json; do
	check "the closing summary also as .$ext" test -s "${summary%.md}.$ext"
done
check "no temporary file is left behind" test -z "$(ls -A reports | grep -v '^closing-summary-')"
check "the log names the final sweep" grep -q 'event=final-sweep-done' daemon.log

finish
