#!/usr/bin/env bash
# STARTTLS response injection (the CVE-2020-15953 class): a scripted server
# answers STARTTLS and, in the same TCP segment (or just after it), sends
# responses that only the TLS session may carry: a fake CAPABILITY, a fake
# tagged answer to the LOGIN that comes next, a fake mailbox of 999
# messages. consultd must fail cleanly at STARTTLS, or succeed with what the
# server said after the handshake; it must never act on the injected text.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/certs.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
make_certs "$work/certs" || { echo "cannot make test certificates"; exit 1; }
mkdir msgs
cp "$SOURCE_DIR"/tests/data/samples/0[1-7]-*.eml msgs/ # the real mailbox: 7 messages
password=starttls-test-password
printf '%s\n' "$password" >password
chmod 600 password

# run_case NAME ARGS...: a scripted server with ARGS, one --check-connection.
run_case() {
	local name=$1
	shift
	peer_start "$name" imap_script.py --lifetime 30 --messages msgs --password "$password" \
		--cert certs/good.pem --key certs/good.key "$@" || exit 1
	peer=$PEER_PID
	peer_config "$name.conf" "$PEER_PORT" starttls "password_file = $work/password
ca_file = $work/certs/ca.pem"
	timeout 20 "$CONSULTD" --check-connection -c "$name.conf" >"$name.out" 2>"$name.err"
	echo $? >"$name.rc"
	peer_stop "$peer"
	peer=
	echo "--- $name: exit $(cat "$name.rc")"
	cat "$name.out" "$name.err"
}

real_answer() { grep -qF 'holds 7 messages (UIDVALIDITY 4242, next UID 8)' "$1.out"; }
# Failed at STARTTLS, with a reason, before anything was sent inside TLS.
clean_failure() {
	[ "$(cat "$1.rc")" = 1 ] && grep -q 'reason="STARTTLS' "$1.err" &&
		! grep -qi 'login' "$1.err" && ! grep -q 'LOGIN' "$1.log"
}
never_injected() {
	! grep -qE '999|666' "$1.out" "$1.err" && ! grep -q 'login refused' "$1.err"
}
fails_cleanly_or_real() { # the two acceptable outcomes
	{ clean_failure "$1" || { [ "$(cat "$1.rc")" = 0 ] && real_answer "$1"; }; } && never_injected "$1"
}
no_clear_password() { ! grep -q 'PASSWORD SENT IN CLEAR' "$1.log"; }

# Control: the same server without injection works, so the cases below test
# the injection and not the script.
run_case control
check "control: STARTTLS to the scripted server connects" test "$(cat control.rc)" = 0
check "control: the count is the post-TLS SELECT's (7, UIDVALIDITY 4242)" real_answer control
login_inside_tls() { awk '/tls established/ { tls = 1 } / LOGIN / { if (!tls) exit 1; seen = 1 }
	END { exit !seen }' "$1.log"; }
check "control: the server saw LOGIN only inside TLS" login_inside_tls control

# A tagged NO for LOGIN's tag, injected with the STARTTLS answer.
run_case inject-no --inject no
check "injected text went out with the STARTTLS answer" grep -q 'injected' inject-no.log
check "injected NO for LOGIN: fails cleanly at STARTTLS, or uses only post-TLS answers" \
	fails_cleanly_or_real inject-no
check "injected NO for LOGIN: the password never crossed in clear" no_clear_password inject-no

# A forged LOGIN OK and a 999-message mailbox, injected the same way.
run_case inject-exists --inject exists
check "injected mailbox: fails cleanly at STARTTLS, or reports the real 7 messages" \
	fails_cleanly_or_real inject-exists
check "injected mailbox: the password never crossed in clear" no_clear_password inject-exists

# The injected text in a segment of its own, after the answer: it reaches
# the client while TLS is being negotiated and must break the handshake,
# never be read as IMAP.
run_case inject-late --inject no --inject-late
check "late injection: fails (TLS cannot start), or uses only post-TLS answers" \
	fails_cleanly_or_real inject-late
check "late injection: the password never crossed in clear" no_clear_password inject-late

check "the password is in no output" bash -c "! grep -qF '$password' ./*.out ./*.err"

# Capabilities announced before TLS (here in the greeting: IDLE) must be
# forgotten once TLS is up (RFC 3501 6.2.1); after TLS this server has no
# IDLE. The daemon must ask again, poll, and never send IDLE.
peer_start caps imap_script.py --lifetime 30 --messages msgs --password "$password" \
	--cert certs/good.pem --key certs/good.key --greeting-caps "IMAP4rev1 STARTTLS IDLE" || exit 1
peer=$PEER_PID
IMAP_IDLE=yes peer_config caps.conf "$PEER_PORT" starttls "password_file = $work/password
ca_file = $work/certs/ca.pem"
DB=$work/consultd.sqlite
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
"$CONSULTD" -c caps.conf 2>caps-daemon.log &
daemon_pid=$!
wait_for 15 count_is 7
sleep 2 # time for an IDLE, if consultd were to send one
kill -TERM "$daemon_pid"
wait_for 10 bash -c "! kill -0 $daemon_pid 2>/dev/null" || kill -9 "$daemon_pid"
wait "$daemon_pid"
daemon_pid=
peer_stop "$peer"
peer=
sessions=$(grep -c '^conn [0-9]* open' caps.log)
check "pre-TLS capabilities: all 7 stored" count_is 7
check "pre-TLS capabilities: no IDLE sent to a server that offers none after TLS" \
	bash -c "! grep -q ' IDLE$' caps.log"
check "pre-TLS capabilities: one session, no reconnect loop ($sessions sessions)" test "$sessions" -eq 1

finish
