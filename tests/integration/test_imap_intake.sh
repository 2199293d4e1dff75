#!/usr/bin/env bash
# End to end against a real Dovecot: every message stored exactly once with
# the right decoded text and flagged \Seen, also across a SIGKILL in the
# middle of a batch.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 1h

samples=$SOURCE_DIR/tests/data/samples
manifest=$samples/MANIFEST.tsv
mkdir -p first more
n=0
for f in "$samples"/*.eml; do
	cp "$f" first/
	n=$((n + 1))
done
i=0
while [ "$n" -lt 50 ]; do # top up to 50 with variants of the samples
	set -- "$samples"/*.eml
	shift $((i % $#))
	make_variant "$1" "top$i" "first/zz-top$i.eml"
	n=$((n + 1)) i=$((i + 1))
done
dovecot_deliver first/*.eml || exit 1

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
all_seen() { ! dovecot_flags | grep -v 'Seen' | grep -q 'uid='; }

"$CONSULTD" -c consultd.conf 2>daemon1.log &
daemon_pid=$!
wait_for 60 count_is 50
check "all 50 messages stored" count_is 50
check "each message stored once (50 distinct keys)" \
	test "$(sql 'SELECT count(DISTINCT idem_key) FROM responses')" -eq 50
wait_for 20 all_seen
check "all 50 flagged \\Seen on the server" all_seen

# The decoded text of each sample, as its manifest says.
text_has() { # text_has MESSAGE_ID PHRASE
	sql "SELECT text FROM responses WHERE message_id = '$1'" | tr -s ' \t\n' '   ' |
		grep -qF -- "$(printf '%s' "$2" | tr -s ' \t\n' '   ')"
}
status_is() { test "$(sql "SELECT status FROM responses WHERE message_id = '$1'")" = "$2"; }
while IFS=$'\t' read -r file kind status structure encoding charset themes expect; do
	[ "$file" = file ] && continue
	mid=$(grep -i -m1 '^Message-ID:' "$samples/$file" | sed 's/.*<\(.*\)>.*/\1/')
	check "$file: decoded text contains \"$expect\"" text_has "$mid" "$expect"
	check "$file: status $status" status_is "$mid" "$status"
done <"$manifest"

# 200 more, and a SIGKILL while they are being fetched and stored.
triples=()
for j in $(seq 1 200); do
	set -- "$samples"/*.eml
	shift $((j % $#))
	printf -v n '%03d' "$j"
	triples+=("$1" "more$j" "more/$n.eml")
done
make_variants "${triples[@]}"
# Delivered one by one in the background, consultd storing them as they
# come: the kill lands while deliveries and the ingest are both going on.
dovecot_deliver more/*.eml &
deliver_pid=$!
more_than() { [ "$(stored)" -gt "$1" ]; }
wait_for 60 more_than 50
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
at_kill=$(stored)
wait "$deliver_pid" || exit 1
echo "killed consultd with $at_kill of 250 stored"
check "killed part-way through the 200 (stored $at_kill)" test "$at_kill" -lt 250

"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
wait_for 60 count_is 250
check "all 250 stored after the restart" count_is 250
check "each stored exactly once (250 distinct Message-IDs)" \
	test "$(sql 'SELECT count(DISTINCT message_id) FROM responses')" -eq 250
wait_for 20 all_seen
check "all 250 flagged \\Seen on the server" all_seen
kill -TERM "$daemon_pid"
wait_for 10 bash -c "! kill -0 $daemon_pid 2>/dev/null"
wait "$daemon_pid"
check "SIGTERM: consultd exits 0" test $? -eq 0
daemon_pid=

check "no response text is in any log" no_text_logged daemon*.log

finish
