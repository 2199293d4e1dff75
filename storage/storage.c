#include "storage.h"

#include "intake/raw_pack.h"
#include "storage_db.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum stmt_id {
	STMT_INSERT_RESPONSE,
	STMT_INSERT_THEME,
	STMT_THEME_REMOVED,
	STMT_INSERT_ANSWER,
	STMT_INSERT_ATTACHMENT,
	STMT_INSERT_RAW,
	STMT_INSERT_BLOB,
	STMT_GET_STATE,
	STMT_SET_STATE,
	STMT_EXISTING_ID,
	STMT_RECORD_UID,
	STMT_REPOINT_UID,
	STMT_NOTE_POLL,
	STMT_NOTE_ERROR,
	STMT_FORGOTTEN,
	STMT_PUT_PRINT,
	STMT_DROP_PRINT,
	STMT_COUNT
};

/* Statements run once per stored response are single-row VALUES
 * inserts or upserts, never INSERT ... SELECT or OR REPLACE: those may
 * stop part-way, so SQLite keeps a statement journal for them, a copy
 * of every existing page they touch (each index leaf, 16 KiB apiece)
 * written to a temporary file. Measured on a 5,000-message ingest,
 * that was gigabytes of writes on the loop thread. */
static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_INSERT_RESPONSE] =
		"INSERT INTO responses(channel, status, status_reason, source_id, message_id,"
		" idem_key, received_at, late, sender_name, sender_email, subject, text, stored_at,"
		" respondent_type, organisation, area, respondent_key)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,lower(?10)) ON CONFLICT(idem_key) DO NOTHING",
	[STMT_INSERT_THEME] =
		/* OR IGNORE: a lead's manual row for the theme wins; a theme the
		 * lead removed is never added back (STMT_THEME_REMOVED). */
		"INSERT OR IGNORE INTO response_themes(response_id, theme_id, score, terms)"
		" VALUES(?,?,?,?)",
	[STMT_THEME_REMOVED] =
		"SELECT 1 FROM manual_labels WHERE response_id = ? AND theme_id = ? AND present = 0",
	[STMT_INSERT_ANSWER] =
		"INSERT INTO form_answers(response_id, idx, question_id, question, kind, value)"
		" VALUES(?,?,?,?,?,?)",
	[STMT_INSERT_ATTACHMENT] =
		"INSERT INTO attachments(response_id, idx, filename, content_type, size, sha256,"
		" text, text_error) VALUES(?,?,?,?,?,?,?,?)",
	[STMT_INSERT_RAW] = "INSERT INTO raw_sources(response_id, encoding, size, raw) VALUES(?,?,?,?)",
	/* Content addressed: the same file sent twice is stored once. */
	[STMT_INSERT_BLOB] = "INSERT OR IGNORE INTO attachment_blobs(sha256, data) VALUES(?,?)",
	[STMT_GET_STATE] = "SELECT uidvalidity, last_uid FROM intake_state WHERE source = ?",
	[STMT_EXISTING_ID] = "SELECT id FROM responses WHERE idem_key = ?",
	/* A plain single-row INSERT, not an upsert: an upsert may write twice,
	 * so SQLite opens a statement journal for it, and with the batch's
	 * pages already dirty it copied them there before spilling (measured:
	 * 60% of 400 MB of temporary-file writes in a 5,000-message ingest).
	 * A UID already recorded is re-pointed by STMT_REPOINT_UID. */
	[STMT_RECORD_UID] =
		"INSERT INTO imap_uids(source, uidvalidity, uid, response_id) VALUES(?,?,?,?)",
	[STMT_REPOINT_UID] =
		"UPDATE imap_uids SET response_id = ?4"
		" WHERE source = ?1 AND uidvalidity = ?2 AND uid = ?3",
	[STMT_NOTE_POLL] =
		"INSERT INTO intake_state(source, uidvalidity, last_uid, updated_at, last_poll_at)"
		" VALUES(?1, 0, 0, ?2, ?2)"
		" ON CONFLICT(source) DO UPDATE SET last_poll_at = excluded.last_poll_at",
	[STMT_NOTE_ERROR] =
		"INSERT INTO intake_state(source, uidvalidity, last_uid, updated_at, last_error,"
		" last_error_at) VALUES(?1, 0, 0, ?2, ?3, ?2)"
		" ON CONFLICT(source) DO UPDATE SET last_error = excluded.last_error,"
		" last_error_at = excluded.last_error_at",
	[STMT_SET_STATE] =
		"INSERT INTO intake_state(source, uidvalidity, last_uid, updated_at) VALUES(?,?,?,?)"
		" ON CONFLICT(source) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
		" last_uid = excluded.last_uid, updated_at = excluded.updated_at",
	[STMT_FORGOTTEN] = "SELECT 1 FROM forgotten WHERE key_hash = ?",
	[STMT_PUT_PRINT] = "INSERT INTO campaign_prints(response_id, print) VALUES(?,?)"
		" ON CONFLICT DO UPDATE SET print = excluded.print",
	[STMT_DROP_PRINT] = "DELETE FROM campaign_prints WHERE response_id = ?",
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

	/* 3: which response each mailbox UID was stored as (a duplicate's UID
	 * points at the first copy), for reconciliation with the server; and
	 * what each source last did, for consultctl status. */
	"CREATE TABLE imap_uids("
	" source TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" PRIMARY KEY(source, uidvalidity, uid)) WITHOUT ROWID;"
	"CREATE INDEX imap_uids_response ON imap_uids(response_id);"
	"ALTER TABLE intake_state ADD COLUMN last_poll_at INTEGER;"
	"ALTER TABLE intake_state ADD COLUMN last_error TEXT;"
	"ALTER TABLE intake_state ADD COLUMN last_error_at INTEGER;"
	"ALTER TABLE intake_state ADD COLUMN reconciled_at INTEGER;"
	"ALTER TABLE intake_state ADD COLUMN server_count INTEGER;"
	"ALTER TABLE intake_state ADD COLUMN missing_count INTEGER;"
	"ALTER TABLE intake_state ADD COLUMN missing_uids TEXT;",

	/* 4: who responded and how. respondent_key (the lower-cased address)
	 * links one person's email and form responses. campaign_id groups
	 * near-identical responses; duplicate_of links an identical
	 * resubmission from the same sender to the first copy. manual_labels
	 * are a lead's corrections, which automatic classification never
	 * overwrites: response_themes always holds the themes in force (its
	 * origin says whether a lead added the row). form_answers keeps each
	 * web-form answer with its question. */
	"ALTER TABLE responses ADD COLUMN respondent_type TEXT"
	" CHECK(respondent_type IN ('individual','organisation'));"
	"ALTER TABLE responses ADD COLUMN organisation TEXT;"
	"ALTER TABLE responses ADD COLUMN area TEXT;"
	"ALTER TABLE responses ADD COLUMN respondent_key TEXT;"
	"ALTER TABLE responses ADD COLUMN campaign_id INTEGER"
	" REFERENCES campaigns(id) ON DELETE SET NULL;"
	"ALTER TABLE responses ADD COLUMN duplicate_of INTEGER"
	" REFERENCES responses(id) ON DELETE SET NULL;"
	"UPDATE responses SET respondent_key = lower(sender_email) WHERE sender_email IS NOT NULL;"
	"CREATE INDEX responses_respondent ON responses(respondent_key);"
	"CREATE INDEX responses_campaign ON responses(campaign_id);"
	"CREATE TABLE campaigns("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" size INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL,"
	" representative_id INTEGER REFERENCES responses(id) ON DELETE SET NULL);"
	"ALTER TABLE response_themes ADD COLUMN origin TEXT NOT NULL DEFAULT 'auto'"
	" CHECK(origin IN ('auto','manual'));"
	"CREATE TABLE manual_labels("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" theme_id TEXT NOT NULL, present INTEGER NOT NULL CHECK(present IN (0,1)),"
	" labelled_at INTEGER NOT NULL,"
	" PRIMARY KEY(response_id, theme_id)) WITHOUT ROWID;"
	"CREATE TABLE form_answers("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, question_id TEXT, question TEXT,"
	" kind TEXT NOT NULL CHECK(kind IN ('text','choice','other')), value TEXT NOT NULL,"
	" PRIMARY KEY(response_id, idx)) WITHOUT ROWID;"
	"CREATE INDEX form_answers_question ON form_answers(question_id);",

	/* 5: personal data. A forgotten response's UIDs stay recorded (with
	 * no response) so reconciliation still counts them as stored, hence
	 * ON DELETE SET NULL and a rebuild of imap_uids; `forgotten` holds a
	 * hash of each erased idempotency key so the mail is never taken in
	 * again; `audit` says what was erased or purged, and when, with no
	 * personal data. */
	"CREATE TABLE imap_uids_new("
	" source TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" response_id INTEGER REFERENCES responses(id) ON DELETE SET NULL,"
	" PRIMARY KEY(source, uidvalidity, uid)) WITHOUT ROWID;"
	"INSERT INTO imap_uids_new(source, uidvalidity, uid, response_id)"
	" SELECT source, uidvalidity, uid, response_id FROM imap_uids;"
	"DROP TABLE imap_uids;"
	"ALTER TABLE imap_uids_new RENAME TO imap_uids;"
	"CREATE INDEX imap_uids_response ON imap_uids(response_id);"
	"CREATE TABLE forgotten(key_hash TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" action TEXT NOT NULL CHECK(action IN ('forget','purge-raw','purge-attachments')),"
	" count INTEGER NOT NULL);",
	/* 6: acknowledgement receipts waiting to be sent, and what became of
	 * each (receipts/outbox.h). One per response at most; written in the
	 * transaction that stores the response; gone with it (forget). */
	"CREATE TABLE outbox("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" response_id INTEGER NOT NULL UNIQUE REFERENCES responses(id) ON DELETE CASCADE,"
	" recipient TEXT,"
	" message TEXT,"
	" state TEXT NOT NULL"
	"  CHECK(state IN ('pending','sending','sent','failed','suppressed','uncertain')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" created_at INTEGER NOT NULL,"
	" sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);",
	/* 7: web-form intake. form_state is each form source's cursor, kept
	 * in the transaction that stores the page it covers; its poll and
	 * error times stay in intake_state like a mailbox's. form_versions
	 * lists every version of a form response seen (providers that allow
	 * edits give each a new submission time): the first, then each edit
	 * with the text it replaced. */
	"CREATE TABLE form_state("
	" source TEXT PRIMARY KEY, cursor TEXT, since INTEGER NOT NULL DEFAULT 0,"
	" etag TEXT, etag_url TEXT, updated_at INTEGER NOT NULL);"
	"CREATE TABLE form_versions("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" version TEXT NOT NULL, recorded_at INTEGER NOT NULL,"
	" edit INTEGER NOT NULL CHECK(edit IN (0,1)), previous_text TEXT);"
	"CREATE INDEX form_versions_response ON form_versions(response_id);",
	/* 8: full-text search and the summary's indexes. response_fts indexes
	 * each response's subject and text (which holds its attachments' text,
	 * see mime.h) as an external-content FTS5 table: triggers keep it in
	 * step with every insert, update and delete, so a forgotten response
	 * leaves the index too. responses_summary covers every column the
	 * summary counts by, in id order, so the summary's one pass reads a
	 * narrow index rather than the texts; responses_status finds the few
	 * excluded messages; response_themes_score gives each theme's
	 * highest-scoring responses for the excerpts without a sort. */
	"CREATE VIRTUAL TABLE response_fts USING fts5(subject, text,"
	" content='responses', content_rowid='id',"
	" tokenize='porter unicode61 remove_diacritics 2');"
	"INSERT INTO response_fts(response_fts) VALUES('rebuild');"
	"CREATE TRIGGER response_fts_insert AFTER INSERT ON responses BEGIN"
	" INSERT INTO response_fts(rowid, subject, text) VALUES(new.id, new.subject, new.text);"
	" END;"
	"CREATE TRIGGER response_fts_delete AFTER DELETE ON responses BEGIN"
	" INSERT INTO response_fts(response_fts, rowid, subject, text)"
	"  VALUES('delete', old.id, old.subject, old.text);"
	" END;"
	"CREATE TRIGGER response_fts_update AFTER UPDATE OF subject, text ON responses BEGIN"
	" INSERT INTO response_fts(response_fts, rowid, subject, text)"
	"  VALUES('delete', old.id, old.subject, old.text);"
	" INSERT INTO response_fts(rowid, subject, text) VALUES(new.id, new.subject, new.text);"
	" END;"
	"CREATE INDEX responses_summary ON responses(id, status, duplicate_of, channel, late,"
	" received_at, respondent_type, campaign_id, area, organisation);"
	"CREATE INDEX responses_status ON responses(status, status_reason);"
	"CREATE INDEX response_themes_score ON response_themes(theme_id, score DESC, response_id);",
	/* 9: new responses are indexed once per transaction (fts_flush), not
	 * by a trigger per row. FTS5 writes its pending terms out as a new
	 * segment at every statement savepoint, so a trigger made one tiny
	 * segment per response and merging them cost more than the insert:
	 * a 5,000-message ingest spent most of its loop time there. Updates
	 * and deletes keep their triggers; they are rare. */
	"DROP TRIGGER response_fts_insert;",
	/* 10: what campaign detection makes of a response's own words
	 * (campaign.h), computed with its classification on the threadpool, so
	 * that grouping campaigns at the close reads a few hundred bytes per
	 * response instead of its whole text. A table of its own, and an index
	 * holding the rest of what is read: a column of responses would sit
	 * behind the text, and SQLite reads a row's overflow pages to reach
	 * it. Responses stored before have none until a reclassify: their
	 * text is read as before. */
	"CREATE TABLE campaign_prints("
	" response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,"
	" print BLOB NOT NULL);"
	"CREATE INDEX responses_campaign_input ON responses(status, id, received_at, respondent_key);",
	/* 11: raw sources may be kept compressed (intake/raw_pack.h): how
	 * each is encoded, and its size as received. The table is rebuilt
	 * rather than altered because the source must stay the last column:
	 * SQLite writes a zeroblob (a source too large for memory is inserted
	 * as one and filled in place, copy_raw_file) without materialising it
	 * only at the end of a record. */
	"CREATE TABLE raw_sources_new("
	" response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,"
	" encoding TEXT NOT NULL DEFAULT 'identity' CHECK(encoding IN ('identity','zstd')),"
	" size INTEGER NOT NULL,"
	" raw BLOB NOT NULL);"
	"INSERT INTO raw_sources_new(response_id, encoding, size, raw)"
	" SELECT response_id, 'identity', length(raw), raw FROM raw_sources;"
	"DROP TABLE raw_sources;"
	"ALTER TABLE raw_sources_new RENAME TO raw_sources;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORAGE_SCHEMA_VERSION,
	       "STORAGE_SCHEMA_VERSION is the number of migrations");

