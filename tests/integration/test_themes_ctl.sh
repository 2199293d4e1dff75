#!/usr/bin/env bash
# A lead's corrections, reclassification, respondent type, area and
# campaigns, with consultctl beside a running daemon: retag (checked against
# the theme file), reclassify (manual labels kept, removals respected),
# campaigns (a template letter from four people, one of them twice),
# export and show.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
sed -i "/^themes = /a areas = $SOURCE_DIR/config/areas/london-boroughs.areas" consultd.conf

"$CONSULTD" --check-config -c consultd.conf >check.out 2>&1
check "--check-config: the areas file is read" grep -q '; 33 areas from .*london-boroughs.areas)' check.out
printf '[area a]\nname = A\n[area b]\nname = a\ndomain = not a domain\n' >bad.areas
sed "s|^areas = .*|areas = bad.areas|" consultd.conf >bad.conf
"$CONSULTD" --check-config -c bad.conf >check.out 2>&1
check "--check-config: a bad areas file is refused" test $? -eq 1
check "--check-config: with file and line" grep -q "bad.areas:4: name 'a' already names area 'a' (line 2)" check.out
check "--check-config: every problem" grep -q "bad.areas:5: bad domain 'not a domain'" check.out
sed "s|^areas = .*|areas = none|" consultd.conf >none.conf
"$CONSULTD" --check-config -c none.conf >check.out 2>&1
check "--check-config: areas = none" grep -q '; 0 areas from none)' check.out

n=0
mail() { # mail FROM SUBJECT BODY
	n=$((n + 1))
	printf 'From: %s\nTo: consultation@mopac.example.org\nSubject: %s\nDate: Mon, 13 Dec 2021 10:%02d:00 +0000\nMessage-ID: <t%d@test.example>\nContent-Type: text/plain; charset=UTF-8\n\n%s\n' \
		"$1" "$2" "$n" "$n" "$3" >"m$(printf %02d "$n").eml"
}
template() { # template GREETING EDIT SIGNATURE
	printf '%s\n\nI am writing to respond to the Police and Crime Plan. I want to see dedicated ward officers and PCSOs back on every estate in my area, %s. The closure of the local police station front counter means residents have nowhere to report crime in person. Please restore neighbourhood policing teams and stop moving officers away from their wards to cover events in central London. Visible patrols on foot make people feel safe.\n\n%s\n' "$1" "$2" "$3"
}
mail "Community Safety <community.safety@camden.gov.uk>" "Camden Council response" \
	"Camden Council welcomes the draft plan. Knife crime and serious youth violence among young people in the borough remain our first concern, and we ask the Mayor to keep funding the Violence Reduction Unit's work in Camden."
mail "Ann Smith <ann@example.net>" "ward officers" "$(template 'Dear Mayor,' 'as we had ten years ago' 'Ann Smith')"
mail "Bob Jones <bob@example.net>" "Police plan" "$(template 'Hello,' 'like we used to have' 'Regards, Bob')"
mail "Chen Li <chen@example.net>" "consultation" "$(template 'To whom it may concern,' 'as they were before the cuts' 'Chen')"
mail "Dee Khan <dee@example.net>" "my response" "$(template 'Hi,' 'which matters to my family' 'Dee Khan, Tooting')"
# Dee sends the same letter again: linked, not counted twice.
mail "Dee Khan <dee@example.net>" "my response" "$(template 'Hi,' 'which matters to my family' 'Dee Khan, Tooting')"
mail "Eve <eve@example.net>" "burglary" "Our flat in Peckham was burgled twice this year and nobody came round. Peckham needs more police."
dovecot_deliver m*.eml || exit 1

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
count_is() { [ "$(sql 'SELECT count(*) FROM responses' 2>/dev/null || echo 0)" -eq "$1" ]; }
wait_for 30 count_is 7
check "7 stored" count_is 7

check "the council's response: an organisation, named" \
	test "$(sql "SELECT respondent_type || '|' || organisation FROM responses WHERE id = 1")" = "organisation|Camden Council"
check "the council's response: area from the sender's domain" \
	test "$(sql 'SELECT area FROM responses WHERE id = 1')" = camden
check "a resident: an individual, area from the places named" \
	test "$(sql "SELECT respondent_type || '|' || area FROM responses WHERE id = 7")" = "individual|southwark"
check "the council's response was given violence automatically" \
	test "$(sql "SELECT origin FROM response_themes WHERE response_id = 1 AND theme_id = 'violence'")" = auto

"$CONSULTCTL" -c consultd.conf retag R-000001 +nosuchtheme >/dev/null 2>retag.err
check "retag: an unknown theme is a usage error" test $? -eq 2
check "retag: the error names the label" grep -q "nosuchtheme" retag.err
"$CONSULTCTL" -c consultd.conf retag R-000001 violence >/dev/null 2>&1
check "retag: a label without + or - is a usage error" test $? -eq 2
check "retag: nothing recorded by a refused command" test "$(sql 'SELECT count(*) FROM manual_labels')" -eq 0
"$CONSULTCTL" -c consultd.conf retag R-999999 +justice >/dev/null 2>&1
check "retag: an unknown response fails" test $? -eq 1

