#!/usr/bin/env bash
# A 60 MB message (over the 25 MB cap) between two ordinary ones: it is not
# parsed but quarantined with its raw source complete, fetched in 4 MB
# partial FETCHes into a temporary file and copied into the store, so the
# daemon never holds it in memory whole; the messages behind it are stored
# as usual. `quarantine show` gives it back byte for byte, and `retry`
# leaves it quarantined.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
# CRLF line ends and no NUL, so the bytes Dovecot serves are the file's.
python3 - big.eml <<'PY'
import base64, hashlib, sys
out = open(sys.argv[1], "wb")
out.write(b"From: Borough Records <records@example.org>\r\n"
          b"To: consultation@example.org\r\n"
          b"Subject: Scanned appendices to our response\r\n"
          b"Message-ID: <oversize-1@example.org>\r\n"
          b"Date: Mon, 01 Mar 2021 10:00:00 +0000\r\n"
          b"MIME-Version: 1.0\r\n"
          b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
          b"--b1\r\nContent-Type: text/plain\r\n\r\nPlease find our scans attached.\r\n"
          b"--b1\r\nContent-Type: application/octet-stream; name=\"scans.bin\"\r\n"
          b"Content-Transfer-Encoding: base64\r\n\r\n")
block = hashlib.sha256(b"seed").digest()
raw = bytearray()
while len(raw) < 45 * 1024 * 1024:  # 45 MB of data is 60 MB of base64
    block = hashlib.sha256(block).digest()
    raw += block * 32
enc = base64.encodebytes(bytes(raw)).replace(b"\n", b"\r\n")
out.write(enc)
out.write(b"--b1--\r\n")
PY
big_size=$(stat -c %s big.eml)
echo "big.eml: $big_size bytes"
dovecot_deliver "$samples"/01-*.eml big.eml "$samples"/02-*.eml || exit 1
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0

stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }
all_seen() { [ "$(dovecot_flags | grep -c 'Seen')" -eq 3 ]; }
"$CONSULTD" -c consultd.conf 2>daemon.log &
daemon_pid=$!
wait_for 120 count_is 3
check "all 3 stored, the one behind the big message too" count_is 3
big() { sql "SELECT $1 FROM responses WHERE message_id = 'oversize-1@example.org'"; }
check "the big message is quarantined" test "$(big status)" = quarantined
echo "reason: $(big status_reason)"
check "the reason gives its size and the cap" \
	bash -c "[[ '$(big status_reason)' == 'message of '*' bytes is over the cap of 26214400 bytes' ]]"
check "its raw source is kept whole ($big_size bytes)" \
	test "$(sql "SELECT length(raw) FROM raw_sources WHERE response_id = $(big id)")" -eq "$big_size"
check "the two others are responses" \
	test "$(sql "SELECT count(*) FROM responses WHERE status = 'response'")" -eq 2
check "the log names the cap" grep -q 'over the cap.*action=quarantine' daemon.log
wait_for 20 all_seen
check "all 3 flagged \\Seen" all_seen
# Peak memory: the message is 60 MB; held whole it would be in the
# daemon's peak at least once. (Sanitizer builds have their own overhead.)
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
echo "consultd peak RSS: $((hwm_kb / 1024)) MB"
if ldd "$CONSULTD" | grep -q 'libasan\|libtsan'; then
	echo "skip peak RSS check: sanitizer build"
else
	check "consultd's peak RSS ($((hwm_kb / 1024)) MB) stays under the message's size" \
		test "$hwm_kb" -lt $((big_size / 1024))
fi
kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=

ref=$(big ref 2>/dev/null || true)
[ -n "$ref" ] || ref=$("$CONSULTCTL" -c consultd.conf quarantine list | cut -d' ' -f1)
"$CONSULTCTL" -c consultd.conf quarantine show "$ref" >raw.out 2>raw.err
check "quarantine show: exit 0" test $? -eq 0
check "quarantine show: the source byte for byte" cmp -s raw.out big.eml
"$CONSULTCTL" -c consultd.conf quarantine retry "$ref" >retry.out 2>&1
check "quarantine retry: exit 0" test $? -eq 0
cat retry.out
check "quarantine retry: still quarantined" test "$(big status)" = quarantined
check "quarantine retry: the raw source is still whole" \
	test "$(sql "SELECT length(raw) FROM raw_sources WHERE response_id = $(big id)")" -eq "$big_size"

finish
