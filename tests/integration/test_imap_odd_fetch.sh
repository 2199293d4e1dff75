#!/usr/bin/env bash
# Bodies are streamed from libetpan into the batch and matched to their
# messages afterwards (intake/imap.c, struct gather). A scripted server
# answers the body FETCH legally but unusually (imap_script.py --odd-fetch):
# unsolicited flag changes, with and without a UID, before every body, and
# each body's UID after its literal. Every message must be stored once,
# with its own bytes: its own Message-ID, subject and text.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
mkdir msgs
cp "$SOURCE_DIR"/tests/data/samples/0[1-9]-*.eml msgs/
n=$(ls msgs | wc -l)
printf 'odd-fetch-password\n' >password
chmod 600 password
DB=$work/consultd.sqlite

peer_start imap imap_script.py --lifetime 60 --messages msgs --password odd-fetch-password \
	--odd-fetch || exit 1
peer=$PEER_PID
peer_config consultd.conf "$PEER_PORT" none "password_file = $work/password
timeout = 5s"
count_is() { [ "$(sql 'SELECT count(*) FROM responses' 2>/dev/null || echo 0)" -eq "$1" ]; }

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 20 count_is "$n"
check "all $n messages stored" count_is "$n"
check "each stored once ($n distinct Message-IDs)" \
	test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq "$n"
for f in msgs/*.eml; do
	mid=$(grep -i -m1 '^Message-ID:' "$f" | sed 's/^[^:]*: *<\?//; s/>\?\r\?$//')
	# Its own bytes: its Message-ID beside the start of its subject
	# (unless the subject is encoded).
	subject=$(grep -i -m1 '^Subject:' "$f" | sed 's/^[^:]*: *//; s/\r$//' | cut -c1-24)
	case $subject in =\?*) subject= ;; esac
	check "$(basename "$f"): stored once, with its own Message-ID and subject" \
		test "$(sql "SELECT count(*) FROM responses WHERE message_id = '$mid' AND subject LIKE '${subject//\'/\'\'}%'")" -eq 1
done
check "no quarantine" test "$(sql "SELECT count(*) FROM responses WHERE status = 'quarantined'")" -eq 0
check "the session was never dropped" test "$(grep -c 'action=reconnect\|event=retry' daemon.log)" -eq 0
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "SIGTERM, exit 0" test $? -eq 0
daemon_pid=
finish
