/* Config parsing: every kind of error names file, line and key. */
#include "config/config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/consultd-config-XXXXXX";
static char path[512];
static char err[8192];

static void setup(void)
{
	strcpy(dir, "/tmp/consultd-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/consultd.conf", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define GOOD_BASE \
	"[consultation]\n" \
	"name = Police and Crime Plan\n" \
	"opens = 2021-11-16T00:00:00Z\n" \
	"closes = 2022-01-21T23:59:00+00:00\n" \
	"grace = 24h\n" \
	"themes = themes/london.themes\n" \
	"[storage]\n" \
	"path = data/consultd.sqlite\n" \
	"[report]\n" \
	"folder = /var/lib/consultd/reports\n"

static struct config *load_ok(const char *text)
{
	struct config *cfg = NULL;
	write_file(text);
	int rc = config_load(path, &cfg, err, sizeof(err));
	ck_assert_msg(rc == 0, "unexpected errors:\n%s", err);
	return cfg;
}

/* Load text that must fail, and check err contains `want`, whose leading
 * "%s" stands for the config file's path. */
static void load_fails_with(const char *text, const char *want)
{
	struct config *cfg = (struct config *)1;
	write_file(text);
	int rc = config_load(path, &cfg, err, sizeof(err));
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(cfg);
	char expected[1024];
	ck_assert(strncmp(want, "%s", 2) == 0);
	snprintf(expected, sizeof(expected), "%s%s", path, want + 2);
	ck_assert_msg(strstr(err, expected) != NULL, "wanted \"%s\" in:\n%s", expected, err);
}

START_TEST(good_config)
{
	struct config *cfg = load_ok(GOOD_BASE
		"[imap]\nhost = imap.example.org\nuser = consult\npassword_file = /run/secret\n");
	ck_assert_str_eq(cfg->name, "Police and Crime Plan");
	ck_assert_int_eq(cfg->opens, 1637020800);
	ck_assert_int_eq(cfg->closes, 1642809540);
	ck_assert_int_eq(cfg->grace, 86400);
	ck_assert(cfg->n_imap == 1);
	ck_assert_int_eq(cfg->imap[0].tls, IMAP_TLS_IMPLICIT);
	ck_assert_int_eq(cfg->imap[0].port, 993);
	ck_assert_str_eq(cfg->imap[0].mailbox, "INBOX");
	ck_assert_int_eq(cfg->imap[0].poll_interval, 60);
	ck_assert_str_eq(cfg->report_folder, "/var/lib/consultd/reports");
	/* relative paths are taken from the config file's folder */
	char want[600];
	snprintf(want, sizeof(want), "%s/data/consultd.sqlite", dir);
	char *real = realpath(dir, NULL);
	snprintf(want, sizeof(want), "%s/data/consultd.sqlite", real);
	ck_assert_str_eq(cfg->storage_path, want);
	free(real);
	config_free(cfg);
}
END_TEST

START_TEST(starttls_default_port)
{
	struct config *cfg = load_ok(GOOD_BASE
		"[imap]\nhost = imap.example.org\ntls = starttls\nuser = u\npassword_file = p\n"
		"poll_interval = 5m\n");
	ck_assert_int_eq(cfg->imap[0].port, 143);
	ck_assert_int_eq(cfg->imap[0].poll_interval, 300);
	config_free(cfg);
}
END_TEST

START_TEST(unknown_key_named_with_line)
{
	load_fails_with(GOOD_BASE "colour = blue\n", "%s:11: [report] colour: unknown key");
}
END_TEST

START_TEST(unknown_section)
{
	load_fails_with(GOOD_BASE "[extras]\nfoo = 1\n", "%s:12: [extras] foo: unknown section [extras]");
}
END_TEST

START_TEST(bad_time)
{
	load_fails_with(
		"[consultation]\nname = x\nopens = 16/11/2021\ncloses = 2022-01-21T23:59:00Z\n"
		"themes = t\n[storage]\npath = p\n[report]\nfolder = r\n",
		"%s:3: [consultation] opens: '16/11/2021' is not an RFC 3339 time with offset");
}
END_TEST

START_TEST(time_without_offset)
{
	load_fails_with(
		"[consultation]\nname = x\nopens = 2021-11-16T00:00:00\ncloses = 2022-01-21T23:59:00Z\n"
		"themes = t\n[storage]\npath = p\n[report]\nfolder = r\n",
		"%s:3: [consultation] opens: '2021-11-16T00:00:00' is not an RFC 3339");
}
END_TEST

START_TEST(closes_before_opens)
{
	load_fails_with(
		"[consultation]\nname = x\nopens = 2022-01-21T00:00:00Z\ncloses = 2021-11-16T00:00:00Z\n"
		"themes = t\n[storage]\npath = p\n[report]\nfolder = r\n",
		"%s: [consultation] closes: must be later than opens");
}
END_TEST

START_TEST(bad_port_and_tls_both_reported)
{
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nport = 99999\ntls = maybe\nuser = u\npassword_file = p\n",
			"%s:13: [imap] port: '99999' is not a port number (1-65535)");
	ck_assert_ptr_nonnull(strstr(err, ":14: [imap] tls: 'maybe' is not one of implicit, starttls, none"));
}
END_TEST

START_TEST(password_in_config_refused)
{
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword = hunter2\npassword_file = p\n",
			"%s:14: [imap] password: passwords are never kept in the config file");
	ck_assert_ptr_null(strstr(err, "hunter2"));
}
END_TEST

