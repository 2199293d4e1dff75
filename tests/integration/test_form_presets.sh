#!/usr/bin/env bash
# Web-form intake, one form of each preset, each served by a real HTTP server
# on 127.0.0.1 in pages (typeform 3+3+1, google-forms 2+2+2, generic 2+2+2):
# every item stored once with its answers and question labels, a bad item
# quarantined with its reason and JSON while the good ones around it are
# stored, the cursor saved, an ETag answered with 304, a Google Forms edit
# updating the one response and recorded as an edit.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

setup_form_test
form_server_start TF typeform "$FORMS_DATA/typeform-items.json" 1000 || exit 1
form_server_start GF google-forms "$FORMS_DATA/google-responses.json" 2 || exit 1
form_server_start GN generic "$FORMS_DATA/generic-items.json" 2 || exit 1

now=$(date -u +%s)
write_base_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 "@$((now + 3600))")" 1h
{
	form_section typeform "$TF_PORT" tf
	form_section google-forms "$GF_PORT" gf
	form_section generic "$GN_PORT" gn
} >>consultd.conf
check "--check-config accepts the three form sections" "$CONSULTD" --check-config -c consultd.conf

"$CONSULTD" --check-connection -c consultd.conf >check.txt 2>&1
check "--check-connection reads each form's first page" \
	test "$(grep -c 'HTTP 200, [0-9]* responses on the first page' check.txt)" -eq 3
check "--check-connection says which items would be quarantined" \
	grep -q '^\[form tf\] GET .*: HTTP 200, 3 responses on the first page (0 would be quarantined), more pages' check.txt
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 30 count_is 19
check "7 typeform + 6 google + 6 generic items stored" count_is 19
check "each channel is form" count_is 19 "WHERE channel = 'form'"
check "typeform: 6 stored, the bad one quarantined" count_is 6 "WHERE idem_key LIKE 'form:lT4Z3j:%' AND status = 'response'"
check "typeform: the bad item's reason names it" \
	test "$(sql "SELECT status_reason FROM responses WHERE idem_key = 'form:lT4Z3j:tf0005'")" = \
	"item 1: submitted_at missing or not an RFC 3339 time"
check "typeform: the bad item's JSON is kept as raw" \
	test "$(sql "SELECT count(*) FROM raw_sources s JOIN responses r ON r.id = s.response_id WHERE r.idem_key = 'form:lT4Z3j:tf0005' AND CAST(s.raw AS TEXT) LIKE '%not a time%'")" -eq 1
check "typeform: 3 pages asked for with after= tokens" \
	test "$(grep -c '"after"' TF.requests | head -n1)" -ge 2
