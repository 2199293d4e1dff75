#!/usr/bin/env bash
# The IMAP server goes away and comes back: consultd says so, reconnects with
# backoff, and stores everything exactly once.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
dovecot_deliver "$samples"/0*.eml || exit 1
first=$(ls "$samples"/0*.eml | wc -l)

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 30 count_is "$first"
check "first $first stored" count_is "$first"

# Take the server away; the config (and so the port) stays the same.
dovecot_stop
sleep 2
check "the lost connection is logged" grep -q 'action=reconnect' daemon.log
check "consultd is still running" kill -0 "$daemon_pid"
DOVECOT_RUNNING=0
dovecot -c "$DOVECOT_CONF" && DOVECOT_RUNNING=1
check "Dovecot started again on the same port" test "$DOVECOT_RUNNING" = 1
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$DOVECOT_PORT" 2>/dev/null
dovecot_deliver "$samples"/1*.eml || exit 1
total=$((first + $(ls "$samples"/1*.eml | wc -l)))
# The backoff doubles (1, 2, 4, ... 32, 64 s, with jitter) while the server
# is away; on a loaded machine the server can take long enough to come back
# that the next try is a minute off, so wait past two more doublings.
wait_for 150 count_is "$total"
check "after the server came back, all $total stored" count_is "$total"
count_is "$total" || grep -E 'event=(retry|connected)|reason=' daemon.log | tail -n 20
check "each once" test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq "$total"
check "retries were logged with their delay" grep -q 'event=retry in_seconds=' daemon.log
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=

finish
