#!/usr/bin/env bash
# Time one poll of a typeform form holding N responses (default 5,000, in
# pages of 1,000) from a local HTTP server (tests/lib/form_server.py) to
# stored: fetch, map, classify, store with the cursor, page after page.
# The window has already closed, so consultd makes one poll (the final
# sweep), writes the closing summary and exits: its run time is the poll.
# Typeform allows 2 requests a second, so 5 pages take at least 2 s
# whatever consultd does; the time spent classifying and storing the
# pages (from consultd's page-stored log lines) is printed too.
#
#   bash bench/form.sh BUILD_DIR [N]
set -u
build=$(cd "${1:-build}" && pwd)
count=${2:-5000}
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONSULTD=$build/consultd
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/forms.sh"

work=$(mktemp -d)
trap 'form_servers_stop; rm -rf "$work"' EXIT
cd "$work" || exit 1
DB=$work/consultd.sqlite
python3 - "$count" "$SOURCE_DIR/tests/data/forms/typeform-items.json" >items.json <<'PY'
import json, random, sys
n = int(sys.argv[1])
base = [i for i in json.load(open(sys.argv[2])) if i["submitted_at"][0] == "2"]
views = [a["text"] for i in base for a in i["answers"] if a["type"] == "text" and a["field"]["ref"] == "views"]
rnd = random.Random(42)
out = []
for k in range(n):
    it = json.loads(json.dumps(rnd.choice(base)))
    tok = "bench%06d" % k
    it["token"] = it["response_id"] = it["landing_id"] = tok
    it["submitted_at"] = "2021-12-%02dT%02d:%02d:%02dZ" % (1 + k % 28, k % 24, k % 60, k % 59)
    for a in it["answers"]:
        if a["type"] == "text" and a["field"]["ref"] == "views":
            a["text"] = " ".join(rnd.sample(views, 3))
        if a["type"] == "email":
            a["email"] = "person%d@example.org" % k
    out.append(it)
json.dump(out, sys.stdout)
PY
form_server_start TF typeform items.json 0 >/dev/null || exit 1
bytes=$(wc -c <items.json)
write_base_config consultd.conf 2021-11-16T00:00:00Z "$(rfc3339 '-1 hour')" 0 exit
TYPEFORM_PAGE=1000 FORM_TIMEOUT=60 form_section typeform "$TF_PORT" >>consultd.conf
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o rss.txt "$CONSULTD" -c consultd.conf 2>consultd.log
rc=$?
end=$(date +%s.%N)
stored=$(sql "SELECT count(*) FROM responses")
requests=$(grep -c . TF.requests)
# Time spent mapping, classifying and storing pages, from consultd's log.
pages_ms=$(grep -o 'event=page-stored.* ms=[0-9]*' consultd.log | sed 's/.* ms=//' | awk '{s += $1} END {print s + 0}')
awk -v n="$count" -v b="$bytes" -v s="$start" -v e="$end" -v rss="$(cat rss.txt)" \
	-v stored="$stored" -v rc="$rc" -v req="$requests" -v pms="$pages_ms" 'BEGIN {
	t = e - s
	printf "consultd form poll (typeform): %d responses (%.1f MB JSON) in %d requests: %.2f s from start to exit (Typeform allows 2 requests/s), of which %.2f s classifying and storing pages (%.0f responses/s); peak RSS %.0f MB; stored %d, exit %d\n",
		n, b / 1048576, req, t, pms / 1000, n / (pms / 1000 + 0.0001), rss / 1024, stored, rc }'
[ "$stored" -eq "$count" ] && [ "$rc" -eq 0 ]
