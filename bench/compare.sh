#!/usr/bin/env bash
# Ingest side by side, on the same mailbox in one throwaway Dovecot:
#   consultd   end to end (fetch, parse, classify, store, index, flag \Seen,
#              closing summary), one sweep of a closed window, then exit
#   mbsync     (isync) mirroring the mailbox to a Maildir, default settings
#   fetchmail  --all --keep, each message to a Maildir through a one-line MDA
#   wire       bench/wire_fetch: one UID FETCH 1:* (BODY.PEEK[]), bytes dropped
# timed alternately (the order rotates every run), each from a cold client
# state (no store, no Maildir, no sync state); then what consultd costs
# when idle (IDLE and polling) and how long a new message takes to be
# stored with IDLE. Writes a Markdown report and prints it.
#
#   bash bench/compare.sh BUILD_DIR [N...]           (default N: 5000 20000)
#
# Environment: RUNS (3), IDLE_SECONDS (60), OUT (bench/RESULTS.md),
# DROP_CACHES=1 to drop the page cache before every run (root only; the
# server then reads the mailbox from disk each time; by default the
# mailbox is read once before each run so every client finds it cached).
set -u
build=$(cd "${1:-build}" && pwd)
shift || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(5000 20000)
RUNS=${RUNS:-3}
IDLE_SECONDS=${IDLE_SECONDS:-60}
SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$SOURCE_DIR/bench/RESULTS.md}
CONSULTD=$build/consultd
WIRE=$build/bench/wire_fetch
source "$SOURCE_DIR/tests/lib/common.sh"

# What the comparison needs beyond `make test`'s dependencies.
need=()
command -v mbsync >/dev/null || need+=(isync)
command -v fetchmail >/dev/null || need+=(fetchmail)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "compare.sh: needs ${need[*]} (apt-get install ${need[*]})" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null || exit 1
fi
for f in "$CONSULTD" "$WIRE"; do
	[ -x "$f" ] || { echo "compare.sh: $f not built" >&2; exit 1; }
done

work=$(mktemp -d)
chmod 755 "$work"
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null
	dovecot_stop
	if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work" || exit 1
dovecot_start "$work/dovecot" >/dev/null || exit 1
maildir=$DOVECOT_DIR/home/Maildir
owner=$(stat -c %u:%g "$DOVECOT_DIR/home")
results=$work/results.tsv
: >"$results"

# One generated mailbox, the largest; smaller ones are its first N
# messages (the generator is deterministic), linked, not copied.
max=0
for n in "${sizes[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
echo "generating $max messages..." >&2
python3 "$SOURCE_DIR/bench/make-mailbox.py" "$max" "$work/msgs" || exit 1

mailbox_for() { echo "bench$1"; }

load_mailbox() { # load_mailbox N: folder benchN holding the first N messages
	local n=$1 box dir
	box=$(mailbox_for "$n")
	doveadm -c "$DOVECOT_CONF" mailbox create -u "$DOVECOT_USER" "$box" || return 1
	dir=$maildir/.$box
	mkdir -p "$dir/new" "$dir/cur" "$dir/tmp"
	find "$work/msgs" -name '*.eml' | sort | head -n "$n" |
		while read -r f; do ln "$f" "$dir/new/$(basename "$f" .eml).bench"; done
	chown -R "$owner" "$maildir"
	doveadm -c "$DOVECOT_CONF" index -u "$DOVECOT_USER" "$box" || return 1
}

mailbox_bytes() {
	find "$maildir/.$(mailbox_for "$1")" -type f -path '*/cur/*' -printf '%s\n' -o \
		-type f -path '*/new/*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
}

# Between runs: nobody's \Seen carries over, the server's files are in
# the page cache (or, with DROP_CACHES=1, none are).
prepare() { # prepare N
	local box
	box=$(mailbox_for "$1")
	doveadm -c "$DOVECOT_CONF" flags remove -u "$DOVECOT_USER" '\Seen' mailbox "$box" ALL 2>/dev/null
	rm -rf "$work/client"
	mkdir -p "$work/client"
	sync
	if [ "${DROP_CACHES:-0}" = 1 ]; then
		echo 3 >/proc/sys/vm/drop_caches
	else
		find "$maildir/.$box" -type f -exec cat {} + >/dev/null
	fi
}

