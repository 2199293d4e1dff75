#!/usr/bin/env bash
# The mailbox is deleted and recreated on the server (a new UIDVALIDITY):
# consultd reads it all again and the idempotency keys keep out duplicates,
# both across a restart and while it runs.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
export DOVECOT_MAILBOX=Consultation
doveadm -c "$DOVECOT_CONF" mailbox create -u "$DOVECOT_USER" Consultation || exit 1
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
sed -i 's/^mailbox = INBOX$/mailbox = Consultation/' consultd.conf

recreate() {
	doveadm -c "$DOVECOT_CONF" mailbox delete -u "$DOVECOT_USER" Consultation &&
		doveadm -c "$DOVECOT_CONF" mailbox create -u "$DOVECOT_USER" Consultation
}
uidvalidity() {
	doveadm -c "$DOVECOT_CONF" -f flow mailbox status -u "$DOVECOT_USER" uidvalidity Consultation |
		sed 's/.*uidvalidity=//'
}
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }

dovecot_deliver "$samples"/0*.eml || exit 1 # 9 messages
"$CONSULTD" -c consultd.conf 2>daemon1.log &
daemon_pid=$!
wait_for 30 count_is 9
check "first 9 stored" count_is 9
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

old=$(uidvalidity)
sleep 1 # UIDVALIDITY is time-based in Dovecot
recreate || exit 1
check "the recreated mailbox has a new UIDVALIDITY" test "$(uidvalidity)" != "$old"
dovecot_deliver "$samples"/0*.eml "$samples"/1[0-4]-*.eml || exit 1 # the 9 again and 5 new
"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
wait_for 30 count_is 14
check "after a restart: the 5 new ones stored, the 9 old ones not again" count_is 14
check "the change is logged" grep -q 'event=uidvalidity-changed action=rescan' daemon2.log
check "the re-read copies count as duplicates" grep -q 'duplicates=9' daemon2.log
all_seen() { ! dovecot_flags | grep -v 'Seen' | grep -q 'uid='; }
wait_for 10 all_seen
check "all flagged \\Seen in the new mailbox" all_seen

# And while consultd runs.
sleep 1
recreate || exit 1
# 10-14 are stored already; 15-19 and 20-24 are new.
dovecot_deliver "$samples"/1*.eml "$samples"/2[0-4]-*.eml || exit 1
wait_for 60 count_is 24
check "while running: the recreated mailbox is read again, the 10 new stored" count_is 24
check "each once" test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 24
check "the 5 already stored count as duplicates" grep -q 'duplicates=5' daemon2.log
kill -TERM "$daemon_pid"; wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=

finish
