#!/usr/bin/env bash
# Install the Debian 12 packages consultd needs to build, test and run its
# demo. Only what is missing is installed; through sudo when not root.
set -euo pipefail

packages=(
	build-essential cmake pkg-config
	libuv1-dev libetpan-dev libcurl4-gnutls-dev libgnutls28-dev
	libsqlite3-dev sqlite3 check libgmime-3.0-dev libinih-dev libstemmer-dev
	libjansson-dev libxml2-dev libsystemd-dev libpoppler-glib-dev libzip-dev libzstd-dev
	dovecot-imapd dovecot-core openssl time procps python3
	# The install tests: man pages rendered and linted, units verified and
	# rated, the daemon's system calls checked against the unit's filter.
	groff-base man-db mandoc systemd strace
	chromium
)
# Sanitizer and fuzzer builds (make ci) use clang's runtime.
if [ "${CONSULTD_CI_DEPS:-0}" = 1 ]; then
	packages+=(clang libclang-rt-14-dev valgrind cppcheck clang-tidy gcovr)
	# valgrind only recommends it, but needs libc's symbols to redirect
	# the dynamic loader's string functions reliably.
	packages+=(libc6-dbg)
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The Debian package starts a system-wide Dovecot; the tests run their own.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	"${sudo[@]}" systemctl disable --now dovecot >/dev/null 2>&1 || true
fi