"$CONSULTCTL" -c consultd.conf retag R-000001 +justice -violence >retag.out 2>&1
check "retag: exit 0 while the daemon runs" test $? -eq 0
check "retag: says what is recorded" grep -q '^R-000001: corrected: +justice -violence' retag.out
check "retag: the added theme is in force, as the lead's" \
	test "$(sql "SELECT origin FROM response_themes WHERE response_id = 1 AND theme_id = 'justice'")" = manual
check "retag: the removed theme is gone" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE response_id = 1 AND theme_id = 'violence'")" -eq 0
check "retag: both labels recorded" test "$(sql 'SELECT count(*) FROM manual_labels WHERE response_id = 1')" -eq 2

"$CONSULTCTL" -c consultd.conf reclassify >reclassify.out 2>&1
check "reclassify: exit 0 while the daemon runs" test $? -eq 0
check "reclassify: counts what it did" grep -q '^reclassified 7 responses' reclassify.out
check "reclassify: the changes counted" grep -q '^themes changed: ' reclassify.out
check "reclassify: a removed theme is not added back" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE response_id = 1 AND theme_id = 'violence'")" -eq 0
check "reclassify: a manual theme stays" \
	test "$(sql "SELECT origin FROM response_themes WHERE response_id = 1 AND theme_id = 'justice'")" = manual
check "reclassify: automatic themes of the others are back" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE theme_id = 'neighbourhood-policing'")" -ge 4
check "reclassify: respondent type and area kept" \
	test "$(sql "SELECT respondent_type || '|' || area FROM responses WHERE id = 1")" = "organisation|camden"
# A removed theme stays removed even when the lead later retags something else.
"$CONSULTCTL" -c consultd.conf retag R-000001 +partnership >/dev/null 2>&1
"$CONSULTCTL" -c consultd.conf reclassify >/dev/null 2>&1
check "reclassify again: still no violence on R-000001" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE response_id = 1 AND theme_id = 'violence'")" -eq 0

"$CONSULTCTL" -c consultd.conf campaigns >campaigns.out 2>&1
check "campaigns: exit 0" test $? -eq 0
check "campaigns: one campaign, one resubmission" grep -q '^1 campaigns .*; 1 identical resubmissions' campaigns.out
check "campaigns: the campaign of four, from its first letter" grep -q '^C-1      4 responses .* first R-000002' campaigns.out
check "campaigns: the four letters are members" \
	test "$(sql 'SELECT group_concat(id) FROM responses WHERE campaign_id = 1 AND duplicate_of IS NULL')" = "2,3,4,5"
check "campaigns: the resubmission is linked to the first copy" \
	test "$(sql 'SELECT duplicate_of FROM responses WHERE id = 6')" = 5

"$CONSULTCTL" -c consultd.conf export >export.jsonl
check "export: campaign, duplicate, respondent type, organisation and area" python3 -c '
import json
rows = {o["ref"]: o for o in map(json.loads, open("export.jsonl"))}
assert rows["R-000002"]["campaign"] == "C-1", rows["R-000002"]
assert rows["R-000006"]["duplicate_of"] == "R-000005"
assert rows["R-000007"]["campaign"] is None
assert rows["R-000001"]["respondent_type"] == "organisation"
assert rows["R-000001"]["organisation"] == "Camden Council"
assert rows["R-000001"]["area"] == "camden" and rows["R-000001"]["area_name"] == "Camden"
assert rows["R-000003"]["respondent_type"] == "individual"
'
"$CONSULTCTL" -c consultd.conf show R-000001 >show.out 2>&1
check "show: respondent" grep -q '^respondent: organisation: Camden Council' show.out
check "show: area" grep -q '^area:       Camden (camden)' show.out
check "show: the lead's corrections" grep -q '^corrected:  +justice +partnership -violence' show.out
"$CONSULTCTL" -c consultd.conf show R-000006 >show6.out 2>&1
check "show: a resubmission says so" grep -q '^duplicate:  an identical resubmission of R-000005' show6.out

kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

# At the close, consultd recomputes campaigns before the closing summary.
sqlite3 -batch "$DB" "UPDATE responses SET campaign_id = NULL, duplicate_of = NULL; DELETE FROM campaigns"
write_config closed.conf "$(rfc3339 '-2 hours')" "$(rfc3339 '-1 minute')" 0 exit
"$CONSULTD" -c closed.conf 2>closed.log &
daemon_pid=$!
exited() { ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 60 exited
check "closed window: consultd wrote its summary and exited" exited
daemon_pid=
check "closed window: campaigns recomputed first" grep -q 'event=campaigns campaigns=1 resubmissions=1' closed.log
check "closed window: stored" test "$(sql 'SELECT count(*) FROM responses WHERE campaign_id = 1')" -eq 5
finish
