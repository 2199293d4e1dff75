/* Storage: migrations from an empty file and from version 1 (arriving at
 * the schema a new store is created with), idempotent inserts, attachment
 * text and blobs, cursor, counts. */
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
static char fresh_path[128];
static char err[512];

static void setup(void)
{
	strcpy(dir, "/tmp/consultd-storage-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
	snprintf(fresh_path, sizeof(fresh_path), "%s/fresh.sqlite", dir);
}

static void teardown(void)
{
	char p[160];
	const char *suffix[] = {"", "-wal", "-shm", ".schema-v1.bak", ".schema-v2.bak", ".copy"};
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%s%s", fresh_path, suffix[i]);
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
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins, NULL), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_insert_response(st, &b, 1, &ins, NULL), 0);
	ck_assert(!ins);
	ck_assert_int_eq(storage_insert_response(st, &c, 1, &ins, NULL), 0);
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
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins, NULL), 0);
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

static int64_t count_in(const char *file, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t n = -1;

	ck_assert_int_eq(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static int64_t count(const char *sql)
{
	return count_in(path, sql);
}

static void give_data(struct attachment *a, const char *bytes, const char *sha, const char *text)
{
	a->data = (unsigned char *)strdup(bytes);
	a->data_len = strlen(bytes);
	a->size = a->data_len;
	snprintf(a->sha256, sizeof(a->sha256), "%s", sha);
	a->text = text != NULL ? strdup(text) : NULL;
	a->text_error = text == NULL ? strdup("encrypted PDF") : NULL;
}

static int check_attachment_text(void *user, const char *ref, const struct response *r)
{
	int *n = user;
	(*n)++;
	ck_assert_uint_eq(r->n_attachments, 1);
	ck_assert_ptr_null(r->attachments[0].data); /* bytes stay in the store */
	if (*n == 1) {
		ck_assert_str_eq(r->attachments[0].text, "Dear MOPAC, ...");
		ck_assert_ptr_null(r->attachments[0].text_error);
	} else {
		ck_assert_ptr_null(r->attachments[0].text);
		ck_assert_str_eq(r->attachments[0].text_error, "encrypted PDF");
	}
	return 0;
}

START_TEST(attachments_stored_once)
{
	struct storage *st = open_rw();
	struct response a, b;
	bool ins;
	int n = 0;

	fill(&a, "mid:att-a@example.org", 1637020800, STATUS_RESPONSE);
	fill(&b, "mid:att-b@example.org", 1637020900, STATUS_RESPONSE);
	/* The same letter, sent by two people: one blob. */
	give_data(&a.attachments[0], "%PDF-letter", "aa11", "Dear MOPAC, ...");
	give_data(&b.attachments[0], "%PDF-letter", "aa11", NULL);
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins, NULL), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_insert_response(st, &b, 1, &ins, NULL), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(storage_foreach_response(st, check_attachment_text, &n), 0);
	ck_assert_int_eq(n, 2);
	storage_close(st);
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs"
			       " WHERE sha256 = 'aa11' AND data = CAST('%PDF-letter' AS BLOB)"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM attachments WHERE sha256 = 'aa11'"), 2);
	response_clear(&a);
	response_clear(&b);
}
END_TEST

static int check_list_status(void *user, const char *ref, const struct response *r)
{
	ck_assert_int_eq(r->status, STATUS_LIST);
	ck_assert_str_eq(r->status_reason, "List-Id: <x.lists.example.org>");
	return 0;
}

START_TEST(list_kept_not_counted)
{
	struct storage *st = open_rw();
	struct response a;
	struct storage_stats s;
	bool ins;

	fill(&a, "mid:list@example.org", 1637020800, STATUS_LIST);
	a.status_reason = strdup("List-Id: <x.lists.example.org>");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins, NULL), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(storage_stats(st, &s), 0);
	ck_assert_int_eq(s.stored, 1);
	ck_assert_int_eq(s.counted, 0);
	ck_assert_int_eq(s.lists, 1);
	ck_assert_int_eq(s.auto_replies, 0);
	ck_assert_uint_eq(s.n_days, 0);
	storage_stats_clear(&s);
	ck_assert_int_eq(storage_foreach_response(st, check_list_status, NULL), 0);
	response_clear(&a);
	storage_close(st);
}
END_TEST

