/*
 * storage.h — the SQLite store: responses, their themes and raw sources,
 * and the intake state of each source.
 *
 * One read-write connection belongs to the daemon's loop thread; consultctl
 * and report workers open their own read-only connections. The database
 * runs in WAL mode with synchronous=FULL, because mail is flagged on the
 * server right after a commit and a commit must survive power loss. The
 * schema is versioned with PRAGMA user_version and migrated on open.
 *
 * Errors: functions return 0 on success and -1 on failure; storage_errmsg()
 * then says why. Nothing here logs.
 */
#ifndef CONSULTD_STORAGE_H
#define CONSULTD_STORAGE_H

#include "intake/response.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORAGE_SCHEMA_VERSION 11

struct storage;

enum storage_mode { STORAGE_READ_WRITE, STORAGE_READ_ONLY };

/*
 * Open (creating and migrating when read-write) the database at path. The
 * file is created private to the user (0600). On failure returns -1 with
 * *out NULL and the reason in err.
 */
int storage_open(const char *path, enum storage_mode mode, struct storage **out,
		 char *err, size_t errlen);
void storage_close(struct storage *st); /* accepts NULL */
const char *storage_errmsg(const struct storage *st);
int storage_schema_version(struct storage *st);

/* The connection itself, for modules that keep their own tables in the
 * store (receipts/outbox.c) and the report and search modules' read-only
 * aggregate queries. Owned by st, never closed by callers; same thread
 * rules as st. */
struct sqlite3;
struct sqlite3 *storage_db(struct storage *st);
/* Make storage_errmsg say "what: <SQLite's last error>". */
void storage_set_error(struct storage *st, const char *what);

/*
 * A consistent copy of the whole store at dest (which must not exist; it is
 * created 0600), with SQLite's online backup: safe while consultd writes.
 * Before migrating a store written by an older consultd, storage_open makes
 * such a copy beside it, named PATH.schema-vN.bak.
 */
int storage_backup(struct storage *st, const char *dest);

int storage_begin(struct storage *st);
int storage_commit(struct storage *st);
void storage_rollback(struct storage *st);

/*
 * Store r (with its themes, attachments and raw source) unless a response
 * with the same idem_key is already stored. *inserted tells which; *id
 * (may be NULL) gets the id of the new row, or of the stored copy. Must be
 * called inside storage_begin/commit. r->idem_key must be set. Attachment
 * text and text_error go to attachments; the bytes of each attachment
 * that has data go to attachment_blobs under their sha256, once however
 * often the same file arrives.
 */
int storage_insert_response(struct storage *st, const struct response *r,
			    int64_t stored_at, bool *inserted, int64_t *id);

/*
 * Replace what parsing and classifying made of response id (status,
 * reason, Message-ID, sender, subject, text, themes, attachments) by r's,
 * keeping its reference, key, source, times and raw source: for
 * re-parsing quarantined mail. Inside a transaction.
 */
int storage_replace_parsed(struct storage *st, int64_t id, const struct response *r);

/* Record that mailbox UID (of source and uidvalidity) is stored as
 * response_id. Inside the transaction that stored it. */
int storage_record_uid(struct storage *st, const char *source, uint32_t uidvalidity,
		       uint32_t uid, int64_t response_id);

/* A source's last good pass, or its last error. */
int storage_note_poll(struct storage *st, const char *source, int64_t now);
int storage_note_error(struct storage *st, const char *source, int64_t now, const char *error);

/*
 * Reconcile a mailbox with the store: server_uids (ascending) are the UIDs
 * the server holds; `upto` is the highest stored. Fills *missing with those
 * up to `upto` never recorded as stored (caller frees; *n_missing of them)
 * and *gone with how many recorded UIDs the server no longer holds (moved
 * or deleted there), and saves the result for consultctl status.
 */
int storage_reconcile(struct storage *st, const char *source, uint32_t uidvalidity,
		      const uint32_t *server_uids, size_t n, uint32_t upto, int64_t now,
		      uint32_t **missing, size_t *n_missing, int64_t *gone);

/* What consultctl status shows of each source. */
struct storage_source {
	char *source;
	uint32_t uidvalidity, last_uid;
	int64_t updated_at, last_poll_at, last_error_at, reconciled_at; /* 0: never */
	char *last_error;       /* or NULL */
	int64_t stored;         /* UIDs recorded as stored (this UIDVALIDITY) */
	int64_t server_count, missing_count; /* at the last reconciliation */
	char *missing_uids;     /* "12,15,..." (at most 20), or NULL */
};

/* Every source, in name order; caller frees with storage_sources_free. */
int storage_sources(struct storage *st, struct storage_source **out, size_t *n);
void storage_sources_free(struct storage_source *v, size_t n);

/*
 * IMAP intake state of a source ("imap:user@host/mailbox"): the mailbox's
 * UIDVALIDITY and the highest UID stored. get returns 0 and fills both
 * (zeros when the source was never seen).
 */
