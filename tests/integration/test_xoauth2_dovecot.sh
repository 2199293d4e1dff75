#!/usr/bin/env bash
# XOAUTH2 against a real Dovecot: its oauth2 passdb asks a token
# introspection endpoint (RFC 7662, introspection_mode = post) whether the
# bearer token consultd presents is active and whose it is; the endpoint
# (tests/lib/oauth2_server.py) answers active:true with the username for
# the one valid token, active:false for any other. test_xoauth2.sh checks
# the SASL bytes against a scripted server; this one checks that a real
# server accepts them, and what consultd does when it does not:
#  - the right token: --check-connection and the daemon log in, store, flag;
#  - a wrong (stale) token: a clear login failure, retried with backoff;
#  - the token refreshed in token_file by another tool: picked up at the
#    next login, without a restart, also after the server drops a session.
# No token reaches consultd's output.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
DB=$work/consultd.sqlite
token1=ya29.stale-Token.$RANDOM$RANDOM
token2=ya29.fresh-Token.$RANDOM$RANDOM
token3=ya29.rotated-Token.$RANDOM$RANDOM
set_token() { printf '%s\n' "$2" >"$1.tmp" && chmod 600 "$1.tmp" && mv "$1.tmp" "$1"; }
set_token server.token "$token2" # the only token the endpoint calls active
set_token client.token "$token1" # what consultd reads: stale at first

peer_start oauth2 oauth2_server.py --token-file server.token --user "$DOVECOT_USER" --lifetime 300 || exit 1
peer=$PEER_PID
DOVECOT_OAUTH2_URL=http://127.0.0.1:$PEER_PORT/introspect dovecot_start "$work/dovecot" || exit 1
dovecot_deliver "$SOURCE_DIR"/tests/data/samples/0[1-3]-*.eml || exit 1

# Dovecot answers on 127.0.0.1; tls = none is allowed only on loopback.
POLL_INTERVAL=1 IMAP_IDLE=yes peer_config consultd.conf "$DOVECOT_PORT" none "auth = xoauth2
token_file = $work/client.token
timeout = 10s"
sed -i 's/^host = localhost$/host = 127.0.0.1/; s/^user = consult$/user = '"$DOVECOT_USER"'/' consultd.conf

attempt() { # attempt NAME: one --check-connection
	timeout 30 "$CONSULTD" --check-connection -c consultd.conf >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
	echo "--- $1: exit $(cat "$1.rc")"
	cat "$1.out" "$1.err"
}
introspected() { grep -c "\"active\": $1" oauth2.log 2>/dev/null || echo 0; }
no_token_in() {
	local t
	for t in "$token1" "$token2" "$token3"; do
		grep -qF -- "$t" "$@" && return 1
	done
	return 0
}

attempt stale
check "stale token: --check-connection fails" test "$(cat stale.rc)" = 1
check "stale token: the failure says the XOAUTH2 login was refused" \
	grep -q 'auth=xoauth2 reason="login: login refused"' stale.err
check "stale token: Dovecot asked the introspection endpoint (POST), which said inactive" \
	grep -q '"method": "POST", "mode": "post", "active": false' oauth2.log
check "stale token: Dovecot logged an XOAUTH2 authentication failure" \
	grep -q 'auth failed.*method=XOAUTH2' dovecot/dovecot.log

set_token client.token "$token2"
attempt fresh
check "fresh token: --check-connection logs in" test "$(cat fresh.rc)" = 0
check "fresh token: the mailbox is reported" grep -qF 'holds 3 messages' fresh.out
check "fresh token: Dovecot logged the XOAUTH2 login" grep -q 'Login: user=<consult>, method=XOAUTH2' dovecot/dovecot.log
check "fresh token: the endpoint said active" test "$(introspected true)" -ge 1

# The daemon starts with the stale token, is refused, retries, and picks up
# the refreshed file by itself.
set_token client.token "$token1"
"$CONSULTD" -v -c consultd.conf 2>daemon.log &
daemon_pid=$!
refused_and_retried() { grep -q 'auth=xoauth2 reason="login: login refused"' daemon.log && grep -q 'event=retry' daemon.log; }
wait_for 30 refused_and_retried
check "daemon: the stale token is a logged login failure, then a retry" refused_and_retried
check "daemon: nothing stored with the stale token" test "$(sql 'SELECT count(*) FROM responses' 2>/dev/null || echo 0)" -eq 0
set_token client.token "$token2"
count_is() { [ "$(sql 'SELECT count(*) FROM responses' 2>/dev/null || echo 0)" -eq "$1" ]; }
wait_for 60 count_is 3
check "daemon: after the token file was refreshed, all 3 stored" count_is 3
all_seen() { [ "$(dovecot_flags | grep -c 'Seen')" -eq "$1" ]; }
wait_for 15 all_seen 3
check "daemon: all 3 flagged \\Seen on Dovecot" all_seen 3

# The provider rotates the token and Dovecot drops the session; the tool
# keeping token_file fresh has written the new one. The next login uses it.
set_token server.token "$token3"
set_token client.token "$token3"
logins_before=$(grep -c 'Login: user=<consult>, method=XOAUTH2' dovecot/dovecot.log)
doveadm -c "$DOVECOT_CONF" kick "$DOVECOT_USER" >/dev/null 2>&1
relogged() { [ "$(grep -c 'Login: user=<consult>, method=XOAUTH2' dovecot/dovecot.log)" -gt "$logins_before" ]; }
wait_for 30 relogged
check "daemon: after a kick, it logged in again with XOAUTH2" relogged
dovecot_deliver "$SOURCE_DIR"/tests/data/samples/04-*.eml || exit 1
wait_for 30 count_is 4
check "daemon: with the rotated token, new mail is stored" count_is 4
check "daemon: the rotated token was introspected as active" \
	test "$(tail -n 3 oauth2.log | grep -c '"active": true')" -ge 1
check "daemon: still running" kill -0 "$daemon_pid"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "daemon: SIGTERM, exit 0" test $? -eq 0
daemon_pid=
check "no token in any consultd output (debug level included)" no_token_in ./*.out ./*.err daemon.log

finish
