#!/usr/bin/env bash
# Acknowledgement receipts for web-form responses: a typeform served by
# tests/lib/form_server.py, receipts to the SMTP sink (tests/lib/smtp_sink.py).
# A respondent who gave an address gets one receipt, while consultd runs
# (not only at the next start), and exactly one across a restart; one who
# gave none, or a no-reply address, gets none (outbox row suppressed).
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"
source "$SOURCE_DIR/tests/lib/certs.sh"

setup_form_test
make_certs "$work/certs" || exit 1
SINK_USER=receipts@consult.example
SINK_PASSWORD=sink-test-password
printf '%s\n' "$SINK_PASSWORD" >smtp-password
chmod 600 smtp-password
sink_pid=
on_exit() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; }

item() { # item TOKEN SUBMITTED NAME EMAIL|"" TEXT
	local email=
	[ -n "$4" ] && email=$(printf ', {"field": {"id": "Y7aXWt2mBv1q", "type": "email", "ref": "email"}, "type": "email", "email": "%s"}' "$4")
	printf '{"token": "%s", "response_id": "%s", "submitted_at": "%s", "answers": [{"field": {"id": "hVONkQcnSNRj", "type": "short_text", "ref": "name"}, "type": "text", "text": "%s"}%s, {"field": {"id": "k6TP9oQs1cGE", "type": "long_text", "ref": "views"}, "type": "text", "text": "%s"}]}' \
		"$1" "$1" "$2" "$3" "$email" "$5"
}
{
	printf '['
	item fr0001 2021-11-17T10:00:00Z 'Amira Haddad' Amira.Haddad@Example.ORG 'More officers on foot patrol near the station in the evenings.'
	printf ', '
	item fr0002 2021-11-18T10:00:00Z 'Ben Okafor' '' 'Better street lighting on the estate please.'
	printf ', '
	item fr0003 2021-11-19T10:00:00Z 'Parish Council' noreply@council.example 'The council supports more neighbourhood policing.'
	printf ']\n'
} >items.json
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' items.json || { echo "bad fixture"; exit 1; }
form_server_start TF typeform items.json 1000 || exit 1

python3 "$SOURCE_DIR/tests/lib/smtp_sink.py" --dir sink --port-file sink.port \
	--tls starttls --cert "$work/certs/good.pem" --key "$work/certs/good.key" \
	--user "$SINK_USER" --password "$SINK_PASSWORD" 2>>sink.log &
sink_pid=$!
wait_for 10 test -s sink.port || { echo "sink did not start"; cat sink.log; exit 1; }

now=$(date -u +%s)
write_base_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 "@$((now + 3600))")" 1h
form_section typeform "$TF_PORT" tf >>consultd.conf
cat >>consultd.conf <<CONF

[receipts]
host = localhost
port = $(cat sink.port)
tls = starttls
ca_file = $work/certs/ca.pem
user = $SINK_USER
password_file = smtp-password
from_address = consult@consult.example
subject = Receipt {reference}: {subject}
body_file = receipt.txt
rate = 600
retry_base = 1s
timeout = 10s
CONF
cat >receipt.txt <<'TXT'
Dear {name},

Thank you for your response.
Your reference is {reference}.
TXT
check "--check-config accepts [form] with [receipts]" "$CONSULTD" --check-config -c consultd.conf

received() { ls sink/*.eml 2>/dev/null | wc -l; }
received_is() { [ "$(received)" -eq "$1" ]; }
state_of() { sql "SELECT o.state FROM outbox o JOIN responses r ON r.id = o.response_id WHERE r.idem_key = 'form:lT4Z3j:$1'"; }

"$CONSULTD" -c consultd.conf 2>daemon1.log &
daemon_pid=$!
wait_for 20 count_is 3
check "3 form responses stored" count_is 3 "WHERE channel = 'form' AND status = 'response'"
# Nothing else wakes the sender here (no mailbox, no restart): the form
# page itself must.
wait_for 15 received_is 1
check "a receipt for the form response with an address, while running" received_is 1
check "sent to the form's email answer (domain lower-cased)" \
	test "$(cut -f3 sink/log.tsv)" = "<Amira.Haddad@example.org>"
ref=$(sql "SELECT printf('R-%06d', id) FROM responses WHERE idem_key = 'form:lT4Z3j:fr0001'")
check "the receipt greets by the form's name answer" grep -q '^Dear Amira Haddad,' sink/*.eml
check "the receipt carries the reference $ref" grep -q "Your reference is $ref\." sink/*.eml
check "outbox: sent" test "$(state_of fr0001)" = sent
check "no email answer: suppressed" test "$(state_of fr0002)" = suppressed
check "no email answer: the reason" \
	test "$(sql "SELECT o.last_error FROM outbox o JOIN responses r ON r.id = o.response_id WHERE r.idem_key = 'form:lT4Z3j:fr0002'")" = "no sender address"
check "noreply address: suppressed" test "$(state_of fr0003)" = suppressed
check "noreply address: the reason" \
	test "$(sql "SELECT o.last_error FROM outbox o JOIN responses r ON r.id = o.response_id WHERE r.idem_key = 'form:lT4Z3j:fr0003'")" = "no-reply address"

# Restart: the form is polled again from its cursor and from the start
# of an empty state alike; nothing is sent twice.
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
sqlite3 "$DB" "DELETE FROM form_state" || exit 1
"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
wait_for 15 grep -q 'event=page-stored' daemon2.log
sleep 2
check "after a restart and a re-poll from the start: still 3 responses" count_is 3
check "after a restart: still one receipt" received_is 1
check "one outbox row per response" test "$(sql 'SELECT count(*) FROM outbox')" -eq 3
check "the re-poll saw duplicates only" grep -q 'event=page-stored stored=0 .*duplicates=3' daemon2.log

# A new submission while running: one more receipt, at once.
form_control TF items "[$(item fr0004 2021-11-20T10:00:00Z 'Chen Wei' chen.wei@example.net 'Faster response to burglaries.')]"
wait_for 15 received_is 2
check "a new form response while running gets its receipt" received_is 2
check "to the new respondent" grep -q '<chen.wei@example.net>' sink/log.tsv
kill -TERM "$daemon_pid"; wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=
check "nothing logged at error level" bash -c '! grep -q "level=err" daemon1.log daemon2.log'
"$CONSULTCTL" -c consultd.conf export-subject amira.haddad@example.org >subject.json 2>subject.err
check "export-subject gives the receipt as sent" python3 -c '
import json, sys
d = json.load(open("subject.json"))
[r] = d["responses"]
c = r["receipt"]
assert c["state"] == "sent" and c["sent_at"], c
assert c["recipient"].lower() == "amira.haddad@example.org", c
assert "Your reference is %s." % sys.argv[1] in c["message"], c["message"]
assert r["form_versions"] == [], r["form_versions"]  # typeform responses have no versions
' "$ref"
finish
