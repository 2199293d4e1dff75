#!/usr/bin/env bash
# The daemon as systemd sees it: READY, STATUS, WATCHDOG, RELOADING around a
# SIGHUP reload (good and bad configs), STOPPING on SIGTERM, read from a
# NOTIFY_SOCKET the test creates; syslog priority prefixes when stderr is
# the stream JOURNAL_STREAM names, and none when it is another.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

listener_pid=
on_exit() {
	[ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
}
setup_dovecot_test
samples=$SOURCE_DIR/tests/data/samples
write_config consultd.conf "$(rfc3339 '-1 hour')" "$(rfc3339 '+1 hour')" 0

python3 "$SOURCE_DIR/tests/lib/notify_listen.py" "$work/notify.sock" notify.log 120 &
listener_pid=$!
wait_for 10 test -S "$work/notify.sock"
notified() { grep -q -- "$1" notify.log 2>/dev/null; }
count_of() { grep -c -- "$1" notify.log 2>/dev/null || true; }
stored() { sql "SELECT count(*) FROM responses" 2>/dev/null || echo 0; }
count_is() { [ "$(stored)" -eq "$1" ]; }

dovecot_deliver "$samples"/0[1-3]-*.eml || exit 1
: >daemon.log
# As systemd does for a journal stream: its device and inode, in decimal.
journal_stream=$(stat -c '%d:%i' daemon.log)
NOTIFY_SOCKET=$work/notify.sock WATCHDOG_USEC=1000000 JOURNAL_STREAM=$journal_stream \
	"$CONSULTD" -c consultd.conf 2>>daemon.log &
daemon_pid=$!
wait_for 10 notified '^READY=1$'
check "READY=1 once started" notified '^READY=1$'
wait_for 10 count_is 3
wait_for 5 notified '^STATUS=window open; 3 stored'
check "STATUS= says the window state and the counts" notified '^STATUS=window open; 3 stored'
sleep 1.2
check "WATCHDOG=1 sent about twice a second (WatchdogSec=1)" test "$(count_of '^WATCHDOG=1$')" -ge 2

# A good reload: a new name, same mailbox.
sed -i 's/^name = .*/name = Reloaded consultation/' consultd.conf
kill -HUP "$daemon_pid"
wait_for 10 grep -q 'event=reload ' daemon.log
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC" notified '^RELOADING=1|MONOTONIC_USEC=[0-9]*$'
check "then READY=1 again" test "$(count_of '^READY=1$')" -ge 2
check "the log says what was reloaded" grep -q 'event=reload themes=11 mailboxes=1 workers=kept' daemon.log

# A bad reload: refused, the running config kept, intake goes on.
cp consultd.conf good.conf
printf 'colour = blue\n' >>consultd.conf
kill -HUP "$daemon_pid"
wait_for 10 grep -q 'kept the running configuration' daemon.log
check "a bad config is refused with file, line and key" \
	grep -q "consultd.conf:$(wc -l <consultd.conf): \[report\] colour: unknown key" daemon.log
check "and the running one kept" grep -q 'kept the running configuration' daemon.log
check "consultd still runs" kill -0 "$daemon_pid"
dovecot_deliver "$samples"/04-*.eml || exit 1
wait_for 10 count_is 4
check "and still stores new mail" count_is 4

# A reload that changes the mailbox settings restarts the worker.
sed 's/^poll_interval = .*/poll_interval = 2/' good.conf >consultd.conf
kill -HUP "$daemon_pid"
wait_for 10 grep -q 'workers=restarted' daemon.log
check "changed mailbox settings restart the worker" grep -q 'workers=restarted' daemon.log
dovecot_deliver "$samples"/05-*.eml || exit 1
wait_for 10 count_is 5
check "which goes on storing, once" count_is 5

kill -TERM "$daemon_pid"
wait "$daemon_pid"
check "SIGTERM: exit 0" test $? -eq 0
daemon_pid=
sleep 0.3
check "STOPPING=1 on the way out" notified '^STOPPING=1$'

check "journal stream: info lines carry <6>" grep -q '^<6>.*event=reload ' daemon.log
check "journal stream: the refused config carries <3> or <4>" \
	grep -Eq '^<[34]>.*kept the running configuration' daemon.log
check "journal stream: every line has a prefix" test "$(grep -vc '^<[0-7]>' daemon.log)" -eq 0

# JOURNAL_STREAM inherited while stderr goes elsewhere: words, not prefixes.
JOURNAL_STREAM=$journal_stream "$CONSULTD" -c consultd.conf --check-connection \
	>other.out 2>other.log
check "another stream: no priority prefix" test "$(grep -c '^<[0-7]>' other.log)" -eq 0
check "another stream: the level in words" grep -q '^consultd: [a-z]*: ' other.log

finish
