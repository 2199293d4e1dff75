#!/usr/bin/env bash
# make demo: a short consultation against a throwaway Dovecot on 127.0.0.1.
# The window opens now and closes 30 seconds later (grace 15 s); the
# project's sample responses are in the mailbox from the start, and one more
# arrives after the close. consultd collects them, writes the closing
# summary, and exits; this script prints the summary and removes everything
# it started, also when interrupted. A web form (a typeform endpoint served
# on 127.0.0.1 from the test fixtures) is polled at the same time, so the
# summary counts both channels.
set -u
build=${1:-build}
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$build" && pwd)
CONSULTD=$build/consultd
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

work=$(mktemp -d)
chmod 755 "$work" # Dovecot's unprivileged processes must traverse it
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	dovecot_stop
	form_servers_stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM

say() { printf '\033[1mdemo:\033[0m %s\n' "$*" >&2; }

cd "$work" || exit 1
dovecot_start "$work/dovecot" || exit 1
say "Dovecot IMAP on 127.0.0.1:$DOVECOT_PORT (mailbox of user $DOVECOT_USER)"

samples=$SOURCE_DIR/tests/data/samples
late=$(ls "$samples"/*late*.eml | head -n 1)
on_time=()
for f in "$samples"/*.eml; do [ "$f" != "$late" ] && on_time+=("$f"); done
dovecot_deliver "${on_time[@]}" || exit 1
say "delivered ${#on_time[@]} sample responses"

opens=$(date -u +%s)
closes=$((opens + 30))
grace=15
CONSULTATION_NAME="Police and Crime Plan 2021–25 (demo)" write_config consultd.conf "$(date -u -d "@$opens" +%Y-%m-%dT%H:%M:%SZ)" \
	"$(date -u -d "@$closes" +%Y-%m-%dT%H:%M:%SZ)" "${grace}s" exit
# The fixtures' submissions, made to arrive now (the window opens now).
python3 -c '
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
items = json.load(open(sys.argv[1]))
for i in items:
    if i["submitted_at"][0].isdigit():
        i["submitted_at"] = now
json.dump(items, sys.stdout)' "$FORMS_DATA/typeform-items.json" >form-items.json
form_server_start FORM typeform form-items.json 0 || exit 1
form_section typeform "$FORM_PORT" >>consultd.conf
say "web form: a typeform endpoint on 127.0.0.1:$FORM_PORT with 7 submissions (one malformed)"
say "consultation window: opens now, closes in 30 s, grace ${grace} s"

"$CONSULTD" -c consultd.conf 2>consultd.log &
daemon_pid=$!

# One response arrives after the close, inside the grace period.
while [ "$(date -u +%s)" -le $((closes + 2)) ]; do
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 0.5
done
dovecot_deliver "$late" || exit 1
say "delivered one response after the close: $(basename "$late")"

# consultd sweeps at closes + grace, writes the summary and exits.
deadline=$((closes + grace + 60))
while kill -0 "$daemon_pid" 2>/dev/null && [ "$(date -u +%s)" -lt "$deadline" ]; do
	sleep 0.5
done
if kill -0 "$daemon_pid" 2>/dev/null; then
	say "consultd did not finish in time; its log:"
	cat consultd.log >&2
	exit 1
fi
wait "$daemon_pid"
rc=$?
daemon_pid=
if [ "$rc" -ne 0 ]; then
	say "consultd exited with status $rc; its log:"
	cat consultd.log >&2
	exit 1
fi
grep -E 'event=(start|connected|batch-stored|page-stored|quarantined|window-closed|final-sweep-done|closing-summary)' consultd.log |
	sed 's/^/  /' >&2
summary=$(ls reports/closing-summary-*.md)
say "closing summary ($(basename "$summary")):"
echo
cat "$summary"