/*
 * The schema the migrations above arrive at, created in one go for a new
 * store: running every migration costs SQLite a re-parse of the whole
 * schema at each ALTER TABLE, three times the work of this. A change to
 * the schema is a new migration and the same change here; test_storage
 * checks that a store migrated from version 1 and a new one have the same
 * tables, columns, constraints, indexes and triggers.
 */
static const char schema_current[] =
	"CREATE TABLE responses("
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
	" stored_at INTEGER NOT NULL,"
	" respondent_type TEXT CHECK(respondent_type IN ('individual','organisation')),"
	" organisation TEXT,"
	" area TEXT,"
	" respondent_key TEXT,"
	" campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,"
	" duplicate_of INTEGER REFERENCES responses(id) ON DELETE SET NULL);"
	"CREATE INDEX responses_received ON responses(received_at);"
	"CREATE INDEX responses_respondent ON responses(respondent_key);"
	"CREATE INDEX responses_campaign ON responses(campaign_id);"
	"CREATE INDEX responses_summary ON responses(id, status, duplicate_of, channel, late,"
	" received_at, respondent_type, campaign_id, area, organisation);"
	"CREATE INDEX responses_status ON responses(status, status_reason);"
	"CREATE TABLE response_themes("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" theme_id TEXT NOT NULL, score REAL NOT NULL, terms TEXT NOT NULL,"
	" origin TEXT NOT NULL DEFAULT 'auto' CHECK(origin IN ('auto','manual')),"
	" PRIMARY KEY(response_id, theme_id));"
	"CREATE INDEX response_themes_theme ON response_themes(theme_id);"
	"CREATE INDEX response_themes_score ON response_themes(theme_id, score DESC, response_id);"
	"CREATE TABLE campaign_prints("
	" response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,"
	" print BLOB NOT NULL);"
	"CREATE INDEX responses_campaign_input ON responses(status, id, received_at, respondent_key);"
	"CREATE TABLE attachments("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, filename TEXT, content_type TEXT NOT NULL,"
	" size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
	" text TEXT, text_error TEXT,"
	" PRIMARY KEY(response_id, idx));"
	"CREATE TABLE attachment_blobs("
	" sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE raw_sources("
	" response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,"
	" encoding TEXT NOT NULL DEFAULT 'identity' CHECK(encoding IN ('identity','zstd')),"
	" size INTEGER NOT NULL,"
	" raw BLOB NOT NULL);"
	"CREATE TABLE intake_state("
	" source TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,"
	" last_uid INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" last_poll_at INTEGER, last_error TEXT, last_error_at INTEGER,"
	" reconciled_at INTEGER, server_count INTEGER, missing_count INTEGER,"
	" missing_uids TEXT);"
	"CREATE TABLE imap_uids("
	" source TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" response_id INTEGER REFERENCES responses(id) ON DELETE SET NULL,"
	" PRIMARY KEY(source, uidvalidity, uid)) WITHOUT ROWID;"
	"CREATE INDEX imap_uids_response ON imap_uids(response_id);"
	"CREATE TABLE campaigns("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" size INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL,"
	" representative_id INTEGER REFERENCES responses(id) ON DELETE SET NULL);"
	"CREATE TABLE manual_labels("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" theme_id TEXT NOT NULL, present INTEGER NOT NULL CHECK(present IN (0,1)),"
	" labelled_at INTEGER NOT NULL,"
	" PRIMARY KEY(response_id, theme_id)) WITHOUT ROWID;"
	"CREATE TABLE form_answers("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, question_id TEXT, question TEXT,"
	" kind TEXT NOT NULL CHECK(kind IN ('text','choice','other')), value TEXT NOT NULL,"
	" PRIMARY KEY(response_id, idx)) WITHOUT ROWID;"
	"CREATE INDEX form_answers_question ON form_answers(question_id);"
	"CREATE TABLE forgotten(key_hash TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" action TEXT NOT NULL CHECK(action IN ('forget','purge-raw','purge-attachments')),"
	" count INTEGER NOT NULL);"
	"CREATE TABLE outbox("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" response_id INTEGER NOT NULL UNIQUE REFERENCES responses(id) ON DELETE CASCADE,"
	" recipient TEXT,"
	" message TEXT,"
	" state TEXT NOT NULL"
	"  CHECK(state IN ('pending','sending','sent','failed','suppressed','uncertain')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" created_at INTEGER NOT NULL,"
	" sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
	"CREATE TABLE form_state("
	" source TEXT PRIMARY KEY, cursor TEXT, since INTEGER NOT NULL DEFAULT 0,"
	" etag TEXT, etag_url TEXT, updated_at INTEGER NOT NULL);"
	"CREATE TABLE form_versions("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" version TEXT NOT NULL, recorded_at INTEGER NOT NULL,"
	" edit INTEGER NOT NULL CHECK(edit IN (0,1)), previous_text TEXT);"
	"CREATE INDEX form_versions_response ON form_versions(response_id);"
	"CREATE VIRTUAL TABLE response_fts USING fts5(subject, text,"
	" content='responses', content_rowid='id',"
	" tokenize='porter unicode61 remove_diacritics 2');"
	"CREATE TRIGGER response_fts_delete AFTER DELETE ON responses BEGIN"
	" INSERT INTO response_fts(response_fts, rowid, subject, text)"
	"  VALUES('delete', old.id, old.subject, old.text);"
	" END;"
	"CREATE TRIGGER response_fts_update AFTER UPDATE OF subject, text ON responses BEGIN"
	" INSERT INTO response_fts(response_fts, rowid, subject, text)"
	"  VALUES('delete', old.id, old.subject, old.text);"
	" INSERT INTO response_fts(rowid, subject, text) VALUES(new.id, new.subject, new.text);"
	" END;";

