#!/usr/bin/env bash
# make install: `cmake --install BUILD --prefix /usr` into a DESTDIR puts
# exactly the expected files there, and every man page renders without a
# warning (groff -ww, man, and mandoc -Tlint where installed).
set -u
source "$SOURCE_DIR/tests/lib/common.sh"

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$BUILD_DIR" --prefix /usr >"$dest.log" 2>&1
rc=$?
check "cmake --install into DESTDIR: exit 0" test $rc -eq 0
rm -f "$dest.log"

expected="usr/bin/consultctl
usr/lib/systemd/system/consultd.service
usr/lib/systemd/system/consultd@.service
usr/sbin/consultd
usr/share/consultd/areas/london-boroughs.areas
usr/share/consultd/themes/london-pcp.accuracy
usr/share/consultd/themes/london-pcp.themes
usr/share/doc/consultd/examples/consultd.conf.example
usr/share/doc/consultd/theme-file.md
usr/share/man/man1/consultctl.1
usr/share/man/man5/consultd.conf.5
usr/share/man/man8/consultd.8"
actual=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
check "exactly the expected files" test "$actual" = "$expected"
[ "$actual" = "$expected" ] || diff <(echo "$expected") <(echo "$actual")
check "nothing outside /usr (no /usr/etc, no /etc)" test "$(ls "$dest")" = usr
check "binaries executable" test -x "$dest/usr/sbin/consultd" -a -x "$dest/usr/bin/consultctl"
check "the units name the installed consultd" \
	test "$(grep -h '^ExecStart=' "$dest"/usr/lib/systemd/system/*.service | cut -d' ' -f1 | sort -u)" \
	= "ExecStart=/usr/sbin/consultd"
check "the installed consultd runs" "$dest/usr/sbin/consultd" --version
# (Its password is a credential, as systemd would hand it over.)
mkdir "$dest/creds" && echo secret >"$dest/creds/imap-password"
check "the example config is a valid config" bash -c "
	sed -e 's|^themes = .*|themes = $SOURCE_DIR/config/themes/london-pcp.themes|' \
	    '$dest/usr/share/doc/consultd/examples/consultd.conf.example' >'$dest/c.conf' &&
	CREDENTIALS_DIRECTORY='$dest/creds' '$dest/usr/sbin/consultd' --check-config -c '$dest/c.conf' >/dev/null"
rm -rf "$dest/c.conf" "$dest/creds"

# Every page renders with no warning, in each renderer available.
for page in "$dest"/usr/share/man/man*/*; do
	name=$(basename "$page")
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
	check "$name: groff -ww renders it with no warning" test -z "$out"
	[ -n "$out" ] && echo "$out"
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check "$name: man -l renders it with no warning" test -z "$out"
	[ -n "$out" ] && echo "$out"
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -W warning "$page" 2>&1)
		check "$name: mandoc -Tlint finds nothing" test -z "$out"
		[ -n "$out" ] && echo "$out"
	fi
done
# The pages are complete: every command, option and key is in them.
man -l "$dest/usr/share/man/man1/consultctl.1" 2>/dev/null >"$dest/consultctl.txt"
man -l "$dest/usr/share/man/man8/consultd.8" 2>/dev/null >"$dest/consultd.txt"
export LC_ALL=C.UTF-8 MANWIDTH=200
commands=$(sed -n '/static const char \*const commands\[\]/,/};/p' "$SOURCE_DIR/ctl/consultctl.c" |
	grep -o '"[a-z-]*"' | tr -d '"')
check "the list of consultctl's commands was found" test "$(echo "$commands" | wc -w)" -ge 10
for cmd in $commands; do
	check "consultctl(1) documents $cmd (synopsis and COMMANDS)" \
		test "$(grep -c -- "consultctl -c FILE $cmd\b" "$dest/consultctl.txt")" -ge 1 -a \
		"$(grep -c -E -- "^ {7}$cmd( |$)" "$dest/consultctl.txt")" -ge 1
done
options=$(grep -o '{"[a-z-]*", [a-z_]*_argument' "$SOURCE_DIR/daemon/main.c" | cut -d'"' -f2)
check "the list of consultd's options was found" test "$(echo "$options" | wc -w)" -ge 6
for opt in $options; do
	check "consultd(8) documents --$opt" grep -q -- "--$opt" "$dest/consultd.txt"
done
form_keys=$( (grep -o 'strcmp(name, "[a-z_]*")' "$SOURCE_DIR/config/form_config.c" | cut -d'"' -f2
	sed -n '/ptrs\[\] = {/,/};/p' "$SOURCE_DIR/config/form_config.c" | grep -o '{"[a-z_]*"' | tr -d '{"') | sort -u)
check "the list of [form] keys was found" test "$(echo "$form_keys" | wc -w)" -ge 20
for key in $(grep -o 'strcmp(name, "[a-z_]*")' "$SOURCE_DIR/config/config.c" | cut -d'"' -f2 | sort -u) $form_keys; do
	[ "$key" = password ] && continue # refused, and the page says so
	check "consultd.conf(5) documents $key" grep -q "^\\.B $key\$" "$dest/usr/share/man/man5/consultd.conf.5"
done
for section in "SIGNALS" "EXIT STATUS" "FILES" "EXAMPLES" "SEE ALSO"; do
	check "consultd(8) has $section" grep -q "^\\.SH $section" "$dest/usr/share/man/man8/consultd.8"
done
for section in "EXIT STATUS" "FILES" "EXAMPLES" "SEE ALSO"; do
	check "consultctl(1) has $section" grep -q "^\\.SH $section" "$dest/usr/share/man/man1/consultctl.1"
done
finish