# run_timed LABEL N COMMAND...: wall time, peak RSS; appends a result row
# once `verify_LABEL N` has counted what arrived.
run_timed() {
	local label=$1 n=$2 start end rss count
	shift 2
	start=$(date +%s.%N)
	/usr/bin/time -f '%M %U %S' -o "$work/client/rss" "$@" >"$work/client/out" 2>"$work/client/err"
	local rc=$?
	end=$(date +%s.%N)
	read -r rss user sys < <(tail -n 1 "$work/client/rss")
	count=$("verify_$label" "$n")
	if [ "$rc" -ne 0 ] || [ "$count" != "$n" ]; then
		echo "$label N=$n: exit $rc, $count of $n messages; see below" >&2
		tail -n 5 "$work/client/err" >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$n" \
		"$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')" \
		"$rss" "$count" "$rc" "$(mailbox_bytes "$n")" \
		"$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >>"$results"
}

# -- consultd ---------------------------------------------------------------
consultd_config() { # consultd_config FILE MAILBOX OPENS CLOSES ON_CLOSE IDLE POLL
	cat >"$1" <<CONF
[consultation]
name = Benchmark
opens = $3
closes = $4
grace = 0
themes = $SOURCE_DIR/config/themes/london-pcp.themes
on_close = $5

[imap]
host = 127.0.0.1
port = $DOVECOT_PORT
tls = none
user = $DOVECOT_USER
password_file = $DOVECOT_PASSWORD_FILE
mailbox = $2
idle = $6
poll_interval = $7

[storage]
path = $work/client/consultd.sqlite

[report]
folder = $work/client/reports
CONF
}
run_consultd() {
	# A window that has closed: one sweep of the whole mailbox, the
	# closing summary, exit; so the run time is the whole ingest.
	consultd_config "$work/client/consultd.conf" "$(mailbox_for "$1")" \
		"$(rfc3339 '-2 hour')" "$(rfc3339 '-1 hour')" exit yes 60
	run_timed consultd "$1" "$CONSULTD" -c "$work/client/consultd.conf"
}
verify_consultd() {
	sqlite3 -readonly "$work/client/consultd.sqlite" "SELECT count(*) FROM responses" 2>/dev/null || echo 0
}

# -- mbsync -----------------------------------------------------------------
run_mbsync() {
	mkdir -p "$work/client/Maildir"
	cat >"$work/client/mbsyncrc" <<RC
IMAPAccount bench
Host 127.0.0.1
Port $DOVECOT_PORT
User $DOVECOT_USER
PassCmd "cat $DOVECOT_PASSWORD_FILE"
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path $work/client/Maildir/
Inbox $work/client/Maildir/INBOX

Channel bench
Far :remote:$(mailbox_for "$1")
Near :local:INBOX
Create Near
Sync Pull
SyncState *
RC
	run_timed mbsync "$1" mbsync -q -c "$work/client/mbsyncrc" bench
}
verify_mbsync() {
	find "$work/client/Maildir/INBOX" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l
}

# -- fetchmail --------------------------------------------------------------
run_fetchmail() {
	local dir=$work/client/Maildir
	mkdir -p "$dir/new" "$dir/cur" "$dir/tmp" "$work/client/fetchmailhome"
	# The cheapest delivery into a Maildir fetchmail allows: an MDA per
	# message, here bash exec'ing cat into new/ under a unique name (no
	# tmp/ rename, no fsync; pids wrap, so the time goes into the name).
	printf '#!/bin/bash\nexec cat >"%s/new/${EPOCHREALTIME}.$$.bench"\n' "$dir" >"$work/client/mda"
	chmod 755 "$work/client/mda"
	cat >"$work/client/fetchmailrc" <<RC
set no syslog
poll 127.0.0.1 protocol IMAP port $DOVECOT_PORT auth password
  user "$DOVECOT_USER" there with password "$(cat "$DOVECOT_PASSWORD_FILE")" is "$(id -un)" here
  folder "$(mailbox_for "$1")"
  options fetchall keep no rewrite
  sslproto ""
  mda "$work/client/mda"
RC
	chmod 600 "$work/client/fetchmailrc"
	FETCHMAILHOME=$work/client/fetchmailhome run_timed fetchmail "$1" \
		fetchmail -f "$work/client/fetchmailrc" --nodetach --silent
}
verify_fetchmail() {
	find "$work/client/Maildir/new" -type f | wc -l
}

