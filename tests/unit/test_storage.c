/* Storage: migrations from an empty file, idempotent inserts, cursor, counts. */
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
static char err[512];

static void setup(void)
{
	strcpy(dir, "/tmp/consultd-storage-XXXXXX");
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
	rmdir(dir);
}

static struct storage *open_rw(void)
{
	struct storage *st;
	int rc = storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	return st;
}

static void fill(struct response *r, const char *key, int64_t when, enum response_status status)
{
	memset(r, 0, sizeof(*r));
	r->channel = CHANNEL_EMAIL;
	r->status = status;
	r->source_id = strdup("imap:INBOX:1:1");
	r->idem_key = strdup(key);
	r->message_id = strdup(key + 4);
	r->received_at = when;
	r->sender_email = strdup("resident@example.org");
	r->subject = strdup("Police plan");
	r->text = strdup("We never see a copper round here.");
	r->raw = (unsigned char *)strdup("Subject: Police plan\n\nWe never see a copper round here.\n");
	r->raw_len = strlen((char *)r->raw);
	if (status == STATUS_RESPONSE) {
		r->n_themes = 1;
		r->themes = calloc(1, sizeof(*r->themes));
		r->themes[0].theme_id = strdup("neighbourhood-policing");
		r->themes[0].score = 3.5;
		r->themes[0].terms = strdup("copper");
	}
	r->n_attachments = 1;
	r->attachments = calloc(1, sizeof(*r->attachments));
	r->attachments[0].filename = strdup("letter.pdf");
	r->attachments[0].content_type = strdup("application/pdf");
	r->attachments[0].size = 1234;
	strcpy(r->attachments[0].sha256, "ab12");
}

START_TEST(migrates_empty_file)
{
	struct storage *st = open_rw();
	ck_assert_int_eq(storage_schema_version(st), STORAGE_SCHEMA_VERSION);
	storage_close(st);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	/* Opening again migrates nothing and keeps the version. */
	st = open_rw();
	ck_assert_int_eq(storage_schema_version(st), STORAGE_SCHEMA_VERSION);
	storage_close(st);
}
END_TEST

START_TEST(refuses_newer_schema)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct storage *st;
	ck_assert_int_eq(storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "schema version 99 is newer"));
}
END_TEST

START_TEST(read_only_needs_schema)
{
	struct storage *st;
	FILE *f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(storage_open(path, STORAGE_READ_ONLY, &st, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "schema version 0, expected"));
}
END_TEST

static int count_rows(void *user, const char *ref, const struct response *r)
{
	int *n = user;
	(*n)++;
	if (*n == 1) {
		ck_assert_str_eq(ref, "R-000001");
		ck_assert_str_eq(r->text, "We never see a copper round here.");
		ck_assert_uint_eq(r->n_themes, 1);
		ck_assert_str_eq(r->themes[0].theme_id, "neighbourhood-policing");
		ck_assert_str_eq(r->themes[0].terms, "copper");
		ck_assert_uint_eq(r->n_attachments, 1);
		ck_assert_str_eq(r->attachments[0].filename, "letter.pdf");
		ck_assert_uint_eq(r->attachments[0].size, 1234);
	}
	return 0;
}

START_TEST(insert_is_idempotent)
{
	struct storage *st = open_rw();
	struct response a, b, c;
	fill(&a, "mid:one@example.org", 1637020800, STATUS_RESPONSE);
	fill(&b, "mid:one@example.org", 1637020900, STATUS_RESPONSE);
	fill(&c, "mid:two@example.org", 1637107200, STATUS_AUTO_REPLY);
	bool ins;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_insert_response(st, &b, 1, &ins), 0);
	ck_assert(!ins);
	ck_assert_int_eq(storage_insert_response(st, &c, 1, &ins), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_set_imap_state(st, "imap:u@h/INBOX", 77, 3, 1), 0);
	ck_assert_int_eq(storage_commit(st), 0);

	struct storage_stats s;
	ck_assert_int_eq(storage_stats(st, &s), 0);
	ck_assert_int_eq(s.stored, 2);
	ck_assert_int_eq(s.counted, 1);
	ck_assert_int_eq(s.auto_replies, 1);
	ck_assert_int_eq(s.by_channel[CHANNEL_EMAIL], 1);
	ck_assert_uint_eq(s.n_themes, 1);
	ck_assert_str_eq(s.themes[0].theme_id, "neighbourhood-policing");
	ck_assert_uint_eq(s.n_days, 1);
	ck_assert_str_eq(s.days[0].day, "2021-11-16");
	storage_stats_clear(&s);

	int n = 0;
	ck_assert_int_eq(storage_foreach_response(st, count_rows, &n), 0);
	ck_assert_int_eq(n, 2);
	uint32_t v, last;
	ck_assert_int_eq(storage_get_imap_state(st, "imap:u@h/INBOX", &v, &last), 0);
	ck_assert_uint_eq(v, 77);
	ck_assert_uint_eq(last, 3);
	ck_assert_int_eq(storage_get_imap_state(st, "imap:other", &v, &last), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(last, 0);
	response_clear(&a);
	response_clear(&b);
	response_clear(&c);
	storage_close(st);
}
END_TEST

START_TEST(rollback_keeps_nothing)
{
	struct storage *st = open_rw();
	struct response a;
	fill(&a, "mid:three@example.org", 1637020800, STATUS_RESPONSE);
	bool ins;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins), 0);
	ck_assert_int_eq(storage_set_imap_state(st, "imap:u@h/INBOX", 5, 9, 1), 0);
	storage_rollback(st);
	struct storage_stats s;
	ck_assert_int_eq(storage_stats(st, &s), 0);
	ck_assert_int_eq(s.stored, 0);
	storage_stats_clear(&s);
	uint32_t v, last;
	ck_assert_int_eq(storage_get_imap_state(st, "imap:u@h/INBOX", &v, &last), 0);
	ck_assert_uint_eq(last, 0);
	response_clear(&a);
	storage_close(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("storage");
	TCase *tc = tcase_create("storage");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, migrates_empty_file);
	tcase_add_test(tc, refuses_newer_schema);
	tcase_add_test(tc, read_only_needs_schema);
	tcase_add_test(tc, insert_is_idempotent);
	tcase_add_test(tc, rollback_keeps_nothing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
