#!/usr/bin/env bash
# Dovecot stopped and restarted in the middle of a batch: 500 messages, the
# server's processes killed as soon as more than 100 are stored (so a later
# batch is being fetched or flagged), then started again on the same port.
# All 500 are stored exactly once and flagged \Seen.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
mkdir msgs
set -- "$samples"/*.eml
nsamples=$#
# About 60 KB each, so that a batch of 100 is more than the loopback
# socket buffers hold: killing Dovecot then really cuts a FETCH short.
for i in $(seq 1 800); do
	echo "Paragraph $i of the appendix: the panel heard evidence on neighbourhood policing."
done >padding.txt
triples=()
for j in $(seq 1 500); do
	set -- "$samples"/*.eml
	shift $((j % nsamples))
	printf -v n '%03d' "$j"
	triples+=("$1" "mid$j" "msgs/$n.eml")
done
make_variants "${triples[@]}"
padding=$(<padding.txt)
for f in msgs/*.eml; do
	printf '%s\n' "$padding" >>"$f"
done
dovecot_deliver_maildir msgs/*.eml
doveadm -c "$DOVECOT_CONF" index -u "$DOVECOT_USER" INBOX 2>/dev/null
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
sed -i 's/^\[imap\]$/[imap]\ntimeout = 5s/' consultd.conf

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
more_than() { [ "$(stored)" -gt "$1" ]; }
unseen() { dovecot_flags | grep 'uid=' | grep -vc 'Seen'; }
all_seen() { [ "$(dovecot_flags | grep -c 'Seen')" -eq 500 ]; }

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
limit=$((SECONDS + 30))
until more_than 100 || [ $SECONDS -ge $limit ]; do :; done # no sleep: catch the first batch
at_detect=$(stored)
dovecot_stop
at_stop=$(stored)
echo "Dovecot stopped when $at_detect of 500 were stored; $at_stop when it was down"
check "Dovecot was stopped in the middle of the run ($at_stop stored)" \
	bash -c "[ $at_stop -gt 100 ] && [ $at_stop -lt 500 ]"
sleep 2
check "the lost connection is logged" grep -q 'action=reconnect\|event=retry' daemon.log
check "consultd is still running" kill -0 "$daemon_pid"
dovecot -c "$DOVECOT_CONF" && DOVECOT_RUNNING=1
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$DOVECOT_PORT" 2>/dev/null
# The backoff doubles while the server is away (1, 2, 4, ... 32, 64 s, with
# jitter): on a loaded machine the next try can be a minute off.
wait_for 150 count_is 500
check "after the restart, all 500 stored" count_is 500
check "each stored once (500 distinct Message-IDs)" \
	test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 500
wait_for 15 all_seen
check "all 500 flagged \\Seen on the server ($(unseen) not)" all_seen
check "the reconnect is logged" test "$(grep -c 'event=connected' daemon.log)" -ge 2
kill -TERM "$daemon_pid"
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 10 gone
check "SIGTERM stops consultd within 10 s" gone
if gone; then
	wait "$daemon_pid"
	check "SIGTERM: exit 0" test $? -eq 0
fi
daemon_pid=

finish