struct storage {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	int64_t fts_from;       /* lowest response id not yet in response_fts, or 0 */
	char errmsg[256];
	char path[4096];
};

static void set_error(struct storage *st, const char *what)
{
	snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what,
		 st->db != NULL ? sqlite3_errmsg(st->db) : "no database");
}

sqlite3 *storage_db(struct storage *st)
{
	return st->db;
}

void storage_set_error(struct storage *st, const char *what)
{
	set_error(st, what);
}

void storage_set_message(struct storage *st, const char *msg)
{
	snprintf(st->errmsg, sizeof(st->errmsg), "%s", msg);
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

/*
 * Copy the whole store to dest with SQLite's online backup, which is
 * consistent even while another connection writes. Used before a
 * migration (so an upgrade can be undone) and by consultctl backup.
 */
static int backup_to(struct storage *st, const char *dest)
{
	sqlite3 *out = NULL;
	int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", dest, strerror(errno));
		return -1;
	}
	close(fd);
	int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE, NULL);
	sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(out, "main", st->db, "main") : NULL;
	if (b != NULL) {
		rc = sqlite3_backup_step(b, -1);
		rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	} else {
		rc = SQLITE_ERROR;
	}
	if (rc != SQLITE_OK)
		snprintf(st->errmsg, sizeof(st->errmsg), "backup to %s: %s", dest,
			 out != NULL ? sqlite3_errmsg(out) : "cannot open");
	sqlite3_close(out);
	if (rc != SQLITE_OK)
		unlink(dest);
	return rc == SQLITE_OK ? 0 : -1;
}