START_TEST(plaintext_only_to_loopback)
{
	load_fails_with(GOOD_BASE "[imap]\nhost = imap.example.org\ntls = none\nuser = u\npassword_file = p\n",
			"%s: [imap] tls: 'none' is allowed only for a loopback host, not 'imap.example.org'");
	struct config *cfg = load_ok(GOOD_BASE "[imap]\nhost = 127.0.0.1\ntls = none\nuser = u\npassword_file = p\n");
	ck_assert_int_eq(cfg->imap[0].port, 143);
	config_free(cfg);
}
END_TEST

START_TEST(missing_required_keys)
{
	load_fails_with("[consultation]\nname = x\n", "%s: [consultation] opens: missing (required)");
	ck_assert_ptr_nonnull(strstr(err, "[consultation] closes: missing (required)"));
	ck_assert_ptr_nonnull(strstr(err, "[storage] path: missing (required)"));
	ck_assert_ptr_nonnull(strstr(err, "[report] folder: missing (required)"));
}
END_TEST

START_TEST(imap_missing_user)
{
	load_fails_with(GOOD_BASE "[imap]\nhost = h\npassword_file = p\n", "%s: [imap] user: missing (required)");
}
END_TEST

START_TEST(syntax_error_line)
{
	load_fails_with(GOOD_BASE "this line has no equals sign\n",
			"%s:11: syntax error: expected [section] or key = value");
}
END_TEST

START_TEST(bad_duration)
{
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_file = p\npoll_interval = soon\n",
			"%s:15: [imap] poll_interval: 'soon' is not a duration between 1s and 24h");
}
END_TEST

START_TEST(long_line_read_whole)
{
	char text[4096];
	char name[301];
	memset(name, 'n', 300);
	name[300] = '\0';
	snprintf(text, sizeof(text), "%s[consultation]\nname = %s\n", GOOD_BASE, name);
	struct config *cfg = load_ok(text);
	ck_assert_uint_eq(strlen(cfg->name), 300);
	config_free(cfg);
}
END_TEST

START_TEST(password_credential)
{
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/consultd.service", 1);
	struct config *cfg = load_ok(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_credential = imap-password\n");
	ck_assert_str_eq(cfg->imap[0].password_file, "/run/credentials/consultd.service/imap-password");
	config_free(cfg);
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_credential = ../etc/shadow\n",
			"%s:14: [imap] password_credential: '../etc/shadow' is not a credential name");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_file = p\npassword_credential = x\n",
			"%s:15: [imap] password_credential: set either password_file or password_credential, not both");
	unsetenv("CREDENTIALS_DIRECTORY");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_credential = imap-password\n",
			"%s:14: [imap] password_credential: $CREDENTIALS_DIRECTORY is not set");
}
END_TEST

START_TEST(xoauth2)
{
	struct config *cfg = load_ok(GOOD_BASE
		"[imap]\nhost = h\nuser = u@example.org\nauth = xoauth2\ntoken_file = /run/token\ntimeout = 5s\n");
	ck_assert_int_eq(cfg->imap[0].auth, IMAP_AUTH_XOAUTH2);
	ck_assert_str_eq(cfg->imap[0].password_file, "/run/token");
	ck_assert_int_eq(cfg->imap[0].timeout, 5);
	config_free(cfg);
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\nauth = xoauth2\n",
			"%s: [imap] token_file: missing (required with auth = xoauth2, or token_credential)");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_file = p\ntoken_file = t\n",
			"%s:15: [imap] token_file: set one of password_file, password_credential, token_file, token_credential");
	/* The token as a systemd credential. */
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/consultd.service", 1);
	cfg = load_ok(GOOD_BASE "[imap]\nhost = h\nuser = u@example.org\nauth = xoauth2\n"
		      "token_credential = imap-token\n");
	ck_assert_str_eq(cfg->imap[0].password_file, "/run/credentials/consultd.service/imap-token");
	config_free(cfg);
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\nauth = xoauth2\ntoken_file = t\n"
			"token_credential = imap-token\n",
			"%s:16: [imap] token_credential: set one of password_file, password_credential");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\nauth = xoauth2\ntoken_credential = a/b\n",
			"%s:15: [imap] token_credential: 'a/b' is not a credential name");
	unsetenv("CREDENTIALS_DIRECTORY");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\ntoken_file = t\n",
			"%s: [imap] token_file: only used with auth = xoauth2");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_file = p\nauth = kerberos\n",
			"%s:15: [imap] auth: 'kerberos' is not one of password, xoauth2");
	load_fails_with(GOOD_BASE "[imap]\nhost = h\nuser = u\npassword_file = p\ntimeout = 0\n",
			"%s:15: [imap] timeout: '0' is not a duration between 1s and 10m");
}
END_TEST

