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

#define STORAGE_SCHEMA_VERSION 2

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

int storage_begin(struct storage *st);
int storage_commit(struct storage *st);
void storage_rollback(struct storage *st);

/*
 * Store r (with its themes, attachments and raw source) unless a response
 * with the same idem_key is already stored. *inserted tells which. Must be
 * called inside storage_begin/commit. r->idem_key must be set. Attachment
 * text and text_error go to attachments; the bytes of each attachment
 * that has data go to attachment_blobs under their sha256, once however
 * often the same file arrives.
 */
int storage_insert_response(struct storage *st, const struct response *r,
			    int64_t stored_at, bool *inserted);

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

#endif
