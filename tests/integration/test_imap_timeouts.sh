#!/usr/bin/env bash
# A server that stops answering: with `timeout = 2s` consultd gives up on
# every stalled step (greeting, LOGIN, SELECT, the middle of a FETCH
# literal), says why, retries with exponential backoff and jitter, and once
# the server answers again stores everything exactly once. A server that
# fails every session the same way is retried with growing delays, not
# hammered.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
mkdir msgs
cp "$SOURCE_DIR"/tests/data/samples/0[1-7]-*.eml msgs/
printf 'timeout-test-password\n' >password
chmod 600 password
DB=$work/consultd.sqlite
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }

# Connection 1 gets no greeting, 2 no answer to LOGIN, 3 none to SELECT
# (each: retry with backoff); 4 stops in the middle of the first message's
# literal (reconnect); 5 onwards work.
peer_start imap imap_script.py --lifetime 60 --messages msgs --password timeout-test-password \
	--stall 1:greeting --stall 2:login --stall 3:select --stall 4:fetch-mid || exit 1
peer=$PEER_PID
peer_config consultd.conf "$PEER_PORT" none "password_file = $work/password
timeout = 2s"
start=$SECONDS
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 45 count_is 7
took=$((SECONDS - start))
echo "stored after $took s"
cat daemon.log
check "after four stalled sessions, all 7 stored" count_is 7
check "each stored once" test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 7
all_seen() { grep -qx 'seen 1,2,3,4,5,6,7' imap.log; }
wait_for 10 all_seen
check "all 7 flagged \\Seen on the server" all_seen
check "the body was fetched by the fifth connection, after the stall in the fourth" \
	grep -q '^conn 5 C: .* UID FETCH .*BODY.PEEK\[\]' imap.log
check "the stalls cost seconds, not the default 30-second timeout (all done in $took s)" \
	test "$took" -le 35
check "the stalled greeting is logged with its reason" \
	grep -q 'reason="connect: connection lost or timed out"' daemon.log
check "the stalled LOGIN is logged with its reason" \
	grep -q 'reason="login: connection lost or timed out"' daemon.log
check "the stalled SELECT is logged with its reason" \
	grep -q 'reason="select: connection lost or timed out"' daemon.log
check "the FETCH stalled mid-literal is logged, with a reconnect" \
	grep -q 'reason="connection lost or timed out" action=reconnect' daemon.log
# Every failed session is followed by a retry delay, a session that failed
# before storing anything included (it does not reset the backoff).
delays=$(grep -o 'event=retry in_seconds=[0-9]*' daemon.log | cut -d= -f3 | head -n 4 | tr '\n' ' ')
echo "retry delays: $delays"
backoff_ok() { # 1, then 2..3, then 4..6 (base doubling, jitter up to half)
	# shellcheck disable=SC2086 # split into words
	set -- $delays
	[ $# -ge 3 ] && [ "$1" -eq 1 ] && [ "$2" -ge 2 ] && [ "$2" -le 3 ] &&
		[ "$3" -ge 4 ] && [ "$3" -le 6 ]
}
check "three retries with growing delays (1, 2-3, 4-6 s): $delays" backoff_ok
# How long each stall held consultd up: from the moment the server went
# silent to the next connection, less the retry delay in between. With
# `timeout = 2s` that should be about 2 s (allow 3).
t_of() { grep -m1 "^conn $1 $2" imap.log | sed 's/.* t=//'; }
# shellcheck disable=SC2086 # split into words
set -- $delays 0 0 0 0
held() { # held N DELAY: seconds connection N held consultd up
	awk -v a="$(t_of "$1" 'stall')" -v b="$(t_of $(($1 + 1)) 'open')" -v d="$2" \
		'BEGIN { printf "%.1f", b - a - d }'
}
# Inside a literal libetpan 1.9.4 waits out the timeout twice (measured):
# allow 2 x 2 s + 1 there.
for n in 1 2 3 4; do
	case $n in 1) d=$1 max=3 what=greeting ;; 2) d=$2 max=3 what=LOGIN ;;
		3) d=$3 max=3 what=SELECT ;; 4) d=$4 max=5 what="FETCH literal" ;; esac
	h=$(held "$n" "$d")
	check "a stalled $what holds consultd up for about the timeout (${h} s, want <= $max)" \
		awk -v h="$h" -v max="$max" 'BEGIN { exit !(h <= max) }'
done
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=
peer_stop "$peer"
peer=

# A server that hangs up every session right after SELECT (as a broken
# server or a middlebox might, for ever). Backoff must apply here too: at
# most one immediate reconnect, then delays of 1, 2, 4 s: about 5 sessions
# in 8 s, not a tight loop.
rm -f consultd.sqlite*
peer_start hangup imap_script.py --lifetime 30 --messages msgs --password timeout-test-password \
	--cut 1-100000:search || exit 1
peer=$PEER_PID
peer_config hangup.conf "$PEER_PORT" none "password_file = $work/password
timeout = 2s"
"$CONSULTD" -c hangup.conf 2>hangup-daemon.log &
daemon_pid=$!
sleep 8
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_pid=
sessions=$(grep -c '^conn [0-9]* open' hangup.log)
echo "sessions in 8 s against a server that always hangs up after SELECT: $sessions"
check "a server that always fails after login is not hammered ($sessions sessions in 8 s, want <= 8)" \
	test "$sessions" -le 8
check "and the log says why" grep -q 'action=reconnect' hangup-daemon.log

finish