int storage_backup(struct storage *st, const char *dest)
{
	return backup_to(st, dest);
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
	if (have > 0 && have < want) {
		/* An older consultd's store: keep a copy as it was before
		 * touching it. */
		char dest[4200];
		snprintf(dest, sizeof(dest), "%s.schema-v%d.bak", st->path, have);
		if (access(dest, F_OK) != 0 && backup_to(st, dest) != 0)
			return -1;
	}
	/* A new store (version 0) is created at the current version at once;
	 * an older one is taken through each migration in turn. */
	bool fresh = have == 0;
	for (int v = have; v < want; v = fresh ? want : v + 1) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", fresh ? want : v + 1);
		if (exec(st, "BEGIN IMMEDIATE") != 0)
			return -1;
		if (exec(st, fresh ? schema_current : migrations[v]) != 0 || foreign_keys_hold(st) != 0 ||
		    exec(st, pragma) != 0) {
			char why[sizeof(st->errmsg)];
			memcpy(why, st->errmsg, sizeof(why));
			exec(st, "ROLLBACK");
			/* The prefix takes room from why: cut it explicitly. */
			snprintf(st->errmsg, sizeof(st->errmsg), "%s version %d: %.*s",
				 fresh ? "creating schema" : "migration to", fresh ? want : v + 1,
				 (int)sizeof(why) - 40, why);
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
	snprintf(st->path, sizeof(st->path), "%s", path);
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
		/* 16 KiB pages for a new store (an existing one keeps its own):
		 * responses run to tens of kilobytes, and with 4 KiB pages each
		 * spilled over a chain of overflow pages, every page a WAL frame
		 * of its own; measured, storing and indexing a 5,000-message
		 * mailbox took a third less time. Must come before WAL mode,
		 * which writes the header. */
		if (exec(st, "PRAGMA page_size = 16384") != 0 ||
		    exec(st, "PRAGMA journal_mode = WAL") != 0 ||
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

/*
 * Index the responses inserted since the last flush (ids from st->fts_from
 * on) in one statement. Called before COMMIT, before anything that updates
 * or deletes a response (the triggers' FTS5 'delete' of a row that was
 * never indexed would corrupt the index), and after an insert made outside
 * a transaction.
 */
static int fts_flush(struct storage *st)
{
	if (st->fts_from == 0)
		return 0;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO response_fts(rowid, subject, text)"
			       " SELECT id, subject, text FROM responses WHERE id >= ?",
			       -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "indexing responses for search");
		return -1;
	}
	sqlite3_bind_int64(s, 1, st->fts_from);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		set_error(st, "indexing responses for search");
		return -1;
	}
	st->fts_from = 0;
	return 0;
}

