#!/usr/bin/env bash
# XOAUTH2 against a scripted server (Dovecot's oauth2 passdb needs an HTTP
# token-introspection service; the scripted server checks the SASL exchange
# byte for byte instead). The client's AUTHENTICATE XOAUTH2 must carry
# exactly base64("user=" USER ^A "auth=Bearer " TOKEN ^A ^A); a wrong token
# gets the RFC 7628-style failure ("+ " base64 JSON, the client answers with
# an empty line, then a tagged NO). The token file is read at every login,
# and the token is never written to any output.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/certs.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
make_certs "$work/certs" || { echo "cannot make test certificates"; exit 1; }
mkdir msgs
cp "$SOURCE_DIR"/tests/data/samples/0[1-5]-*.eml msgs/
DB=$work/consultd.sqlite

# Tokens look like real ones: letters, digits, dots, dashes.
token1=ya29.first-Token.$RANDOM$RANDOM
token2=ya29.second-Token.$RANDOM$RANDOM
token3=ya29.third-Token.$RANDOM$RANDOM
token4=ya29.fourth-Token.$RANDOM$RANDOM
set_token() { printf '%s\n' "$2" >"$1.tmp" && chmod 600 "$1.tmp" && mv "$1.tmp" "$1"; }
set_token client.token "$token1" # what consultd reads
set_token server.token "$token1" # what the server requires, read at every AUTHENTICATE

peer_start imap imap_script.py --lifetime 60 --messages msgs --user consult \
	--xoauth2-token-file server.token --cert certs/good.pem --key certs/good.key || exit 1
peer=$PEER_PID
POLL_INTERVAL=1 peer_config consultd.conf "$PEER_PORT" starttls "auth = xoauth2
token_file = $work/client.token
ca_file = $work/certs/ca.pem
timeout = 5s"

attempt() { # attempt NAME: one --check-connection
	timeout 20 "$CONSULTD" --check-connection -c consultd.conf >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
	echo "--- $1: exit $(cat "$1.rc")"
	cat "$1.out" "$1.err"
}
auth_results() { grep -E 'auth (ok|bad)' imap.log | sed 's/^conn [0-9]* //'; }
last_auth_is() { [ "$(auth_results | tail -n 1)" = "$1" ]; }
no_token_in() { # no_token_in FILE...: none of the tokens appears in any
	local t
	for t in "$token1" "$token2" "$token3" "$token4"; do
		grep -qF -- "$t" "$@" && return 1
	done
	return 0
}

attempt right
check "right token: --check-connection succeeds" test "$(cat right.rc)" = 0
check "right token: the decoded SASL response is exactly user=consult^Aauth=Bearer TOKEN^A^A" \
	last_auth_is "auth ok xoauth2 exact"
check "right token: the mailbox is reported" grep -qF 'holds 5 messages (UIDVALIDITY 4242' right.out
how=$(grep -o 'sasl initial response [a-z ]*' imap.log | head -n 1)
echo "libetpan sends the XOAUTH2 response: ${how#sasl initial response }"
check "the initial response came inline or after a continuation" test -n "$how"

# Another tool refreshes the token; the server now wants only the new one.
set_token client.token "$token2"
set_token server.token "$token2"
attempt refreshed
check "refreshed token file: the next connection uses the new token" test "$(cat refreshed.rc)" = 0
check "refreshed token file: the server got exactly the new token" \
	last_auth_is "auth ok xoauth2 exact"

# The server wants a token consultd does not have.
set_token server.token "$token3"
attempt wrong
check "wrong token: --check-connection fails" test "$(cat wrong.rc)" = 1
check "wrong token: the server saw the wrong token in a well-formed response" \
	last_auth_is "auth bad xoauth2 wrong token"
check "wrong token: the client ended the exchange with an empty line" \
	grep -q 'sasl error acknowledged with an empty line' imap.log
check "wrong token: the failure has a reason" grep -q 'auth=xoauth2 reason="login: login refused"' wrong.err
check "no token in any --check-connection output" no_token_in ./*.out ./*.err

# The daemon: it starts with a token the server refuses, keeps retrying,
# and picks up the refreshed token file without a restart.
set_token server.token "$token4"
"$CONSULTD" -v -c consultd.conf 2>daemon.log &
daemon_pid=$!
refused_once() { grep -q 'reason="login: login refused"' daemon.log && grep -q 'event=retry' daemon.log; }
wait_for 15 refused_once
check "daemon: the refused token is logged as a login failure, then retried" refused_once
set_token client.token "$token4"
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 30 count_is 5
check "daemon: after the token file changed, it logged in and stored all 5" count_is 5
check "daemon: the login used exactly the new token" last_auth_is "auth ok xoauth2 exact"
all_seen() { grep -qx 'seen 1,2,3,4,5' imap.log; }
wait_for 10 all_seen
check "daemon: all 5 flagged \\Seen on the server (UID STORE +FLAGS.SILENT)" all_seen
check "daemon: each stored once" test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 5
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "daemon: SIGTERM, exit 0" test $? -eq 0
daemon_pid=
check "no token in the daemon's log (debug level)" no_token_in daemon.log

finish
