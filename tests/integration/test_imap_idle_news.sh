#!/usr/bin/env bash
# Mail the server announces once, outside IDLE, must not wait for the next
# re-issue of IDLE ten minutes later. Played by the scripted server
# (tests/lib/imap_script.py --late-messages), twice:
#  - "* N EXISTS" before the "+ idling" continuation (a server may report
#    what changed since the last command there): libetpan 1.9.4's own
#    mailimap_idle then blocks until the command timeout;
#  - "* N EXISTS" in the answer to UID STORE, as mail delivered while
#    consultd flags or moves is announced: libetpan records it and carries
#    on, and an IDLE after it hears nothing more.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
printf 'idle-news-password\n' >password
chmod 600 password
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
# The late mail may follow the first 3 within the same instant (--late-at
# store announces it in the answer to their flagging).
count_at_least() { [ "$(stored)" -ge "$1" ]; }

scenario() { # scenario WHERE REASON
	local where=$1 reason=$2
	mkdir "$work/$where" && cd "$work/$where" || exit 1
	mkdir msgs late
	cp "$SOURCE_DIR"/tests/data/samples/0[1-3]-*.eml msgs/
	cp "$SOURCE_DIR"/tests/data/samples/0[4-5]-*.eml late/
	DB=$work/$where/consultd.sqlite
	peer_start imap imap_script.py --lifetime 60 --messages msgs --late-messages late \
		--late-at "$where" --password idle-news-password --idle || exit 1
	peer=$PEER_PID
	# Polling every 10 minutes: only IDLE can bring the late mail in time.
	IMAP_IDLE=yes POLL_INTERVAL=600 peer_config consultd.conf "$PEER_PORT" none \
		"password_file = $work/password"
	"$CONSULTD" -v -c consultd.conf 2>daemon.log &
	daemon_pid=$!
	wait_for 20 count_at_least 3
	check "$where: the first 3 stored" count_at_least 3
	announced() { grep -q '^conn 1 late 2' imap.log; }
	wait_for 20 announced
	check "$where: the server announced 2 more, once" announced
	start=$SECONDS
	wait_for 20 count_is 5
	took=$((SECONDS - start))
	check "$where: those 2 stored within seconds ($took s)" count_is 5 || {
		echo "daemon.log ends:"
		tail -n 20 daemon.log
	}
	check "$where: the worker says why it did not wait" \
		grep -q "event=idle-skipped reason=\"$reason\"" daemon.log
	check "$where: in the same session, without reconnecting" \
		test "$(grep -c ' open t=' imap.log)" -eq 1
	check "$where: each stored once" \
		test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 5
	check "$where: then it waits in IDLE, not searching over and over" \
		test "$(grep -c 'C: [0-9]* UID SEARCH' imap.log)" -le 6
	kill -TERM "$daemon_pid"
	wait "$daemon_pid"
	check "$where: SIGTERM: exit 0" test $? -eq 0
	daemon_pid=
	peer_stop "$peer"
	peer=
}

scenario idle "untagged before the continuation"
scenario store "EXISTS since the last search"
finish
