#!/usr/bin/env bash
# The systemd units, as installed: `systemd-analyze verify` passes with no
# warning on consultd.service and on an instance of consultd@.service
# (their binaries and man pages present), and `systemd-analyze security`
# rates each 2.0 or lower. Skipped (77) where systemd-analyze is missing.
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

if ! command -v systemd-analyze >/dev/null; then
	echo "skip: no systemd-analyze"
	exit 77
fi
# Installed (no DESTDIR) under a temporary prefix, so the units name a
# consultd that exists and verify can check it.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
cmake --install "$BUILD_DIR" --prefix "$root" >/dev/null 2>&1
check "installed under $root" test -x "$root/sbin/consultd"
units=$root/lib/systemd/system
export MANPATH=$root/share/man # verify checks Documentation=man: pages
cd "$units" || exit 1
for unit in consultd.service consultd@budget.service; do
	out=$(systemd-analyze verify "$units/$unit" 2>&1)
	rc=$?
	check "$unit: systemd-analyze verify passes" test $rc -eq 0
	check "$unit: ... with no warning" test -z "$out"
	[ -n "$out" ] && echo "$out"
	# --offline=yes reads the unit file only (no running manager needed);
	# --threshold makes the exit status say whether it is over.
	systemd-analyze security --offline=yes --threshold=20 "$units/$unit" >"$root/security.out" 2>&1
	rc=$?
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$root/security.out")
	echo "$unit: systemd-analyze security exposure $score"
	check "$unit: security exposure read ($score)" test -n "$score"
	check "$unit: exposure $score <= 2.0" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
	check "$unit: --threshold=20 agrees" test $rc -eq 0
done
check "the template keeps each instance's state apart" grep -q '^StateDirectory=consultd/%i$' consultd@.service
check "the template reads /etc/consultd/NAME.conf" grep -q -- '-c /etc/consultd/%i.conf$' consultd@.service
check "the template hands the password over as a credential" \
	grep -q '^LoadCredential=imap-password:/etc/consultd/%i.imap-password$' consultd@.service
# Every hardening line is explained by a comment just above it (or above
# the block it belongs to).
for unit in consultd.service consultd@.service; do
	uncommented=$(awk '/^# ---- Hardening/ { on = 1 } /^\[Install\]/ { on = 0 }
		on && /^[A-Z]/ && prev !~ /^(#|[A-Z])/ { print } { prev = $0 }' "$unit")
	check "$unit: every hardening block has its comment" test -z "$uncommented"
	[ -n "$uncommented" ] && echo "$uncommented"
	for opt in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes NoNewPrivileges=yes \
		'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' SystemCallFilter=@system-service \
		MemoryDenyWriteExecute=yes CapabilityBoundingSet= LockPersonality=yes RestrictRealtime=yes \
		ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
		ProtectControlGroups=yes ProtectClock=yes ProtectHostname=yes RestrictNamespaces=yes \
		UMask=0077 DynamicUser=yes; do
		check "$unit: $opt" grep -qx -- "$opt" "$unit"
	done
done
finish
