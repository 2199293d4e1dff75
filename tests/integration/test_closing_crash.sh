#!/usr/bin/env bash
# The closing summary is written atomically: consultd killed (SIGKILL) while
# it writes leaves no half-written summary under a summary's name, only a
# hidden temporary file; the next start removes that and writes every
# format whole, the Markdown the same as the one that survived the kill.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
build=$(cd "$(dirname "$CONSULTCTL")" && pwd)
# A store big enough that writing the summaries takes a while (about a
# second for the four formats), closed an hour ago: consultd starts, makes
# its final sweep of the (empty) mailbox and writes the closing summary.
# A sanitizer or gcov build writes several times slower, so a third of the
# responses takes as long there (and the store is made as much faster).
responses=60000
if ldd "$CONSULTD" | grep -q 'libasan\|libtsan' || nm "$CONSULTD" 2>/dev/null | grep -q ' __gcov_'; then
	responses=20000
fi
"$build/bench/gen_store" --themes "$SOURCE_DIR/config/themes/london-pcp.themes" \
	--out consultd.sqlite --responses "$responses" >/dev/null || exit 1
write_config consultd.conf "$(rfc3339 '-30 days')" "$(rfc3339 '-1 hour')" 0 exit

"$CONSULTD" -c consultd.conf 2>daemon1.log &
daemon_pid=$!
# Kill it as soon as the HTML's temporary file appears: the Markdown is
# then in place and the HTML half written.
python3 - "$daemon_pid" <<'PY'
import os, signal, sys, time
pid, end = int(sys.argv[1]), time.time() + 120
while time.time() < end:
    try:
        names = os.listdir("reports")
    except FileNotFoundError:
        names = []
    if any(n.startswith(".closing-summary-") and ".html." in n for n in names):
        os.kill(pid, signal.SIGKILL)
        sys.exit(0)
    time.sleep(0.001)
sys.exit(1)
PY
check "killed while the HTML was being written" test $? -eq 0
wait "$daemon_pid" 2>/dev/null
daemon_pid=
ls -A reports >after-kill.txt
md=$(ls reports/closing-summary-*.md 2>/dev/null | head -n 1)
check "the Markdown, renamed before the kill, is there" test -s "$md"
check "no HTML under the summary's name" test -z "$(ls reports/closing-summary-*.html 2>/dev/null)"
check "the half-written HTML is a hidden temporary file" grep -q '^\.closing-summary-.*\.html\.' after-kill.txt
cp "$md" survived.md

"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }
wait_for 120 gone
wait "$daemon_pid"
check "the next start writes the closing summary and exits 0" test $? -eq 0
daemon_pid=
check "the temporary file is removed" test -z "$(ls -A reports | grep -v '^closing-summary-')"
for ext in md html csv json; do
	check "closing summary .$ext present" test -s "${md%.md}.$ext"
done
check "the HTML is whole" bash -c "tail -c 200 '${md%.md}.html' | grep -q '</html>'"
check "the JSON is whole" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "${md%.md}.json"
check "the CSV has a row per response" \
	test "$(grep -c $'\r$' "${md%.md}.csv")" -eq $(($(sql 'SELECT count(*) FROM responses') + 1))
# The surviving Markdown was whole: the same as the new one but for the
# time it was generated.
strip_time() { grep -v -E 'enerated|[0-9]{2}:[0-9]{2}:[0-9]{2}' "$1"; }
check "the Markdown that survived the kill was whole" \
	cmp -s <(strip_time survived.md) <(strip_time "$md")
check "and not trivially short" test "$(wc -l <survived.md)" -ge 40

finish
