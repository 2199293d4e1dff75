#!/usr/bin/env bash
# consultd killed with SIGKILL at 20 different points during a 2,000-message
# ingest (while connecting, fetching, parsing, committing, flagging): in the
# end every message is stored exactly once and flagged.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
total=2000
mkdir msgs
set -- "$SOURCE_DIR"/tests/data/samples/*.eml
samples=("$@")
triples=()
for i in $(seq 1 "$total"); do
	triples+=("${samples[$((i % ${#samples[@]}))]}" "kill$i" "msgs/$i.eml")
done
make_variants "${triples[@]}"
dovecot_deliver_maildir msgs/*.eml
doveadm -c "$DOVECOT_CONF" index -u "$DOVECOT_USER" INBOX
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
RANDOM=42 # the same kill points on every run
points=()
for run in $(seq 1 20); do
	before=$(stored)
	"$CONSULTD" -c consultd.conf 2>>daemon.log &
	daemon_pid=$!
	if [ $((run % 2)) -eq 0 ]; then
		# By time: anywhere from connecting to the middle of a batch.
		sleep "0.$(printf '%03d' $((RANDOM % 80)))"
	else
		# By progress: just after the run's first commit, while that
		# batch is flagged and the next one fetched.
		target=$((before + 1))
		start=$SECONDS
		while [ "$(stored)" -lt "$target" ] && [ $((SECONDS - start)) -lt 20 ]; do :; done
	fi
	kill -9 "$daemon_pid" 2>/dev/null
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	points+=("$before->$(stored)")
done
echo "kill points (stored before -> at the kill): ${points[*]}"
check "the 20 kills happened before the ingest finished" test "$(stored)" -lt "$total"

"$CONSULTD" -c consultd.conf 2>>daemon.log &
daemon_pid=$!
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 120 count_is "$total"
check "all $total stored in the end" count_is "$total"
check "each exactly once" test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq "$total"
check "no response without its raw source" \
	test "$(sql 'SELECT count(*) FROM responses WHERE id NOT IN (SELECT response_id FROM raw_sources)')" -eq 0
all_seen() { ! dovecot_flags | grep -v 'Seen' | grep -q 'uid='; }
wait_for 30 all_seen
check "every message flagged \\Seen" all_seen
kill -TERM "$daemon_pid"; wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=

finish
