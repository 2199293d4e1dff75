#!/usr/bin/env bash
# consultd killed (SIGKILL) between two pages of a form poll: the cursor was
# stored with the pages before, so the next run asks for the page after the
# last stored item; nothing is lost or stored twice. Then the final sweep at
# closes + grace includes one last form poll, before the closing summary.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

setup_form_test
form_server_start TF typeform "$FORMS_DATA/typeform-items.json" 0 || exit 1
now=$(date -u +%s)
closes=$((now + 25))
write_base_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 "@$closes")" 4s exit
FORM_POLL=1h TYPEFORM_PAGE=2 FORM_TIMEOUT=30 form_section typeform "$TF_PORT" >>consultd.conf
# pages of 2: the third request (items 5-6) is held for 20 s.
form_control TF faults '[{}, {}, {"delay": 20}]'
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 20 count_is 4
sleep 1
check "two pages stored while the third is held" count_is 4
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
check "the cursor is the last stored item's token" \
	test "$(sql "SELECT cursor FROM form_state WHERE source = 'form:lT4Z3j'")" = tf0004

"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
wait_for 20 count_is 7
check "after the restart every item is stored" count_is 7
check "none twice" test "$(sql 'SELECT count(DISTINCT idem_key) FROM responses')" -eq 7
check "the restart asked for the page after tf0004" grep -q '"after": \["tf0004"\]' TF.requests

# poll_interval is an hour: only the final sweep can fetch this one.
while [ "$(date -u +%s)" -le "$closes" ]; do sleep 0.2; done
form_control TF items '[{"token": "tf0009", "response_id": "tf0009", "submitted_at": "'"$(rfc3339 "@$closes")"'", "answers": [{"field": {"id": "k6TP9oQs1cGE", "type": "long_text", "ref": "views"}, "type": "text", "text": "A late view on burglary."}]}]'
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 30 gone
wait "$daemon_pid"
check "consultd exits 0 after the closing summary" test $? -eq 0
daemon_pid=
check "the final sweep polled the form once more" count_is 8
check "the late submission is marked late" count_is 1 "WHERE late"
check "the form took part in the final sweep" grep -q 'source=form:lT4Z3j event=final-sweep-done' daemon2.log
summary=$(ls reports/closing-summary-*.md 2>/dev/null | head -n 1)
check "the closing summary was written" test -s "$summary"
finish
