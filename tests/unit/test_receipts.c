/* Receipts: templates, header encoding and injection, the message, who is
 * answered, the [receipts] config, and the outbox rows (one per response,
 * gone with the response). */
#include "config/config.h"
#include "intake/mime.h"
#include "receipts/message.h"
#include "receipts/outbox.h"
#include "receipts/template.h"
#include "storage/storage.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- templates ---- */

static const struct template_fields fields = {
	.consultation = "Police and Crime Plan",
	.reference = "R-000042",
	.received_date = "2026-11-25 04:30 UTC",
	.name = "Alice",
	.email = "alice@example.org",
	.subject = "My views",
	.late_note = "",
};

START_TEST(template_renders_every_placeholder)
{
	char *s = template_render("{name} <{email}>: {reference} for {consultation}, "
				  "{received_date}; re {subject}.{late_note} {{literal}} }",
				  &fields, false);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "Alice <alice@example.org>: R-000042 for Police and Crime Plan, "
			    "2026-11-25 04:30 UTC; re My views. {literal} }");
	free(s);
}
END_TEST

START_TEST(template_check_errors)
{
	char err[300];
	ck_assert_int_eq(template_check("ok {reference}", 14, err, sizeof(err)), 0);
	ck_assert_int_eq(template_check("Hello {nmae}", 12, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown placeholder {nmae}") != NULL, "%s", err);
	ck_assert_int_eq(template_check("a\nb {reference", 14, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "line 2: '{' without a closing '}'") != NULL, "%s", err);
	ck_assert_int_eq(template_check("bad \xff utf-8", 12, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not valid UTF-8") != NULL, "%s", err);
	ck_assert_int_eq(template_check("nul\0byte", 8, err, sizeof(err)), -1);
	ck_assert_int_eq(template_check("{}", 2, err, sizeof(err)), -1);
	/* A failing template is never rendered. */
	ck_assert_ptr_null(template_render("{nope}", &fields, false));
}
END_TEST

START_TEST(template_cleans_respondent_values)
{
	struct template_fields f = fields;
	f.name = "Eve\r\nBcc: victim@evil.example";
	f.subject = "x\x7f\xc2\x85y\xe2\x80\xa8z\xff";
	char *s = template_render("{name}|{subject}", &f, false);
	ck_assert_str_eq(s, "Eve  Bcc: victim@evil.example|x  y z?");
	free(s);
	/* cut at TEMPLATE_VALUE_MAX bytes, on a character boundary */
	char long_name[600];
	for (int i = 0; i < 300; i++)
		memcpy(long_name + 2 * i, "\xc3\xa9", 2);
	long_name[600 - 1] = '\0';
	long_name[598] = '\0';
	f.name = long_name;
	s = template_render("{name}", &f, false);
	ck_assert_uint_eq(strlen(s), TEMPLATE_VALUE_MAX);
	free(s);
	/* one_line: even a trusted value with a newline stays on one line */
	f = fields;
	f.consultation = "Plan\nInjected: yes";
	s = template_render("{consultation}", &f, true);
	ck_assert_str_eq(s, "Plan Injected: yes");
	free(s);
}
END_TEST

/* ---- header encoding ---- */

START_TEST(encode_text_ascii_and_utf8)
{
	char *s = receipt_encode_text("Receipt R-000042", 9);
	ck_assert_str_eq(s, "Receipt R-000042");
	free(s);
	s = receipt_encode_text("Straßenbeleuchtung", 9);
	ck_assert_str_eq(s, "=?UTF-8?B?U3RyYcOfZW5iZWxldWNodHVuZw==?=");
	free(s);
	/* long: several encoded words, folded, each line under 78 */
	char in[400] = "";
	for (int i = 0; i < 40; i++)
		strcat(in, "Zoë ");
	s = receipt_encode_text(in, 9);
	ck_assert_ptr_nonnull(strstr(s, "?=\r\n =?UTF-8?B?"));
	for (char *line = s; line != NULL;) {
		char *nl = strstr(line, "\r\n");
		size_t n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		ck_assert_uint_le(n + 9, 78);
		line = nl != NULL ? nl + 2 : NULL;
	}
	free(s);
}
END_TEST

START_TEST(encode_text_no_injection)
{
	char *s = receipt_encode_text("Hello\r\nBcc: victim@evil.example", 9);
	ck_assert_ptr_null(strchr(s, '\r'));
	ck_assert_ptr_null(strchr(s, '\n'));
	free(s);
	s = receipt_encode_text("Grüße\r\nBcc: victim@evil.example", 9);
	ck_assert_ptr_null(strstr(s, "Bcc"));
	/* The only CRLFs are folds, each followed by a space. */
	for (char *p = strstr(s, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
		ck_assert_int_eq(p[2], ' ');
	free(s);
	s = receipt_encode_name("Team \"A\" \\ B\nX-Evil: 1");
	ck_assert_str_eq(s, "\"Team \\\"A\\\" \\\\ B X-Evil: 1\"");
	free(s);
}
END_TEST

START_TEST(qp_body)
{
	char *s = receipt_qp_encode("Zoë = 1 \n.dot\ntrailing space \n");
	ck_assert_str_eq(s, "Zo=C3=AB =3D 1=20\r\n=2Edot\r\ntrailing space=20\r\n");
	free(s);
	char line[300];
	memset(line, 'a', 200);
	line[200] = '\0';
	s = receipt_qp_encode(line);
	ck_assert_ptr_nonnull(strstr(s, "=\r\n"));
	for (char *l = s; *l != '\0';) {
		char *nl = strstr(l, "\r\n");
		ck_assert_uint_le((size_t)(nl - l), 76);
		l = nl + 2;
	}
	free(s);
}
END_TEST

START_TEST(addresses_and_message_ids)
{
	ck_assert(receipt_address_ok("alice@example.org"));
	ck_assert(receipt_address_ok("a.b+tag@sub.example.org"));
	ck_assert(!receipt_address_ok("alice@example.org\r\nRCPT TO:<x@y>"));
	ck_assert(!receipt_address_ok("alice@example.org>"));
	ck_assert(!receipt_address_ok("a lice@example.org"));
	ck_assert(!receipt_address_ok("alice"));
	ck_assert(!receipt_address_ok("@example.org"));
	ck_assert(!receipt_address_ok("a@b@c"));
	ck_assert(!receipt_address_ok("zoë@example.org"));
	ck_assert(!receipt_address_ok(NULL));
	ck_assert(receipt_msgid_ok("abc.1@example.org"));
	ck_assert(!receipt_msgid_ok("abc>\r\nBcc: x"));
	ck_assert(receipt_address_matches("NoReply@Council.example", "noreply*"));
	ck_assert(receipt_address_matches("dan@donotanswer.example", "*@donotanswer.example"));
	ck_assert(!receipt_address_matches("dan@example.org", "*@donotanswer.example"));
	ck_assert(!receipt_address_matches("replyto@example.org", "noreply*"));
}
END_TEST

START_TEST(build_message)
{
	struct receipt_parts p = {
		.from_name = "Équipe",
		.from_address = "consult@consult.example",
		.to = "alice@example.org",
		.subject = "Receipt R-000042",
		.body = "Dear Alice,\nThanks.\n",
		.message_id = "receipt.42.1.ab@receipts.consult.example",
		.in_reply_to = "alice.1@example.org",
		.date = 1795581484,
	};
	char *m = receipt_build(&p);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "Date: Wed, 25 Nov 2026 04:38:04 +0000\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "From: =?UTF-8?B?w4lxdWlwZQ==?= <consult@consult.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "To: <alice@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "Message-ID: <receipt.42.1.ab@receipts.consult.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "In-Reply-To: <alice.1@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "References: <alice.1@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "Auto-Submitted: auto-replied\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "X-Auto-Response-Suppress: All\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "Content-Transfer-Encoding: quoted-printable\r\n\r\nDear Alice,\r\n"));
	ck_assert_ptr_null(strstr(m, "\r\nReply-To"));
	/* no bare LF anywhere */
	for (char *q = m; *q != '\0'; q++)
		if (*q == '\n')
			ck_assert_int_eq(q[-1], '\r');
	free(m);
	p.to = "alice@example.org\r\nBcc: x@y";
	ck_assert_ptr_null(receipt_build(&p));
	p.to = "alice@example.org";
	p.in_reply_to = "x>\r\nBcc: <y";
	ck_assert_ptr_null(receipt_build(&p));
}
END_TEST

/* A receipt read back by intake: an auto-reply, with the subject and
 * name decoded as written, never a counted response. */
START_TEST(receipt_read_back_by_mime)
{
	struct receipt_parts p = {
		.from_name = "Équipe consultation",
		.from_address = "consult@consult.example",
		.to = "zoe@example.org",
		.subject = "Receipt R-000042: Straßenbeleuchtung",
		.body = "Dear Zoë,\nYour reference is R-000042.\n",
		.message_id = "receipt.42.1.ab@receipts.consult.example",
		.in_reply_to = "zoe.3@example.org",
		.date = 1795581484,
	};
	char *m = receipt_build(&p);
	ck_assert_ptr_nonnull(m);
	mime_init();
	struct response r = {0};
	ck_assert_int_eq(mime_normalise((const unsigned char *)m, strlen(m), &r), 0);
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_ptr_nonnull(strstr(r.status_reason, "Auto-Submitted"));
	ck_assert_str_eq(r.subject, "Receipt R-000042: Straßenbeleuchtung");
	ck_assert_str_eq(r.sender_name, "Équipe consultation");
	ck_assert_str_eq(r.message_id, "receipt.42.1.ab@receipts.consult.example");
	ck_assert_ptr_nonnull(strstr(r.text, "Dear Zoë,"));
	response_clear(&r);
	free(m);
	mime_shutdown();
}
END_TEST

/* ---- who is answered ---- */

static struct receipts_config rc_default(void)
{
	static char *patterns[] = {"*@donotanswer.example"};
	struct receipts_config rc = {
		.enabled = true, .from_address = "consult@consult.example",
		.subject = "Receipt {reference}", .body = "Dear {name}, {reference}.{late_note}",
		.message_id_domain = "receipts.consult.example", .rate = 60, .max_attempts = 3,
		.retry_base = 1, .late = true, .no_reply = patterns, .n_no_reply = 1,
	};
	return rc;
}

START_TEST(suppression_rules)
{
	struct receipts_config rc = rc_default();
	struct response r = {.status = STATUS_RESPONSE, .sender_email = "alice@example.org"};
	ck_assert_ptr_null(outbox_suppress_reason(&rc, &r));
	r.status = STATUS_AUTO_REPLY;
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "auto-reply");
	r.status = STATUS_BOUNCE;
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "bounce");
	r.status = STATUS_LIST;
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "list traffic");
	r.status = STATUS_QUARANTINED;
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "quarantined");
	r.status = STATUS_RESPONSE;
	r.late = true;
	ck_assert_ptr_null(outbox_suppress_reason(&rc, &r));
	rc.late = false;
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "late (late = no)");
	r.late = false;
	const char *no[] = {"noreply@x.example", "No-Reply@x.example", "do-not-reply@x.example",
			    "donotreply@x.example", "MAILER-DAEMON@x.example", "postmaster@x.example",
			    "bounces+abc@x.example", "noreply-alerts@x.example"};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		r.sender_email = (char *)no[i];
		ck_assert_msg(outbox_suppress_reason(&rc, &r) != NULL, "%s answered", no[i]);
	}
	r.sender_email = "dan@donotanswer.example";
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "no-reply address (no_reply pattern)");
	r.sender_email = "Consult@consult.example";
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "our own address");
	r.sender_email = NULL;
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "no sender address");
	r.sender_email = "a@b\r\nRCPT TO:<c@d>";
	ck_assert_str_eq(outbox_suppress_reason(&rc, &r), "sender address cannot be written safely");
}
END_TEST