int storage_get_imap_state(struct storage *st, const char *source,
			   uint32_t *uidvalidity, uint32_t *last_uid);
int storage_set_imap_state(struct storage *st, const char *source,
			   uint32_t uidvalidity, uint32_t last_uid, int64_t now);

/* Reference shown to respondents and leads, e.g. "R-000042". */
void storage_format_ref(int64_t id, char *buf, size_t len);

/*
 * Call fn for every stored response in id order, with a response filled
 * from the store (raw left empty) and its reference. fn returns 0 to go on;
 * a non-zero return stops and is returned. One response is in memory at a
 * time.
 */
typedef int (*storage_response_fn)(void *user, const char *ref, const struct response *r);
int storage_foreach_response(struct storage *st, storage_response_fn fn, void *user);

/* Which responses storage_visit calls fn for (zeroed: all, without raw). */
struct storage_filter {
	int64_t id;                  /* only this one, or 0 */
	bool status_only;            /* only those of `status` */
	enum response_status status;
	bool with_raw;               /* fill r->raw (NUL-terminated) and raw_len */
	const char *sender_email;    /* only this respondent (by respondent key or
				      * sender address, ASCII case ignored), or NULL */
};
int storage_visit(struct storage *st, const struct storage_filter *f, storage_response_fn fn,
		  void *user);

/* "R-000042" or "42" to 42; 0 when it is not a reference. */
int64_t storage_parse_ref(const char *ref);

/* Counts the summary is built from. */
struct storage_theme_count {
	char *theme_id;
	int64_t responses;
};

struct storage_day_count {
	char day[11];           /* YYYY-MM-DD, UTC */
	int64_t responses;      /* counted responses received that day */
	int64_t late;
};

struct storage_stats {
	int64_t stored;         /* every row, whatever its status */
	int64_t counted;        /* status "response" */
	int64_t by_channel[3];  /* counted, indexed by enum response_channel */
	int64_t late;           /* counted and late */
	int64_t auto_replies;
	int64_t bounces;
	int64_t quarantined;
	int64_t lists;          /* mailing-list traffic: kept, not counted */
	int64_t no_theme;       /* counted with no theme */
	struct storage_theme_count *themes; /* counted per theme, most first */
	size_t n_themes;
	struct storage_day_count *days;     /* counted per day, in order */
	size_t n_days;
};

int storage_stats(struct storage *st, struct storage_stats *out);
void storage_stats_clear(struct storage_stats *s);

/* ---- personal data ---------------------------------------------------- */

/*
 * Erase every response of the respondent with address email (its
 * respondent key, or its sender address with ASCII case ignored), in one
 * transaction of its own: the rows go, and with them
 * (ON DELETE CASCADE) their themes, attachments, raw source and whatever
 * else references a response; attachment bytes no other response uses
 * are deleted. The mailbox UIDs they were stored from stay recorded with
 * no response, so reconciliation still counts them, and a hash of each
 * idempotency key is kept so the same mail is never stored again (a
 * mailbox read afresh after a UIDVALIDITY change skips it). An audit row
 * (time, "forget", how many) records it with no personal data. Needs a
 * read-write store; *erased gets the number of responses (0 is not an
 * error).
 */
int storage_forget(struct storage *st, const char *email, int64_t now, int64_t *erased);

/*
 * Retention: delete up to `limit` raw sources and up to `limit` attachment
 * blobs, in one transaction, keeping the extracted text, attachment text
 * and themes. *raw and *blobs get how many went; fewer than `limit` of
 * both means nothing is left. Each kind purged leaves an audit row
 * ("purge-raw", "purge-attachments"). Whether retention is due is the
 * caller's business (window_purge_at).
 */
int storage_purge(struct storage *st, int64_t now, int limit, int64_t *raw, int64_t *blobs);
/* ---- web forms ---- */

/* A form source's cursor (see intake/form.h). Strings owned. */
struct storage_form_state {
	char *cursor;           /* provider paging cursor to resume from, or NULL */
	int64_t since;          /* submissions at or after this are asked for, 0: from opens */
	char *etag, *etag_url;  /* the last ETag and the URL it came from, or NULL */
	int64_t updated_at;
};

/* Zeroes *out when the source was never polled. */
int storage_get_form_state(struct storage *st, const char *source, struct storage_form_state *out);
/* Inside the transaction that stores the page the state covers. */
int storage_set_form_state(struct storage *st, const char *source,
			   const struct storage_form_state *s, int64_t now);
void storage_form_state_clear(struct storage_form_state *s);

/*
 * A form response id was seen at provider version `version` with content
 * r; `inserted` says whether r was just stored as id. When it was, the
 * version is noted as the first (*edited false). When the version differs from the last recorded one, the
 * response's text, answers and themes are replaced by r's (its reference,
 * key and received time stay) and the edit is recorded with the text it
 * replaced (*edited true). The same version again changes nothing. Inside
 * a transaction.
 */