int storage_begin(struct storage *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

int storage_commit(struct storage *st)
{
	if (fts_flush(st) != 0)
		return -1;
	return exec(st, "COMMIT");
}

void storage_rollback(struct storage *st)
{
	st->fts_from = 0; /* the rows are gone with the transaction */
	char keep[sizeof(st->errmsg)];
	memcpy(keep, st->errmsg, sizeof(keep));
	exec(st, "ROLLBACK");
	memcpy(st->errmsg, keep, sizeof(keep)); /* report the first error, not this one */
}

static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v != NULL ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* Reset s after a step that returned rc; on anything but SQLITE_DONE,
 * keep the error, naming what was being done. */
static int finish(struct storage *st, sqlite3_stmt *s, int rc, const char *what)
{
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

/* Step a statement that returns no rows, and reset it for reuse. */
static int run(struct storage *st, sqlite3_stmt *s, const char *what)
{
	return finish(st, s, sqlite3_step(s), what);
}

/* Fill the zeroblob raw source of response id from the first len bytes of
 * fd, a megabyte at a time (a source kept in a file is too large to hold
 * in memory whole). */
static int copy_raw_file(struct storage *st, int64_t id, int fd, size_t len)
{
	enum { CHUNK = 1 << 20 };
	sqlite3_blob *blob;
	if (sqlite3_blob_open(st->db, "main", "raw_sources", "raw", id, 1, &blob) != SQLITE_OK) {
		set_error(st, "storing raw source from its file");
		return -1;
	}
	char *buf = malloc(CHUNK);
	int rc = buf != NULL ? 0 : -1;
	if (buf == NULL)
		snprintf(st->errmsg, sizeof(st->errmsg), "storing raw source: out of memory");
	for (size_t off = 0; rc == 0 && off < len;) {
		size_t want = len - off < CHUNK ? len - off : CHUNK;
		ssize_t got = pread(fd, buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			snprintf(st->errmsg, sizeof(st->errmsg), "reading raw source file at byte %zu: %s",
				 off, got < 0 ? strerror(errno) : "file shorter than recorded");
			rc = -1;
		} else if (sqlite3_blob_write(blob, buf, (int)got, (int)off) != SQLITE_OK) {
			set_error(st, "storing raw source from its file");
			rc = -1;
		} else {
			off += (size_t)got;
		}
	}
	free(buf);
	if (sqlite3_blob_close(blob) != SQLITE_OK && rc == 0) {
		set_error(st, "storing raw source from its file");
		rc = -1;
	}
	return rc;
}

/* Themes, form answers, attachments and attachment bytes of response id. */
int storage_put_print(struct storage *st, int64_t id, const struct response *r)
{
	sqlite3_stmt *s = st->stmt[r->campaign_print != NULL ? STMT_PUT_PRINT : STMT_DROP_PRINT];
	sqlite3_bind_int64(s, 1, id);
	if (r->campaign_print != NULL)
		sqlite3_bind_blob(s, 2, r->campaign_print, (int)r->campaign_print_len, SQLITE_STATIC);
	return run(st, s, "storing a campaign print");
}

/* Whether a lead removed theme_id from response id: 1, 0, or -1 on error. */
static int theme_removed(struct storage *st, int64_t id, const char *theme_id)
{
	sqlite3_stmt *s = st->stmt[STMT_THEME_REMOVED];
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, theme_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		set_error(st, "reading a lead's theme corrections");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int insert_children(struct storage *st, int64_t id, const struct response *r)
{
	sqlite3_stmt *s;
	if (storage_put_print(st, id, r) != 0)
		return -1;
	for (size_t i = 0; i < r->n_themes; i++) {
		int removed = theme_removed(st, id, r->themes[i].theme_id);
		if (removed < 0)
			return -1;
		if (removed)
			continue;
		s = st->stmt[STMT_INSERT_THEME];
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, r->themes[i].theme_id);
		sqlite3_bind_double(s, 3, r->themes[i].score);
		bind_text(s, 4, r->themes[i].terms != NULL ? r->themes[i].terms : "");
		if (run(st, s, "storing theme") != 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_answers; i++) {
		const struct form_answer *a = &r->answers[i];
		s = st->stmt[STMT_INSERT_ANSWER];
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, a->question_id);
		bind_text(s, 4, a->question);
		bind_text(s, 5, answer_kind_name(a->kind));
		bind_text(s, 6, a->value != NULL ? a->value : "");
		if (run(st, s, "storing form answer") != 0)
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
	return 0;
}

/* The tombstone of an erased idempotency key: a hash, so that no
 * Message-ID (which may name the sender) outlives the response. */
static void forgotten_hash(const char *idem_key, char hex[65])
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	static const char domain[] = "consultd forgotten key\n";
	g_checksum_update(ck, (const guchar *)domain, sizeof(domain) - 1);
	g_checksum_update(ck, (const guchar *)idem_key, (gssize)strlen(idem_key));
	snprintf(hex, 65, "%s", g_checksum_get_string(ck));
	g_checksum_free(ck);
}

/* 1 when idem_key was forgotten, 0 when not, -1 on error. */
static int is_forgotten(struct storage *st, const char *idem_key)
{
	char hex[65];
	if (idem_key == NULL)
		return 0;
	forgotten_hash(idem_key, hex);
	sqlite3_stmt *s = st->stmt[STMT_FORGOTTEN];
	sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		set_error(st, "checking forgotten keys");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int storage_insert_response(struct storage *st, const struct response *r,
			    int64_t stored_at, bool *inserted, int64_t *id_out)
{
	*inserted = false;
	if (id_out != NULL)
		*id_out = 0;
	int forgotten = is_forgotten(st, r->idem_key);
	if (forgotten != 0)
		return forgotten > 0 ? 0 : -1; /* erased on request: never again */
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
	bind_text(s, 14, respondent_type_name(r->respondent_type));
	bind_text(s, 15, r->organisation);
	bind_text(s, 16, r->area);
	if (run(st, s, "storing response") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		/* Already stored under this idempotency key: say as which. */
		s = st->stmt[STMT_EXISTING_ID];
		bind_text(s, 1, r->idem_key);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW && id_out != NULL)
			*id_out = sqlite3_column_int64(s, 0);
		else if (rc != SQLITE_ROW)
			set_error(st, "finding the stored copy");
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return rc == SQLITE_ROW ? 0 : -1;
	}
	sqlite3_int64 id = sqlite3_last_insert_rowid(st->db);
	if (id_out != NULL)
		*id_out = id;
	if (st->fts_from == 0)
		st->fts_from = id;

	if (insert_children(st, id, r) != 0)
		return -1;
	s = st->stmt[STMT_INSERT_RAW];
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, r->raw_packed != NULL ? "zstd" : "identity");
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->raw_len);
	if (r->raw_in_file)
		sqlite3_bind_zeroblob64(s, 4, r->raw_len);
	else if (r->raw_packed != NULL)
		sqlite3_bind_blob64(s, 4, r->raw_packed, r->raw_packed_len, SQLITE_STATIC);
	else
		sqlite3_bind_blob64(s, 4, r->raw != NULL ? (const void *)r->raw : "", r->raw_len,
				    SQLITE_STATIC);
	if (run(st, s, "storing raw source") != 0 ||
	    (r->raw_in_file && copy_raw_file(st, id, r->raw_file, r->raw_len) != 0))
		return -1;
	*inserted = true;
	/* Outside a transaction the insert is already committed: index it. */
	return sqlite3_get_autocommit(st->db) ? fts_flush(st) : 0;
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

/* Read response id's raw source, as received, into r->raw (NUL-terminated)
 * and raw_len: unpacked if it was stored packed. A response without one
 * (purged) is left without. Returns 0, or -1 with the reason in errmsg. */
static int load_raw(struct storage *st, sqlite3_stmt *q, int64_t id, struct response *r)
{
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		set_error(st, "reading a raw source");
		return -1;
	}
	size_t len = (size_t)sqlite3_column_bytes(q, 0);
	const void *bytes = sqlite3_column_blob(q, 0);
	const char *encoding = (const char *)sqlite3_column_text(q, 1);
	if (bytes == NULL && len > 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
		return -1;
	}
	if (encoding != NULL && strcmp(encoding, "zstd") == 0) {
		sqlite3_int64 size = sqlite3_column_int64(q, 2);
		char why[160] = "packed raw source with a negative size";
		if (size >= 0)
			r->raw = raw_unpack(bytes, len, (size_t)size, why, sizeof(why));
		if (r->raw == NULL) {
			char ref[32];
			storage_format_ref(id, ref, sizeof(ref));
			snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", ref, why);
			return -1;
		}
		r->raw_len = (size_t)size;
		return 0;
	}
	r->raw = malloc(len + 1);
	if (r->raw == NULL) {
		snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
		return -1;
	}
	if (len > 0)
		memcpy(r->raw, bytes, len);
	r->raw[len] = 0;
	r->raw_len = len;
	return 0;
}

/* The form answers of response id into r; -1 when out of memory or on a
 * read error. */
static int load_answers(sqlite3_stmt *ans, int64_t id, struct response *r)
{
	size_t cap = 0;
	bool oom = false;
	int rc;
	sqlite3_bind_int64(ans, 1, id);
	while ((rc = sqlite3_step(ans)) == SQLITE_ROW) {
		if (r->n_answers == cap) {
			cap = cap ? cap * 2 : 4;
			void *p = realloc(r->answers, cap * sizeof(*r->answers));
			if (p == NULL) {
				oom = true;
				break;
			}
			r->answers = p;
		}
		struct form_answer *a = &r->answers[r->n_answers++];
		a->question_id = column_dup(ans, 0, &oom);
		a->question = column_dup(ans, 1, &oom);
		const char *k = (const char *)sqlite3_column_text(ans, 2);
		a->kind = k != NULL && strcmp(k, "text") == 0     ? ANSWER_TEXT
			  : k != NULL && strcmp(k, "choice") == 0 ? ANSWER_CHOICE
								  : ANSWER_OTHER;
		a->value = column_dup(ans, 3, &oom);
		if (oom)
			break;
	}
	sqlite3_reset(ans);
	return oom || (rc != SQLITE_ROW && rc != SQLITE_DONE) ? -1 : 0;
}

