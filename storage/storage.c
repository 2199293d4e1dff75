#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum stmt_id {
	STMT_INSERT_RESPONSE,
	STMT_INSERT_THEME,
	STMT_INSERT_ATTACHMENT,
	STMT_INSERT_RAW,
	STMT_INSERT_BLOB,
	STMT_GET_STATE,
	STMT_SET_STATE,
	STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_INSERT_RESPONSE] =
		"INSERT INTO responses(channel, status, status_reason, source_id, message_id,"
		" idem_key, received_at, late, sender_name, sender_email, subject, text, stored_at)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(idem_key) DO NOTHING",
	[STMT_INSERT_THEME] =
		"INSERT INTO response_themes(response_id, theme_id, score, terms) VALUES(?,?,?,?)",
	[STMT_INSERT_ATTACHMENT] =
		"INSERT INTO attachments(response_id, idx, filename, content_type, size, sha256,"
		" text, text_error) VALUES(?,?,?,?,?,?,?,?)",
	[STMT_INSERT_RAW] = "INSERT INTO raw_sources(response_id, raw) VALUES(?,?)",
	/* Content addressed: the same file sent twice is stored once. */
	[STMT_INSERT_BLOB] = "INSERT OR IGNORE INTO attachment_blobs(sha256, data) VALUES(?,?)",
	[STMT_GET_STATE] = "SELECT uidvalidity, last_uid FROM intake_state WHERE source = ?",
	[STMT_SET_STATE] =
		"INSERT INTO intake_state(source, uidvalidity, last_uid, updated_at) VALUES(?,?,?,?)"
		" ON CONFLICT(source) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
		" last_uid = excluded.last_uid, updated_at = excluded.updated_at",
};

/* Each entry moves the schema from version i to i + 1. Never edit a
 * migration that has shipped: add a new one. */
static const char *const migrations[] = {
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
	" last_uid INTEGER NOT NULL, updated_at INTEGER NOT NULL);",

	/* 2: status 'list'; attachment text and bytes. SQLite cannot alter a
	 * CHECK, so responses is rebuilt (the documented 12-step way: foreign
	 * keys are off during migrations, see storage_open, or dropping the
	 * old table would cascade to themes, attachments and raw sources).
	 * The AUTOINCREMENT high-water mark moves across so that no reference
	 * (R-000042) is ever handed out twice. */
	"CREATE TABLE responses_new("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" channel TEXT NOT NULL CHECK(channel IN ('email','form','import')),"
	" status TEXT NOT NULL"
	"  CHECK(status IN ('response','auto-reply','bounce','quarantined','list')),"
	" status_reason TEXT,"
	" source_id TEXT NOT NULL,"
	" message_id TEXT,"
	" idem_key TEXT NOT NULL UNIQUE,"
	" received_at INTEGER NOT NULL,"
	" late INTEGER NOT NULL DEFAULT 0,"
	" sender_name TEXT, sender_email TEXT, subject TEXT,"
	" text TEXT NOT NULL,"
	" stored_at INTEGER NOT NULL);"
	"INSERT INTO responses_new(id, channel, status, status_reason, source_id, message_id,"
	" idem_key, received_at, late, sender_name, sender_email, subject, text, stored_at)"
	" SELECT id, channel, status, status_reason, source_id, message_id, idem_key,"
	" received_at, late, sender_name, sender_email, subject, text, stored_at"
	" FROM responses ORDER BY id;"
	"DELETE FROM sqlite_sequence WHERE name = 'responses_new';"
	"INSERT INTO sqlite_sequence(name, seq)"
	" SELECT 'responses_new', seq FROM sqlite_sequence WHERE name = 'responses';"
	"DROP TABLE responses;"
	"ALTER TABLE responses_new RENAME TO responses;"
	"CREATE INDEX responses_received ON responses(received_at);"
	"ALTER TABLE attachments ADD COLUMN text TEXT;"
	"ALTER TABLE attachments ADD COLUMN text_error TEXT;"
	"CREATE TABLE attachment_blobs("
	" sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORAGE_SCHEMA_VERSION,
	       "STORAGE_SCHEMA_VERSION is the number of migrations");

struct storage {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	char errmsg[256];
};

static void set_error(struct storage *st, const char *what)
{
	snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what,
		 st->db != NULL ? sqlite3_errmsg(st->db) : "no database");
}

