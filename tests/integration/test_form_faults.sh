#!/usr/bin/env bash
# A form provider misbehaving, served by a real HTTP server on 127.0.0.1:
# 429 with Retry-After, 503, 500, a truncated body, malformed JSON, a server
# slower than the timeout, an over-long body. Each time the same page is
# asked for again (Retry-After honoured, else backoff), the error is noted
# for consultctl status, and in the end every item is stored exactly once.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

setup_form_test
form_server_start TF typeform "$FORMS_DATA/typeform-items.json" 0 || exit 1
now=$(date -u +%s)
write_base_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 "@$((now + 3600))")" 1h
FORM_TIMEOUT=2 form_section typeform "$TF_PORT" >>consultd.conf
# First request 429 (wait 2 s), then 500, a cut body, malformed JSON, a
# 503 (wait 1 s), a 429 whose Retry-After is an HTTP-date 3 s ahead, and a
# reply slower than the 2 s timeout, each followed by a good reply (which
# resets the backoff, so that an ignored Retry-After would mean 1 s at most).
form_control TF faults '[{"status": 429, "retry_after": 2}, {}, {"status": 500}, {}, {"truncate": true}, {}, {"malformed": true}, {}, {"status": 503, "retry_after": 1}, {}, {"status": 429, "retry_after_date": 3}, {}, {"delay": 4}]'

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 50 count_is 7
# the last fault (the slow reply) comes with a later poll
wait_for 30 grep -Eq 'Timeout was reached|timed out' daemon.log
wait_for 20 test "$(grep -c . TF.requests)" -ge 14
check "all 7 items stored in the end" count_is 7
check "each once" test "$(sql 'SELECT count(DISTINCT idem_key) FROM responses')" -eq 7
check "the 429 is logged" grep -q 'HTTP 429, waiting for Retry-After' daemon.log
check "the 500 is logged" grep -q 'HTTP 500' daemon.log
check "the truncated body is logged" grep -Eq 'Transferred a partial file|partial' daemon.log
check "the malformed page is logged with where" grep -q 'malformed JSON at line 1 column' daemon.log
check "the 503 is logged" grep -q 'HTTP 503, waiting for Retry-After' daemon.log
check "the timeout is logged" grep -Eq 'Timeout was reached|timed out' daemon.log
gap=$(python3 -c '
import json,sys
rs=sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["t"])
print(int((rs[1]["t"]-rs[0]["t"])*1000))' TF.requests)
check "Retry-After: 2 honoured (next request ${gap} ms later)" test "$gap" -ge 1900
gap503=$(python3 -c '
import json,sys
rs=sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["t"])
i=next(i for i,r in enumerate(rs) if r["status"] == 503)
print(int((rs[i+1]["t"]-rs[i]["t"])*1000))' TF.requests)
check "503 with Retry-After: 1 honoured (next request ${gap503} ms later)" test "$gap503" -ge 900
gapdate=$(python3 -c '
import json,sys
rs=sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["t"])
i=next(i for i,r in enumerate(rs) if (r["fault"] or {}).get("retry_after_date"))
print(int((rs[i+1]["t"]-rs[i]["t"])*1000))' TF.requests)
# The date has whole seconds: 3 s ahead is 2 to 3 s after the reply.
check "Retry-After as an HTTP-date 3 s ahead honoured (next request ${gapdate} ms later)" test "$gapdate" -ge 1900
again=$(python3 -c '
import json,sys
rs=sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["t"])
bad=[i for i,r in enumerate(rs) if r["fault"]]
print(sum(1 for i in bad if i + 1 < len(rs) and rs[i+1]["query"] == rs[i]["query"]), len(bad))' TF.requests)
check "after each of the 7 faults the same page was asked for again ($again)" test "$again" = "7 7"
"$CONSULTCTL" -c consultd.conf status >status.txt 2>&1
check "consultctl status shows the last error" grep -q 'last error:' status.txt
kill "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

# A body over max_bytes is refused, not stored in part.
rm -f consultd.sqlite* TF.requests
echo 'max_bytes = 2048' >>consultd.conf
"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
wait_for 15 grep -q 'larger than max_bytes' daemon2.log
check "an over-long body is cut off and named" grep -q 'response body larger than max_bytes (2048)' daemon2.log
check "nothing of it stored" count_is 0
finish
