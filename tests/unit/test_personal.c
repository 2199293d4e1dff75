/* Personal data in the store: forget (erasure with a tombstone and an
 * audit row), the sender filter export-subject uses, retention purge, and
 * the [storage] retention key. */
#define _GNU_SOURCE /* memmem */
#include "config/config.h"
#include "daemon/window.h"
#include "storage/storage.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char path[128];
static char err[8192];

static void setup(void)
{
	strcpy(dir, "/tmp/consultd-personal-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
}

static void teardown(void)
{
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/consultd.conf", dir);
	unlink(p);
	rmdir(dir);
}

static struct storage *open_rw(void)
{
	struct storage *st;
	int rc = storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	return st;
}

static int64_t count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t n = -1;
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* A response from `email` whose words, raw source and attachment carry
 * `mark`, so the test can look for any trace of it afterwards. */
static void fill(struct response *r, const char *key, const char *email, const char *mark,
		 const char *blob_sha)
{
	char buf[256];
	memset(r, 0, sizeof(*r));
	r->channel = CHANNEL_EMAIL;
	r->status = STATUS_RESPONSE;
	r->source_id = strdup("imap:u@h/INBOX");
	r->idem_key = strdup(key);
	r->message_id = strdup(key + 4);
	r->received_at = 1637020800;
	r->sender_name = strdup(mark);
	r->sender_email = strdup(email);
	snprintf(buf, sizeof(buf), "Response %s about the plan", mark);
	r->subject = strdup(buf);
	snprintf(buf, sizeof(buf), "%s says we never see a copper round here.", mark);
	r->text = strdup(buf);
	snprintf(buf, sizeof(buf), "From: %s <%s>\nSubject: plan\n\n%s raw words\n", mark, email, mark);
	r->raw = (unsigned char *)strdup(buf);
	r->raw_len = strlen(buf);
	r->n_themes = 1;
	r->themes = calloc(1, sizeof(*r->themes));
	r->themes[0].theme_id = strdup("neighbourhood-policing");
	r->themes[0].score = 3.5;
	r->themes[0].terms = strdup("copper");
	r->n_attachments = 1;
	r->attachments = calloc(1, sizeof(*r->attachments));
	r->attachments[0].filename = strdup("letter.pdf");
	r->attachments[0].content_type = strdup("application/pdf");
	snprintf(buf, sizeof(buf), "%%PDF %s attachment bytes", blob_sha);
	r->attachments[0].data = (unsigned char *)strdup(buf);
	r->attachments[0].data_len = strlen(buf);
	r->attachments[0].size = strlen(buf);
	snprintf(r->attachments[0].sha256, sizeof(r->attachments[0].sha256), "%s", blob_sha);
	snprintf(buf, sizeof(buf), "%s attachment text", mark);
	r->attachments[0].text = strdup(buf);
}

/* Whether the bytes of file p contain s anywhere (free pages included). */
static bool file_contains(const char *p, const char *s)
{
	FILE *f = fopen(p, "rb");
	if (f == NULL)
		return false;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	bool found = memmem(buf, (size_t)len, s, strlen(s)) != NULL;
	free(buf);
	return found;
}

static const char *SRC = "imap:u@h/INBOX";

/* a and c from one person (in two spellings), b from another who sent the
 * same letter as a. */
static void store_three(struct storage *st, int64_t ids[3])
{
	struct response r[3];
	fill(&r[0], "mid:forget-a@example.org", "resident@example.org", "SECRETALPHA", "aa11");
	fill(&r[1], "mid:keep-b@example.org", "other@example.org", "KEEPBRAVO", "aa11");
	fill(&r[2], "mid:forget-c@example.org", "RESIDENT@Example.ORG", "SECRETCHARLIE", "cc33");
	bool ins;
	ck_assert_int_eq(storage_begin(st), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(storage_insert_response(st, &r[i], 1, &ins, &ids[i]), 0);
		ck_assert(ins);
		ck_assert_int_eq(storage_record_uid(st, SRC, 7, (uint32_t)i + 1, ids[i]), 0);
	}
	ck_assert_int_eq(storage_set_imap_state(st, SRC, 7, 3, 1), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	for (int i = 0; i < 3; i++)
		response_clear(&r[i]);
}

START_TEST(forget_erases_everything_of_the_sender)
{
	struct storage *st = open_rw();
	int64_t ids[3], erased = -1;
	store_three(st, ids);
	/* What other parts keep about a response goes with it (cascade). */
	sqlite3 *db;
	char sql[512];
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO form_answers(response_id, idx, question, kind, value)"
		 " VALUES(%lld, 0, 'Your area?', 'text', 'SECRETANSWER');"
		 "INSERT INTO manual_labels(response_id, theme_id, present, labelled_at)"
		 " VALUES(%lld, 'victims', 1, 5);", (long long)ids[0], (long long)ids[2]);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(storage_forget(st, "Resident@Example.org", 1700000000, &erased), 0);
	ck_assert_int_eq(erased, 2);
	storage_close(st);

	ck_assert_int_eq(count("SELECT count(*) FROM responses"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM responses WHERE sender_email = 'other@example.org'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM response_themes"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM attachments"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM raw_sources"), 1);
	/* The letter b also sent stays; c's own is gone. */
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs WHERE sha256 = 'aa11'"), 1);
	/* The UIDs stay recorded, with no response, so reconciliation holds. */
	ck_assert_int_eq(count("SELECT count(*) FROM imap_uids"), 3);
	ck_assert_int_eq(count("SELECT count(*) FROM imap_uids WHERE response_id IS NULL"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM forgotten"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM form_answers"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM manual_labels"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM audit WHERE action = 'forget' AND count = 2"
			       " AND at = 1700000000"), 1);
	/* No trace left in the file, free pages included (secure_delete). */
	const char *gone[] = {"SECRETALPHA", "SECRETCHARLIE", "resident@example.org",
			      "RESIDENT@Example.ORG", "forget-a@example.org", "forget-c@example.org",
			      "cc33 attachment bytes", "SECRETANSWER",
			      /* The search index's terms, folded and stemmed, and
			       * stored after the prefix shared with the term before
			       * ("sai", "secretalpha"): their tails. */
			      "ecretalpha", "charli"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		ck_assert_msg(!file_contains(path, gone[i]), "%s still in the store file", gone[i]);
	ck_assert(file_contains(path, "KEEPBRAVO"));
	ck_assert(file_contains(path, "eepbravo")); /* the probe does see the index */

	st = open_rw();
	uint32_t *missing;
	size_t n_missing;
	int64_t gone_n;
	const uint32_t server[] = {1, 2, 3};
	ck_assert_int_eq(storage_reconcile(st, SRC, 7, server, 3, 3, 2, &missing, &n_missing, &gone_n), 0);
	ck_assert_uint_eq(n_missing, 0);
	ck_assert_int_eq(gone_n, 0);
	free(missing);
	/* Nothing more to erase: still audited, nothing else changes. */
	ck_assert_int_eq(storage_forget(st, "resident@example.org", 1700000001, &erased), 0);
	ck_assert_int_eq(erased, 0);
	storage_close(st);
	ck_assert_int_eq(count("SELECT count(*) FROM audit"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM responses"), 1);
}
END_TEST

START_TEST(forgotten_mail_is_never_stored_again)
{
	struct storage *st = open_rw();
	int64_t ids[3], erased, id = -1;
	store_three(st, ids);
	ck_assert_int_eq(storage_forget(st, "resident@example.org", 1700000000, &erased), 0);
	ck_assert_int_eq(erased, 2);
	/* The mailbox is read afresh (new UIDVALIDITY): a's mail comes again. */
	struct response a;
	bool ins = true;
	fill(&a, "mid:forget-a@example.org", "resident@example.org", "SECRETALPHA", "aa11");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 2, &ins, &id), 0);
	ck_assert(!ins);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(storage_record_uid(st, SRC, 8, 1, id), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	response_clear(&a);
	uint32_t *missing;
	size_t n_missing;
	int64_t gone_n;
	const uint32_t server[] = {1};
	ck_assert_int_eq(storage_reconcile(st, SRC, 8, server, 1, 1, 3, &missing, &n_missing, &gone_n), 0);
	ck_assert_uint_eq(n_missing, 0);
	free(missing);
	storage_close(st);
	ck_assert_int_eq(count("SELECT count(*) FROM responses"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM imap_uids WHERE uidvalidity = 8"
			       " AND response_id IS NULL"), 1);
}
END_TEST

static int collect_refs(void *user, const char *ref, const struct response *r)
{
	char *out = user;
	strcat(out, ref);
	strcat(out, " ");
	strcat(out, r->sender_email);
	strcat(out, ";");
	return 0;
}

START_TEST(visit_by_sender)
{
	struct storage *st = open_rw();
	int64_t ids[3];
	store_three(st, ids);
	char seen[512] = "";
	struct storage_filter f = {.sender_email = "resident@EXAMPLE.org"};
	ck_assert_int_eq(storage_visit(st, &f, collect_refs, seen), 0);
	ck_assert_str_eq(seen, "R-000001 resident@example.org;R-000003 RESIDENT@Example.ORG;");
	seen[0] = '\0';
	f.sender_email = "nobody@example.org";
	ck_assert_int_eq(storage_visit(st, &f, collect_refs, seen), 0);
	ck_assert_str_eq(seen, "");
	storage_close(st);
}
END_TEST

static int check_kept(void *user, const char *ref, const struct response *r)
{
	int *n = user;
	(*n)++;
	ck_assert_ptr_null(r->raw);
	ck_assert_ptr_nonnull(strstr(r->text, "copper"));
	ck_assert_uint_eq(r->n_themes, 1);
	ck_assert_uint_eq(r->n_attachments, 1);
	ck_assert_ptr_nonnull(strstr(r->attachments[0].text, "attachment text"));
	return 0;
}

START_TEST(purge_keeps_text_and_themes)
{
	struct storage *st = open_rw();
	int64_t ids[3], raw, blobs, raw_total = 0, blob_total = 0;
	store_three(st, ids);
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs"), 2);
	/* In batches: two then one raw source. */
	ck_assert_int_eq(storage_purge(st, 1800000000, 2, &raw, &blobs), 0);
	ck_assert_int_eq(raw, 2);
	ck_assert_int_eq(blobs, 2);
	raw_total += raw;
	blob_total += blobs;
	ck_assert_int_eq(storage_purge(st, 1800000001, 2, &raw, &blobs), 0);
	ck_assert_int_eq(raw, 1);
	ck_assert_int_eq(blobs, 0);
	raw_total += raw;
	ck_assert_int_eq(storage_purge(st, 1800000002, 2, &raw, &blobs), 0);
	ck_assert_int_eq(raw + blobs, 0);
	ck_assert_int_eq(raw_total, 3);
	ck_assert_int_eq(blob_total, 2);
	int n = 0;
	struct storage_filter f = {.with_raw = true};
	ck_assert_int_eq(storage_visit(st, &f, check_kept, &n), 0);
	ck_assert_int_eq(n, 3);
	storage_close(st);
	ck_assert_int_eq(count("SELECT count(*) FROM raw_sources"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM responses"), 3);
	ck_assert_int_eq(count("SELECT count(*) FROM response_themes"), 3);
	ck_assert_int_eq(count("SELECT sum(count) FROM audit WHERE action = 'purge-raw'"), 3);
	ck_assert_int_eq(count("SELECT sum(count) FROM audit WHERE action = 'purge-attachments'"), 2);
	/* An empty run leaves no audit row. */
	ck_assert_int_eq(count("SELECT count(*) FROM audit"), 3);
	ck_assert(!file_contains(path, "SECRETALPHA raw words"));
	ck_assert(!file_contains(path, "cc33 attachment bytes"));
}
END_TEST

START_TEST(schema_for_erasure)
{
	struct storage *st = open_rw();
	storage_close(st);
	ck_assert_int_eq(count("SELECT count(*) FROM pragma_foreign_key_list('imap_uids')"
			       " WHERE \"table\" = 'responses' AND on_delete = 'SET NULL'"), 1);
	const char *cascading[] = {"response_themes", "attachments", "raw_sources"};
	for (size_t i = 0; i < 3; i++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_foreign_key_list('%s')"
			 " WHERE \"table\" = 'responses' AND on_delete = 'CASCADE'", cascading[i]);
		ck_assert_int_eq(count(sql), 1);
	}
	/* The audit table has no room for an address. */
	ck_assert_int_eq(count("SELECT count(*) FROM pragma_table_info('audit')"), 4);
}
END_TEST

static void write_config(const char *retention_line)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/consultd.conf", dir);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[consultation]\nname = x\nopens = 2021-11-16T00:00:00Z\n"
		   "closes = 2022-01-21T00:00:00Z\ngrace = 1d\nthemes = t.themes\n"
		   "[storage]\npath = s.sqlite\n%s\n[report]\nfolder = r\n", retention_line);
	fclose(f);
}

START_TEST(retention_key)
{
	char p[160];
	struct config *cfg;
	snprintf(p, sizeof(p), "%s/consultd.conf", dir);

	write_config("");
	ck_assert_int_eq(config_load(p, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg->retention_days, -1);
	ck_assert_int_eq(window_purge_at(cfg), -1);
	config_free(cfg);

	write_config("retention = 90");
	ck_assert_int_eq(config_load(p, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg->retention_days, 90);
	/* 90 days after closes + grace. */
	ck_assert_int_eq(window_purge_at(cfg), cfg->closes + 86400 + 90 * 86400);
	config_free(cfg);

	write_config("retention = 0d");
	ck_assert_int_eq(config_load(p, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(window_purge_at(cfg), cfg->closes + 86400);
	config_free(cfg);

	const char *bad[] = {"retention = -1", "retention = 3 months", "retention = 36501",
			     "retention = 9999999999999999999999", "retention = 12h", "retention ="};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_config(bad[i]);
		ck_assert_int_eq(config_load(p, &cfg, err, sizeof(err)), -1);
		ck_assert_ptr_null(cfg);
		ck_assert_msg(strstr(err, ":9: [storage] retention: ") != NULL, "%s: %s", bad[i], err);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("personal");
	TCase *tc = tcase_create("personal");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, forget_erases_everything_of_the_sender);
	tcase_add_test(tc, forgotten_mail_is_never_stored_again);
	tcase_add_test(tc, visit_by_sender);
	tcase_add_test(tc, purge_keeps_text_and_themes);
	tcase_add_test(tc, schema_for_erasure);
	tcase_add_test(tc, retention_key);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
