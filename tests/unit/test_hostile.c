/*
 * test_hostile.c — every message of tests/data/hostile/ through
 * mime_normalise, checked against MANIFEST.tsv (see make-hostile.py there
 * for the columns), plus a 30 MB message made here at run time (too big to
 * commit).
 *
 * Whatever the file, the result must be usable: rc 0, text valid UTF-8
 * without NULs, an idempotency key, the raw bytes kept exactly, at most
 * LIMIT_ATTACHMENTS attachments, and every attachment text valid UTF-8.
 */
#include "intake/mime.h"
#include "config/limits.h"

#include <check.h>
#include <glib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE_DIR SOURCE_DIR "/tests/data/hostile"

static void setup(void)
{
	mime_init();
}

static void teardown(void)
{
	mime_shutdown();
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The checks every result must pass, whatever went in. */
static void check_sane(const char *file, const unsigned char *raw, size_t len,
		       const struct response *r)
{
	ck_assert_msg(r->text != NULL, "%s: no text", file);
	ck_assert_msg(g_utf8_validate(r->text, -1, NULL), "%s: text not UTF-8", file);
	ck_assert_msg(strlen(r->text) <= LIMIT_TEXT_BYTES, "%s: text over the cap", file);
	ck_assert_msg(r->idem_key != NULL, "%s: no idem_key", file);
	ck_assert_msg(r->raw_len == len && (len == 0 || memcmp(r->raw, raw, len) == 0),
		      "%s: raw not kept", file);
	ck_assert_msg(r->n_attachments <= LIMIT_ATTACHMENTS, "%s: too many attachments", file);
	ck_assert_msg((r->status == STATUS_RESPONSE) == (r->status_reason == NULL),
		      "%s: status_reason does not match the status", file);
	if (r->subject != NULL)
		ck_assert_msg(g_utf8_validate(r->subject, -1, NULL), "%s: subject not UTF-8", file);
	if (r->sender_email != NULL)
		ck_assert_msg(g_utf8_validate(r->sender_email, -1, NULL), "%s: sender not UTF-8",
			      file);
	for (size_t i = 0; i < r->n_attachments; i++) {
		const struct attachment *a = &r->attachments[i];
		ck_assert_msg(a->content_type != NULL, "%s: attachment %zu untyped", file, i);
		ck_assert_msg(a->data_len == a->size, "%s: attachment %zu data", file, i);
		ck_assert_msg(strlen(a->sha256) == 64, "%s: attachment %zu sha256", file, i);
		if (a->text != NULL) {
			ck_assert_msg(g_utf8_validate(a->text, -1, NULL),
				      "%s: attachment %zu text not UTF-8", file, i);
			ck_assert_msg(strlen(a->text) <= LIMIT_ATTACHMENT_TEXT_BYTES,
				      "%s: attachment %zu text over the cap", file, i);
		}
	}
}

/* "\n" in a manifest field stands for a newline. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	char *o = out;

	ck_assert_ptr_nonnull(out);
	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static void check_entry(char **f)
{
	const char *file = f[0], *status = f[1], *reason = f[2], *subject = f[3];
	char *text = unescape(f[4]);
	const char *absent = f[5], *att = f[6];
	char path[4096];
	struct response r = { 0 };
	unsigned char *raw;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", HOSTILE_DIR, file);
	raw = read_file(path, &len);
	ck_assert_msg(mime_normalise(raw, len, &r) == 0, "%s: mime_normalise failed", file);
	check_sane(file, raw, len, &r);

	ck_assert_msg(strcmp(response_status_name(r.status), status) == 0,
		      "%s: status %s, want %s (%s)", file, response_status_name(r.status), status,
		      r.status_reason ? r.status_reason : "no reason");
	if (strcmp(reason, "-") == 0)
		ck_assert_msg(r.status_reason == NULL, "%s: reason %s", file, r.status_reason);
	else
		ck_assert_msg(r.status_reason != NULL && strstr(r.status_reason, reason) != NULL,
			      "%s: reason \"%s\", want \"%s\"", file,
			      r.status_reason ? r.status_reason : "(null)", reason);
	if (strcmp(subject, "-") == 0)
		ck_assert_msg(r.subject == NULL, "%s: subject \"%s\"", file, r.subject);
	else if (strcmp(subject, "*") != 0)
		ck_assert_msg(r.subject != NULL && strstr(r.subject, subject) != NULL,
			      "%s: subject \"%s\", want \"%s\"", file,
			      r.subject ? r.subject : "(null)", subject);
	if (strcmp(text, "-") == 0)
		ck_assert_msg(r.text[0] == '\0', "%s: text \"%.80s\", want none", file, r.text);
	else if (strcmp(text, "*") != 0)
		ck_assert_msg(strstr(r.text, text) != NULL, "%s: text \"%.200s\" lacks \"%s\"",
			      file, r.text, text);
	if (strcmp(absent, "-") != 0)
		ck_assert_msg(strstr(r.text, absent) == NULL, "%s: text has \"%s\"", file, absent);
	if (strcmp(att, "*") != 0) {
		bool found = false;
		for (size_t i = 0; i < r.n_attachments; i++)
			if (r.attachments[i].text_error != NULL &&
			    strstr(r.attachments[i].text_error, att) != NULL)
				found = true;
		ck_assert_msg(found, "%s: no attachment with text_error \"%s\"", file, att);
	}
	response_clear(&r);
	free(raw);
	free(text);
}

START_TEST(manifest)
{
	FILE *m = fopen(HOSTILE_DIR "/MANIFEST.tsv", "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int entries = 0;

	ck_assert_ptr_nonnull(m);
	while ((got = getline(&line, &cap, m)) > 0) {
		char *fields[7];
		int n = 0;
		char *p = line;

		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		if (strncmp(line, "file\t", 5) == 0 || line[0] == '\0')
			continue;
		/* Split on tabs by hand: every field is required, none empty. */
		while (n < 7) {
			fields[n++] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		ck_assert_msg(n == 7 && p == NULL, "MANIFEST.tsv: bad line for %s", fields[0]);
		check_entry(fields);
		entries++;
	}
	free(line);
	fclose(m);
	/* The corpus is at least 40 messages; a lost manifest must not pass. */
	ck_assert_int_ge(entries, 40);
}
END_TEST

