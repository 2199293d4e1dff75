#include "search.h"

#include "redact.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql[] =
	"SELECT r.id, r.channel, r.status, r.received_at, r.area,"
	" snippet(response_fts, -1, ?8, ?9, '\xe2\x80\xa6', 24), bm25(response_fts, 2.0, 1.0),"
	" (SELECT group_concat(theme_id, ',') FROM"
	"  (SELECT theme_id FROM response_themes WHERE response_id = r.id ORDER BY theme_id))"
	" FROM response_fts JOIN responses r ON r.id = response_fts.rowid"
	" WHERE response_fts MATCH ?1"
	" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM response_themes t"
	"  WHERE t.response_id = r.id AND t.theme_id = ?2))"
	" AND (?3 IS NULL OR r.channel = ?3) AND (?4 IS NULL OR r.area = ?4)"
	" AND (?5 IS NULL OR r.received_at >= ?5) AND (?6 IS NULL OR r.received_at < ?6)"
	" ORDER BY 7, r.id LIMIT ?7";

#define MARK_OPEN "\xee\x80\x80"  /* U+E000 */
#define MARK_CLOSE "\xee\x80\x81" /* U+E001 */

static char *highlight(const char *s, const char *open, const char *close)
{
	size_t extra = strlen(open) + strlen(close), n = 0;
	for (const char *p = s; (p = strstr(p, "\xee\x80")) != NULL; p += 3)
		n++;
	char *out = malloc(strlen(s) + n * extra + 1);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	while (*s != '\0') {
		if (strncmp(s, MARK_OPEN, 3) == 0 || strncmp(s, MARK_CLOSE, 3) == 0) {
			const char *m = s[2] == '\x80' ? open : close;
			memcpy(out + o, m, strlen(m));
			o += strlen(m);
			s += 3;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	return out;
}

/* What SQLite says about a bad MATCH argument: FTS5's own parser errors,
 * and column filters naming a column the index does not have. */
static bool is_query_error(const char *msg)
{
	return strncmp(msg, "fts5:", 5) == 0 || strstr(msg, "syntax error") != NULL ||
	       strncmp(msg, "no such column", 14) == 0 || strstr(msg, "unknown special query") != NULL ||
	       strstr(msg, "malformed MATCH") != NULL ||
	       strcmp(msg, "unterminated string") == 0;
}

int search_run(struct storage *st, const struct search_query *q, const char *hl_open,
	       const char *hl_close, search_fn fn, void *user, bool *syntax, char *err,
	       size_t errlen)
{
	sqlite3 *db = storage_db(st);
	sqlite3_stmt *s;
	if (syntax != NULL)
		*syntax = false;
	if (q->match == NULL || q->match[0] == '\0') {
		snprintf(err, errlen, "the search query is empty");
		if (syntax != NULL)
			*syntax = true;
		return -1;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "preparing the search: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(s, 1, q->match, -1, SQLITE_STATIC);
	if (q->theme != NULL)
		sqlite3_bind_text(s, 2, q->theme, -1, SQLITE_STATIC);
	if (q->channel != NULL)
		sqlite3_bind_text(s, 3, q->channel, -1, SQLITE_STATIC);
	if (q->area != NULL)
		sqlite3_bind_text(s, 4, q->area, -1, SQLITE_STATIC);
	if (q->since != 0)
		sqlite3_bind_int64(s, 5, q->since);
	if (q->until != 0)
		sqlite3_bind_int64(s, 6, q->until);
	sqlite3_bind_int(s, 7, q->limit > 0 ? q->limit : 20);
	/* Private-use marks survive the clean-up of the snippet (which would
	 * drop a terminal's escape codes) and are then replaced. */
	sqlite3_bind_text(s, 8, MARK_OPEN, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, MARK_CLOSE, -1, SQLITE_STATIC);
	int rc, hits = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct search_hit h = {0};
		char ref[32];
		h.id = sqlite3_column_int64(s, 0);
		storage_format_ref(h.id, ref, sizeof(ref));
		h.ref = ref;
		h.channel = (const char *)sqlite3_column_text(s, 1);
		h.status = (const char *)sqlite3_column_text(s, 2);
		h.received_at = sqlite3_column_int64(s, 3);
		char *area = sqlite3_column_type(s, 4) != SQLITE_NULL
			? redact_clean((const char *)sqlite3_column_text(s, 4)) : NULL;
		char *clean = redact_clean((const char *)sqlite3_column_text(s, 5));
		char *snip = clean != NULL ? highlight(clean, hl_open != NULL ? hl_open : "",
						       hl_close != NULL ? hl_close : "") : NULL;
		free(clean);
		h.area = area;
		h.snippet = snip;
		h.rank = sqlite3_column_double(s, 6);
		h.themes = sqlite3_column_type(s, 7) != SQLITE_NULL
			? (const char *)sqlite3_column_text(s, 7) : "";
		int stop = snip == NULL ? -1 : fn(user, &h);
		free(area);
		free(snip);
		if (stop != 0) {
			rc = SQLITE_DONE;
			if (snip == NULL) {
				snprintf(err, errlen, "out of memory");
				sqlite3_finalize(s);
				return -1;
			}
			break;
		}
		hits++;
	}
	if (rc != SQLITE_DONE) {
		const char *msg = sqlite3_errmsg(db);
		bool bad = is_query_error(msg);
		if (syntax != NULL)
			*syntax = bad;
		if (bad)
			snprintf(err, errlen, "the query is not valid search syntax (%s); "
				 "put words in double quotes to search for them as they are", msg);
		else
			snprintf(err, errlen, "searching: %s", msg);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return hits;
}
