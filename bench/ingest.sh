#!/usr/bin/env bash
# Time consultd ingesting N messages from a local Dovecot, end to end:
# connect, fetch, parse, classify, store, flag, and write the closing
# summary. KIND is `samples` (variants of the project's samples, 1-8 KB)
# or `mixed` (bench/make-mailbox.py: 2-300 KB, one in eight with a PDF).
#
#   bash bench/ingest.sh BUILD_DIR [N] [KIND]
set -u
build=$(cd "${1:-build}" && pwd)
count=${2:-1000}
kind=${3:-samples}
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONSULTD=$build/consultd
source "$SOURCE_DIR/tests/lib/common.sh"

work=$(mktemp -d)
chmod 755 "$work"
trap 'dovecot_stop; rm -rf "$work"' EXIT
cd "$work" || exit 1
dovecot_start "$work/dovecot" >/dev/null || exit 1
mkdir msgs
if [ "$kind" = mixed ]; then
	python3 "$SOURCE_DIR/bench/make-mailbox.py" "$count" msgs || exit 1
else
	set -- "$SOURCE_DIR"/tests/data/samples/*.eml
	samples=("$@")
	for i in $(seq 1 "$count"); do
		make_variant "${samples[$((i % ${#samples[@]}))]}" "bench$i" "msgs/$i.eml"
	done
fi
bytes=$(cat msgs/*.eml | wc -c)
dovecot_deliver_maildir msgs/*.eml
doveadm -c "$DOVECOT_CONF" index -u "$DOVECOT_USER" INBOX
DB=$work/consultd.sqlite
# A window that has already closed: consultd sweeps once, writes the
# closing summary and exits, so its run time is the whole ingest.
write_config consultd.conf "$(rfc3339 '-2 hour')" "$(rfc3339 '-1 hour')" 0 exit
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o rss.txt "$CONSULTD" -c consultd.conf 2>consultd.log
rc=$?
end=$(date +%s.%N)
stored=$(sql "SELECT count(*) FROM responses")
awk -v kind="$kind" -v n="$count" -v b="$bytes" -v s="$start" -v e="$end" -v rss="$(cat rss.txt)" \
	-v stored="$stored" -v rc="$rc" 'BEGIN {
	t = e - s
	printf "consultd ingest (%s): %d messages (%.1f MB) in %.2f s: %.0f messages/s, %.1f MB/s, peak RSS %.0f MB; stored %d, exit %d\n",
		kind, n, b / 1048576, t, n / t, b / 1048576 / t, rss / 1024, stored, rc }'
[ "$stored" -eq "$count" ] && [ "$rc" -eq 0 ]
