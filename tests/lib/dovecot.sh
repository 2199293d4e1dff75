# A throwaway Dovecot IMAP server on 127.0.0.1 under a temporary directory.
# Sourced by the integration tests, the demo and the benchmarks.
#
#   dovecot_start DIR        start it; sets DOVECOT_PORT, DOVECOT_CONF,
#                            DOVECOT_USER, DOVECOT_PASSWORD_FILE
#                            With DOVECOT_SSL_CERT and DOVECOT_SSL_KEY set
#                            (PEM files), it also offers STARTTLS on
#                            DOVECOT_PORT and implicit TLS on DOVECOT_TLS_PORT.
#                            With DOVECOT_OAUTH2_URL set (an RFC 7662 token
#                            introspection URL, e.g. tests/lib/oauth2_server.py),
#                            it also offers AUTHENTICATE XOAUTH2 and
#                            OAUTHBEARER through an oauth2 passdb
#                            (introspection_mode ${DOVECOT_OAUTH2_MODE:-post});
#                            passwords keep working.
#   dovecot_deliver FILE...  put messages into INBOX (received now)
#   dovecot_stop             stop it (also safe when it never started)

DOVECOT_USER=consult
DOVECOT_PASSWORD=consult-test-password

dovecot_start() {
	local dir=$1 uid gid internal login try
	mkdir -p "$dir/home" "$dir/run" "$dir/state"
	# Dovecot's unprivileged processes must traverse every parent.
	chmod 755 "$dir" "$dir/home"
	if [ "$(id -u)" -eq 0 ]; then
		uid=5000 gid=5000 internal=dovecot login=dovenull
		chown "$uid:$gid" "$dir/home"
	else
		uid=$(id -u) gid=$(id -g) internal=$(id -un) login=$(id -un)
	fi
	printf '%s:{PLAIN}%s:%s:%s::%s/home::\n' "$DOVECOT_USER" "$DOVECOT_PASSWORD" \
		"$uid" "$gid" "$dir" >"$dir/passwd"
	DOVECOT_PASSWORD_FILE=$dir/password
	printf '%s\n' "$DOVECOT_PASSWORD" >"$DOVECOT_PASSWORD_FILE"
	chmod 600 "$DOVECOT_PASSWORD_FILE"
	DOVECOT_CONF=$dir/dovecot.conf
	DOVECOT_DIR=$dir
	local ssl="ssl = no" mechanisms="plain login" oauth2_passdb=""
	if [ -n "${DOVECOT_OAUTH2_URL:-}" ]; then
		# No auth cache (the default): every login is introspected, so a
		# revoked or rotated token counts at once.
		cat >"$dir/oauth2.conf.ext" <<-OAUTH
			introspection_mode = ${DOVECOT_OAUTH2_MODE:-post}
			introspection_url = $DOVECOT_OAUTH2_URL
			username_attribute = username
			active_attribute = active
			active_value = true
		OAUTH
		mechanisms="plain login xoauth2 oauthbearer"
		oauth2_passdb="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/oauth2.conf.ext
}"
	fi
	for try in 1 2 3 4 5 6 7 8; do
		DOVECOT_PORT=$(( (RANDOM % 30000) + 20000 ))
		DOVECOT_TLS_PORT=0
		if [ -n "${DOVECOT_SSL_CERT:-}" ]; then
			DOVECOT_TLS_PORT=$((DOVECOT_PORT + 1))
			ssl="ssl = yes
ssl_cert = <$DOVECOT_SSL_CERT
ssl_key = <$DOVECOT_SSL_KEY"
		fi
		cat >"$DOVECOT_CONF" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