START_TEST(several_mailboxes)
{
	struct config *cfg = load_ok(GOOD_BASE
		"[imap]\nhost = imap.example.org\nuser = consult\npassword_file = p\n"
		"[imap letters]\nhost = imap.example.org\nuser = consult\npassword_file = p\n"
		"mailbox = Letters\nidle = no\n"
		"[imap council]\nhost = mail.council.example\nuser = c\npassword_file = q\ntls = starttls\n");
	ck_assert_uint_eq(cfg->n_imap, 3);
	ck_assert_str_eq(cfg->imap[0].section, "imap");
	ck_assert_str_eq(cfg->imap[0].mailbox, "INBOX");
	ck_assert_str_eq(cfg->imap[1].section, "imap letters");
	ck_assert_str_eq(cfg->imap[1].mailbox, "Letters");
	ck_assert(!cfg->imap[1].idle);
	ck_assert(cfg->imap[0].idle);
	ck_assert_int_eq(cfg->imap[2].port, 143);
	config_free(cfg);
	load_fails_with(GOOD_BASE
		"[imap]\nhost = h\nuser = u\npassword_file = p\n"
		"[imap again]\nhost = h\nuser = u\npassword_file = p\n",
		"%s: [imap again] mailbox: 'INBOX' is already read by [imap]");
	load_fails_with(GOOD_BASE "[imap second]\nhost = h\npassword_file = p\n",
			"%s: [imap second] user: missing (required)");
}
END_TEST

START_TEST(missing_file)
{
	struct config *cfg;
	ck_assert_int_eq(config_load("/nonexistent/consultd.conf", &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/consultd.conf: cannot read: No such file"));
}
END_TEST

START_TEST(time_parsing)
{
	int64_t t;
	ck_assert_int_eq(config_parse_time("1970-01-01T00:00:00Z", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(config_parse_time("2021-11-16T00:00:00+01:00", &t), 0);
	ck_assert_int_eq(t, 1637017200);
	ck_assert_int_eq(config_parse_time("2024-02-29T12:00:00.5-05:30", &t), 0);
	ck_assert_int_eq(t, 1709208000 + 5 * 3600 + 1800);
	ck_assert_int_eq(config_parse_time("2023-02-29T12:00:00Z", &t), -1);
	ck_assert_int_eq(config_parse_time("2023-13-01T12:00:00Z", &t), -1);
	ck_assert_int_eq(config_parse_time("2023-01-01T12:00:00Zjunk", &t), -1);
	ck_assert_int_eq(config_parse_time("", &t), -1);
	int64_t s;
	ck_assert_int_eq(config_parse_duration("90", &s), 0);
	ck_assert_int_eq(s, 90);
	ck_assert_int_eq(config_parse_duration("2d", &s), 0);
	ck_assert_int_eq(s, 172800);
	ck_assert_int_eq(config_parse_duration("-5", &s), -1);
	ck_assert_int_eq(config_parse_duration("5 h", &s), -1);
	ck_assert_int_eq(config_parse_duration("99999999999999999999", &s), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_config);
	tcase_add_test(tc, starttls_default_port);
	tcase_add_test(tc, unknown_key_named_with_line);
	tcase_add_test(tc, unknown_section);
	tcase_add_test(tc, bad_time);
	tcase_add_test(tc, time_without_offset);
	tcase_add_test(tc, closes_before_opens);
	tcase_add_test(tc, bad_port_and_tls_both_reported);
	tcase_add_test(tc, password_in_config_refused);
	tcase_add_test(tc, plaintext_only_to_loopback);
	tcase_add_test(tc, missing_required_keys);
	tcase_add_test(tc, imap_missing_user);
	tcase_add_test(tc, syntax_error_line);
	tcase_add_test(tc, bad_duration);
	tcase_add_test(tc, long_line_read_whole);
	tcase_add_test(tc, password_credential);
	tcase_add_test(tc, xoauth2);
	tcase_add_test(tc, several_mailboxes);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, time_parsing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
