/*
 * labels.c — a lead's corrections, reclassification and campaigns in the
 * store (declared in storage.h).
 */
#include "storage.h"
#include "storage_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	return v != NULL ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

static int step_done(struct storage *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		storage_set_error(st, what);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

static sqlite3_stmt *prep(struct storage *st, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(storage_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		storage_set_error(st, what);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

int storage_retag(struct storage *st, int64_t id, const char *theme_id, bool present,
		  int64_t now)
{
	sqlite3_stmt *s = prep(st, "SELECT 1 FROM responses WHERE id = ?", "retag");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		storage_set_error(st, rc == SQLITE_DONE ? "retag: no such response" : "retag");
		return -1;
	}
	s = prep(st,
		 "INSERT INTO manual_labels(response_id, theme_id, present, labelled_at)"
		 " VALUES(?1,?2,?3,?4) ON CONFLICT(response_id, theme_id) DO UPDATE SET"
		 " present = excluded.present, labelled_at = excluded.labelled_at",
		 "recording a manual label");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_opt(s, 2, theme_id);
	sqlite3_bind_int(s, 3, present);
	sqlite3_bind_int64(s, 4, now);
	if (step_done(st, s, "recording a manual label") != 0)
		return -1;
	if (present) {
		/* An automatic row for the theme keeps its score and terms and
		 * becomes the lead's; otherwise a manual row without terms. */
		s = prep(st,
			 "INSERT INTO response_themes(response_id, theme_id, score, terms, origin)"
			 " VALUES(?1,?2,0,'','manual') ON CONFLICT(response_id, theme_id)"
			 " DO UPDATE SET origin = 'manual'",
			 "adding a manual theme");
	} else {
		s = prep(st, "DELETE FROM response_themes WHERE response_id = ?1 AND theme_id = ?2",
			 "removing a theme");
	}
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_opt(s, 2, theme_id);
	return step_done(st, s, present ? "adding a manual theme" : "removing a theme");
}

int storage_set_classified(struct storage *st, int64_t id, const struct response *r)
{
	sqlite3_stmt *s = prep(st,
			       "UPDATE responses SET respondent_type = ?1, organisation = ?2,"
			       " area = ?3 WHERE id = ?4",
			       "updating a response");
	if (s == NULL)
		return -1;
	bind_opt(s, 1, respondent_type_name(r->respondent_type));
	bind_opt(s, 2, r->organisation);
	bind_opt(s, 3, r->area);
	sqlite3_bind_int64(s, 4, id);
	if (step_done(st, s, "updating a response") != 0 || storage_put_print(st, id, r) != 0)
		return -1;
	s = prep(st, "DELETE FROM response_themes WHERE response_id = ? AND origin = 'auto'",
		 "replacing themes");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (step_done(st, s, "replacing themes") != 0)
		return -1;
	for (size_t i = 0; i < r->n_themes; i++) {
		s = prep(st,
			 "INSERT OR IGNORE INTO response_themes(response_id, theme_id, score, terms)"
			 " SELECT ?1,?2,?3,?4 WHERE NOT EXISTS(SELECT 1 FROM manual_labels"
			 " WHERE response_id = ?1 AND theme_id = ?2 AND present = 0)",
			 "storing theme");
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		bind_opt(s, 2, r->themes[i].theme_id);
		sqlite3_bind_double(s, 3, r->themes[i].score);
		bind_opt(s, 4, r->themes[i].terms != NULL ? r->themes[i].terms : "");
		if (step_done(st, s, "storing theme") != 0)
			return -1;
	}
	return 0;
}

int storage_labelled_ids(struct storage *st, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	size_t cap = 0;
	sqlite3_stmt *s = prep(st, "SELECT DISTINCT response_id FROM manual_labels ORDER BY 1",
			       "reading manual labels");
	if (s == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			int64_t *p = realloc(*ids, cap * sizeof(*p));
			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			*ids = p;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		storage_set_error(st, "reading manual labels");
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int storage_manual_summary(struct storage *st, int64_t id, char **out)
{
	*out = NULL;
	sqlite3_stmt *s = prep(st,
			       "SELECT group_concat(CASE present WHEN 1 THEN '+' ELSE '-' END"
			       " || theme_id, ' ') FROM (SELECT * FROM manual_labels"
			       " WHERE response_id = ? ORDER BY theme_id)",
			       "reading manual labels");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*out = strdup((const char *)sqlite3_column_text(s, 0));
		if (*out == NULL)
			rc = SQLITE_NOMEM;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		storage_set_error(st, "reading manual labels");
		return -1;
	}
	return 0;
}

int storage_foreach_text(struct storage *st, storage_text_fn fn, void *user)
{
	/* The text is read only where there is no print: a response stored
	 * with one is a few hundred bytes here, not its whole letter. */
	sqlite3_stmt *s = prep(st,
			       "SELECT r.id, r.respondent_key, r.received_at, p.print"
			       " FROM responses r INDEXED BY responses_campaign_input"
			       " LEFT JOIN campaign_prints p ON p.response_id = r.id"
			       " WHERE r.status = 'response' ORDER BY r.id",
			       "reading responses");
	if (s == NULL)
		return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct storage_text row = {
			.id = sqlite3_column_int64(s, 0),
			.respondent_key = (const char *)sqlite3_column_text(s, 1),
			.received_at = sqlite3_column_int64(s, 2),
			.print = sqlite3_column_blob(s, 3),
			.print_len = (size_t)sqlite3_column_bytes(s, 3),
		};
		ret = fn(user, &row, st);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		storage_set_error(st, "reading responses");
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

int storage_response_text(struct storage *st, int64_t id, char **text)
{
	*text = NULL;
	sqlite3_stmt *s = prep(st, "SELECT text FROM responses WHERE id = ?", "reading a response");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		*text = strdup(t != NULL ? t : "");
		if (*text == NULL)
			rc = SQLITE_NOMEM;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		storage_set_error(st, "reading a response");
		return -1;
	}
	return 0;
}

/* A response's campaign and resubmission links as stored (0: none). */
struct member_now {
	int64_t id, campaign_id, duplicate_of;
	bool kept;              /* still wanted by the new members */
};

static int member_now_cmp(const void *key, const void *elem)
{
	int64_t a = *(const int64_t *)key, b = ((const struct member_now *)elem)->id;
	return (a > b) - (a < b);
}

/* Every response with a campaign or a resubmission link, in id order. */
static int read_members(struct storage *st, struct member_now **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	/* Both columns and the id are in responses_summary: a narrow index
	 * scan, never the rows with their texts. */
	sqlite3_stmt *s = prep(st,
			       "SELECT id, coalesce(campaign_id, 0), coalesce(duplicate_of, 0)"
			       " FROM responses WHERE campaign_id IS NOT NULL OR duplicate_of IS NOT NULL"
			       " ORDER BY id",
			       "reading campaign members");
	if (s == NULL)
		return -1;
	size_t n = 0, cap = 0;
	struct member_now *m = NULL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct member_now *g = realloc(m, ncap * sizeof(*g));
			if (g == NULL)
				break;
			m = g;
			cap = ncap;
		}
		m[n++] = (struct member_now){sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
					     sqlite3_column_int64(s, 2), false};
	}
	if (rc != SQLITE_DONE) {
		storage_set_error(st, rc == SQLITE_ROW ? "reading campaign members: out of memory"
						       : "reading campaign members");
		sqlite3_finalize(s);
		free(m);
		return -1;
	}
	sqlite3_finalize(s);
	*out = m;
	*n_out = n;
	return 0;
}

/* Set response id's campaign and resubmission link (0: none). */
static int write_member(struct storage *st, sqlite3_stmt *s, int64_t id, int64_t campaign_id,
			int64_t duplicate_of)
{
	if (campaign_id > 0)
		sqlite3_bind_int64(s, 1, campaign_id);
	else
		sqlite3_bind_null(s, 1);
	if (duplicate_of > 0)
		sqlite3_bind_int64(s, 2, duplicate_of);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		storage_set_error(st, "storing campaign members");
		return -1;
	}
	return 0;
}

