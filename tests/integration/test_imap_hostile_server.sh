#!/usr/bin/env bash
# A hostile IMAP server against two unfixed libetpan 1.9.4 bugs (TECH-NOTES),
# played by the scripted server (tests/lib/imap_script.py --hostile):
#
#  - huge-literal: the body FETCH is answered with a literal announced as
#    {4294967295} and then 256 MB of filler. libetpan allocates the
#    announced size up front and reads the filler into it; consultd's read
#    guard must refuse the announcement, so the filler is never read.
#  - permanentflags: the SELECT reply carries "[PERMANENTFLAGS (%)]", on
#    which libetpan's cleanup dereferences NULL (a segfault).
#  - lying-size: RFC822.SIZE gives the real sizes (a few kB, so all 4 go in
#    one batch) but the body FETCH pads each message to 48 MB; a server may
#    send at most 64 MB of literals in answer to one command.
#
# For each, the daemon meets two hostile connections, then an honest one. It
# must log what the server did, drop the session, back off, keep running,
# and then store every message exactly once; its peak memory (VmHWM) must
# stay far below the filler. --check-connection (which selects but does not
# fetch) against the hostile SELECT must fail with the reason, not crash.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
mkdir msgs
cp "$SOURCE_DIR"/tests/data/samples/0[1-4]-*.eml msgs/
printf 'hostile-test-password\n' >password
chmod 600 password
hwm_limit_kb=$((100 * 1024)) # ordinary intake of these 4 mails peaks near 30 MB

count_is() { [ "$(sqlite3 -readonly -batch "$DB" 'SELECT count(*) FROM responses' 2>/dev/null || echo 0)" -eq "$1" ]; }
sanitized=no
if ldd "$CONSULTD" | grep -q 'libasan\|libtsan'; then sanitized=yes; fi
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# run_case KIND REASON CHECK FLOOD: a daemon against a server hostile on its
# first two connections; with CHECK=yes a --check-connection comes first.
run_case() {
	local kind=$1 reason=$2 with_check=$3 flood=$4 dir=$work/$1 hostile=1-2 rc
	[ "$with_check" = yes ] && hostile=1-3
	mkdir "$dir" && cd "$dir" || return 1
	DB=$dir/consultd.sqlite
	peer_start imap imap_script.py --lifetime 120 --messages "$work/msgs" \
		--password hostile-test-password --hostile "$hostile:$kind" --flood-bytes "$flood" || return 1
	peer=$PEER_PID
	peer_config consultd.conf "$PEER_PORT" none "password_file = $work/password
timeout = 5s"

	if [ "$with_check" = yes ]; then
		timeout 30 "$CONSULTD" --check-connection -c consultd.conf >check.out 2>check.err
		rc=$?
		echo "--- $kind: --check-connection exit $rc"
		cat check.out check.err
		check "$kind: --check-connection fails cleanly (exit 1, not a crash)" test "$rc" -eq 1
		check "$kind: --check-connection names what the server did" grep -qF "$reason" check.err
	fi

	"$CONSULTD" -c consultd.conf 2>daemon.log &
	daemon_pid=$!
	wait_for 60 count_is 4
	echo "--- $kind: daemon log (info and above)"
	grep -v ': debug:' daemon.log
	check "$kind: the daemon is still running" kill -0 "$daemon_pid"
	check "$kind: the log names what the server did" grep -qF "reason=\"$reason" daemon.log
	check "$kind: the session was dropped" grep -qF 'action="drop the session"' daemon.log
	check "$kind: and retried with backoff" \
		test "$(grep -c 'event=retry' daemon.log)" -ge 2
	check "$kind: both hostile connections were answered hostilely" \
		test "$(grep -c "hostile $kind" imap.log)" -ge 2
	check "$kind: then all 4 stored from the honest connection" count_is 4
	check "$kind: each exactly once" \
		test "$(sqlite3 -readonly -batch "$DB" 'SELECT count(DISTINCT message_id) FROM responses')" -eq 4
	all_seen() { grep -qx 'seen 1,2,3,4' imap.log; }
	wait_for 10 all_seen
	check "$kind: all 4 flagged \\Seen on the server" all_seen
	local hwm
	hwm=$(hwm_kb "$daemon_pid")
	echo "$kind: peak memory (VmHWM) ${hwm:-?} kB; filler the server got out: $(grep -o 'flooded [0-9]*' imap.log | awk '{s += $2} END {print s + 0}') bytes"
	# A sanitizer's allocator keeps freed blocks in quarantine, so its
	# peak says nothing about ours (the plain build checks it).
	if [ "$sanitized" = yes ]; then
		echo "skip $kind: peak memory check: sanitizer build"
	else
		check "$kind: peak memory under $((hwm_limit_kb / 1024)) MB" test "${hwm:-999999999}" -lt "$hwm_limit_kb"
	fi
	kill -TERM "$daemon_pid"
	wait "$daemon_pid"
	rc=$?
	daemon_pid=
	check "$kind: SIGTERM, exit 0" test "$rc" -eq 0
	peer_stop "$peer"
	peer=
	cd "$work" || return 1
}

run_case huge-literal "server announced a literal of 4294967295 bytes (the cap is 67108864)" no $((256 << 20))
run_case permanentflags "server sent a malformed PERMANENTFLAGS response code" yes 0
run_case lying-size "server sent literals of more than 67108864 bytes in answer to one command" no $((48 << 20))

finish
