#!/usr/bin/env bash
# One person answering by email (Dovecot) and by web form (typeform, on a
# real HTTP server): two responses, linked to one respondent by address in
# the export, with the form's answers and both channels.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

setup_dovecot_test
on_exit() { form_servers_stop; }
form_server_start TF typeform "$FORMS_DATA/typeform-items.json" 0 || exit 1
now=$(date -u +%s)
write_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 "@$((now + 3600))")" 1h
form_section typeform "$TF_PORT" >>consultd.conf
cat >amira.eml <<'MAIL'
From: Amira Haddad <amira.haddad@example.org>
To: Police and Crime Plan consultation <consultation@mopac.example.org>
Subject: My views on the plan
Date: Sat, 20 Nov 2021 18:00:00 +0000
Message-ID: <amira-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

I also filled in the form. Knife crime near the station worries me most.
MAIL
dovecot_deliver amira.eml "$SOURCE_DIR"/tests/data/samples/02-*.eml || exit 1

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 30 count_is 9
check "2 emails and 7 form items stored" count_is 9
check "by channel" test "$(sql "SELECT group_concat(channel || '=' || n) FROM (SELECT channel, count(*) n FROM responses GROUP BY channel ORDER BY channel)")" = "email=2,form=7"
"$CONSULTCTL" -c consultd.conf export >export.jsonl
check "the export is one JSON object a line" python3 -c '
import json,sys
[json.loads(l) for l in open(sys.argv[1])]' export.jsonl
link=$(python3 -c '
import json,sys
rs=[json.loads(l) for l in open(sys.argv[1])]
by={r["ref"]: r for r in rs}
a=[r for r in rs if r["respondent"] == "amira.haddad@example.org"]
chan=sorted(r["channel"] for r in a)
ok = len(a) == 2 and chan == ["email", "form"] and all(o["other_responses"] == [p["ref"] for p in a if p is not o] for o in a)
others=[r for r in rs if r["respondent"] not in (None, "amira.haddad@example.org")]
ok = ok and all(r["other_responses"] == [] for r in others)
f=[r for r in a if r["channel"] == "form"][0]
qs=[(x["question"], x["kind"]) for x in f["answers"]]
ok = ok and ("Which priorities matter most to you?", "choice") in qs and ("What should the plan change?", "text") in qs
print("linked" if ok else "not linked: %r" % a)' export.jsonl)
check "email and form responses of one person are linked ($link)" test "$link" = linked
"$CONSULTCTL" -c consultd.conf summary >summary.md
check "the summary says one person answered by both channels" \
	grep -q '^- 1 person answered both by email and by web form' summary.md
finish