const char *storage_errmsg(const struct storage *st)
{
	return st->errmsg;
}

static int exec(struct storage *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(st->errmsg, sizeof(st->errmsg), "%s", msg != NULL ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int storage_schema_version(struct storage *st)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Foreign keys are off while migrating: check by hand that all still hold. */
static int foreign_keys_hold(struct storage *st)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "checking foreign keys");
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(st->errmsg, sizeof(st->errmsg), "foreign key broken in table %s",
			 (const char *)sqlite3_column_text(s, 0));
	else if (rc != SQLITE_DONE)
		set_error(st, "checking foreign keys");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int migrate(struct storage *st)
{
	int have = storage_schema_version(st);
	int want = (int)(sizeof(migrations) / sizeof(migrations[0]));
	if (have < 0) {
		set_error(st, "reading schema version");
		return -1;
	}
	if (have > want) {
		snprintf(st->errmsg, sizeof(st->errmsg),
			 "database schema version %d is newer than this consultd (%d)", have, want);
		return -1;
	}
	for (int v = have; v < want; v++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (exec(st, "BEGIN IMMEDIATE") != 0)
			return -1;
		if (exec(st, migrations[v]) != 0 || foreign_keys_hold(st) != 0 ||
		    exec(st, pragma) != 0) {
			char why[sizeof(st->errmsg)];
			memcpy(why, st->errmsg, sizeof(why));
			exec(st, "ROLLBACK");
			/* The prefix takes room from why: cut it explicitly. */
			snprintf(st->errmsg, sizeof(st->errmsg), "migration to version %d: %.*s",
				 v + 1, (int)sizeof(why) - 40, why);
			return -1;
		}
		if (exec(st, "COMMIT") != 0)
			return -1;
	}
	return 0;
}

/* Create the file ourselves so it is private from its first byte. */
static int create_private(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int storage_open(const char *path, enum storage_mode mode, struct storage **out,
		 char *err, size_t errlen)
{
	*out = NULL;
	struct storage *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mode == STORAGE_READ_WRITE && create_private(path, err, errlen) != 0) {
		free(st);
		return -1;
	}
	int flags = mode == STORAGE_READ_WRITE ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 st->db != NULL ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (mode == STORAGE_READ_WRITE) {
		/* Foreign keys on only after migrating: a migration that rebuilds
		 * a parent table must not cascade (they cannot be switched inside
		 * the migration's transaction). */
		if (exec(st, "PRAGMA journal_mode = WAL") != 0 ||
		    exec(st, "PRAGMA synchronous = FULL") != 0 ||
		    exec(st, "PRAGMA foreign_keys = OFF") != 0 || migrate(st) != 0 ||
		    exec(st, "PRAGMA foreign_keys = ON") != 0) {
			snprintf(err, errlen, "%s: %s", path, st->errmsg);
			goto fail;
		}
		for (int i = 0; i < STMT_COUNT; i++) {
			if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					       &st->stmt[i], NULL) != SQLITE_OK) {
				snprintf(err, errlen, "%s: preparing statement: %s", path,
					 sqlite3_errmsg(st->db));
				goto fail;
			}
		}
	} else {
		int v = storage_schema_version(st);
		if (v != STORAGE_SCHEMA_VERSION) {
			snprintf(err, errlen, "%s: schema version %d, expected %d (has consultd run on it?)",
				 path, v, STORAGE_SCHEMA_VERSION);
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	storage_close(st);
	return -1;
}

void storage_close(struct storage *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

int storage_begin(struct storage *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

int storage_commit(struct storage *st)
{
	return exec(st, "COMMIT");
}

void storage_rollback(struct storage *st)
{
	char keep[sizeof(st->errmsg)];
	memcpy(keep, st->errmsg, sizeof(keep));
	exec(st, "ROLLBACK");
	memcpy(st->errmsg, keep, sizeof(keep)); /* report the first error, not this one */
}

static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v != NULL ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* Step a statement that returns no rows, and reset it for reuse. */
static int run(struct storage *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		set_error(st, what);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

int storage_insert_response(struct storage *st, const struct response *r,
			    int64_t stored_at, bool *inserted)
{
	*inserted = false;
	sqlite3_stmt *s = st->stmt[STMT_INSERT_RESPONSE];
	bind_text(s, 1, response_channel_name(r->channel));
	bind_text(s, 2, response_status_name(r->status));
	bind_text(s, 3, r->status_reason);
	bind_text(s, 4, r->source_id != NULL ? r->source_id : "");
	bind_text(s, 5, r->message_id);
	bind_text(s, 6, r->idem_key);
	sqlite3_bind_int64(s, 7, r->received_at);
	sqlite3_bind_int(s, 8, r->late);
	bind_text(s, 9, r->sender_name);
	bind_text(s, 10, r->sender_email);
	bind_text(s, 11, r->subject);
	bind_text(s, 12, r->text != NULL ? r->text : "");
	sqlite3_bind_int64(s, 13, stored_at);
	if (run(st, s, "storing response") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 0; /* already stored under this idempotency key */
	sqlite3_int64 id = sqlite3_last_insert_rowid(st->db);

	for (size_t i = 0; i < r->n_themes; i++) {
		s = st->stmt[STMT_INSERT_THEME];
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, r->themes[i].theme_id);
		sqlite3_bind_double(s, 3, r->themes[i].score);
		bind_text(s, 4, r->themes[i].terms != NULL ? r->themes[i].terms : "");
		if (run(st, s, "storing theme") != 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_attachments; i++) {
		const struct attachment *a = &r->attachments[i];
		s = st->stmt[STMT_INSERT_ATTACHMENT];
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, a->filename);
		bind_text(s, 4, a->content_type != NULL ? a->content_type : "application/octet-stream");
		sqlite3_bind_int64(s, 5, (sqlite3_int64)a->size);
		bind_text(s, 6, a->sha256);
		bind_text(s, 7, a->text);
		bind_text(s, 8, a->text_error);
		if (run(st, s, "storing attachment") != 0)
			return -1;
		if (a->data == NULL)
			continue; /* e.g. read back from the store: the blob is there */
		s = st->stmt[STMT_INSERT_BLOB];
		bind_text(s, 1, a->sha256);
		sqlite3_bind_blob64(s, 2, a->data, a->data_len, SQLITE_STATIC);
		if (run(st, s, "storing attachment data") != 0)
			return -1;
	}
	s = st->stmt[STMT_INSERT_RAW];
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob64(s, 2, r->raw != NULL ? (const void *)r->raw : "", r->raw_len,
			    SQLITE_STATIC);
	if (run(st, s, "storing raw source") != 0)
		return -1;
	*inserted = true;
	return 0;
}

int storage_get_imap_state(struct storage *st, const char *source,
			   uint32_t *uidvalidity, uint32_t *last_uid)
{
	sqlite3_stmt *s = st->stmt[STMT_GET_STATE];
	*uidvalidity = 0;
	*last_uid = 0;
	bind_text(s, 1, source);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(s, 1);
	} else if (rc != SQLITE_DONE) {
		set_error(st, "reading intake state");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int storage_set_imap_state(struct storage *st, const char *source,
			   uint32_t uidvalidity, uint32_t last_uid, int64_t now)
{
	sqlite3_stmt *s = st->stmt[STMT_SET_STATE];
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, last_uid);
	sqlite3_bind_int64(s, 4, now);
	return run(st, s, "writing intake state");
}

void storage_format_ref(int64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "R-%06lld", (long long)id);
}

/* A copy of a text column; NULL for SQL NULL. Sets *oom when a non-NULL
 * value could not be copied (SQLite or strdup out of memory). */
static char *column_dup(sqlite3_stmt *s, int i, bool *oom)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const unsigned char *v = sqlite3_column_text(s, i);
	char *copy = v != NULL ? strdup((const char *)v) : NULL;
	if (copy == NULL)
		*oom = true;
	return copy;
}

static enum response_channel channel_from(const char *s)
{
	if (s != NULL && strcmp(s, "form") == 0)
		return CHANNEL_FORM;
	if (s != NULL && strcmp(s, "import") == 0)
		return CHANNEL_IMPORT;
	return CHANNEL_EMAIL;
}

static enum response_status status_from(const char *s)
{
	if (s == NULL)
		return STATUS_RESPONSE;
	if (strcmp(s, "auto-reply") == 0)
		return STATUS_AUTO_REPLY;
	if (strcmp(s, "bounce") == 0)
		return STATUS_BOUNCE;
	if (strcmp(s, "quarantined") == 0)
		return STATUS_QUARANTINED;
	if (strcmp(s, "list") == 0)
		return STATUS_LIST;
	return STATUS_RESPONSE;
}

static int load_children(struct storage *st, sqlite3_stmt *th, sqlite3_stmt *at,
			 int64_t id, struct response *r)
{
	size_t cap = 0;
	int rc;
	bool oom = false;
	sqlite3_bind_int64(th, 1, id);
	while ((rc = sqlite3_step(th)) == SQLITE_ROW) {
		if (r->n_themes == cap) {
			cap = cap ? cap * 2 : 4;
			void *p = realloc(r->themes, cap * sizeof(*r->themes));
			if (p == NULL)
				goto oom;
			r->themes = p;
		}
		struct theme_hit *h = &r->themes[r->n_themes++];
		h->theme_id = column_dup(th, 0, &oom);
		h->score = sqlite3_column_double(th, 1);
		h->terms = column_dup(th, 2, &oom);
		if (oom)
			goto oom;
	}
	sqlite3_reset(th);
	if (rc != SQLITE_DONE)
		goto failed;
	cap = 0;
	sqlite3_bind_int64(at, 1, id);
	while ((rc = sqlite3_step(at)) == SQLITE_ROW) {
		if (r->n_attachments == cap) {
			cap = cap ? cap * 2 : 4;
			void *p = realloc(r->attachments, cap * sizeof(*r->attachments));
			if (p == NULL)
				goto oom;
			r->attachments = p;
		}
		struct attachment *a = &r->attachments[r->n_attachments++];
		memset(a, 0, sizeof(*a));
		a->filename = column_dup(at, 0, &oom);
		a->content_type = column_dup(at, 1, &oom);
		a->text = column_dup(at, 4, &oom);
		a->text_error = column_dup(at, 5, &oom);
		if (oom)
			goto oom;
		a->size = (size_t)sqlite3_column_int64(at, 2);
		const unsigned char *h = sqlite3_column_text(at, 3);
		snprintf(a->sha256, sizeof(a->sha256), "%s", h != NULL ? (const char *)h : "");
	}
	sqlite3_reset(at);
	if (rc != SQLITE_DONE)
		goto failed;
	return 0;
failed:
	set_error(st, "reading themes and attachments");
	return -1;
oom:
	sqlite3_reset(th);
	sqlite3_reset(at);
	snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
	return -1;
}

int storage_foreach_response(struct storage *st, storage_response_fn fn, void *user)
{
	sqlite3_stmt *s = NULL, *th = NULL, *at = NULL;
	int ret = -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, channel, status, status_reason, source_id, message_id,"
			       " idem_key, received_at, late, sender_name, sender_email, subject, text"
			       " FROM responses ORDER BY id", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT theme_id, score, terms FROM response_themes"
			       " WHERE response_id = ? ORDER BY score DESC, theme_id", -1, &th,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT filename, content_type, size, sha256, text, text_error FROM attachments"
			       " WHERE response_id = ? ORDER BY idx", -1, &at, NULL) != SQLITE_OK) {
		set_error(st, "preparing export");
		goto out;
	}
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct response r = {0};
		bool oom = false;
		int64_t id = sqlite3_column_int64(s, 0);
		r.channel = channel_from((const char *)sqlite3_column_text(s, 1));
		r.status = status_from((const char *)sqlite3_column_text(s, 2));
		r.status_reason = column_dup(s, 3, &oom);
		r.source_id = column_dup(s, 4, &oom);
		r.message_id = column_dup(s, 5, &oom);
		r.idem_key = column_dup(s, 6, &oom);
		r.received_at = sqlite3_column_int64(s, 7);
		r.late = sqlite3_column_int(s, 8) != 0;
		r.sender_name = column_dup(s, 9, &oom);
		r.sender_email = column_dup(s, 10, &oom);
		r.subject = column_dup(s, 11, &oom);
		r.text = column_dup(s, 12, &oom);
		if (oom) {
			snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
			response_clear(&r);
			goto out;
		}
		if (load_children(st, th, at, id, &r) != 0) {
			response_clear(&r);
			goto out;
		}
		char ref[32];
		storage_format_ref(id, ref, sizeof(ref));
		int stop = fn(user, ref, &r);
		response_clear(&r);
		if (stop != 0) {
			ret = stop;
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		set_error(st, "reading responses");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(th);
	sqlite3_finalize(at);
	return ret;
}

static int64_t scalar(struct storage *st, const char *sql, bool *failed)
{
	sqlite3_stmt *s;
	int64_t v = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		*failed = true;
		set_error(st, "counting");
		return 0;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		*failed = true;
	sqlite3_finalize(s);
	return v;
}

int storage_stats(struct storage *st, struct storage_stats *out)
{
	memset(out, 0, sizeof(*out));
	bool failed = false;
	out->stored = scalar(st, "SELECT count(*) FROM responses", &failed);
	out->counted = scalar(st, "SELECT count(*) FROM responses WHERE status = 'response'", &failed);
	out->by_channel[CHANNEL_EMAIL] = scalar(st,
		"SELECT count(*) FROM responses WHERE status = 'response' AND channel = 'email'", &failed);
	out->by_channel[CHANNEL_FORM] = scalar(st,
		"SELECT count(*) FROM responses WHERE status = 'response' AND channel = 'form'", &failed);
	out->by_channel[CHANNEL_IMPORT] = scalar(st,
		"SELECT count(*) FROM responses WHERE status = 'response' AND channel = 'import'", &failed);
	out->late = scalar(st, "SELECT count(*) FROM responses WHERE status = 'response' AND late", &failed);
	out->auto_replies = scalar(st, "SELECT count(*) FROM responses WHERE status = 'auto-reply'", &failed);
	out->bounces = scalar(st, "SELECT count(*) FROM responses WHERE status = 'bounce'", &failed);
	out->quarantined = scalar(st, "SELECT count(*) FROM responses WHERE status = 'quarantined'", &failed);
	out->lists = scalar(st, "SELECT count(*) FROM responses WHERE status = 'list'", &failed);
	out->no_theme = scalar(st,
		"SELECT count(*) FROM responses r WHERE status = 'response' AND NOT EXISTS"
		" (SELECT 1 FROM response_themes t WHERE t.response_id = r.id)", &failed);
	if (failed)
		goto fail;

	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT t.theme_id, count(*) FROM response_themes t"
			       " JOIN responses r ON r.id = t.response_id WHERE r.status = 'response'"
			       " GROUP BY t.theme_id ORDER BY count(*) DESC, t.theme_id", -1, &s,
			       NULL) != SQLITE_OK) {
		set_error(st, "counting themes");
		goto fail;
	}
	size_t cap = 0;
	int rc;
	bool oom = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n_themes == cap) {
			cap = cap ? cap * 2 : 16;
			void *p = realloc(out->themes, cap * sizeof(*out->themes));
			if (p == NULL) {
				sqlite3_finalize(s);
				goto oom;
			}
			out->themes = p;
		}
		struct storage_theme_count *t = &out->themes[out->n_themes++];
		t->theme_id = column_dup(s, 0, &oom);
		t->responses = sqlite3_column_int64(s, 1);
		if (oom) {
			sqlite3_finalize(s);
			goto oom;
		}
	}
	if (rc != SQLITE_DONE) {
		set_error(st, "counting themes");
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);

	if (sqlite3_prepare_v2(st->db,
			       "SELECT strftime('%Y-%m-%d', received_at, 'unixepoch') AS day, count(*),"
			       " sum(late) FROM responses WHERE status = 'response'"
			       " GROUP BY day ORDER BY day", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "counting days");
		goto fail;
	}
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n_days == cap) {
			cap = cap ? cap * 2 : 32;
			void *p = realloc(out->days, cap * sizeof(*out->days));
			if (p == NULL) {
				sqlite3_finalize(s);
				goto oom;
			}
			out->days = p;
		}
		struct storage_day_count *d = &out->days[out->n_days++];
		const unsigned char *day = sqlite3_column_text(s, 0);
		snprintf(d->day, sizeof(d->day), "%s", day != NULL ? (const char *)day : "?");
		d->responses = sqlite3_column_int64(s, 1);
		d->late = sqlite3_column_int64(s, 2);
	}
	if (rc != SQLITE_DONE) {
		set_error(st, "counting days");
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);
	return 0;
oom:
	snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
fail:
	storage_stats_clear(out);
	return -1;
}

void storage_stats_clear(struct storage_stats *s)
{
	for (size_t i = 0; i < s->n_themes; i++)
		free(s->themes[i].theme_id);
	free(s->themes);
	free(s->days);
	memset(s, 0, sizeof(*s));
}