int storage_visit(struct storage *st, const struct storage_filter *f, storage_response_fn fn,
		  void *user)
{
	sqlite3_stmt *s = NULL, *th = NULL, *at = NULL, *raw = NULL, *ans = NULL;
	int ret = -1;
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT id, channel, status, status_reason, source_id, message_id,"
		 " idem_key, received_at, late, sender_name, sender_email, subject, text,"
		 " respondent_type, organisation, area"
		 " FROM responses WHERE %s AND (?2 IS NULL OR status = ?2)"
		 " AND (?3 IS NULL OR respondent_key = lower(?3) OR lower(sender_email) = lower(?3))"
		 " ORDER BY id",
		 /* "?1 = 0 OR id = ?1" would scan the table: one response is
		  * looked up by its key. */
		 f != NULL && f->id != 0 ? "id = ?1" : "?1 = 0");
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT theme_id, score, terms FROM response_themes"
			       " WHERE response_id = ? ORDER BY score DESC, theme_id", -1, &th,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT filename, content_type, size, sha256, text, text_error FROM attachments"
			       " WHERE response_id = ? ORDER BY idx", -1, &at, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT raw, encoding, size FROM raw_sources WHERE response_id = ?", -1, &raw,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT question_id, question, kind, value FROM form_answers"
			       " WHERE response_id = ? ORDER BY idx", -1, &ans, NULL) != SQLITE_OK) {
		set_error(st, "preparing to read responses");
		goto out;
	}
	sqlite3_bind_int64(s, 1, f != NULL ? f->id : 0);
	if (f != NULL && f->status_only)
		sqlite3_bind_text(s, 2, response_status_name(f->status), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	bind_text(s, 3, f != NULL ? f->sender_email : NULL);
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
		const char *rt = (const char *)sqlite3_column_text(s, 13);
		r.respondent_type = rt == NULL ? RESPONDENT_UNKNOWN
			: strcmp(rt, "organisation") == 0 ? RESPONDENT_ORGANISATION
							 : RESPONDENT_INDIVIDUAL;
		r.organisation = column_dup(s, 14, &oom);
		r.area = column_dup(s, 15, &oom);
		if (!oom && load_answers(ans, id, &r) != 0)
			oom = true;
		if (!oom && f != NULL && f->with_raw) {
			sqlite3_bind_int64(raw, 1, id);
			int got = load_raw(st, raw, id, &r);
			sqlite3_reset(raw);
			if (got != 0) {
				response_clear(&r);
				goto out;
			}
		}
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
	sqlite3_finalize(raw);
	sqlite3_finalize(ans);
	return ret;
}

int storage_foreach_response(struct storage *st, storage_response_fn fn, void *user)
{
	return storage_visit(st, NULL, fn, user);
}

int64_t storage_parse_ref(const char *ref)
{
	const char *p = ref;
	if ((p[0] == 'R' || p[0] == 'r') && p[1] == '-')
		p += 2;
	if (*p < '0' || *p > '9')
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return 0;
	return (int64_t)v;
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

static void bind_uid(sqlite3_stmt *s, const char *source, uint32_t uidvalidity, uint32_t uid,
		     int64_t response_id)
{
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	if (response_id > 0)
		sqlite3_bind_int64(s, 4, response_id);
	else
		sqlite3_bind_null(s, 4); /* a forgotten response's mail */
}

int storage_record_uid(struct storage *st, const char *source, uint32_t uidvalidity,
		       uint32_t uid, int64_t response_id)
{
	sqlite3_stmt *s = st->stmt[STMT_RECORD_UID];
	bind_uid(s, source, uidvalidity, uid, response_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE || sqlite3_extended_errcode(st->db) != SQLITE_CONSTRAINT_PRIMARYKEY)
		return finish(st, s, rc, "recording a mailbox UID");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	s = st->stmt[STMT_REPOINT_UID];
	bind_uid(s, source, uidvalidity, uid, response_id);
	return run(st, s, "recording a mailbox UID");
}

int storage_note_poll(struct storage *st, const char *source, int64_t now)
{
	sqlite3_stmt *s = st->stmt[STMT_NOTE_POLL];
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, now);
	return run(st, s, "noting a poll");
}

int storage_note_error(struct storage *st, const char *source, int64_t now, const char *error)
{
	sqlite3_stmt *s = st->stmt[STMT_NOTE_ERROR];
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, now);
	bind_text(s, 3, error);
	return run(st, s, "noting an error");
}

#define RECONCILE_SAMPLE 20 /* missing UIDs kept for status */

int storage_reconcile(struct storage *st, const char *source, uint32_t uidvalidity,
		      const uint32_t *server_uids, size_t n, uint32_t upto, int64_t now,
		      uint32_t **missing, size_t *n_missing, int64_t *gone)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;
	*missing = NULL;
	*n_missing = 0;
	*gone = 0;
	uint32_t *miss = malloc((n ? n : 1) * sizeof(*miss));
	if (miss == NULL) {
		snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
		return -1;
	}
	/* Walk the recorded UIDs (in order) beside the server's (in order). */
	if (sqlite3_prepare_v2(st->db,
			       "SELECT uid FROM imap_uids WHERE source = ? AND uidvalidity = ?"
			       " AND uid <= ? ORDER BY uid", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "reconciling");
		goto out;
	}
	bind_text(s, 1, source);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, upto);
	size_t i = 0, nm = 0;
	int64_t server_upto = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint32_t rec = (uint32_t)sqlite3_column_int64(s, 0);
		while (i < n && server_uids[i] < rec) {
			if (server_uids[i] <= upto)
				miss[nm++] = server_uids[i];
			i++;
		}
		if (i < n && server_uids[i] == rec)
			i++;
		else
			(*gone)++;
	}
	if (rc != SQLITE_DONE) {
		set_error(st, "reconciling");
		goto out;
	}
	for (; i < n; i++)
		if (server_uids[i] <= upto)
			miss[nm++] = server_uids[i];
	for (size_t k = 0; k < n; k++)
		server_upto += server_uids[k] <= upto;
	sqlite3_finalize(s);
	s = NULL;

	char sample[RECONCILE_SAMPLE * 11 + 1] = "";
	size_t used = 0;
	for (size_t k = 0; k < nm && k < RECONCILE_SAMPLE; k++)
		used += (size_t)snprintf(sample + used, sizeof(sample) - used, "%s%u", k ? "," : "",
					 (unsigned)miss[k]);
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE intake_state SET reconciled_at = ?, server_count = ?,"
			       " missing_count = ?, missing_uids = ? WHERE source = ?", -1, &s,
			       NULL) != SQLITE_OK) {
		set_error(st, "saving the reconciliation");
		goto out;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, server_upto);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)nm);
	if (nm > 0)
		sqlite3_bind_text(s, 4, sample, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 4);
	bind_text(s, 5, source);
	if (sqlite3_step(s) != SQLITE_DONE) {
		set_error(st, "saving the reconciliation");
		goto out;
	}
	*missing = miss;
	*n_missing = nm;
	miss = NULL;
	ret = 0;
out:
	sqlite3_finalize(s);
	free(miss);
	return ret;
}

int storage_sources(struct storage *st, struct storage_source **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT source, uidvalidity, last_uid, updated_at, last_poll_at,"
			       " last_error_at, reconciled_at, last_error, server_count, missing_count,"
			       " missing_uids, (SELECT count(*) FROM imap_uids u WHERE u.source ="
			       " i.source AND u.uidvalidity = i.uidvalidity)"
			       " FROM intake_state i ORDER BY source", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "listing sources");
		return -1;
	}
	size_t cap = 0;
	int rc;
	bool oom = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			void *p = realloc(*out, cap * sizeof(**out));
			if (p == NULL) {
				oom = true;
				break;
			}
			*out = p;
		}
		struct storage_source *v = &(*out)[(*n)++];
		memset(v, 0, sizeof(*v));
		v->source = column_dup(s, 0, &oom);
		v->uidvalidity = (uint32_t)sqlite3_column_int64(s, 1);
		v->last_uid = (uint32_t)sqlite3_column_int64(s, 2);
		v->updated_at = sqlite3_column_int64(s, 3);
		v->last_poll_at = sqlite3_column_int64(s, 4);
		v->last_error_at = sqlite3_column_int64(s, 5);
		v->reconciled_at = sqlite3_column_int64(s, 6);
		v->last_error = column_dup(s, 7, &oom);
		v->server_count = sqlite3_column_int64(s, 8);
		v->missing_count = sqlite3_column_int64(s, 9);
		v->missing_uids = column_dup(s, 10, &oom);
		v->stored = sqlite3_column_int64(s, 11);
		if (oom)
			break;
	}
	sqlite3_finalize(s);
	if (oom || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
		if (oom)
			snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
		else
			set_error(st, "listing sources");
		storage_sources_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void storage_sources_free(struct storage_source *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].source);
		free(v[i].last_error);
		free(v[i].missing_uids);
	}
	free(v);
}