/* First row of sql, which finds a broken link: 0 when none, else -1 with
 * the error naming what. */
static int no_row(struct storage *st, const char *sql, const char *what)
{
	sqlite3_stmt *s = prep(st, sql, what);
	if (s == NULL)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_ROW) {
		char msg[160];
		snprintf(msg, sizeof(msg), "%s: a link to a row that is not stored", what);
		storage_set_message(st, msg);
	} else {
		storage_set_error(st, what);
	}
	return -1;
}

/* The links the save wrote with foreign keys off, checked through the
 * indexes (a foreign_key_check would read every response's text). */
static int campaign_links_hold(struct storage *st)
{
	if (no_row(st,
		   "SELECT 1 FROM responses r WHERE r.campaign_id IS NOT NULL AND NOT EXISTS"
		   " (SELECT 1 FROM campaigns c WHERE c.id = r.campaign_id) LIMIT 1",
		   "checking campaign members") != 0)
		return -1;
	if (no_row(st,
		   "SELECT 1 FROM responses r WHERE r.duplicate_of IS NOT NULL AND NOT EXISTS"
		   " (SELECT 1 FROM responses d WHERE d.id = r.duplicate_of) LIMIT 1",
		   "checking resubmission links") != 0)
		return -1;
	return no_row(st,
		      "SELECT 1 FROM campaigns c WHERE c.representative_id IS NOT NULL AND"
		      " NOT EXISTS (SELECT 1 FROM responses r WHERE r.id = c.representative_id)"
		      " LIMIT 1",
		      "checking campaign representatives");
}

static int save_campaigns_in_txn(struct storage *st, const struct storage_campaign *c,
				 size_t n_c, const struct storage_campaign_member *m, size_t n_m);