START_TEST(own_receipt_recognised)
{
	struct receipts_config rc = rc_default();
	struct response r = {.status = STATUS_RESPONSE};
	r.message_id = strdup("receipt.1.2.ab@Receipts.Consult.Example");
	ck_assert(outbox_mark_own_receipt(&rc, &r));
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_ptr_nonnull(strstr(r.status_reason, "own receipt"));
	response_clear(&r);
	r = (struct response){.status = STATUS_RESPONSE, .message_id = strdup("x@consult.example")};
	ck_assert(!outbox_mark_own_receipt(&rc, &r));
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	response_clear(&r);
}
END_TEST

/* ---- the outbox ---- */

static char dir[64], path[128], err[8192];

static void setup(void)
{
	strcpy(dir, "/tmp/consultd-receipts-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
}

static void teardown(void)
{
	char p[200];
	const char *suffix[] = {"/store.sqlite", "/store.sqlite-wal", "/store.sqlite-shm",
				"/consultd.conf", "/receipt.txt"};
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s%s", dir, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

static int64_t store_one(struct storage *st, const struct receipts_config *rc, const char *mid,
			 const char *from, enum response_status status)
{
	struct response r = {.channel = CHANNEL_EMAIL, .status = status, .received_at = 1795581484};
	char key[200];
	snprintf(key, sizeof(key), "mid:%s", mid);
	r.idem_key = strdup(key);
	r.message_id = strdup(mid);
	r.source_id = strdup("imap:INBOX:1:1");
	r.sender_email = from != NULL ? strdup(from) : NULL;
	r.sender_name = strdup("Alice\r\nBcc: x@evil.example");
	r.subject = strdup("Views");
	r.text = strdup("More patrols.");
	r.raw = (unsigned char *)strdup("x");
	r.raw_len = 1;
	bool inserted;
	int64_t id;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &r, 1795581484, &inserted, &id), 0);
	ck_assert_int_eq(outbox_enqueue_receipt(st, rc, "Plan", id, &r, 1795581490), 0);
	/* a second call (another channel, a retry) adds nothing */
	ck_assert_int_eq(outbox_enqueue_receipt(st, rc, "Plan", id, &r, 1795581491), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	response_clear(&r);
	return id;
}

static int64_t count(struct storage *st, const char *sql)
{
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(storage_db(st), sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

START_TEST(outbox_rows)
{
	struct receipts_config rc = rc_default();
	struct storage *st;
	ck_assert_int_eq(storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err)), 0);
	int64_t a = store_one(st, &rc, "a.1@example.org", "alice@example.org", STATUS_RESPONSE);
	store_one(st, &rc, "b.2@example.org", "noreply@example.org", STATUS_RESPONSE);
	store_one(st, &rc, "c.3@example.org", "carol@example.org", STATUS_AUTO_REPLY);
	store_one(st, &rc, "d.4@example.org", NULL, STATUS_RESPONSE);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox"), 4);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 1);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox WHERE state = 'suppressed'"), 3);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox WHERE state = 'pending' AND message LIKE"
				   " '%Dear Alice  Bcc: x@evil.example, R-000001.%'"), 1);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox WHERE message LIKE '%\nBcc%'"), 0);

	struct outbox_item it;
	bool found;
	ck_assert_int_eq(outbox_claim(st, 1795581489, &it, &found), 0);
	ck_assert(!found); /* not due yet */
	ck_assert_int_eq(outbox_claim(st, 1795581490, &it, &found), 0);
	ck_assert(found);
	ck_assert_int_eq(it.response_id, a);
	ck_assert_int_eq(it.attempts, 1);
	ck_assert_str_eq(it.recipient, "alice@example.org");
	outbox_item_clear(&it);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox WHERE state = 'sending'"), 1);
	/* a restart finds it 'sending': uncertain, never claimed again */
	int64_t n;
	ck_assert_int_eq(outbox_recover(st, 0, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(outbox_claim(st, 1895581490, &it, &found), 0);
	ck_assert(!found);
	struct outbox_stats os;
	ck_assert_int_eq(outbox_stats(st, &os), 0);
	ck_assert_int_eq(os.uncertain, 1);
	ck_assert_int_eq(os.suppressed, 3);

	/* forgetting a response takes its receipt row with it */
	ck_assert_int_eq(sqlite3_exec(storage_db(st), "DELETE FROM responses WHERE id = 1", NULL, NULL,
				      NULL), SQLITE_OK);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox"), 3);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox WHERE response_id = 1"), 0);
	storage_close(st);
}
END_TEST