/* The version 1 schema exactly as it shipped (storage.c, migrations[0]). */
static const char schema_v1[] =
	"CREATE TABLE responses("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" channel TEXT NOT NULL CHECK(channel IN ('email','form','import')),"
	" status TEXT NOT NULL CHECK(status IN ('response','auto-reply','bounce','quarantined')),"
	" status_reason TEXT,"
	" source_id TEXT NOT NULL,"
	" message_id TEXT,"
	" idem_key TEXT NOT NULL UNIQUE,"
	" received_at INTEGER NOT NULL,"
	" late INTEGER NOT NULL DEFAULT 0,"
	" sender_name TEXT, sender_email TEXT, subject TEXT,"
	" text TEXT NOT NULL,"
	" stored_at INTEGER NOT NULL);"
	"CREATE INDEX responses_received ON responses(received_at);"
	"CREATE TABLE response_themes("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" theme_id TEXT NOT NULL, score REAL NOT NULL, terms TEXT NOT NULL,"
	" PRIMARY KEY(response_id, theme_id));"
	"CREATE INDEX response_themes_theme ON response_themes(theme_id);"
	"CREATE TABLE attachments("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, filename TEXT, content_type TEXT NOT NULL,"
	" size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
	" PRIMARY KEY(response_id, idx));"
	"CREATE TABLE raw_sources("
	" response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,"
	" raw BLOB NOT NULL);"
	"CREATE TABLE intake_state("
	" source TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,"
	" last_uid INTEGER NOT NULL, updated_at INTEGER NOT NULL);";

static const char data_v1[] =
	"PRAGMA foreign_keys = ON;"
	"INSERT INTO responses VALUES(1,'email','response',NULL,'imap:INBOX:1:1','one@x',"
	" 'mid:one@x',1637020800,0,'Ann','ann@example.org','Plan','We never see a copper.',1);"
	"INSERT INTO responses VALUES(2,'form','auto-reply','Auto-Submitted: auto-replied',"
	" 'form:7',NULL,'form:7',1637107200,1,NULL,NULL,NULL,'Away.',2);"
	"INSERT INTO responses VALUES(3,'email','response',NULL,'imap:INBOX:1:3','three@x',"
	" 'mid:three@x',1637107300,0,NULL,NULL,NULL,'deleted later',3);"
	"INSERT INTO response_themes VALUES(1,'neighbourhood-policing',3.5,'copper');"
	"INSERT INTO attachments VALUES(1,0,'letter.pdf','application/pdf',1234,'ab12');"
	"INSERT INTO raw_sources VALUES(1, CAST('raw one' AS BLOB));"
	"INSERT INTO raw_sources VALUES(2, CAST('raw two' AS BLOB));"
	"INSERT INTO intake_state VALUES('imap:u@h/INBOX',77,3,1);"
	/* Deleting the last row leaves the AUTOINCREMENT mark at 3. */
	"DELETE FROM responses WHERE id = 3;"
	"PRAGMA user_version = 1;";

static int check_migrated(void *user, const char *ref, const struct response *r)
{
	int *n = user;
	(*n)++;
	if (*n == 1) {
		ck_assert_str_eq(ref, "R-000001");
		ck_assert_int_eq(r->channel, CHANNEL_EMAIL);
		ck_assert_int_eq(r->status, STATUS_RESPONSE);
		ck_assert_str_eq(r->sender_name, "Ann");
		ck_assert_str_eq(r->text, "We never see a copper.");
		ck_assert_uint_eq(r->n_themes, 1);
		ck_assert_str_eq(r->themes[0].terms, "copper");
		ck_assert_uint_eq(r->n_attachments, 1);
		ck_assert_str_eq(r->attachments[0].filename, "letter.pdf");
		ck_assert_uint_eq(r->attachments[0].size, 1234);
		ck_assert_str_eq(r->attachments[0].sha256, "ab12");
		ck_assert_ptr_null(r->attachments[0].text);
	} else if (*n == 2) {
		ck_assert_str_eq(ref, "R-000002");
		ck_assert_int_eq(r->channel, CHANNEL_FORM);
		ck_assert_int_eq(r->status, STATUS_AUTO_REPLY);
		ck_assert_str_eq(r->status_reason, "Auto-Submitted: auto-replied");
		ck_assert(r->late);
	} else {
		/* New after the migration: the id after the old high-water mark. */
		ck_assert_str_eq(ref, "R-000004");
		ck_assert_int_eq(r->status, STATUS_LIST);
	}
	return 0;
}

