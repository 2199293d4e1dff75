# Shared helpers for the shell-level tests, the demo and the benchmarks.
# Expects CONSULTD, CONSULTCTL and SOURCE_DIR in the environment (ctest sets them).

: "${SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
source "$SOURCE_DIR/tests/lib/dovecot.sh"

failures=0
checks=0

check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		printf 'ok   %s\n' "$what"
	else
		printf 'FAIL %s\n' "$what"
		failures=$((failures + 1))
		return 1 # so a test can print what it knows: check ... || { ...; }
	fi
}

finish() {
	# A sanitizer report a test did not look for still fails it: UBSan
	# (as GCC links it beside ASan) writes only to stderr, which the tests
	# keep in their logs.
	if [ -n "${work:-}" ] && [ -d "$work" ]; then
		local r
		for r in $(grep -rlE --include='*.log' --include='*.out' --include='*.err' \
			'runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' "$work" 2>/dev/null); do
			printf 'FAIL sanitizer report in %s:\n' "${r#"$work"/}"
			grep -E -A12 'runtime error:|ERROR: ' "$r" | head -40
			failures=$((failures + 1))
		done
	fi
	echo "$((checks - failures)) passed, $failures failed"
	[ "$failures" -eq 0 ]
}

# Wait (bounded) until a command succeeds: wait_for SECONDS COMMAND...
# CONSULTD_TEST_SLOWDOWN (a whole number, default 1) multiplies every
# bound, for runs under valgrind; what is waited for stays the same.
wait_for() {
	local limit=$(($1 * ${CONSULTD_TEST_SLOWDOWN:-1})) start=$SECONDS
	shift
	until "$@"; do
		[ $((SECONDS - start)) -ge "$limit" ] && return 1
		sleep 0.1
	done
}

# Write a consultd config. write_config FILE OPENS CLOSES GRACE [ON_CLOSE]
write_config() {
	cat >"$1" <<CONF
[consultation]
name = ${CONSULTATION_NAME:-Police and Crime Plan 2021-25 (test)}
opens = $2
closes = $3
grace = $4
themes = $SOURCE_DIR/config/themes/london-pcp.themes
on_close = ${5:-idle}

[imap]
host = 127.0.0.1
port = $DOVECOT_PORT
tls = none
user = $DOVECOT_USER
password_file = $DOVECOT_PASSWORD_FILE
mailbox = INBOX
poll_interval = ${POLL_INTERVAL:-1}
idle = ${IMAP_IDLE:-yes}

[storage]
path = consultd.sqlite

[report]
folder = reports
CONF
}

rfc3339() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# Copy a message with its Message-ID made unique by TAG (or, when it has
# none, a distinguishing header), so one sample yields many messages.
# make_variants takes any number of SRC TAG DEST triples in one process.
make_variants() { python3 "$SOURCE_DIR/tests/lib/variants.py" "$@"; }
make_variant() { make_variants "$1" "$2" "$3"; } # make_variant SRC TAG DEST

sql() { sqlite3 -readonly -batch "$DB" "$@"; }

# no_text_logged LOG...: no stored response's words reach a log. For each
# response the longest line of its text (40 characters of it, at least 24)
# must appear in none of the files; succeeds only when some were checked.
no_text_logged() {
	python3 - "$DB" "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
logs = [open(f, encoding="utf-8", errors="replace").read() for f in sys.argv[2:]]
checked = 0
for (text,) in db.execute("SELECT text FROM responses WHERE status = 'response'"):
    line = max((l.strip() for l in text.splitlines()), key=len, default="")
    if len(line) < 24:
        continue
    probe = line[:40]
    checked += 1
    for f, log in zip(sys.argv[2:], logs):
        if probe in log:
            print("response text in %s: %r" % (f, probe))
            sys.exit(1)
sys.exit(0 if checked > 0 else 1)
PY
}

# not_logged SECRET LOG...: the secret appears in none of the files.
not_logged() { local secret=$1; shift; [ -n "$secret" ] && ! grep -qF -- "$secret" "$@"; }

# Every Dovecot-backed test starts the same way: a private work directory
# (the current directory from then on) with a Dovecot in it, and a trap
# that kills consultd (daemon_pid), runs the test's own `on_exit` if it
# defines one, stops Dovecot and removes the directory (kept with KEEP=1).
# Sets work and DB.
setup_dovecot_test() {
	work=$(mktemp -d)
	chmod 755 "$work" # Dovecot's unprivileged processes must traverse it
	daemon_pid=
	trap cleanup_dovecot_test EXIT
	cd "$work" || exit 1
	dovecot_start "$work/dovecot" || exit 1
	DB=$work/consultd.sqlite
}

cleanup_dovecot_test() {
	[ -n "${daemon_pid:-}" ] && kill -9 "$daemon_pid" 2>/dev/null
	declare -F on_exit >/dev/null && on_exit
	dovecot_stop
	if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