int storage_form_version(struct storage *st, int64_t id, const char *version,
			 const struct response *r, bool inserted, int64_t now, bool *edited);

/* How many times response id was edited (0 for mail). */
int storage_form_edits(struct storage *st, int64_t id, int64_t *edits);

/* Subject access: the receipt of response id and the versions of a form
 * response, as stored. Strings are owned by the struct; clear with the
 * matching function. */
struct storage_receipt {
	char *recipient, *state, *message, *last_error; /* message: the receipt as sent */
	int64_t attempts, created_at, sent_at;           /* sent_at 0 when not sent */
};
/* *found false (and *out zeroed) when the response has no receipt. */
int storage_receipt_of(struct storage *st, int64_t id, struct storage_receipt *out, bool *found);
void storage_receipt_clear(struct storage_receipt *r);

struct storage_form_version_row {
	char *version;          /* the provider's version (Google lastSubmittedTime) */
	int64_t recorded_at;
	bool edit;              /* false: the first version seen */
	char *previous_text;    /* an edit: the text it replaced; else NULL */
};
/* Every version of form response id, oldest first (*n 0 for mail). */
int storage_form_history(struct storage *st, int64_t id, struct storage_form_version_row **rows,
			 size_t *n);
void storage_form_history_free(struct storage_form_version_row *rows, size_t n);

/* How many respondents (respondent_key) have counted responses in more than
 * one channel, e.g. by email and by web form. */
int storage_multi_channel_respondents(struct storage *st, int64_t *n);

/* References of the other responses with the same respondent_key as id,
 * comma separated ("R-000003,R-000010"), or NULL; caller frees. */
int storage_same_respondent(struct storage *st, int64_t id, char **refs);

/* ---- corrections, reclassification and campaigns (storage/labels.c) ---- */

/*
 * A lead's correction of response id: theme_id present (added by hand,
 * origin 'manual') or absent (removed, and never added back by automatic
 * classification). Recorded in manual_labels with `now`. Inside a
 * transaction. Fails when there is no such response.
 */
int storage_retag(struct storage *st, int64_t id, const char *theme_id, bool present,
		  int64_t now);

/*
 * Replace what automatic classification made of response id by r's:
 * respondent_type, organisation, area and the automatic themes (a lead's
 * manual themes and removals stay in force). Inside a transaction.
 */
int storage_set_classified(struct storage *st, int64_t id, const struct response *r);

/* Ids of the responses a lead has corrected (with at least one manual
 * label), ascending; caller frees *ids. */
int storage_labelled_ids(struct storage *st, int64_t **ids, size_t *n);

/* The manual labels of response id as "+theme -theme ..." in theme order
 * (caller frees), or NULL in *out when there are none. */
int storage_manual_summary(struct storage *st, int64_t id, char **out);

/* What campaign detection reads of a counted response (status
 * "response"): print is its stored campaign print (campaign.h), NULL when
 * it has none (its text is then read with storage_response_text). All
 * borrowed until the callback returns. */
struct storage_text {
	int64_t id;
	const char *respondent_key; /* may be NULL */
	int64_t received_at;
	const void *print;
	size_t print_len;
};
/* Calls fn for every counted response in id order, with the store (st may
 * be used for other reads meanwhile, e.g. storage_response_text). Stops at
 * fn's first nonzero return and returns it; -1 on a storage error. */
typedef int (*storage_text_fn)(void *user, const struct storage_text *row, struct storage *st);
int storage_foreach_text(struct storage *st, storage_text_fn fn, void *user);

/* The stored text of response id in *text (caller frees). 0, or -1. */
int storage_response_text(struct storage *st, int64_t id, char **text);

/* One response's place in the campaigns: campaign (index into the
 * campaigns array, or -1) and duplicate_of (a response id, or 0). */
struct storage_campaign_member {
	int64_t id;
	long campaign;
	int64_t duplicate_of;
};
struct storage_campaign {
	int64_t size, first_at, last_at, representative_id;
};

/*
 * Replace every campaign and every response's campaign_id and duplicate_of
 * by these, in one transaction of its own. Responses not in members get
 * neither. Campaigns are numbered 1..n_c in the order given. Only the
 * responses whose campaign or link changes are written.
 */
int storage_save_campaigns(struct storage *st, const struct storage_campaign *c, size_t n_c,
			   const struct storage_campaign_member *m, size_t n_m);

/* Every saved campaign in number order, with its representative's
 * subject (may be NULL). fn returns 0 to go on. */
typedef int (*storage_campaign_fn)(void *user, int64_t number, const struct storage_campaign *c,
				   const char *subject);
int storage_foreach_campaign(struct storage *st, storage_campaign_fn fn, void *user);

/* The campaign id and duplicate_of of response id (0 when none). */
int storage_campaign_of(struct storage *st, int64_t id, int64_t *campaign_id,
			int64_t *duplicate_of);

#endif