START_TEST(outbox_off_writes_nothing)
{
	struct receipts_config rc = rc_default();
	rc.enabled = false;
	struct storage *st;
	ck_assert_int_eq(storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err)), 0);
	store_one(st, &rc, "a.1@example.org", "alice@example.org", STATUS_RESPONSE);
	ck_assert_int_eq(count(st, "SELECT count(*) FROM outbox"), 0);
	storage_close(st);
}
END_TEST

/* ---- [receipts] in the config ---- */

#define BASE \
	"[consultation]\nname = Plan\nopens = 2021-11-16T00:00:00Z\nclose" \
	"s = 2022-01-21T23:59:00Z\nthemes = t.themes\n[storage]\npath = s.sqlite\n" \
	"[report]\nfolder = r\n"

static int load(const char *text, struct config **cfg)
{
	char p[200];
	snprintf(p, sizeof(p), "%s/consultd.conf", dir);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return config_load(p, cfg, err, sizeof(err));
}

START_TEST(config_receipts_defaults)
{
	struct config *cfg;
	ck_assert_msg(load(BASE "[receipts]\nhost = smtp.example.org\nfrom_address = consult@consult.example\n",
			   &cfg) == 0, "%s", err);
	struct receipts_config *rc = &cfg->receipts;
	ck_assert(rc->enabled);
	ck_assert_int_eq(rc->port, 465);
	ck_assert_int_eq(rc->tls, IMAP_TLS_IMPLICIT);
	ck_assert_str_eq(rc->message_id_domain, "receipts.consult.example");
	ck_assert_int_eq(rc->rate, 30);
	ck_assert_int_eq(rc->max_attempts, 8);
	ck_assert_ptr_nonnull(strstr(rc->body, "{reference}"));
	config_free(cfg);
	ck_assert_int_eq(load(BASE, &cfg), 0);
	ck_assert(!cfg->receipts.enabled);
	config_free(cfg);
	ck_assert_int_eq(load(BASE "[receipts]\nenabled = no\n", &cfg), 0);
	ck_assert(!cfg->receipts.enabled);
	config_free(cfg);
}
END_TEST

