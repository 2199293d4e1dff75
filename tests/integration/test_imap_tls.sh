#!/usr/bin/env bash
# TLS to the IMAP server: implicit TLS and STARTTLS with the certificate
# chain and host name verified; each kind of bad certificate refused with a
# message that says which, before the password is sent.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/certs.sh"

work=$(mktemp -d)
chmod 755 "$work" # Dovecot's unprivileged processes must traverse it
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null
	dovecot_stop
	[ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
make_certs "$work/certs" || { echo "cannot make test certificates"; exit 1; }

# tls_config FILE TLS HOST PORT [CA_FILE]
tls_config() {
	cat >"$1" <<CONF
[consultation]
name = TLS test
opens = $(rfc3339 '-1 hour')
closes = $(rfc3339 '+1 hour')
themes = $SOURCE_DIR/config/themes/london-pcp.themes
[imap]
host = $3
port = $4
tls = $2
user = $DOVECOT_USER
password_file = $DOVECOT_PASSWORD_FILE
poll_interval = 1
${5:+ca_file = $5}
[storage]
path = consultd.sqlite
[report]
folder = reports
CONF
}

# connects CONFIG: consultd --check-connection succeeds
connects() { "$CONSULTD" --check-connection -c "$1" >check.out 2>check.err; }
# refused CONFIG TEXT: it fails, saying TEXT
refused() {
	! "$CONSULTD" --check-connection -c "$1" >check.out 2>check.err && grep -qF -- "$2" check.err
}
no_secret_logged() { ! grep -qF "$DOVECOT_PASSWORD" check.err check.out; }

ca=$work/certs/ca.pem
DOVECOT_SSL_CERT=$work/certs/good.pem DOVECOT_SSL_KEY=$work/certs/good.key \
	dovecot_start "$work/dovecot-good" || exit 1

tls_config implicit.conf implicit localhost "$DOVECOT_TLS_PORT" "$ca"
check "implicit TLS with the private CA connects" connects implicit.conf
check "and says the certificate was verified" grep -q 'TLS, certificate verified' check.out
tls_config starttls.conf starttls localhost "$DOVECOT_PORT" "$ca"
check "STARTTLS with the private CA connects" connects starttls.conf
check "and says so" grep -q 'STARTTLS, certificate verified' check.out
tls_config system.conf implicit localhost "$DOVECOT_TLS_PORT"
check "a certificate from an unknown CA is refused (system trust)" \
	refused system.conf 'untrusted server certificate'
check "the message says the issuer is unknown" grep -qi 'issuer is unknown' check.err
check "nothing secret in the messages" no_secret_logged
tls_config name.conf implicit 127.0.0.1 "$DOVECOT_TLS_PORT" "$ca"
check "a certificate for another name is refused" refused name.conf 'untrusted server certificate'
check "the message says the name does not match" grep -qi 'name in the certificate does not match' check.err
tls_config starttls-name.conf starttls 127.0.0.1 "$DOVECOT_PORT" "$ca"
check "STARTTLS: a certificate for another name is refused" \
	refused starttls-name.conf 'does not match'
tls_config plain-on-tls.conf implicit localhost "$DOVECOT_PORT" "$ca"
check "implicit TLS to a plaintext port fails with a reason" refused plain-on-tls.conf 'reason='

# The daemon itself over implicit TLS.
dovecot_deliver "$SOURCE_DIR"/tests/data/samples/0[1-4]-*.eml || exit 1
DB=$work/consultd.sqlite
"$CONSULTD" -c implicit.conf 2>daemon.log &
daemon_pid=$!
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
wait_for 30 count_is 4
check "consultd stores mail over verified TLS" count_is 4
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=
dovecot_stop

DOVECOT_SSL_CERT=$work/certs/expired.pem DOVECOT_SSL_KEY=$work/certs/expired.key \
	dovecot_start "$work/dovecot-expired" || exit 1
tls_config expired.conf implicit localhost "$DOVECOT_TLS_PORT" "$ca"
check "an expired certificate is refused" refused expired.conf 'untrusted server certificate'
check "the message says it expired" grep -qi 'expired' check.err
dovecot_stop

DOVECOT_SSL_CERT=$work/certs/self.pem DOVECOT_SSL_KEY=$work/certs/self.key \
	dovecot_start "$work/dovecot-self" || exit 1
tls_config self.conf implicit localhost "$DOVECOT_TLS_PORT" "$ca"
check "a self-signed certificate is refused" refused self.conf 'untrusted server certificate'
# The password is read only after the certificate checks out.
check "the server never saw a login attempt" bash -c "! grep -q 'user=<$DOVECOT_USER>' '$work/dovecot-self/dovecot.log'"
dovecot_stop

finish