/* Larger than LIMIT_MESSAGE_BYTES: quarantined unparsed, raw still kept. */
START_TEST(thirty_megabytes)
{
	static const char head[] =
		"From: Resident <resident@example.org>\r\n"
		"Subject: big attachment\r\n"
		"Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
		"--B\r\nContent-Type: text/plain\r\n\r\nSee the attached.\r\n"
		"--B\r\nContent-Type: application/pdf; name=big.pdf\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n";
	const size_t total = 30u * 1024u * 1024u;
	unsigned char *msg = malloc(total);
	struct response r = { 0 };
	char want[96];
	size_t off = strlen(head);

	ck_assert_ptr_nonnull(msg);
	memcpy(msg, head, off);
	/* 76-character base64 lines, as a mailer would write them. */
	while (off + 78 <= total) {
		memset(msg + off, 'Q', 76);
		memcpy(msg + off + 76, "\r\n", 2);
		off += 78;
	}
	memset(msg + off, '\n', total - off);

	ck_assert_int_eq(mime_normalise(msg, total, &r), 0);
	check_sane("30 MB message", msg, total, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	snprintf(want, sizeof(want), "message of %zu bytes is over the cap of %u bytes", total,
		 (unsigned)LIMIT_MESSAGE_BYTES);
	ck_assert_str_eq(r.status_reason, want);
	ck_assert_str_eq(r.text, "");
	ck_assert_uint_eq(r.n_attachments, 0);
	ck_assert_str_eq(r.subject, "big attachment"); /* its header is read */
	response_clear(&r);
	free(msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int failed;

	/* Once per process: GMime cannot be initialised again after shutdown. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, manifest);
	tcase_add_test(tc, thirty_megabytes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