START_TEST(migrates_from_v1)
{
	sqlite3 *db;
	struct storage *st;
	struct response a;
	struct storage_stats s;
	bool ins;
	int n = 0;
	uint32_t v, last;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, schema_v1, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, data_v1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	st = open_rw();
	ck_assert_int_eq(storage_schema_version(st), STORAGE_SCHEMA_VERSION);
	ck_assert_int_ge(STORAGE_SCHEMA_VERSION, 2);
	/* The store as the older consultd left it was copied first. */
	char bak[200];
	snprintf(bak, sizeof(bak), "%s.schema-v1.bak", path);
	sqlite3 *old;
	ck_assert_int_eq(sqlite3_open_v2(bak, &old, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *q;
	ck_assert_int_eq(sqlite3_prepare_v2(old, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(q, 0), 1);
	sqlite3_finalize(q);
	sqlite3_close(old);
	fill(&a, "mid:after@example.org", 1637200000, STATUS_LIST);
	give_data(&a.attachments[0], "bytes", "cd34", "some text");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 5, &ins, NULL), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(storage_foreach_response(st, check_migrated, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(storage_stats(st, &s), 0);
	ck_assert_int_eq(s.stored, 3);
	ck_assert_int_eq(s.counted, 1);
	ck_assert_int_eq(s.auto_replies, 1);
	ck_assert_int_eq(s.lists, 1);
	storage_stats_clear(&s);
	ck_assert_int_eq(storage_get_imap_state(st, "imap:u@h/INBOX", &v, &last), 0);
	ck_assert_uint_eq(v, 77);
	ck_assert_uint_eq(last, 3);
	storage_close(st);
	/* Raw sources and the index came through; foreign keys still cascade. */
	ck_assert_int_eq(count("SELECT count(*) FROM raw_sources"), 3);
	ck_assert_int_eq(count("SELECT count(*) FROM raw_sources WHERE response_id = 1"
			       " AND raw = CAST('raw one' AS BLOB)"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM sqlite_schema"
			       " WHERE type = 'index' AND name = 'responses_received'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM sqlite_schema WHERE name = 'responses_new'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM pragma_foreign_key_list('attachments')"
			       " WHERE \"table\" = 'responses'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM attachment_blobs"), 1);
	/* Version 4 linked the older responses to their respondent. */
	ck_assert_int_eq(count("SELECT count(*) FROM responses WHERE id = 1"
			       " AND respondent_key = 'ann@example.org' AND respondent_type IS NULL"), 1);
	response_clear(&a);
}
END_TEST

static int check_respondent(void *user, const char *ref, const struct response *r)
{
	int *n = user;
	(*n)++;
	ck_assert_int_eq(r->respondent_type, RESPONDENT_ORGANISATION);
	ck_assert_str_eq(r->organisation, "Camden Safer Neighbourhood Board");
	ck_assert_str_eq(r->area, "camden");
	ck_assert_uint_eq(r->n_answers, 2);
	ck_assert_str_eq(r->answers[0].question, "Which priorities matter most to you?");
	ck_assert_int_eq(r->answers[0].kind, ANSWER_CHOICE);
	ck_assert_str_eq(r->answers[0].value, "Knife crime");
	ck_assert_ptr_null(r->answers[1].question_id);
	ck_assert_int_eq(r->answers[1].kind, ANSWER_TEXT);
	ck_assert_str_eq(r->answers[1].value, "More patrols, please.");
	return 0;
}

START_TEST(respondent_and_answers_round_trip)
{
	struct storage *st = open_rw();
	struct response a;
	bool ins;
	int n = 0;
	fill(&a, "form:f1:r1", 1637020800, STATUS_RESPONSE);
	a.channel = CHANNEL_FORM;
	free(a.sender_email);
	a.sender_email = strdup("Chair@Camden.example");
	a.respondent_type = RESPONDENT_ORGANISATION;
	a.organisation = strdup("Camden Safer Neighbourhood Board");
	a.area = strdup("camden");
	a.n_answers = 2;
	a.answers = calloc(2, sizeof(*a.answers));
	a.answers[0].question_id = strdup("q1");
	a.answers[0].question = strdup("Which priorities matter most to you?");
	a.answers[0].kind = ANSWER_CHOICE;
	a.answers[0].value = strdup("Knife crime");
	a.answers[1].kind = ANSWER_TEXT;
	a.answers[1].value = strdup("More patrols, please.");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 5, &ins, NULL), 0);
	ck_assert(ins);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(storage_foreach_response(st, check_respondent, &n), 0);
	ck_assert_int_eq(n, 1);
	/* The key that links one person's email and form responses. */
	ck_assert_int_eq(count("SELECT count(*) FROM responses"
			       " WHERE respondent_key = 'chair@camden.example'"), 1);
	/* Re-parsing keeps a lead's manual theme and replaces the answers. */
	ck_assert_int_eq(count("SELECT count(*) FROM form_answers"), 2);
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO response_themes(response_id, theme_id,"
				      " score, terms, origin) VALUES(1, 'knife-crime', 1, '', 'manual')",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(a.themes[0].theme_id);
	a.themes[0].theme_id = strdup("knife-crime");
	free(a.answers[1].value);
	a.answers[1].value = strdup("Changed.");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_replace_parsed(st, 1, &a), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM response_themes WHERE response_id = 1"
			       " AND theme_id = 'knife-crime' AND origin = 'manual'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM response_themes"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM form_answers WHERE value = 'Changed.'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM form_answers"), 2);
	response_clear(&a);
	storage_close(st);
}
END_TEST

START_TEST(reconcile_and_sources)
{
	struct storage *st = open_rw();
	struct response a, b;
	fill(&a, "mid:r1@example.org", 1637020800, STATUS_RESPONSE);
	fill(&b, "mid:r2@example.org", 1637020800, STATUS_RESPONSE);
	bool ins;
	int64_t id_a, id_b, id_dup;
	const char *src = "imap:u@h/INBOX";
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins, &id_a), 0);
	ck_assert_int_eq(storage_insert_response(st, &b, 1, &ins, &id_b), 0);
	/* UID 3 is a second copy of a: recorded as a's id. */
	ck_assert_int_eq(storage_insert_response(st, &a, 1, &ins, &id_dup), 0);
	ck_assert(!ins);
	ck_assert_int_eq(id_dup, id_a);
	ck_assert_int_eq(storage_record_uid(st, src, 7, 1, id_a), 0);
	ck_assert_int_eq(storage_record_uid(st, src, 7, 2, id_b), 0);
	ck_assert_int_eq(storage_record_uid(st, src, 7, 3, id_dup), 0);
	ck_assert_int_eq(storage_set_imap_state(st, src, 7, 5, 1), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	/* Recording a UID again re-points it; one that names no response
	 * fails, naming what it was doing, and leaves the old row. */
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_record_uid(st, src, 7, 2, id_a), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM imap_uids WHERE uid = 2"), 1);
	ck_assert_int_eq(count("SELECT response_id FROM imap_uids WHERE uid = 2"), id_a);
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_ne(storage_record_uid(st, src, 7, 2, id_b + 100), 0);
	ck_assert_ptr_nonnull(strstr(storage_errmsg(st), "recording a mailbox UID"));
	storage_rollback(st);
	ck_assert_int_eq(count("SELECT response_id FROM imap_uids WHERE uid = 2"), id_a);
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_record_uid(st, src, 7, 2, id_b), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(count("SELECT response_id FROM imap_uids WHERE uid = 2"), id_b);

	/* The server holds 1, 3, 4, 5: 2 is gone (moved or deleted there),
	 * 4 and 5 were never stored although the cursor is at 5. */
	const uint32_t server[] = {1, 3, 4, 5, 9};
	uint32_t *missing;
	size_t n_missing;
	int64_t gone;
	ck_assert_int_eq(storage_note_poll(st, src, 100), 0);
	ck_assert_int_eq(storage_note_error(st, src, 90, "login refused"), 0);
	ck_assert_int_eq(storage_reconcile(st, src, 7, server, 5, 5, 101, &missing, &n_missing, &gone), 0);
	ck_assert_uint_eq(n_missing, 2);
	ck_assert_uint_eq(missing[0], 4);
	ck_assert_uint_eq(missing[1], 5);
	ck_assert_int_eq(gone, 1);
	free(missing);

	struct storage_source *v;
	size_t n;
	ck_assert_int_eq(storage_sources(st, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].source, src);
	ck_assert_int_eq(v[0].last_poll_at, 100);
	ck_assert_int_eq(v[0].last_error_at, 90);
	ck_assert_str_eq(v[0].last_error, "login refused");
	ck_assert_int_eq(v[0].reconciled_at, 101);
	ck_assert_int_eq(v[0].server_count, 4);
	ck_assert_int_eq(v[0].missing_count, 2);
	ck_assert_str_eq(v[0].missing_uids, "4,5");
	ck_assert_int_eq(v[0].stored, 3);
	storage_sources_free(v, n);

	/* An online backup is a complete store. */
	char copy[200];
	snprintf(copy, sizeof(copy), "%s.copy", path);
	ck_assert_int_eq(storage_backup(st, copy), 0);
	ck_assert_int_eq(storage_backup(st, copy), -1); /* never overwrites */
	struct storage *c;
	ck_assert_int_eq(storage_open(copy, STORAGE_READ_ONLY, &c, err, sizeof(err)), 0);
	struct storage_stats s;
	ck_assert_int_eq(storage_stats(c, &s), 0);
	ck_assert_int_eq(s.stored, 2);
	storage_stats_clear(&s);
	storage_close(c);
	response_clear(&a);
	response_clear(&b);
	storage_close(st);
}
END_TEST

/*
 * Every table, column, constraint, index and trigger of a store, one per
 * line, with the SQL's spacing and quoting evened out: ALTER TABLE splices
 * its columns into the stored CREATE text and RENAME quotes the name.
 */
static char *schema_of(const char *file)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, coalesce(sql, '')"
					    " FROM sqlite_schema ORDER BY type, name", -1, &q, NULL),
			 SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		fprintf(out, "%s %s %s ", (const char *)sqlite3_column_text(q, 0),
			(const char *)sqlite3_column_text(q, 1), (const char *)sqlite3_column_text(q, 2));
		const char *sql = (const char *)sqlite3_column_text(q, 3);
		char prev = ' ';
		for (const char *c = sql; *c != '\0'; c++) {
			char ch = *c == '\n' || *c == '\t' ? ' ' : *c;
			if (ch == '"' || (ch == ' ' && (prev == ' ' || prev == '(')))
				continue;
			if (ch == ')' && prev == ' ')
				fseek(out, -1, SEEK_CUR);
			fputc(ch, out);
			prev = ch;
		}
		fputc('\n', out);
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	fclose(out);
	return buf;
}