instance_name = consultd-test-$DOVECOT_PORT
listen = 127.0.0.1
protocols = imap
$ssl
disable_plaintext_auth = no
auth_mechanisms = $mechanisms
default_internal_user = $internal
default_login_user = $login
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
# IDLE learns of new mail by inotify; should inotify instances run out,
# Dovecot falls back to looking every mailbox_idle_check_interval (30 s by
# default). Measured, the suite side by side uses 3 at most; the mail that
# waited 30 s in IDLE was an EXISTS consultd had been told and ignored
# (idle_wait in intake/imap.c), but a quick fallback costs nothing.
mailbox_idle_check_interval = 1 secs
$oauth2_passdb
passdb {
  driver = passwd-file
  args = $dir/passwd
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DOVECOT_TLS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
${DOVECOT_EXTRA:-}
service imap-login {
  chroot =
}
CONF
		if dovecot -c "$DOVECOT_CONF" 2>>"$dir/start.log"; then
			local i
			for i in $(seq 1 100); do
				if (exec 3<>/dev/tcp/127.0.0.1/"$DOVECOT_PORT") 2>/dev/null; then
					DOVECOT_RUNNING=1
					# Create INBOX so the first SELECT finds it.
					doveadm -c "$DOVECOT_CONF" mailbox create -u "$DOVECOT_USER" INBOX 2>/dev/null || true
					return 0
				fi
				sleep 0.05
			done
			doveadm -c "$DOVECOT_CONF" stop 2>/dev/null || true
		fi
	done
	echo "dovecot_start: could not start Dovecot; see $dir/dovecot.log" >&2
	cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null || true
	return 1
}

# A save into a mailbox that was just deleted and created again can fail
# with "Mailbox was deleted under us" while an IMAP session still has the
# old one open; a failed save stores nothing, so it is tried again.
dovecot_deliver() { # into ${DOVECOT_MAILBOX:-INBOX}
	local f try
	for f in "$@"; do
		for try in 1 2 3 4 5 6; do
			doveadm -c "$DOVECOT_CONF" save -u "$DOVECOT_USER" -m "${DOVECOT_MAILBOX:-INBOX}" <"$f" && break
			[ "$try" = 6 ] && return 1
			sleep 0.5
		done
	done
}

# Many messages at once: straight into the Maildir (Dovecot picks them up
# at the next SELECT or NOOP; INTERNALDATE is the file's time).
dovecot_deliver_maildir() {
	local maildir=$DOVECOT_DIR/home/Maildir owner
	mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
	# Written in tmp/ and renamed into new/ as a delivery agent would, in
	# one process: a cp and mv per message cost seconds per thousand.
	python3 - "$maildir" "$@" <<-'PY' || return 1
		import os, shutil, sys, time
		maildir, files = sys.argv[1], sys.argv[2:]
		stamp, pid = int(time.time()), os.getpid()
		for n, f in enumerate(files, 1):
		    name = "%d.%d_%d.consultd-test" % (stamp, pid, n)
		    shutil.copyfile(f, os.path.join(maildir, "tmp", name))
		    os.rename(os.path.join(maildir, "tmp", name), os.path.join(maildir, "new", name))
	PY
	owner=$(stat -c %u:%g "$DOVECOT_DIR/home")
	chown -R "$owner" "$maildir"
}

# Print "UID FLAGS" for every message in INBOX.
dovecot_flags() {
	doveadm -c "$DOVECOT_CONF" -f flow fetch -u "$DOVECOT_USER" 'uid flags' mailbox "${DOVECOT_MAILBOX:-INBOX}"
}

dovecot_stop() {
	if [ "${DOVECOT_RUNNING:-0}" = 1 ]; then
		# Stopping the master leaves running imap sessions alive, so end
		# every process of this instance (its name is in their titles).
		local pid i tag=consultd-test-$DOVECOT_PORT
		pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null || true)
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
		pkill -TERM -f "^dovecot-$tag/" 2>/dev/null
		for i in $(seq 1 50); do
			{ [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || pgrep -f "^dovecot-$tag/" >/dev/null || break
			sleep 0.1
		done
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
		pkill -9 -f "^dovecot-$tag/" 2>/dev/null
		DOVECOT_RUNNING=0
	fi
	return 0
}