int storage_replace_parsed(struct storage *st, int64_t id, const struct response *r)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;
	if (fts_flush(st) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE responses SET status = ?, status_reason = ?, message_id = ?,"
			       " sender_name = ?, sender_email = ?, subject = ?, text = ?,"
			       " respondent_type = ?9, organisation = ?10, area = ?11,"
			       " respondent_key = lower(?5) WHERE id = ?8",
			       -1, &s, NULL) != SQLITE_OK)
		goto failed;
	bind_text(s, 1, response_status_name(r->status));
	bind_text(s, 2, r->status_reason);
	bind_text(s, 3, r->message_id);
	bind_text(s, 4, r->sender_name);
	bind_text(s, 5, r->sender_email);
	bind_text(s, 6, r->subject);
	bind_text(s, 7, r->text != NULL ? r->text : "");
	sqlite3_bind_int64(s, 8, id);
	bind_text(s, 9, respondent_type_name(r->respondent_type));
	bind_text(s, 10, r->organisation);
	bind_text(s, 11, r->area);
	if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(st->db) != 1)
		goto failed;
	sqlite3_finalize(s);
	s = NULL;
	char sql[256];
	/* A lead's manual themes stay; only automatic ones are replaced. */
	snprintf(sql, sizeof(sql),
		 "DELETE FROM response_themes WHERE response_id = %lld AND origin = 'auto';"
		 "DELETE FROM form_answers WHERE response_id = %lld;"
		 "DELETE FROM attachments WHERE response_id = %lld;", (long long)id, (long long)id,
		 (long long)id);
	if (exec(st, sql) != 0)
		return -1;
	return insert_children(st, id, r);
failed:
	set_error(st, "replacing a response");
	sqlite3_finalize(s);
	return ret;
}

/* ---- personal data ---------------------------------------------------- */

static int audit(struct storage *st, int64_t now, const char *action, int64_t count)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO audit(at, action, count) VALUES(?,?,?)", -1, &s,
			       NULL) != SQLITE_OK) {
		set_error(st, "writing the audit log");
		return -1;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, count);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		set_error(st, "writing the audit log");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Cascades are what erase a response's dependants: refuse to run without. */
static int foreign_keys_on(struct storage *st)
{
	sqlite3_stmt *s;
	int on = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_keys", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		on = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (!on)
		snprintf(st->errmsg, sizeof(st->errmsg), "foreign keys are off on this connection");
	return on ? 0 : -1;
}

/* A respondent by address: their email and form responses share the
 * respondent key (the lower-cased address). */
#define RESPONDENT_IS "(respondent_key = lower(?1) OR lower(sender_email) = lower(?1))"

static int forget_in_txn(struct storage *st, const char *email, int64_t now, int64_t *erased)
{
	sqlite3_stmt *s = NULL, *ins = NULL;
	int ret = -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT idem_key FROM responses WHERE " RESPONDENT_IS,
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO forgotten(key_hash) VALUES(?)", -1,
			       &ins, NULL) != SQLITE_OK) {
		set_error(st, "forgetting");
		goto out;
	}
	sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 0);
		char hex[65];
		forgotten_hash(key != NULL ? key : "", hex);
		sqlite3_bind_text(ins, 1, hex, -1, SQLITE_TRANSIENT);
		if (run(st, ins, "keeping a forgotten key") != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		set_error(st, "forgetting");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "DELETE FROM responses WHERE " RESPONDENT_IS,
			       -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "forgetting");
		goto out;
	}
	sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		set_error(st, "erasing responses");
		goto out;
	}
	*erased = sqlite3_changes(st->db);
	if (exec(st, "DELETE FROM attachment_blobs WHERE sha256 NOT IN"
		     " (SELECT sha256 FROM attachments)") != 0)
		goto out;
	/* FTS5 deletes by adding tombstones: the erased words would stay in
	 * the older index segments until some later merge. Merging all of
	 * them now frees those pages, and secure_delete zeroes them. */
	if (*erased > 0 && exec(st, "INSERT INTO response_fts(response_fts) VALUES('optimize')") != 0)
		goto out;
	ret = audit(st, now, "forget", *erased);
out:
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	return ret;
}

/*
 * Copy the WAL into the file and empty it, so the pages that held erased
 * data before (still in old WAL frames) are gone too. Best effort: while
 * another connection reads, the WAL is emptied at a later checkpoint.
 */
static void checkpoint(struct storage *st)
{
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

int storage_forget(struct storage *st, const char *email, int64_t now, int64_t *erased)
{
	*erased = 0;
	/* secure_delete: the erased rows are overwritten with zeros, not left
	 * readable in free pages of the file. */
	if (foreign_keys_on(st) != 0 || exec(st, "PRAGMA secure_delete = ON") != 0 ||
	    storage_begin(st) != 0)
		return -1;
	if (forget_in_txn(st, email, now, erased) != 0) {
		storage_rollback(st);
		*erased = 0;
		return -1;
	}
	if (storage_commit(st) != 0) {
		storage_rollback(st);
		*erased = 0;
		return -1;
	}
	checkpoint(st);
	return 0;
}

static int purge_in_txn(struct storage *st, int64_t now, int limit, int64_t *raw, int64_t *blobs)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "DELETE FROM raw_sources WHERE response_id IN"
		 " (SELECT response_id FROM raw_sources LIMIT %d)", limit);
	if (exec(st, sql) != 0)
		return -1;
	*raw = sqlite3_changes(st->db);
	snprintf(sql, sizeof(sql), "DELETE FROM attachment_blobs WHERE sha256 IN"
		 " (SELECT sha256 FROM attachment_blobs LIMIT %d)", limit);
	if (exec(st, sql) != 0)
		return -1;
	*blobs = sqlite3_changes(st->db);
	if (*raw > 0 && audit(st, now, "purge-raw", *raw) != 0)
		return -1;
	if (*blobs > 0 && audit(st, now, "purge-attachments", *blobs) != 0)
		return -1;
	return 0;
}

int storage_purge(struct storage *st, int64_t now, int limit, int64_t *raw, int64_t *blobs)
{
	*raw = *blobs = 0;
	if (limit <= 0)
		limit = 1;
	if (exec(st, "PRAGMA secure_delete = ON") != 0 || storage_begin(st) != 0)
		return -1;
	if (purge_in_txn(st, now, limit, raw, blobs) != 0 || storage_commit(st) != 0) {
		storage_rollback(st);
		*raw = *blobs = 0;
		return -1;
	}
	if (*raw < limit && *blobs < limit && (*raw > 0 || *blobs > 0))
		checkpoint(st); /* the last batch */
	return 0;
}

