# Scripted peers for the fault and protocol tests (Python 3, standard
# library only): tests/lib/imap_script.py, a small IMAP server that can
# inject, stall and hang up on cue, and tests/lib/faultproxy.py, a loopback
# proxy that cuts connections after N bytes. Each listens on 127.0.0.1 on a
# free port it picks, and exits by itself after its lifetime.
#
#   peer_start NAME SCRIPT ARGS...  start SCRIPT (imap_script.py or
#                                   faultproxy.py) with --port-file and
#                                   --log NAME.log in the current directory;
#                                   sets PEER_PORT and PEER_PID
#   peer_stop PID                   end it (also safe when it has ended)
#   peer_config FILE PORT TLS [LINES]
#                                   a consultd config for a peer on localhost

# shellcheck disable=SC2034 # PEER_PID and PEER_PORT are for the caller
peer_start() {
	local name=$1 script=$2
	shift 2
	rm -f "$name.port"
	python3 "$SOURCE_DIR/tests/lib/$script" --port-file "$name.port" --log "$name.log" "$@" &
	PEER_PID=$!
	if ! wait_for 10 test -s "$name.port"; then
		echo "peer_start: $script did not report a port" >&2
		return 1
	fi
	PEER_PORT=$(cat "$name.port")
}

peer_stop() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

peer_config() {
	cat >"$1" <<CONF
[consultation]
name = Scripted peer test
opens = $(rfc3339 '-1 hour')
closes = $(rfc3339 '+1 hour')
grace = 0
themes = $SOURCE_DIR/config/themes/london-pcp.themes
on_close = idle

[imap]
host = localhost
port = $2
tls = $3
user = consult
mailbox = INBOX
poll_interval = ${POLL_INTERVAL:-1}
idle = ${IMAP_IDLE:-no}
${4:-}

[storage]
path = consultd.sqlite

[report]
folder = reports
CONF
}

# The tests with a scripted peer start the same way: a private work
# directory (the current directory from then on) and a trap that kills
# consultd (daemon_pid) and the peer (peer), stops a Dovecot if one was
# started, and removes the directory (kept with KEEP=1). Sets work.
setup_peer_test() {
	work=$(mktemp -d)
	chmod 755 "$work" # a Dovecot's unprivileged processes must traverse it
	peer='' daemon_pid=''
	trap cleanup_peer_test EXIT
	cd "$work" || exit 1
}

cleanup_peer_test() {
	[ -n "${daemon_pid:-}" ] && kill -9 "$daemon_pid" 2>/dev/null
	peer_stop "${peer:-}"
	dovecot_stop
	if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
