#!/usr/bin/env bash
# The connection cut in the middle of a FETCH: a loopback proxy in front of
# Dovecot closes both sides after N bytes from the server on each of the
# first three connections (inside the body FETCH, early in the session,
# inside the body FETCH again), then forwards normally. All 60 messages are
# stored exactly once and flagged \Seen, and the log shows the reconnects:
# over implicit TLS, then over plaintext (loopback, tls = none). First, the
# same against the scripted server, cut exactly inside a literal.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/certs.sh"
source "$SOURCE_DIR/tests/lib/peers.sh"

setup_peer_test
make_certs "$work/certs" || { echo "cannot make test certificates"; exit 1; }
DOVECOT_SSL_CERT=$work/certs/good.pem DOVECOT_SSL_KEY=$work/certs/good.key \
	dovecot_start "$work/dovecot" || exit 1
samples=$SOURCE_DIR/tests/data/samples
mkdir msgs
triples=()
for j in $(seq 1 60); do
	set -- "$samples"/*.eml
	shift $((j % $#))
	printf -v n '%03d' "$j"
	triples+=("$1" "cut$j" "msgs/$n.eml")
done
make_variants "${triples[@]}"
dovecot_deliver_maildir msgs/*.eml
doveadm -c "$DOVECOT_CONF" index -u "$DOVECOT_USER" INBOX 2>/dev/null

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
all_seen() { [ "$(dovecot_flags | grep -c 'Seen')" -eq 60 ]; }
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }

# phase NAME TLS TARGET_PORT
phase() {
	local name=$1 tls=$2 target=$3 start
	DB=$work/$name.sqlite
	doveadm -c "$DOVECOT_CONF" flags remove -u "$DOVECOT_USER" '\Seen' mailbox INBOX all
	# 30000 bytes falls inside the body FETCH, 400 early in the session
	# (the greeting, login or TLS handshake), 120000 inside the FETCH again.
	peer_start "$name-proxy" faultproxy.py --lifetime 60 --target-port "$target" \
		--cut-after 30000,400,120000 || exit 1
	peer=$PEER_PID
	DOVECOT_PORT=$PEER_PORT write_config "$name.conf" "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
	sed -i "s|^path = consultd.sqlite|path = $DB|; s|^tls = none|tls = $tls\ntimeout = 5s|" "$name.conf"
	[ "$tls" = implicit ] &&
		sed -i "s|^host = 127.0.0.1|host = localhost\nca_file = $work/certs/ca.pem|" "$name.conf"
	start=$SECONDS
	"$CONSULTD" -c "$name.conf" 2>"$name-daemon.log" &
	daemon_pid=$!
	wait_for 20 count_is 60
	echo "--- $name: stored $(stored) in $((SECONDS - start)) s"
	cat "$name-proxy.log"
	grep -E 'reconnect|retry|connected' "$name-daemon.log"
	check "$name: all 60 stored through three cut connections" count_is 60
	check "$name: each stored once (60 distinct Message-IDs)" \
		test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 60
	check "$name: each stored once (60 distinct idempotency keys)" \
		test "$(sql 'SELECT count(DISTINCT idem_key) FROM responses')" -eq 60
	count_is 60 && wait_for 10 all_seen
	check "$name: all 60 flagged \\Seen on the server" all_seen
	check "$name: the proxy cut three connections" test "$(grep -c 'cut after' "$name-proxy.log")" -eq 3
	check "$name: the cut sessions are logged, with a reconnect or retry" \
		test "$(grep -c 'action=reconnect\|event=retry' "$name-daemon.log")" -ge 3
	check "$name: consultd connected at least twice" \
		test "$(grep -c 'event=connected' "$name-daemon.log")" -ge 2
	# libetpan 1.9.4 spins in recv() at EOF inside a literal on a plaintext
	# connection, and a stuck IMAP thread blocks the stop too: never wait
	# for it unbounded.
	kill -TERM "$daemon_pid"
	wait_for 10 gone
	check "$name: SIGTERM stops consultd within 10 s" gone
	if gone; then
		wait "$daemon_pid"
		check "$name: SIGTERM, exit 0" test $? -eq 0
	else
		kill -9 "$daemon_pid"
		wait "$daemon_pid" 2>/dev/null
	fi
	daemon_pid=
	peer_stop "$peer"
	peer=
}

# First the sharpest case, from the scripted server: the connection closed
# half-way through the first message's literal, plaintext.
mkdir seven
cp "$samples"/0[1-7]-*.eml seven/
printf 'cut-test-password\n' >script-password
peer_start script imap_script.py --lifetime 40 --messages seven --password cut-test-password \
	--cut 1:fetch-mid || exit 1
peer=$PEER_PID
peer_config script.conf "$PEER_PORT" none "password_file = $work/script-password
timeout = 5s"
DB=$work/consultd.sqlite
"$CONSULTD" -c script.conf 2>script-daemon.log &
daemon_pid=$!
wait_for 15 count_is 7
check "scripted cut inside a literal (plaintext): consultd reconnects and stores all 7" count_is 7
check "scripted cut inside a literal: the second session fetched the bodies" \
	grep -q '^conn 2 C: .*BODY.PEEK' script.log
kill -TERM "$daemon_pid"
wait_for 10 gone
check "scripted cut inside a literal: SIGTERM stops consultd within 10 s" gone
gone || kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
peer_stop "$peer"
peer=

phase tls implicit "$DOVECOT_TLS_PORT"
phase plain none "$DOVECOT_PORT"

finish
