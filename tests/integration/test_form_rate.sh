#!/usr/bin/env bash
# Typeform allows 2 requests a second per account, not per form: two
# [form] sections on one token (two forms of one account) share that
# budget, so their requests together come 500 ms apart; each form's
# responses are stored under its own key.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

setup_form_test
form_server_start TF typeform "$FORMS_DATA/typeform-items.json" 1000 || exit 1
now=$(date -u +%s)
write_base_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 "@$((now + 3600))")" 1h
{
	FORM_POLL=60 form_section typeform "$TF_PORT" one
	FORM_POLL=60 form_section typeform "$TF_PORT" two | sed 's|/forms/lT4Z3j/|/forms/Second1/|'
} >>consultd.conf
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 30 count_is 14
check "7 items of each form stored (6 responses and 1 quarantined each)" count_is 14
check "each form under its own key" \
	test "$(sql "SELECT count(*) FROM responses WHERE idem_key LIKE 'form:Second1:%'")" -eq 7
check "both forms paged through 3 pages each" test "$(grep -c . TF.requests)" -ge 6
gap=$(python3 -c '
import json, sys
ts = sorted(json.loads(l)["t"] for l in open(sys.argv[1]))
print(min(int((b - a) * 1000) for a, b in zip(ts, ts[1:])))' TF.requests)
# 400 allows for the server's own delays in seeing them; unshared, the two
# forms' first requests leave within a millisecond of each other.
check "the two forms' requests together 500 ms apart (closest ${gap} ms)" test "$gap" -ge 400
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=
finish
