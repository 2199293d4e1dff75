#!/usr/bin/env bash
# processed_mailbox: stored mail is moved out of the intake mailbox, only
# after it is stored; mail stored before the option was set (or before a
# crash cut the move short) is moved at the next session. Twice: with MOVE,
# and on a server without MOVE (COPY, \Deleted, UID EXPUNGE) and without IDLE.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

work=$(mktemp -d)
chmod 755 "$work" # Dovecot's unprivileged processes must traverse it
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null
	dovecot_stop
	[ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
samples=$SOURCE_DIR/tests/data/samples
scenario() { # scenario NAME
	local name=$1
	mkdir "$work/$name" && cd "$work/$name" || exit 1
	dovecot_start "$work/$name/dovecot" || exit 1
	DB=$work/$name/consultd.sqlite
	write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0

messages_in() {
	doveadm -c "$DOVECOT_CONF" -f flow mailbox status -u "$DOVECOT_USER" messages "$1" 2>/dev/null |
		sed 's/.*messages=//'
}
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
in_is() { [ "$(messages_in "$1")" = "$2" ]; }

# First without the option: mail stays in INBOX, flagged.
dovecot_deliver "$samples"/0*.eml || exit 1 # 9
"$CONSULTD" -c consultd.conf 2>daemon1.log &
daemon_pid=$!
wait_for 30 count_is 9
check "9 stored" count_is 9
check "without processed_mailbox, INBOX keeps them" in_is INBOX 9
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

# With it: what was stored before is moved at the next session, new mail after storing.
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\nprocessed_mailbox = Processed/' consultd.conf
"$CONSULTD" -v -c consultd.conf 2>daemon2.log &
daemon_pid=$!
wait_for 15 in_is INBOX 0
check "mail stored earlier is moved at the next session" in_is Processed 9
check "and the log says so" grep -q 'event=finish-stored count=9' daemon2.log
dovecot_deliver "$samples"/1*.eml || exit 1 # 10 more
wait_for 30 count_is 19
wait_for 15 in_is INBOX 0
check "new mail stored" count_is 19 || {
	# Seen once under a loaded CI, never reproduced: show what IDLE did.
	echo "stored $(stored), INBOX $(messages_in INBOX), Processed $(messages_in Processed); daemon2.log ends:"
	tail -n 30 daemon2.log
}
check "and moved after storing" in_is Processed 19
check "INBOX is empty" in_is INBOX 0
seen_in_processed() {
	! doveadm -c "$DOVECOT_CONF" -f flow fetch -u "$DOVECOT_USER" 'uid flags' mailbox Processed |
		grep -v Seen | grep -q uid=
}
check "moved mail is \\Seen" seen_in_processed
check "nothing stored twice" test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 19
kill -TERM "$daemon_pid"; wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=
dovecot_stop
}

scenario move
check "with MOVE: moved by MOVE" grep -q 'method=move' daemon2.log
# Dovecot announcing neither MOVE nor IDLE.
DOVECOT_EXTRA='imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE UIDPLUS' scenario copy
check "without MOVE: moved by COPY, \\Deleted and UID EXPUNGE" grep -q 'method=copy-expunge' daemon2.log
check "without IDLE: the worker says it polls" grep -q 'event=no-idle action=poll' daemon2.log
finish
