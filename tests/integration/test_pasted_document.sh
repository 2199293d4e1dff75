#!/usr/bin/env bash
# The consultation's own text pasted back into responses: a theme file that
# names the consultation document (`document = FILE` in [set]). Mail from
# the real Dovecot quoting a long passage of it: the passage gives no theme,
# three people quoting the same passage are not a campaign, `consultctl show`
# says how much was set aside; and the same store with a theme file that
# names no document shows what the passage would have done.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
cat >plan.txt <<'PLAN'
Police and Crime Plan 2021-25: consultation draft

Chapter 3. Reducing burglary and robbery

Burglary and robbery cause lasting harm. We will target the most prolific
burglars and robbers, work with councils on designing out crime on estates,
fund target hardening for repeat victims of burglary, and make sure every
residential burglary is attended by an officer. We will expand the use of
forensic marking, put more officers into the teams that investigate
robbery of mobile phones and watches, and publish how many burglaries and
robberies are solved in each borough every quarter, so that Londoners can
hold us to account for the results.

Chapter 4. Neighbourhood policing

Every ward will keep two dedicated ward officers and a police community
support officer.
PLAN
passage="Burglary and robbery cause lasting harm. We will target the most prolific burglars and robbers, work with councils on designing out crime on estates, fund target hardening for repeat victims of burglary, and make sure every residential burglary is attended by an officer. We will expand the use of forensic marking, put more officers into the teams that investigate robbery of mobile phones and watches, and publish how many burglaries and robberies are solved in each borough every quarter"

sed "/^\[set\]/a document = $PWD/plan.txt" "$SOURCE_DIR/config/themes/london-pcp.themes" >with-plan.themes
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0
sed -i "s|^themes = .*|themes = $PWD/with-plan.themes|" consultd.conf
sed "s|^themes = .*|themes = $SOURCE_DIR/config/themes/london-pcp.themes|" consultd.conf >no-plan.conf

"$CONSULTD" --check-config -c consultd.conf >check.out 2>&1
check "--check-config: a theme file with its document is good" test $? -eq 0
sed "s|^document = .*|document = missing-plan.txt|" with-plan.themes >bad.themes
sed "s|^themes = .*|themes = $PWD/bad.themes|" consultd.conf >bad.conf
"$CONSULTD" --check-config -c bad.conf >check.out 2>&1
check "--check-config: a missing document is refused" test $? -eq 1
line=$(grep -n '^document = ' bad.themes | cut -d: -f1)
check "--check-config: with the theme file's line and the document's path" \
	grep -q "bad.themes:$line: document: cannot open $PWD/missing-plan.txt: No such file or directory" check.out

n=0
mail() { # mail FROM BODY
	n=$((n + 1))
	printf 'From: %s\nTo: consultation@mopac.example.org\nSubject: Chapter 3\nDate: Mon, 13 Dec 2021 10:%02d:00 +0000\nMessage-ID: <p%d@test.example>\nContent-Type: text/plain; charset=UTF-8\n\n%s\n' \
		"$1" "$n" "$n" "$2" >"m$n.eml"
}
# Three people quote the same passage, re-wrapped as a mail client does,
# then write their own, different views.
mail "Ann Smith <ann@example.net>" "$(printf 'You say:\n\n"%s."\n\nI have lost my trust in the police after the way officers treated my son at a stop and search last year. Nobody apologised and the complaint went nowhere.' "$(fold -s -w 70 <<<"$passage")")"
mail "Bob Jones <bob@example.net>" "$(printf 'In chapter 3 you write "%s". Fine, but the drug dealing outside the station every night is what frightens people here, and the crack houses on the estate.' "$passage")"
mail "Chen Li <chen@example.net>" "$(printf '%s.\n\nWhat about domestic abuse? My sister waited months for the domestic violence case to reach court and the refuge was full.' "$passage")"
dovecot_deliver m*.eml || exit 1

"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
count_is() { [ "$(sql 'SELECT count(*) FROM responses' 2>/dev/null || echo 0)" -eq "$1" ]; }
wait_for 30 count_is 3
check "3 stored" count_is 3
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

themes_of() { sql "SELECT group_concat(theme_id, ' ') FROM (SELECT theme_id FROM response_themes WHERE response_id = $1 ORDER BY theme_id)"; }
check "the pasted passage gives no burglary theme" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE theme_id = 'burglary-robbery'")" -eq 0
check "the respondents' own words are classified: trust" grep -qw trust <<<"$(themes_of 1)"
check "the respondents' own words are classified: drugs" grep -qw drugs <<<"$(themes_of 2)"
check "the respondents' own words are classified: violence" grep -qw violence <<<"$(themes_of 3)"

"$CONSULTCTL" -c consultd.conf campaigns >campaigns.out 2>&1
check "campaigns: three people quoting one passage are no campaign" grep -q '^0 campaigns' campaigns.out

"$CONSULTCTL" -c consultd.conf show R-000002 >show.out 2>&1
check "show: how much was set aside as the consultation's own text" \
	grep -q "^set aside as the consultation's own text pasted back: ${#passage} bytes" show.out
check "show: the classified text keeps the respondent's words" grep -q "drug dealing outside the station" show.out

# The same store, with a theme file that names no document: the passage
# counts, and the three look alike. (What the document prevents.)
"$CONSULTCTL" -c no-plan.conf reclassify >reclassify.out 2>&1
rc=$?
check "without the document: reclassify runs (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat reclassify.out
check "without the document: the passage gives burglary to all three" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE theme_id = 'burglary-robbery'")" -eq 3
"$CONSULTCTL" -c no-plan.conf campaigns >campaigns.out 2>&1
check "without the document: the three are taken for a campaign" grep -q '^1 campaigns' campaigns.out
"$CONSULTCTL" -c consultd.conf reclassify >/dev/null 2>&1
check "with the document again: no burglary theme" \
	test "$(sql "SELECT count(*) FROM response_themes WHERE theme_id = 'burglary-robbery'")" -eq 0
finish
