#!/usr/bin/env bash
# Personal data against a running consultd: the store, its WAL and the
# closing summary are private to their owner whatever the umask; consultctl
# export-subject gives a respondent's data back; consultctl forget erases it
# while the daemon writes (and the same mail delivered again is not taken
# in); [storage] retention purges raw mail and attachment bytes, by hand
# (consultctl purge) and by the daemon after the close, keeping the text.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
umask 000 # privacy must not depend on the caller's umask
samples=$SOURCE_DIR/tests/data/samples
pdf_b64=$(base64 -w 76 "$SOURCE_DIR/tests/data/attachments/letter.pdf")

# mail FILE MESSAGE-ID FROM-ADDRESS WORDS: a response with the letter attached.
mail() {
	cat >"$1" <<EOF
From: Jo Resident <$3>
To: consultation@example.org
Subject: Police and crime plan
Message-ID: <$2>
Date: Mon, 22 Nov 2021 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

$4 We never see a police officer on our estate and burglaries keep happening.
--b1
Content-Type: application/pdf; name="letter.pdf"
Content-Disposition: attachment; filename="letter.pdf"
Content-Transfer-Encoding: base64

$pdf_b64
--b1--
EOF
}
mail jo1.eml jo-1@mail.example.org jo.resident@example.org SECRETWORDSONE
mail jo2.eml jo-2@mail.example.org Jo.Resident@Example.ORG SECRETWORDSTWO
mail other.eml other-1@mail.example.org neighbour@example.org NEIGHBOURWORDS

write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
dovecot_deliver "$samples"/0*.eml jo1.eml jo2.eml other.eml || exit 1
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 30 count_is 12
check "12 stored" count_is 12
mode() { stat -c %a "$1"; }
check "store private to its owner (umask 000)" test "$(mode consultd.sqlite)" = 600
check "its WAL too" test "$(mode consultd.sqlite-wal)" = 600
check "and its shared-memory index" test "$(mode consultd.sqlite-shm)" = 600
check "the letter is stored once for three senders" \
	test "$(sql 'SELECT count(DISTINCT sha256) FROM attachments WHERE filename = "letter.pdf"')" = 1

# Subject access, while the daemon runs.
"$CONSULTCTL" -c consultd.conf export-subject JO.RESIDENT@example.org >subject.json 2>subject.err
check "export-subject: exit 0" test $? -eq 0
check "export-subject: both responses in either spelling, with texts, themes and attachments" python3 -c '
import json
d = json.load(open("subject.json"))
assert d["email"] == "JO.RESIDENT@example.org", d["email"]
rs = d["responses"]
assert len(rs) == 2, len(rs)
texts = " ".join(r["text"] for r in rs)
assert "SECRETWORDSONE" in texts and "SECRETWORDSTWO" in texts
assert "NEIGHBOURWORDS" not in texts
for r in rs:
    assert r["ref"].startswith("R-") and r["received_at"].endswith("Z")
    assert r["sender"]["email"].lower() == "jo.resident@example.org"
    assert r["themes"], r
    a = r["attachments"][0]
    assert a["filename"] == "letter.pdf" and len(a["sha256"]) == 64 and a["size"] > 0
    assert "text" in a
'
"$CONSULTCTL" -c consultd.conf export-subject 'not an address' >/dev/null 2>bad.err
check "export-subject: a non-address is a usage error, said why" test $? -eq 2
check "  ... naming the problem" grep -q 'not an address' bad.err

# Erasure while the daemon runs.
before_raw=$(sql "SELECT count(*) FROM raw_sources")
"$CONSULTCTL" -c consultd.conf forget jo.resident@EXAMPLE.org >forget.out 2>&1
check "forget: exit 0 while the daemon runs" test $? -eq 0
check "forget: says how many" grep -q '^2 responses erased' forget.out
check "forget: no response from the address is left" \
	test "$(sql "SELECT count(*) FROM responses WHERE lower(sender_email) = 'jo.resident@example.org'")" = 0
check "forget: the others stay" count_is 10
check "forget: their raw mail is gone" test "$(sql "SELECT count(*) FROM raw_sources")" = $((before_raw - 2))
check "forget: the letter the neighbour also sent stays" \
	test "$(sql "SELECT count(*) FROM attachment_blobs WHERE sha256 IN
		(SELECT sha256 FROM attachments WHERE filename = 'letter.pdf')")" = 1
check "forget: their UIDs stay recorded, with no response" \
	test "$(sql "SELECT count(*) FROM imap_uids WHERE response_id IS NULL")" = 2
check "forget: an audit row with time, action and count" \
	test "$(sql "SELECT action || ' ' || count FROM audit")" = "forget 2"
check "forget: nothing personal in the audit table" \
	test "$(sql "SELECT count(*) FROM audit WHERE CAST(at AS TEXT) || action || count LIKE '%@%'")" = 0
# The same mail again (a new UID): not taken in.
dovecot_deliver jo1.eml || exit 1
seen_again() { [ "$(sql "SELECT count(*) FROM imap_uids")" -eq 13 ]; }
wait_for 20 seen_again
check "forgotten mail delivered again: its UID recorded, no response stored" \
	test "$(sql "SELECT count(*) FROM imap_uids WHERE response_id IS NULL")" = 3