/*
 * Only what changed is written. Changing a column of responses makes
 * SQLite write the whole row again, its text and overflow pages with it,
 * so writing every member every time cost more than finding the
 * campaigns; and campaigns are renumbered in place (an upsert, never a
 * delete, whose ON DELETE SET NULL would touch every member).
 *
 * Foreign keys are off for the save: with them on, each UPDATE of a
 * response opens a statement journal and copies the row's pages into it
 * (measured: 240 MB of journal for the first close of 1,000 messages,
 * against 53 MB of WAL for the rows themselves). The save sets every link
 * itself (a campaign deleted here leaves members that the member loop
 * resets, since none is wanted in it), and campaign_links_hold checks them
 * all before COMMIT. The pragma has no effect inside a transaction, hence
 * outside BEGIN and COMMIT.
 */
int storage_save_campaigns(struct storage *st, const struct storage_campaign *c, size_t n_c,
			   const struct storage_campaign_member *m, size_t n_m)
{
	if (sqlite3_exec(storage_db(st), "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		storage_set_error(st, "storing campaigns");
		return -1;
	}
	int rc = save_campaigns_in_txn(st, c, n_c, m, n_m);
	if (sqlite3_exec(storage_db(st), "PRAGMA foreign_keys = ON", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		if (rc == 0)
			storage_set_error(st, "turning foreign keys back on");
		return -1;
	}
	return rc;
}

static int save_campaigns_in_txn(struct storage *st, const struct storage_campaign *c,
				 size_t n_c, const struct storage_campaign_member *m, size_t n_m)
{
	sqlite3_stmt *s = NULL;
	struct member_now *now = NULL;
	size_t n_now = 0;
	if (storage_begin(st) != 0)
		return -1;
	s = prep(st, "DELETE FROM campaigns WHERE id > ?", "clearing campaigns");
	if (s == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)n_c);
	int done = step_done(st, s, "clearing campaigns"); /* finalizes s */
	s = NULL;
	if (done != 0)
		goto fail;
	for (size_t i = 0; i < n_c; i++) {
		s = prep(st,
			 "INSERT INTO campaigns(id, size, first_at, last_at, representative_id)"
			 " VALUES(?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET size = excluded.size,"
			 " first_at = excluded.first_at, last_at = excluded.last_at,"
			 " representative_id = excluded.representative_id",
			 "storing a campaign");
		if (s == NULL)
			goto fail;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_int64(s, 2, c[i].size);
		sqlite3_bind_int64(s, 3, c[i].first_at);
		sqlite3_bind_int64(s, 4, c[i].last_at);
		sqlite3_bind_int64(s, 5, c[i].representative_id);
		done = step_done(st, s, "storing a campaign");
		s = NULL;
		if (done != 0)
			goto fail;
	}
	if (read_members(st, &now, &n_now) != 0)
		goto fail;
	s = prep(st, "UPDATE responses SET campaign_id = ?1, duplicate_of = ?2 WHERE id = ?3",
		 "storing campaign members");
	if (s == NULL)
		goto fail;
	/* The new members that differ from what is stored... */
	for (size_t i = 0; i < n_m; i++) {
		int64_t want_c = m[i].campaign >= 0 ? (int64_t)m[i].campaign + 1 : 0;
		int64_t want_d = m[i].duplicate_of > 0 ? m[i].duplicate_of : 0;
		struct member_now *k =
			n_now > 0 ? bsearch(&m[i].id, now, n_now, sizeof(*now), member_now_cmp) : NULL;
		if (k != NULL)
			k->kept = true;
		if ((k != NULL ? k->campaign_id : 0) == want_c &&
		    (k != NULL ? k->duplicate_of : 0) == want_d)
			continue;
		if (write_member(st, s, m[i].id, want_c, want_d) != 0)
			goto fail;
	}
	/* ...then the stored ones that are members no more. */
	for (size_t i = 0; i < n_now; i++) {
		if (!now[i].kept && write_member(st, s, now[i].id, 0, 0) != 0)
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	free(now);
	now = NULL;
	if (campaign_links_hold(st) != 0)
		goto fail;
	if (storage_commit(st) != 0) {
		storage_rollback(st);
		return -1;
	}
	return 0;
fail:
	sqlite3_finalize(s);
	free(now);
	storage_rollback(st);
	return -1;
}

int storage_campaign_of(struct storage *st, int64_t id, int64_t *campaign_id,
			int64_t *duplicate_of)
{
	*campaign_id = *duplicate_of = 0;
	sqlite3_stmt *s = prep(st, "SELECT campaign_id, duplicate_of FROM responses WHERE id = ?",
			       "reading campaigns");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*campaign_id = sqlite3_column_int64(s, 0);
		*duplicate_of = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		storage_set_error(st, "reading campaigns");
		return -1;
	}
	return 0;
}

int storage_foreach_campaign(struct storage *st, storage_campaign_fn fn, void *user)
{
	sqlite3_stmt *s = prep(st,
			       "SELECT c.id, c.size, c.first_at, c.last_at, c.representative_id,"
			       " r.subject FROM campaigns c LEFT JOIN responses r"
			       " ON r.id = c.representative_id ORDER BY c.id",
			       "reading campaigns");
	if (s == NULL)
		return -1;
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct storage_campaign c = {sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
					     sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4)};
		ret = fn(user, sqlite3_column_int64(s, 0), &c, (const char *)sqlite3_column_text(s, 5));
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		storage_set_error(st, "reading campaigns");
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}
