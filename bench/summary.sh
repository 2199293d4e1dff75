#!/usr/bin/env bash
# make bench, the summary at scale: a synthetic store of N responses
# (default 1,000,000; bench/gen_store.c), then the summary in every format
# timed with /usr/bin/time (wall clock and peak resident memory), and one
# full-text search. The store is kept in BUILD/bench-summary and reused
# while gen_store is unchanged.
#   bash bench/summary.sh [BUILD] [N]
set -u
build=${1:-build}
n=${2:-1000000}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "$build" && pwd)
dir=$build/bench-summary
store=$dir/store-$n.sqlite
mkdir -p "$dir"
if [ ! -s "$store" ] || [ "$build/bench/gen_store" -nt "$store" ]; then
	rm -f "$store" "$store"-wal "$store"-shm
	start=$SECONDS
	"$build/bench/gen_store" --themes "$here/../config/themes/london-pcp.themes" \
		--out "$store" --responses "$n" >/dev/null || exit 1
	printf 'summary bench: generated %s responses in %d s (%s MB)\n' "$n" \
		$((SECONDS - start)) "$(($(stat -c %s "$store") / 1048576))"
fi
echo x >"$dir/pw"
cat >"$dir/bench.conf" <<CONF
[consultation]
name = Summary benchmark ($n responses)
opens = 2021-11-16T00:00:00Z
closes = 2022-01-21T23:59:00Z
grace = 24h
themes = $here/../config/themes/london-pcp.themes
[imap]
host = 127.0.0.1
tls = none
user = bench
password_file = pw
[storage]
path = $store
[report]
folder = $dir/reports
CONF
# A first read brings the file into the page cache, as on a server where
# the daemon has just been writing it; every timing below is then warm.
cat "$store" >/dev/null
printf '%-28s %10s %12s %12s\n' "summary of $n" "wall (s)" "peak RSS" "output"
for f in md html json csv; do
	/usr/bin/time -f '%e %M' -o "$dir/time.$f" "$build/consultctl" -c "$dir/bench.conf" \
		summary --format "$f" -o "$dir/summary.$f" || exit 1
	read -r wall rss <"$dir/time.$f"
	printf '%-28s %10s %9s MB %9s KB\n' "--format $f" "$wall" "$((rss / 1024))" \
		"$(($(stat -c %s "$dir/summary.$f") / 1024))"
done
/usr/bin/time -f '%e %M' -o "$dir/time.search" "$build/consultctl" -c "$dir/bench.conf" \
	search 'burglary AND "every week"' --limit 20 >"$dir/search.out" || exit 1
read -r wall rss <"$dir/time.search"
printf '%-28s %10s %9s MB %9s hits\n' "search (top 20)" "$wall" "$((rss / 1024))" \
	"$(grep -c '^R-' "$dir/search.out")"