START_TEST(new_store_has_the_migrated_schema)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, schema_v1, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	storage_close(open_rw());
	struct storage *st;
	int rc = storage_open(fresh_path, STORAGE_READ_WRITE, &st, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_eq(storage_schema_version(st), STORAGE_SCHEMA_VERSION);
	storage_close(st);

	char *migrated = schema_of(path), *created = schema_of(fresh_path);
	/* Line by line, so a failure names the table that differs. */
	const char *m = migrated, *c = created;
	while (*m != '\0' || *c != '\0') {
		size_t ml = strcspn(m, "\n"), cl = strcspn(c, "\n");
		ck_assert_msg(ml == cl && memcmp(m, c, ml) == 0, "migrated: %.*s\nnew: %.*s",
			      (int)ml, m, (int)cl, c);
		m += ml + (m[ml] != '\0');
		c += cl + (c[cl] != '\0');
	}
	ck_assert_ptr_nonnull(strstr(created, "table responses responses CREATE TABLE responses("));
	ck_assert_ptr_nonnull(strstr(created, "trigger response_fts_update responses"));
	ck_assert_int_eq(count_in(fresh_path, "PRAGMA page_size"), 16384);
	free(migrated);
	free(created);
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
	tcase_add_test(tc, attachments_stored_once);
	tcase_add_test(tc, list_kept_not_counted);
	tcase_add_test(tc, migrates_from_v1);
	tcase_add_test(tc, new_store_has_the_migrated_schema);
	tcase_add_test(tc, reconcile_and_sources);
	tcase_add_test(tc, respondent_and_answers_round_trip);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
