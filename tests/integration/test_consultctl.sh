#!/usr/bin/env bash
# consultctl against a store the daemon is writing: status (with the
# reconciliation), show, export, quarantine list/show/retry, backup, and
# the documented restore from that backup.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
hostile=$SOURCE_DIR/tests/data/hostile
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
dovecot_deliver "$samples"/0*.eml "$hostile"/body-binary-garbage.eml "$hostile"/body-zero-bytes.eml || exit 1
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 30 count_is 11
check "11 stored" count_is 11
reconciled() { "$CONSULTCTL" -c consultd.conf status 2>&1 | grep -q 'reconciled: 20'; }
wait_for 10 reconciled

"$CONSULTCTL" -c consultd.conf status >status.out 2>&1
check "status: exit 0 while the daemon runs" test $? -eq 0
check "status: the window and time left" grep -q '^window: *open' status.out
check "status: closes in" grep -q 'closes in' status.out
check "status: counts per channel" grep -q 'responses: *9 counted (email 9' status.out
check "status: quarantine count" grep -q '2 quarantined' status.out
check "status: the source with its last poll" grep -q '^  last poll:  20' status.out
check "status: reconciliation with the server" grep -q 'server holds 11 up to the cursor, 0 not stored' status.out

"$CONSULTCTL" -c consultd.conf show R-000001 >show.out 2>&1
check "show: exit 0" test $? -eq 0
check "show: the reference and subject" grep -q '^reference:  R-000001' show.out
check "show: themes with their matched terms" grep -q '      matched: ' show.out
"$CONSULTCTL" -c consultd.conf show R-999999 >/dev/null 2>show.err
check "show: an unknown reference fails" test $? -eq 1
"$CONSULTCTL" -c consultd.conf show banana >/dev/null 2>show.err
check "show: not a reference is a usage error" test $? -eq 2

"$CONSULTCTL" -c consultd.conf export >export.jsonl
check "export: one line per stored response" test "$(wc -l <export.jsonl)" -eq 11
check "export: every line is JSON with the stable fields" python3 -c '
import json, sys
keys = {"ref", "channel", "source_id", "message_id", "received_at", "late", "status", "sender",
        "respondent_type", "area", "subject", "text", "themes", "attachments", "campaign"}
for line in open("export.jsonl"):
    o = json.loads(line)
    assert keys <= set(o), keys - set(o)
'

"$CONSULTCTL" -c consultd.conf quarantine list >q.out
check "quarantine list: the two bad messages" test "$(wc -l <q.out)" -eq 2
ref=$(head -n 1 q.out | cut -d' ' -f1)
"$CONSULTCTL" -c consultd.conf quarantine show "$ref" >raw.out 2>raw.err
check "quarantine show: the reason" test -s raw.err
# Byte for byte as served: IMAP gives CRLF line ends, and Dovecot sends a
# NUL byte (not allowed in IMAP text) as 0x80.
same_as_delivered() {
	python3 -c 'import sys
a, b = (open(f, "rb").read().replace(b"\r\n", b"\n").replace(b"\0", b"\x80") for f in sys.argv[1:])
sys.exit(a != b)' "$@"
}
check "quarantine show: the raw source as kept" same_as_delivered raw.out "$hostile/body-binary-garbage.eml"
# A response that a (hypothetical) older parser quarantined: retry parses it.
sql_rw() { sqlite3 -batch "$DB" "$@"; }
sql_rw "UPDATE responses SET status = 'quarantined', status_reason = 'old parser', text = '' WHERE id = 1"
"$CONSULTCTL" -c consultd.conf quarantine retry >retry.out 2>&1
check "quarantine retry: exit 0" test $? -eq 0
check "quarantine retry: R-000001 parses now" grep -q '^R-000001: now response' retry.out
check "quarantine retry: the others stay, with their reason" grep -q 'still quarantined' retry.out
check "R-000001 has its text and themes back" \
	test "$(sql 'SELECT length(text) > 0 AND (SELECT count(*) FROM response_themes WHERE response_id = 1) > 0 FROM responses WHERE id = 1')" = 1

# Search reaches attachment text: a word that occurs only in an
# attachment (after the "[attachment: NAME]" line) finds its response.
read -r att_ref att_word < <(python3 - "$DB" <<'PY'
import re, sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for rid, text, subject in db.execute("SELECT id, text, coalesce(subject, '') FROM responses ORDER BY id"):
    body, sep, att = text.partition("\n[attachment: ")
    if not sep:
        continue
    att = att.split("\n", 1)[1] if "\n" in att else ""
    seen = set(re.findall(r"[a-z]+", (body + " " + subject).lower()))
    others = " ".join(t for (t,) in db.execute("SELECT text FROM responses WHERE id <> ?", (rid,))).lower()
    for w in re.findall(r"[A-Za-z]{9,}", att):
        if w.lower() not in seen and w.lower() not in others:
            print("R-%06d %s" % (rid, w.lower()))
            sys.exit(0)
PY
)
check "a word found only in an attachment (${att_word:-none})" test -n "${att_word:-}"
"$CONSULTCTL" -c consultd.conf search "${att_word:-none}" >search.out 2>&1
check "search: attachment text finds its response ($att_ref)" grep -q "^$att_ref " search.out

"$CONSULTCTL" -c consultd.conf backup "$work/copy.sqlite" >backup.out 2>&1
check "backup: exit 0 while the daemon runs" test $? -eq 0
check "backup: a complete store" test "$(sqlite3 "$work/copy.sqlite" 'SELECT count(*) FROM responses')" -eq 11
"$CONSULTCTL" -c consultd.conf backup "$work/copy.sqlite" >/dev/null 2>&1
check "backup: never overwrites" test $? -eq 1
check "backup: private to its owner" test "$(stat -c %a "$work/copy.sqlite")" = 600

# Mail that arrives after the backup, then the store is lost.
dovecot_deliver "$samples"/10-*.eml "$samples"/11-*.eml || exit 1
wait_for 30 count_is 13
check "2 more stored after the backup" count_is 13
before_restore=$(sql "SELECT group_concat(idem_key, ' ') FROM (SELECT idem_key FROM responses ORDER BY idem_key)")
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

# The restore of consultctl(1) and the README: stop, put the copy in place
# of the store with no -wal or -shm beside it, start.
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$work/copy.sqlite" "$DB"
check "restored: the backup's 11" count_is 11
"$CONSULTD" -c consultd.conf 2>daemon-restored.log &
daemon_pid=$!
wait_for 30 count_is 13
check "after the restore the 2 newer messages are fetched again" count_is 13
after_restore=$(sql "SELECT group_concat(idem_key, ' ') FROM (SELECT idem_key FROM responses ORDER BY idem_key)")
check "the same 13 responses as before the loss, each once" test "$after_restore" = "$before_restore"
check "integrity_check ok" test "$(sql 'PRAGMA integrity_check')" = ok
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=
finish