check "  ... and the count did not move" count_is 10
"$CONSULTCTL" -c consultd.conf export-subject jo.resident@example.org >subject2.json
check "export-subject after forget: no response" python3 -c '
import json; assert json.load(open("subject2.json"))["responses"] == []'
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=
check "no trace of the erased words in the store file" \
	bash -c '! grep -a -q -e SECRETWORDS -e jo-1@mail -e jo-2@mail consultd.sqlite consultd.sqlite-wal 2>/dev/null'

# Retention. The window closed three days ago.
old=("$(rfc3339 '-10 days')" "$(rfc3339 '-3 days')" 0)
write_config consultd.conf "${old[@]}" exit
"$CONSULTCTL" -c consultd.conf purge >purge0.out 2>&1
check "purge without retention: refused" test $? -eq 1
check "  ... saying so" grep -q 'retention is not set' purge0.out
sed -i 's|^path = consultd.sqlite|&\nretention = 30|' consultd.conf
"$CONSULTCTL" -c consultd.conf purge >purge1.out 2>&1
check "purge before it is due: nothing" grep -q '^retention not due before' purge1.out
check "  ... raw mail still there" test "$(sql "SELECT count(*) FROM raw_sources")" -eq 10

# By hand, once due.
sed -i 's|^retention = 30|retention = 1|' consultd.conf
"$CONSULTCTL" -c consultd.conf purge >purge2.out 2>&1
check "consultctl purge: exit 0" test $? -eq 0
check "consultctl purge: says what went" grep -q '^purged 10 raw messages and 3 attachment files' purge2.out
check "raw mail purged" test "$(sql "SELECT count(*) FROM raw_sources")" = 0
check "attachment bytes purged" test "$(sql "SELECT count(*) FROM attachment_blobs")" = 0
check "texts, themes and attachment records kept" \
	test "$(sql "SELECT (SELECT count(*) FROM responses WHERE length(text) > 0) || ' '
		|| (SELECT count(*) > 0 FROM response_themes) || ' ' || (SELECT count(*) FROM attachments)")" = "10 1 3"
check "audited" test "$(sql "SELECT group_concat(action || '=' || count, ' ') FROM audit WHERE action LIKE 'purge%'")" \
	= "purge-raw=10 purge-attachments=3"

# A quarantined response whose raw mail was purged: retry refuses, saying
# why, and keeps what was extracted.
first=$(sql "SELECT min(id) FROM responses")
sqlite3 -batch "$DB" "UPDATE responses SET status = 'quarantined', status_reason = 'old parser' WHERE id = $first"
text_before=$(sql "SELECT text FROM responses WHERE id = $first")
"$CONSULTCTL" -c consultd.conf quarantine retry "R-$first" >retry.out 2>&1
check "quarantine retry after the purge: fails" test $? -ne 0
check "  ... saying the raw source was purged" grep -q 'no raw source kept' retry.out
check "  ... and keeps the text" test "$(sql "SELECT text FROM responses WHERE id = $first")" = "$text_before"
"$CONSULTCTL" -c consultd.conf quarantine show "R-$first" >shown.out 2>shown.err
check "quarantine show after the purge: says so" grep -q 'no raw source kept' shown.err
sqlite3 -batch "$DB" "UPDATE responses SET status = 'response', status_reason = NULL WHERE id = $first"

# By the daemon: it sweeps (a new response comes in, with its raw mail),
# writes the closing summary, then purges on its own.
mail late.eml late-1@mail.example.org late@example.org LATEWORDS
dovecot_deliver late.eml || exit 1
write_config consultd.conf "${old[@]}" idle
sed -i 's|^path = consultd.sqlite|&\nretention = 1|' consultd.conf
"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
purged() { [ "$(sql "SELECT count(*) FROM audit WHERE action = 'purge-raw'")" -eq 2 ]; }
wait_for 30 purged
check "the daemon purged after the closing summary" purged
check "  ... logged" grep -q 'event=retention-purge raw_sources=1 attachment_blobs=1' daemon2.log
check "  ... the new response is kept, without its raw mail" \
	test "$(sql "SELECT count(*) FROM responses r WHERE r.text LIKE '%LATEWORDS%' AND NOT EXISTS
		(SELECT 1 FROM raw_sources s WHERE s.response_id = r.id)")" = 1
kill -TERM "$daemon_pid"; wait "$daemon_pid"
check "daemon stopped cleanly" test $? -eq 0
daemon_pid=
summary=$(ls reports/closing-summary-*.md 2>/dev/null | head -n 1)
check "closing summary written" test -n "$summary"
check "closing summary private to its owner" test "$(mode "$summary")" = 600
check "report folder private to its owner" test "$(mode reports)" = 700
"$CONSULTCTL" -c consultd.conf summary -o interim.md
check "consultctl summary -o: private to its owner" test "$(mode interim.md)" = 600
"$CONSULTCTL" -c consultd.conf backup "$work/copy.sqlite"
check "backup: private to its owner" test "$(mode copy.sqlite)" = 600
finish