/* ---- web forms ---------------------------------------------------------- */

int storage_get_form_state(struct storage *st, const char *source, struct storage_form_state *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT cursor, since, etag, etag_url, updated_at FROM form_state"
			       " WHERE source = ?", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "reading a form cursor");
		return -1;
	}
	bind_text(s, 1, source);
	int rc = sqlite3_step(s);
	bool oom = false;
	if (rc == SQLITE_ROW) {
		out->cursor = column_dup(s, 0, &oom);
		out->since = sqlite3_column_int64(s, 1);
		out->etag = column_dup(s, 2, &oom);
		out->etag_url = column_dup(s, 3, &oom);
		out->updated_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (oom || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		if (oom)
			snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
		else
			set_error(st, "reading a form cursor");
		storage_form_state_clear(out);
		return -1;
	}
	return 0;
}

int storage_set_form_state(struct storage *st, const char *source,
			   const struct storage_form_state *v, int64_t now)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO form_state(source, cursor, since, etag, etag_url,"
			       " updated_at) VALUES(?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "saving a form cursor");
		return -1;
	}
	bind_text(s, 1, source);
	bind_text(s, 2, v->cursor);
	sqlite3_bind_int64(s, 3, v->since);
	bind_text(s, 4, v->etag);
	bind_text(s, 5, v->etag_url);
	sqlite3_bind_int64(s, 6, now);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		set_error(st, "saving a form cursor");
		return -1;
	}
	return 0;
}

void storage_form_state_clear(struct storage_form_state *s)
{
	free(s->cursor);
	free(s->etag);
	free(s->etag_url);
	memset(s, 0, sizeof(*s));
}

int storage_form_version(struct storage *st, int64_t id, const char *version,
			 const struct response *r, bool inserted, int64_t now, bool *edited)
{
	*edited = false;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT version FROM form_versions WHERE response_id = ?"
			       " ORDER BY rowid DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		goto failed;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	bool same = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), version) == 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto failed;
	if (same)
		return 0;
	/* Not known: the first version when r was just stored, else an edit
	 * (also of an item that was once quarantined). */
	bool fresh = inserted;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO form_versions(response_id, version, recorded_at, edit,"
			       " previous_text) SELECT ?1, ?2, ?3, ?4,"
			       " CASE WHEN ?4 THEN text END FROM responses WHERE id = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		goto failed;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, version);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int(s, 4, fresh ? 0 : 1);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto failed;
	if (fresh)
		return 0;
	if (storage_replace_parsed(st, id, r) != 0)
		return -1;
	*edited = true;
	return 0;
failed:
	set_error(st, "recording a form response version");
	return -1;
}

int storage_form_edits(struct storage *st, int64_t id, int64_t *edits)
{
	sqlite3_stmt *s;
	*edits = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM form_versions WHERE response_id = ? AND edit",
			       -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "counting edits");
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		*edits = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int storage_receipt_of(struct storage *st, int64_t id, struct storage_receipt *out, bool *found)
{
	memset(out, 0, sizeof(*out));
	*found = false;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT recipient, state, message, last_error, attempts, created_at,"
			       " coalesce(sent_at, 0) FROM outbox WHERE response_id = ?",
			       -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "reading the receipt");
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	bool oom = false;
	if (rc == SQLITE_ROW) {
		*found = true;
		out->recipient = column_dup(s, 0, &oom);
		out->state = column_dup(s, 1, &oom);
		out->message = column_dup(s, 2, &oom);
		out->last_error = column_dup(s, 3, &oom);
		out->attempts = sqlite3_column_int64(s, 4);
		out->created_at = sqlite3_column_int64(s, 5);
		out->sent_at = sqlite3_column_int64(s, 6);
	}
	sqlite3_finalize(s);
	if (oom || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		if (oom)
			snprintf(st->errmsg, sizeof(st->errmsg), "reading the receipt: out of memory");
		else
			set_error(st, "reading the receipt");
		storage_receipt_clear(out);
		*found = false;
		return -1;
	}
	return 0;
}

void storage_receipt_clear(struct storage_receipt *r)
{
	free(r->recipient);
	free(r->state);
	free(r->message);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

int storage_form_history(struct storage *st, int64_t id, struct storage_form_version_row **rows,
			 size_t *n)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT version, recorded_at, edit, previous_text FROM form_versions"
			       " WHERE response_id = ? ORDER BY rowid",
			       -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "reading the form versions");
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	struct storage_form_version_row *v = NULL;
	size_t len = 0, cap = 0;
	bool oom = false;
	int rc = SQLITE_DONE;
	while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			void *p = realloc(v, ncap * sizeof(*v));
			if (p == NULL) {
				oom = true;
				break;
			}
			v = p;
			cap = ncap;
		}
		struct storage_form_version_row *row = &v[len++];
		row->version = column_dup(s, 0, &oom);
		row->recorded_at = sqlite3_column_int64(s, 1);
		row->edit = sqlite3_column_int(s, 2) != 0;
		row->previous_text = column_dup(s, 3, &oom);
	}
	sqlite3_finalize(s);
	if (oom || rc != SQLITE_DONE) {
		if (oom)
			snprintf(st->errmsg, sizeof(st->errmsg), "reading the form versions: out of memory");
		else
			set_error(st, "reading the form versions");
		storage_form_history_free(v, len);
		return -1;
	}
	*rows = v;
	*n = len;
	return 0;
}

void storage_form_history_free(struct storage_form_version_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].version);
		free(rows[i].previous_text);
	}
	free(rows);
}

int storage_same_respondent(struct storage *st, int64_t id, char **refs)
{
	*refs = NULL;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT o.id FROM responses r JOIN responses o"
			       " ON o.respondent_key = r.respondent_key AND o.id <> r.id"
			       " WHERE r.id = ? ORDER BY o.id LIMIT 100", -1, &s, NULL) != SQLITE_OK) {
		set_error(st, "finding the respondent's other responses");
		return -1;
	}
	sqlite3_bind_int64(s, 1, id);
	size_t len = 0;
	char *out = NULL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char ref[32];
		storage_format_ref(sqlite3_column_int64(s, 0), ref, sizeof(ref));
		char *p = realloc(out, len + strlen(ref) + 2);
		if (p == NULL) {
			free(out);
			sqlite3_finalize(s);
			snprintf(st->errmsg, sizeof(st->errmsg), "out of memory");
			return -1;
		}
		out = p;
		len += (size_t)sprintf(out + len, "%s%s", len ? "," : "", ref);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(out);
		set_error(st, "finding the respondent's other responses");
		return -1;
	}
	*refs = out;
	return 0;
}

int storage_multi_channel_respondents(struct storage *st, int64_t *n)
{
	bool failed = false;
	*n = scalar(st,
		    "SELECT count(*) FROM (SELECT respondent_key FROM responses"
		    " WHERE status = 'response' AND respondent_key IS NOT NULL"
		    " GROUP BY respondent_key HAVING count(DISTINCT channel) > 1)",
		    &failed);
	return failed ? -1 : 0;
}
