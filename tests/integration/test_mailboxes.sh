#!/usr/bin/env bash
# Several mailboxes, each on its own worker, all into one store: a message
# that arrives in both is stored once; the final sweep covers every one.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
doveadm -c "$DOVECOT_CONF" mailbox create -u "$DOVECOT_USER" Letters || exit 1
now=$(date -u +%s)
closes=$((now + 6))
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(date -u -d "@$closes" +%Y-%m-%dT%H:%M:%SZ)" 2s exit
cat >>consultd.conf <<CONF

[imap letters]
host = 127.0.0.1
port = $DOVECOT_PORT
tls = none
user = $DOVECOT_USER
password_file = $DOVECOT_PASSWORD_FILE
mailbox = Letters
idle = no
poll_interval = 1
CONF

dovecot_deliver "$samples"/0*.eml || exit 1                        # 9 in INBOX
DOVECOT_MAILBOX=Letters dovecot_deliver "$samples"/1*.eml "$samples"/01-*.eml || exit 1 # 10 + 1 also in INBOX
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 20 count_is 19
check "19 distinct messages from two mailboxes stored" count_is 19
check "both workers ran" test "$(grep -c 'event=intake-started' daemon.log)" -eq 2
check "the copy in the second mailbox is not stored again" \
	test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 19
check "each mailbox has its own cursor" test "$(sql 'SELECT count(*) FROM intake_state')" -eq 2
# Sample 01 is in both mailboxes: whichever worker gets there first stores
# it. The ten that only Letters holds must carry its name.
mid01=$(grep -i -m1 '^Message-ID:' "$samples"/01-*.eml | sed 's/.*<\(.*\)>.*/\1/')
check "messages from Letters carry its name" \
	test "$(sql "SELECT count(*) FROM responses WHERE source_id LIKE 'imap:Letters:%' AND message_id <> '$mid01'")" -eq 10
# One more in each after the close: both are swept.
while [ "$(date -u +%s)" -le "$closes" ]; do sleep 0.2; done
dovecot_deliver "$samples"/20-*.eml || exit 1
DOVECOT_MAILBOX=Letters dovecot_deliver "$samples"/21-*.eml || exit 1
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 30 gone
wait "$daemon_pid"
check "consultd exits 0 after the closing summary" test $? -eq 0
daemon_pid=
check "the final sweep covered both mailboxes" count_is 21
check "both late" test "$(sql 'SELECT count(*) FROM responses WHERE late')" -eq 2
check "each mailbox reported its sweep" test "$(grep -c 'source=imap:.* event=final-sweep-done' daemon.log)" -eq 2

finish