# Typeform allows 2 requests a second: the daemon's (after the first,
# from --check-connection) come 500 ms apart (400 allows for the
# server's own delays in seeing them; unlimited, they are a few ms apart).
tf_gap=$(python3 -c '
import json, sys
ts = sorted(json.loads(l)["t"] for l in open(sys.argv[1]))[1:]
print(min(int((b - a) * 1000) for a, b in zip(ts, ts[1:])))' TF.requests)
check "typeform: at most 2 requests a second (closest ${tf_gap} ms apart)" test "$tf_gap" -ge 400
check "typeform: the cursor is the last item's token" \
	test "$(sql "SELECT cursor FROM form_state WHERE source = 'form:lT4Z3j'")" = tf0007
check "google: 3 pages (pageToken 2 and 4)" grep -q '"pageToken": \["4"\]' GF.requests
check "generic: 3 pages (cursor 2 and 4)" grep -q '"cursor": \["4"\]' GN.requests
check "answers kept with their question labels" \
	test "$(sql "SELECT count(*) FROM form_answers WHERE question = 'Which priorities matter most to you?' AND kind = 'choice'")" -ge 6
check "free text is what is classified (themes found)" \
	test "$(sql "SELECT count(DISTINCT response_id) FROM response_themes")" -ge 10
check "the text carries the question label" \
	test "$(sql "SELECT count(*) FROM responses WHERE text LIKE 'Your views' || char(10) || '%'")" -eq 6
check "sender from the typeform email answer" \
	test "$(sql "SELECT sender_name || ' ' || sender_email FROM responses WHERE idem_key = 'form:lT4Z3j:tf0001'")" = \
	"Amira Haddad Amira.Haddad@example.org"
check "respondent_key is the lower-cased address" \
	test "$(sql "SELECT respondent_key FROM responses WHERE idem_key = 'form:lT4Z3j:tf0001'")" = amira.haddad@example.org

# Later polls: the google first page is unchanged, so its ETag matches.
wait_for 15 grep -q '"status": 304' GF.requests
check "an unchanged first page is answered 304 to If-None-Match" grep -q '"status": 304' GF.requests

# A respondent edits a Google Forms response: new lastSubmittedTime, new text.
edited=$(python3 -c '
import json,sys
r = json.load(open(sys.argv[1]))[2]
r["lastSubmittedTime"] = "2021-11-25T08:00:00Z"
r["answers"]["5e2f0a11"]["textAnswers"]["answers"][0]["value"] = "Edited: drug dealing outside the school gates got worse."
# and one who gave an address, for export-subject below
s = json.load(open(sys.argv[1]))[1]
s["lastSubmittedTime"] = "2021-11-25T08:30:00Z"
for a in s["answers"].values():
    if "textAnswers" in a:
        a["textAnswers"]["answers"][0]["value"] = "Edited by Sam: more patrols after dark."
        break
print(json.dumps([r, s]))' "$FORMS_DATA/google-responses.json")
form_control GF items "$edited"
key=form:1FAIpQL:ACYDBNj002Q9Zc2vH3uIc
edit_seen() { [ "$(sql "SELECT count(*) FROM form_versions v JOIN responses r ON r.id = v.response_id WHERE r.idem_key = '$key' AND v.edit")" -eq 1 ]; }
wait_for 20 edit_seen
check "the edit is recorded once" edit_seen
check "still one response for it" count_is 1 "WHERE idem_key = '$key'"
check "its text is the edited one" \
	test "$(sql "SELECT count(*) FROM responses WHERE idem_key = '$key' AND text LIKE '%Edited: drug dealing%'")" -eq 1
check "the edit keeps the previous text" \
	test "$(sql "SELECT count(*) FROM form_versions v JOIN responses r ON r.id = v.response_id WHERE r.idem_key = '$key' AND v.previous_text LIKE '%Burglaries on our estate are never investigated%'")" -eq 1
check "total unchanged" count_is 19
sam_edited() { [ "$(sql "SELECT count(*) FROM form_versions v JOIN responses r ON r.id = v.response_id WHERE r.idem_key = 'form:1FAIpQL:ACYDBNj001Q9Zc2vH3uIc' AND v.edit")" -eq 1 ]; }
wait_for 10 sam_edited
"$CONSULTCTL" -c consultd.conf export-subject sam.okafor@example.net >subject.json 2>subject.err
check "export-subject gives the form response's versions, the edit with the text it replaced" python3 -c '
import json
d = json.load(open("subject.json"))
[r] = [r for r in d["responses"] if r["channel"] == "form"]
v = r["form_versions"]
assert [x["edit"] for x in v] == [False, True], v
assert v[1]["previous_text"] and "Edited by Sam" not in v[1]["previous_text"], v
assert "Edited by Sam" in r["text"], r["text"]
assert r["receipt"] is None, r["receipt"]  # no [receipts] here
'
ref=$(sql "SELECT printf('R-%06d', id) FROM responses WHERE idem_key = '$key'")
"$CONSULTCTL" -c consultd.conf show "$ref" >show.txt 2>&1
check "consultctl show lists the answers with their questions" \
	grep -q 'What is the biggest problem where you live?: Edited: drug dealing' show.txt
"$CONSULTCTL" -c consultd.conf status >status.txt 2>&1
check "consultctl status shows the form sources' last poll" grep -q 'source:       form:1FAIpQL' status.txt

# A new submission is picked up by the next poll.
form_control TF items '[{"token": "tf0008", "response_id": "tf0008", "submitted_at": "2021-12-01T10:00:00Z", "answers": [{"field": {"id": "k6TP9oQs1cGE", "type": "long_text", "ref": "views"}, "type": "text", "text": "More neighbourhood officers."}]}]'
wait_for 15 count_is 20
check "a new typeform submission arrives with the next poll" count_is 20
check "asked for after the stored cursor" grep -q '"after": \["tf0007"\]' TF.requests
# SIGHUP with a changed [form] section: the pollers restart from their
# stored cursors with the new question labels.
sed -i 's/^question.views = What should the plan change?$/question.views = What would you change?/' consultd.conf
kill -HUP "$daemon_pid"
wait_for 10 grep -q 'event=reload .*form_pollers=restarted' daemon.log
check "a reload with a changed [form] restarts the form pollers" grep -q 'form_pollers=restarted' daemon.log
form_control TF items '[{"token": "tf0009", "response_id": "tf0009", "submitted_at": "2021-12-02T10:00:00Z", "answers": [{"field": {"id": "k6TP9oQs1cGE", "type": "long_text", "ref": "views"}, "type": "text", "text": "Fix the street lights."}]}]'
wait_for 15 count_is 21
check "after the reload: stored from the stored cursor, once" count_is 21
check "with the new question label" \
	test "$(sql "SELECT question FROM form_answers a JOIN responses r ON r.id = a.response_id WHERE r.idem_key = 'form:lT4Z3j:tf0009'")" = "What would you change?"
check "nothing logged at error level" bash -c '! grep -q "level=err" daemon.log'
check "the bearer token is in no log" not_logged "$(head -n 1 token)" daemon.log check.txt
check "no answer text is in the log" no_text_logged daemon.log check.txt

finish