START_TEST(config_receipts_errors)
{
	struct config *cfg;
	char p[200];
	snprintf(p, sizeof(p), "%s/receipt.txt", dir);
	FILE *f = fopen(p, "w");
	fputs("Dear {name},\nyour ref is {refrence}\n", f);
	fclose(f);
	ck_assert_int_eq(load(BASE "[receipts]\nhost = smtp.example.org\ntls = none\n"
				   "from_address = not an address\nsubject = Hi {nope}\nbody_file = receipt.txt\n"
				   "rate = 0\nuser = u\npassword = x\nmessage_id_domain = bad domain!\n",
			      &cfg), -1);
	ck_assert_msg(strstr(err, "consultd.conf:13: [receipts] from_address: 'not an address' is not a plain address") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "consultd.conf:14: [receipts] subject: line 1: unknown placeholder {nope}") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "consultd.conf:15: [receipts] body_file: ") != NULL &&
		      strstr(err, "receipt.txt: line 2: unknown placeholder {refrence}") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "consultd.conf:16: [receipts] rate: '0'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "consultd.conf:18: [receipts] password: passwords are never kept") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "consultd.conf:19: [receipts] message_id_domain: 'bad domain!'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "[receipts] tls: 'none' is allowed only for a loopback host") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "[receipts] password_file: missing") != NULL, "%s", err);
	ck_assert_int_eq(load(BASE "[receipts]\nfrom_address = a@b.example\n", &cfg), -1);
	ck_assert_msg(strstr(err, "[receipts] host: missing (required)") != NULL, "%s", err);
	unlink(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("receipts");
	TCase *tc = tcase_create("receipts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, template_renders_every_placeholder);
	tcase_add_test(tc, template_check_errors);
	tcase_add_test(tc, template_cleans_respondent_values);
	tcase_add_test(tc, encode_text_ascii_and_utf8);
	tcase_add_test(tc, encode_text_no_injection);
	tcase_add_test(tc, qp_body);
	tcase_add_test(tc, addresses_and_message_ids);
	tcase_add_test(tc, build_message);
	tcase_add_test(tc, receipt_read_back_by_mime);
	tcase_add_test(tc, suppression_rules);
	tcase_add_test(tc, own_receipt_recognised);
	tcase_add_test(tc, outbox_rows);
	tcase_add_test(tc, outbox_off_writes_nothing);
	tcase_add_test(tc, config_receipts_defaults);
	tcase_add_test(tc, config_receipts_errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