# -- the wire limit ---------------------------------------------------------
run_wire() {
	run_timed wire "$1" "$WIRE" 127.0.0.1 "$DOVECOT_PORT" "$DOVECOT_USER" \
		"$DOVECOT_PASSWORD_FILE" "$(mailbox_for "$1")"
}
verify_wire() {
	sed -n 's/^messages=\([0-9]*\) .*/\1/p' "$work/client/out"
}

tools=(consultd mbsync fetchmail wire)
for n in "${sizes[@]}"; do
	echo "loading $n messages into Dovecot..." >&2
	load_mailbox "$n" || exit 1
	for run in $(seq 1 "$RUNS"); do
		for k in 0 1 2 3; do
			tool=${tools[$(((k + run - 1) % 4))]}
			prepare "$n"
			echo "N=$n run $run: $tool" >&2
			"run_$tool" "$n"
		done
	done
	# Done with this mailbox: free its disk before the next.
	doveadm -c "$DOVECOT_CONF" mailbox delete -u "$DOVECOT_USER" "$(mailbox_for "$n")" 2>/dev/null
done

# -- idle -------------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
idle_box=benchidle
doveadm -c "$DOVECOT_CONF" mailbox create -u "$DOVECOT_USER" "$idle_box"
# Start, let the first pass finish, then count CPU over IDLE_SECONDS.
measure_idle() { # measure_idle LABEL IDLE POLL
	rm -rf "$work/client"
	mkdir -p "$work/client"
	consultd_config "$work/client/consultd.conf" "$idle_box" "$(rfc3339 '-1 hour')" \
		"$(rfc3339 '+1 day')" idle "$2" "$3"
	"$CONSULTD" -c "$work/client/consultd.conf" 2>"$work/client/consultd.log" &
	daemon_pid=$!
	sleep 3
	local t0 t1 hz
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks "$daemon_pid")
	sleep "$IDLE_SECONDS"
	t1=$(cpu_ticks "$daemon_pid")
	printf 'idle\t%s\t%s\t%s\t%s\n' "$1" "$IDLE_SECONDS" "$3" \
		"$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.4f", (b - a) / hz }')" >>"$results"
}
echo "idle with IDLE for ${IDLE_SECONDS}s..." >&2
measure_idle idle yes 60
# APPEND to stored, with IDLE, on the running daemon.
echo "APPEND to stored..." >&2
python3 - "$DOVECOT_PORT" "$DOVECOT_USER" "$DOVECOT_PASSWORD_FILE" "$idle_box" \
	"$work/client/consultd.sqlite" "$SOURCE_DIR/tests/data/samples" <<'PY' >>"$results"
import imaplib, os, sqlite3, sys, time
port, user, pwfile, box, db, samples = sys.argv[1:]
password = open(pwfile).read().strip()
sample = sorted(f for f in os.listdir(samples) if f.endswith(".eml"))[0]
raw = open(os.path.join(samples, sample), "rb").read()
body = raw.split(b"\n\n", 1)[-1] if b"\r\n\r\n" not in raw else raw.split(b"\r\n\r\n", 1)[-1]
imap = imaplib.IMAP4("127.0.0.1", int(port))
imap.login(user, password)
for i in range(5):
    mid = "<append-%d-%d@bench.example.org>" % (os.getpid(), i)
    msg = (b"From: Resident <resident@example.org>\r\nTo: consultation@example.org\r\n"
           b"Subject: Append latency\r\nMessage-ID: " + mid.encode() + b"\r\n"
           b"Date: Mon, 6 Dec 2021 10:00:00 +0000\r\n\r\n" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    t0 = time.monotonic()
    imap.append(box, None, None, msg)
    found = None
    while time.monotonic() - t0 < 30:
        try:
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            hit = con.execute("SELECT 1 FROM responses WHERE message_id = ?", (mid.strip("<>"),)).fetchone()
            con.close()
        except sqlite3.Error:
            hit = None
        if hit:
            found = time.monotonic() - t0
            break
        time.sleep(0.005)
    print("append\t%d\t%s" % (i, "%.4f" % found if found is not None else "timeout"))
    time.sleep(1)
imap.logout()
PY
kill -TERM "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
echo "idle with polling every second for ${IDLE_SECONDS}s..." >&2
measure_idle poll no 1
kill -TERM "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=

# -- report -----------------------------------------------------------------
python3 - "$results" "$OUT" "$RUNS" "${DROP_CACHES:-0}" <<'PY'
import os, statistics, subprocess, sys
results, out, runs, drop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]

