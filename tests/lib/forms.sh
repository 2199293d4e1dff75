# Helpers for the web-form tests: a form provider's endpoint (form_server.py)
# on 127.0.0.1 serving fixtures from tests/data/forms, and configs for it.
# Source after common.sh.

FORMS_DATA=$SOURCE_DIR/tests/data/forms
form_pids=()

# form_server_start NAME PRESET ITEMS_FILE PAGE_SIZE: sets <NAME>_PORT; logs
# requests to NAME.requests (one JSON line each). Token: the file "token".
form_server_start() {
	local name=$1 preset=$2 items=$3 size=$4
	[ -f token ] || printf 'test-token-%s\n' "$RANDOM$RANDOM" >token
	rm -f "$name.port"
	python3 "$SOURCE_DIR/tests/lib/form_server.py" --preset "$preset" --items "$items" \
		--port-file "$name.port" --token "$(head -n 1 token)" --page-size "$size" \
		--log "$name.requests" 2>"$name.server.log" &
	form_pids+=($!)
	wait_for 10 test -s "$name.port" || { echo "form server $name did not start"; return 1; }
	printf -v "${name}_PORT" '%s' "$(cat "$name.port")"
}

# form_control NAME faults|items JSON
form_control() {
	local port_var="${1}_PORT"
	python3 -c 'import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="POST"))' \
		"http://127.0.0.1:${!port_var}/_control/$2" "$3"
}

form_servers_stop() {
	local p
	for p in "${form_pids[@]}"; do kill "$p" 2>/dev/null; done
	form_pids=()
}

# The [consultation], [storage] and [report] sections, no mailbox:
# write_base_config FILE OPENS CLOSES GRACE [ON_CLOSE]
write_base_config() {
	cat >"$1" <<CONF
[consultation]
name = ${CONSULTATION_NAME:-Police and Crime Plan 2021-25 (test)}
opens = $2
closes = $3
grace = $4
themes = $SOURCE_DIR/config/themes/london-pcp.themes
on_close = ${5:-idle}

[storage]
path = consultd.sqlite

[report]
folder = reports
CONF
}

# A form section for each preset, as the fixtures need it:
# form_section PRESET PORT [NAME]
form_section() {
	local preset=$1 port=$2 name=${3:+ $3}
	case $preset in
	typeform) cat <<CONF

[form$name]
preset = typeform
url = http://127.0.0.1:$port/forms/lT4Z3j/responses
token_file = token
poll_interval = ${FORM_POLL:-1}
timeout = ${FORM_TIMEOUT:-5}
page_size = ${TYPEFORM_PAGE:-3}
question.views = What should the plan change?
choice.priorities = Which priorities matter most to you?
name_field = name
CONF
	;;
	google-forms) cat <<CONF

[form$name]
preset = google-forms
url = http://127.0.0.1:$port/v1/forms/1FAIpQL/responses
token_file = token
poll_interval = ${FORM_POLL:-1}
timeout = ${FORM_TIMEOUT:-5}
question.5e2f0a11 = What is the biggest problem where you live?
choice.31c8d7e2 = Priorities
CONF
	;;
	generic) cat <<CONF

[form$name]
preset = generic
url = http://127.0.0.1:$port/api/submissions
token_file = token
poll_interval = ${FORM_POLL:-1}
timeout = ${FORM_TIMEOUT:-5}
items = /data/submissions
id = /id
submitted = /created
email = /contact/email
name = /contact/name
organisation = /contact/org
next = /paging/next
question./fields/q1 = Your views
choice./fields/q2 = Priorities
CONF
	;;
	esac
}

# A private work directory (the current directory from then on) and a
# trap that kills consultd (daemon_pid) and the form servers.
setup_form_test() {
	work=$(mktemp -d)
	daemon_pid=
	trap cleanup_form_test EXIT
	cd "$work" || exit 1
	DB=$work/consultd.sqlite
}

cleanup_form_test() {
	[ -n "${daemon_pid:-}" ] && kill -9 "$daemon_pid" 2>/dev/null
	declare -F on_exit >/dev/null && on_exit
	form_servers_stop
	if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}

stored_count() { sql "SELECT count(*) FROM responses ${1:-}" 2>/dev/null || echo 0; }
count_is() { [ "$(stored_count "${2:-}")" -eq "$1" ]; }
