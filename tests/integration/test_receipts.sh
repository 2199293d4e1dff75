#!/usr/bin/env bash
# Acknowledgement receipts end to end: real Dovecot, real SMTP sink
# (tests/lib/smtp_sink.py) with STARTTLS and AUTH. Who gets a receipt and
# who not, the receipts' headers and text, one receipt per response across
# a restart, receipts coming back not counted, 451 then success, 550,
# a connection dropped after the message, a crash while the server holds
# one, and the rate limit.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"
source "$SOURCE_DIR/tests/lib/certs.sh"

setup_dovecot_test
make_certs "$work/certs" || exit 1
SINK_USER=receipts@consult.example
SINK_PASSWORD=sink-test-password
printf '%s\n' "$SINK_PASSWORD" >smtp-password
chmod 600 smtp-password
sink_pid=
on_exit() { [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; }

start_sink() { # start_sink DIR [MODE ARGS...]
	local dir=$1
	shift
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null
	rm -f sink.port
	python3 "$SOURCE_DIR/tests/lib/smtp_sink.py" --dir "$dir" --port-file sink.port \
		--tls starttls --cert "$work/certs/good.pem" --key "$work/certs/good.key" \
		--user "$SINK_USER" --password "$SINK_PASSWORD" "$@" 2>>sink.log &
	sink_pid=$!
	wait_for 10 test -s sink.port || { echo "sink did not start"; cat sink.log; exit 1; }
	SINK_PORT=$(cat sink.port)
}

configure() { # configure RATE
	write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 1h
	cat >>consultd.conf <<CONF

[receipts]
host = localhost
port = $SINK_PORT
tls = starttls
ca_file = $work/certs/ca.pem
user = $SINK_USER
password_file = smtp-password
from_address = consult@consult.example
from_name = Consultation Team
reply_to = questions@consult.example
subject = Receipt {reference}: {subject}
body_file = receipt.txt
rate = $1
retry_base = 1s
max_attempts = 4
timeout = 10s
no_reply = *@donotanswer.example
CONF
}
cat >receipt.txt <<'TXT'
Dear {name},

Thank you for your response to {consultation}.
We received it on {received_date}. Your reference is {reference}.{late_note}
TXT

msg() { # msg FILE FROM MESSAGE-ID SUBJECT [EXTRA HEADER LINES]
	{
		printf 'From: %s\r\nTo: consult@consult.example\r\nSubject: %s\r\n' "$2" "$4"
		printf 'Message-ID: <%s>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n' "$3"
		[ -n "${5:-}" ] && printf '%s\r\n' "$5"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
		printf 'More police patrols on the high street please, and better street lighting.\r\n'
	} >"$1"
}
mkdir -p in
msg in/1.eml 'Alice Example <alice@example.org>' alice.1@example.org 'My views on policing'
msg in/2.eml 'bob@example.net' bob.2@example.net 'Response'
msg in/3.eml '=?UTF-8?Q?Zo=C3=AB_=C3=9Cml=C3=A4ut?= <zoe@example.org>' zoe.3@example.org \
	'=?UTF-8?Q?Stra=C3=9Fenbeleuchtung_und_Sicherheit?='
msg in/4.eml '=?UTF-8?Q?Eve=0D=0ABcc:_victim@evil.example?= <eve@example.org>' eve.4@example.org \
	'=?UTF-8?Q?Hello=0D=0ABcc:_victim2@evil.example?='
msg in/5.eml 'Carol <carol@example.org>' carol.5@example.org 'Automatic reply: My views' \
	'Auto-Submitted: auto-replied'
msg in/6.eml 'Mail Delivery System <MAILER-DAEMON@mx.example.org>' bounce.6@mx.example.org \
	'Undelivered Mail Returned to Sender'
msg in/7.eml 'Council <noreply@council.example>' council.7@council.example 'Our response'
msg in/8.eml 'Residents list <residents@lists.example>' list.8@lists.example 'Re: consultation' \
	'List-Id: <residents.lists.example>'
msg in/9.eml 'Dan <dan@donotanswer.example>' dan.9@donotanswer.example 'My response'

start_sink sink1
configure 60
# --check-config reads the template file: an unknown placeholder is an error.
cp receipt.txt receipt.good
printf 'Your ref: {refrence}\n' >>receipt.txt
"$CONSULTD" --check-config -c consultd.conf >check.out 2>&1
check "--check-config: a template's unknown placeholder fails" test $? -eq 1
check "--check-config: names the key, the file and its line" \
	grep -q "consultd.conf:[0-9]*: \[receipts\] body_file: .*receipt.txt: line 5: unknown placeholder {refrence}" check.out
mv receipt.good receipt.txt
"$CONSULTD" --check-config -c consultd.conf >check.out 2>&1
check "--check-config: the good template passes" test $? -eq 0
dovecot_deliver in/*.eml || exit 1
"$CONSULTD" -c consultd.conf 2>daemon1.log &
daemon_pid=$!

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
received() { ls "$1"/*.eml 2>/dev/null | wc -l; }
received_is() { [ "$(received "$1")" -eq "$2" ]; }
state_of() { sql "SELECT o.state FROM outbox o JOIN responses r ON r.id = o.response_id WHERE r.message_id = '$1'"; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }
wait_for 30 count_is 9
check "9 responses stored" count_is 9
wait_for 30 received_is sink1 4
sleep 1
check "4 receipts received (alice, bob, zoe, eve)" received_is sink1 4
rcpts=$(cut -f3 sink1/log.tsv | sort | tr '\n' ' ')
check "recipients are exactly the four respondents ($rcpts)" \
	test "$rcpts" = "<alice@example.org> <bob@example.net> <eve@example.org> <zoe@example.org> "
check "envelope sender is from_address" test "$(cut -f2 sink1/log.tsv | sort -u)" = "<consult@consult.example>"
for mid in carol.5@example.org bounce.6@mx.example.org council.7@council.example list.8@lists.example dan.9@donotanswer.example; do
	check "no receipt for $mid (suppressed)" state_is "$mid" suppressed
done
check "suppression reasons recorded" test "$(sql "SELECT group_concat(last_error, '|') FROM (SELECT last_error FROM outbox WHERE state = 'suppressed' ORDER BY id)")" = \
	"auto-reply|bounce|no-reply address|list traffic|no-reply address (no_reply pattern)"

receipt_for() { grep -l "^To: <$1>" sink1/*.eml; }
hdr() { grep -i -m1 "^$2:" "$1" | tr -d '\r'; }
for who in alice.1@example.org:alice@example.org bob.2@example.net:bob@example.net \
	zoe.3@example.org:zoe@example.org eve.4@example.org:eve@example.org; do
	mid=${who%%:*} addr=${who#*:}
	f=$(receipt_for "$addr")
	ref=$(sql "SELECT printf('R-%06d', id) FROM responses WHERE message_id = '$mid'")
	check "$addr: Auto-Submitted: auto-replied" test "$(hdr "$f" Auto-Submitted)" = "Auto-Submitted: auto-replied"
	check "$addr: X-Auto-Response-Suppress: All" test "$(hdr "$f" X-Auto-Response-Suppress)" = "X-Auto-Response-Suppress: All"
	check "$addr: Message-ID in the receipts' own domain" \
		bash -c "grep -qE '^Message-ID: <receipt\.[0-9]+\.[0-9]+\.[0-9a-f]+@receipts\.consult\.example>' '$f'"
	check "$addr: In-Reply-To is the response's Message-ID" test "$(hdr "$f" In-Reply-To)" = "In-Reply-To: <$mid>"
	check "$addr: References too" test "$(hdr "$f" References)" = "References: <$mid>"
	check "$addr: reference $ref in the text matches the store" grep -q "Your reference is $ref\." "$f"
	check "$addr: reference in the (decoded) subject" python3 -c "
import email, email.header as h, sys
m = email.message_from_binary_file(open('$f', 'rb'))
sys.exit(0 if str(h.make_header(h.decode_header(m['Subject']))).startswith('Receipt $ref: ') else 1)"
	check "$addr: From with display name" test "$(hdr "$f" From)" = 'From: "Consultation Team" <consult@consult.example>'
	check "$addr: Reply-To" test "$(hdr "$f" Reply-To)" = "Reply-To: <questions@consult.example>"
	check "$addr: quoted-printable UTF-8" grep -q '^Content-Type: text/plain; charset=UTF-8' "$f"
	check "$addr: outbox says sent" test "$(state_of "$mid")" = sent
done
check "alice: greeted by name" grep -q '^Dear Alice Example,' "$(receipt_for alice@example.org)"
check "bob (no name): greeted by address" grep -q '^Dear bob@example.net,' "$(receipt_for bob@example.net)"
zoe=$(receipt_for zoe@example.org)
check "zoe: non-ASCII name quoted-printable in the body" grep -q '^Dear Zo=C3=AB =C3=9Cml=C3=A4ut,' "$zoe"
check "zoe: non-ASCII subject RFC 2047 encoded" grep -q '^Subject: =?UTF-8?B?' "$zoe"
check "zoe: the subject decodes to the original" \
	python3 -c "import email,sys; m=email.message_from_binary_file(open('$zoe','rb')); import email.header as h; s=str(h.make_header(h.decode_header(m['Subject']))); sys.exit(0 if s.endswith(': Straßenbeleuchtung und Sicherheit') else 1)"
eve=$(receipt_for eve@example.org)
check "eve: no header injected from name or subject" bash -c "! grep -qi '^Bcc' '$eve'"
check "eve: one recipient only" test "$(grep -c 'eve@example.org' sink1/log.tsv)" -eq 1
check "nothing sent to the injected addresses" bash -c "! grep -q evil sink1/log.tsv"
# rate = 60 a minute: one token a second (the connections are the
# submissions' starts; their ends vary with the TLS handshake).
check "rate limit: submissions at least ~1 s apart" \
	awk -F'\t' 'NR > 1 && $6 - prev < 0.95 { bad = 1 } { prev = $6 } END { exit bad }' sink1/log.tsv
check "rate limit: 4 receipts take at least 3 s" \
	awk -F'\t' 'NR == 1 { first = $6 } { last = $6 } END { exit !(last - first >= 2.9) }' sink1/log.tsv

"$CONSULTCTL" -c consultd.conf status >status.out 2>&1
check "status: outbox backlog" grep -q '^receipts: *0 pending, 0 sending, 4 sent, 0 failed, 0 uncertain, 5 not due' status.out

# Restart: nothing is sent twice.
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
"$CONSULTD" -c consultd.conf 2>daemon2.log &
daemon_pid=$!
sleep 2
check "after a restart: still 4 receipts" received_is sink1 4
check "after a restart: one outbox row per response" test "$(sql 'SELECT count(*) FROM outbox')" -eq 9

# The receipts come back into the mailbox (a forwarding loop, an
# autoresponder quoting them): never counted, never answered. One copy
# has lost its Auto-Submitted and Precedence on the way: its Message-ID
# still gives it away.
mkdir -p back
i=0
for f in sink1/*.eml; do
	i=$((i + 1))
	cp "$f" "back/$i.eml"
done
sed -i '/^Auto-Submitted:/d; /^Precedence:/d' back/1.eml
dovecot_deliver back/*.eml || exit 1
wait_for 30 count_is 13
check "4 receipts fed back stored" count_is 13
check "receipts fed back are not counted (auto-reply)" \
	test "$(sql "SELECT count(*) FROM responses WHERE message_id LIKE '%@receipts.consult.example' AND status = 'auto-reply'")" -eq 4
check "the one without Auto-Submitted known by its Message-ID domain" \
	test "$(sql "SELECT count(*) FROM responses WHERE status_reason LIKE '%own receipt%'")" -eq 1
sleep 2
check "receipts fed back are not answered" received_is sink1 4
check "counted responses still 6 (the 4, noreply and the no_reply pattern)" \
	test "$(sql "SELECT count(*) FROM responses WHERE status = 'response'")" -eq 6
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null

# 451 twice, then accepted: retried with backoff, sent once.
start_sink sink2 --fail-first 2
configure 600
"$CONSULTD" -c consultd.conf 2>daemon3.log &
daemon_pid=$!
msg in/10.eml 'Frank <frank@example.org>' frank.10@example.org 'Temporary trouble'
dovecot_deliver in/10.eml || exit 1
wait_for 30 state_is frank.10@example.org sent
check "451, 451, then sent" test "$(cut -f4 sink2/log.tsv | tr '\n' ' ')" = "451 451 250 "
check "3 attempts recorded" test "$(sql "SELECT attempts FROM outbox o JOIN responses r ON r.id = o.response_id WHERE r.message_id = 'frank.10@example.org'")" -eq 3
check "backoff: the retries waited (retry_base 1 s, -25 % jitter)" \
	awk -F'\t' 'NR > 1 && $6 - prev < 0.7 { bad = 1 } { prev = $1 } END { exit bad }' sink2/log.tsv
check "one copy delivered" received_is sink2 1
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null

# 550: failed at once, never retried.
start_sink sink3 --reject
configure 600
"$CONSULTD" -c consultd.conf 2>daemon4.log &
daemon_pid=$!
msg in/11.eml 'Grace <grace@example.org>' grace.11@example.org 'Rejected address'
dovecot_deliver in/11.eml || exit 1
wait_for 30 state_is grace.11@example.org failed
check "550: marked failed" state_is grace.11@example.org failed
check "550: the reply in last_error" \
	bash -c "sqlite3 -readonly '$DB' \"SELECT last_error FROM outbox WHERE state = 'failed'\" | grep -q 550"
sleep 2
check "550: tried once only" test "$(wc -l <sink3/log.tsv)" -eq 1
"$CONSULTCTL" -c consultd.conf status >status2.out 2>&1
check "status shows the failed receipt" grep -q ' 1 failed' status2.out
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null

# The connection drops after the whole message: the server may have it.
start_sink sink4 --drop-after-data
configure 600
"$CONSULTD" -c consultd.conf 2>daemon5.log &
daemon_pid=$!
msg in/12.eml 'Heidi <heidi@example.org>' heidi.12@example.org 'Dropped'
dovecot_deliver in/12.eml || exit 1
wait_for 30 state_is heidi.12@example.org uncertain
check "dropped after DATA: uncertain" state_is heidi.12@example.org uncertain
sleep 2
check "dropped after DATA: not sent again" test "$(wc -l <sink4/log.tsv)" -eq 1
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null

# consultd dies (SIGKILL) while the server holds the receipt and has not
# answered: at the next start the receipt is uncertain, not sent again.
start_sink sink5 --delay 20
configure 600
"$CONSULTD" -c consultd.conf 2>daemon6.log &
daemon_pid=$!
msg in/13.eml 'Ivan <ivan@example.org>' ivan.13@example.org 'Crash window'
dovecot_deliver in/13.eml || exit 1
wait_for 30 received_is sink5 1
check "crash window: the row is 'sending' while the server has it" state_is ivan.13@example.org sending
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
"$CONSULTD" -c consultd.conf 2>daemon7.log &
daemon_pid=$!
wait_for 10 state_is ivan.13@example.org uncertain
check "crash window: uncertain after the restart" state_is ivan.13@example.org uncertain
sleep 2
check "crash window: not sent again" test "$(wc -l <sink5/log.tsv)" -eq 1
check "crash window: logged" grep -q 'event=receipts-uncertain count=1' daemon7.log
"$CONSULTCTL" -c consultd.conf status >status3.out 2>&1
check "status shows the uncertain receipts" grep -q ' 2 uncertain' status3.out
kill -TERM "$daemon_pid"; wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=

# Implicit TLS (smtps): sent. A certificate the CA did not sign, or a wrong
# password: nothing sent, the receipt waits for a retry.
start_sink sink6 --tls implicit
configure 600
sed -i 's/^tls = starttls/tls = implicit/' consultd.conf
"$CONSULTD" -c consultd.conf 2>daemon8.log &
daemon_pid=$!
msg in/14.eml 'Judy <judy@example.org>' judy.14@example.org 'Implicit TLS'
dovecot_deliver in/14.eml || exit 1
wait_for 30 state_is judy.14@example.org sent
check "implicit TLS: sent" state_is judy.14@example.org sent
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
start_sink sink7 --tls implicit --cert "$work/certs/self.pem" --key "$work/certs/self.key"
configure 600
sed -i 's/^tls = starttls/tls = implicit/' consultd.conf
"$CONSULTD" -c consultd.conf 2>daemon9.log &
daemon_pid=$!
msg in/15.eml 'Ken <ken@example.org>' ken.15@example.org 'Untrusted server'
dovecot_deliver in/15.eml || exit 1
retry_waiting() { # a failed attempt, and the row back to pending
	[ "$(sql "SELECT count(*) FROM outbox o JOIN responses r ON r.id = o.response_id
		WHERE r.message_id = '$1' AND o.state = 'pending' AND o.attempts >= 1
		AND o.last_error LIKE '%$2%'")" -eq 1 ]
}
wait_for 30 retry_waiting ken.15@example.org certificate
check "untrusted certificate: nothing delivered" received_is sink7 0
check "untrusted certificate: pending for a retry" retry_waiting ken.15@example.org certificate
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
start_sink sink8
configure 600
printf 'wrong\n' >smtp-password
"$CONSULTD" -c consultd.conf 2>daemon10.log &
daemon_pid=$!
msg in/16.eml 'Liam <liam@example.org>' liam.16@example.org 'Wrong password'
dovecot_deliver in/16.eml || exit 1
wait_for 30 retry_waiting liam.16@example.org 535
check "wrong password: nothing delivered" received_is sink8 0
check "wrong password: pending for a retry, not failed" retry_waiting liam.16@example.org 535
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
daemon_pid=
printf '%s\n' "$SINK_PASSWORD" >smtp-password
"$CONSULTCTL" -c consultd.conf status >status4.out 2>&1
check "status shows the pending backlog" grep -q '^receipts: *2 pending' status4.out
check "status shows the oldest pending's age" grep -q 'oldest pending waiting' status4.out

# Receipts off: the backlog waits. Turned on by a reload (SIGHUP), with a
# working server: the two waiting receipts go out.
start_sink sink9
configure 600
sed -i 's/^\[receipts\]$/[receipts]\nenabled = no/' consultd.conf
"$CONSULTD" -c consultd.conf 2>daemon11.log &
daemon_pid=$!
sleep 3
check "enabled = no: nothing sent" received_is sink9 0
sed -i '/^enabled = no$/d' consultd.conf
kill -HUP "$daemon_pid"
wait_for 30 received_is sink9 2
check "after a reload with receipts on: the backlog sent" received_is sink9 2
check "ken and liam got theirs" test "$(cut -f3 sink9/log.tsv | sort | tr '\n' ' ')" = "<ken@example.org> <liam@example.org> "
check "the reload started the sender" grep -q 'event=receipts-started' daemon11.log
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null
daemon_pid=


check "the SMTP password is in no log" not_logged "$SINK_PASSWORD" daemon*.log check.out
check "no response text is in any log" no_text_logged daemon*.log

finish