def machine():
    model, cores = "unknown CPU", os.cpu_count()
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) // 1024
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    kernel = os.uname().release
    return "%s; nproc %s (%d online); %.1f GB RAM; Linux %s" % (model, nproc, cores, mem / 1024, kernel)

def med(xs):
    return statistics.median(xs)

def span(xs, fmt):
    return (fmt % med(xs)) + " (" + (fmt % min(xs)) + "–" + (fmt % max(xs)) + ")"

lines = ["# Benchmark results", "",
         "Machine: " + machine() + ".", "",
         "Produced by `make bench` (bench/compare.sh). Each figure is the median of %d runs, "
         "min–max in brackets; tools run alternately, the order rotating each run, each from a "
         "cold client state (empty store or Maildir, no sync state); the server's files were %s. "
         "CPU is the client's user + system time (the server's is not counted); peak RSS is "
         "/usr/bin/time's maximum resident set size of the client process."
         % (runs, "dropped from the page cache before each run" if drop else
            "in the page cache (read once before each run)"), ""]
ingest = [r for r in rows if r[0] in ("consultd", "mbsync", "fetchmail", "wire")]
for n in sorted({int(r[1]) for r in ingest}):
    sub = [r for r in ingest if int(r[1]) == n]
    mb = int(sub[0][6]) / 1048576
    lines += ["## %d messages (%.0f MB)" % (n, mb), "",
              "| tool | wall s | msg/s | MB/s | CPU s | peak RSS MB | complete |",
              "|---|---|---|---|---|---|---|"]
    walls = {}
    for tool in ("consultd", "mbsync", "fetchmail", "wire"):
        t = [r for r in sub if r[0] == tool]
        if not t:
            continue
        w = [float(r[2]) for r in t]
        walls[tool] = med(w)
        rss = [int(r[3]) / 1024 for r in t]
        cpu = [float(r[7]) for r in t]
        ok = sum(1 for r in t if r[4] == r[1] and r[5] == "0")
        lines.append("| %s | %s | %.0f | %.1f | %s | %s | %d/%d runs |" % (
            tool, span(w, "%.2f"), n / med(w), mb / med(w), span(cpu, "%.2f"),
            span(rss, "%.0f"), ok, len(t)))
    lines.append("")
    for other in ("mbsync", "wire"):
        if "consultd" in walls and other in walls:
            lines.append("consultd/%s: %.2f×  " % (other, walls["consultd"] / walls[other]))
    lines.append("")
idle = [r for r in rows if r[0] == "idle"]
app = [r for r in rows if r[0] == "append"]
if idle or app:
    lines += ["## Idle", "", "| measure | value |", "|---|---|"]
    for r in idle:
        secs, interval, cpu = float(r[2]), int(r[3]), float(r[4])
        per_hour = cpu / secs * 3600
        if r[1] == "idle":
            lines.append("| CPU per hour, waiting in IDLE (measured over %.0f s) | %.2f s |" % (secs, per_hour))
        else:
            polls = secs / interval
            lines.append("| CPU per empty poll (NOOP + UID SEARCH, polling every %d s over %.0f s) | %.2f ms |"
                         % (interval, secs, cpu / polls * 1000))
            lines.append("| CPU per hour, polling every %d s | %.2f s |" % (interval, per_hour))
            lines.append("| CPU per hour, polling every 60 s (the default), scaled | %.2f s |"
                         % (per_hour * interval / 60))
    ok = [float(r[2]) for r in app if r[2] != "timeout"]
    if ok:
        lines.append("| APPEND to stored, with IDLE (%d of %d) | %s s |" % (
            len(ok), len(app), span(ok, "%.3f")))
    elif app:
        lines.append("| APPEND to stored, with IDLE | timed out |")
    lines.append("")
text = "\n".join(lines)
open(out, "w").write(text)
print(text)
PY
