#include "model.h"

#include "redact.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXCERPT_CHARS 320     /* bytes of redacted text quoted at most */
#define EXCERPT_CANDIDATES 300
#define SHINGLE_LIMIT 0.5     /* Jaccard of word 3-shingles: near-duplicate above */

struct ctx {
	struct report_model *m;
	sqlite3 *db;
	const struct theme_set *ts;
	const struct report_areas *areas;
	char *err;
	size_t errlen;
	/* counted responses, by id: the pass fills it, the form and
	 * organisation queries read it through consultd_counted(id) */
	unsigned char *counted_bits;
	int64_t max_id;
	/* campaign ids (ascending) and, per campaign, counted responses */
	int64_t *campaign_ids;
	int64_t *campaign_counted;
	size_t n_campaign_ids;
	size_t bitset_bytes;           /* per theme, over campaign indexes */
	unsigned char **theme_campaigns; /* per theme, campaigns seen */
	size_t n_theme_campaigns;
	/* form questions while counting, parallel to m->questions */
	struct qstate *qs;
	size_t q_cap;
};

/* What counting a question needs besides its figures: its key (provider
 * id, else label), its first position in the form, and which response
 * was counted last (answers come in response order, so "answered by" and
 * each item count a response once). */
struct qstate {
	char *key;
	int64_t min_idx, last, last_text;
	int64_t *item_last;
	size_t item_cap;
};

#define MAX_QUESTIONS 200
#define MAX_RESPONSE_THEMES 64

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int sql_fail(struct ctx *c, const char *what)
{
	snprintf(c->err, c->errlen, "%s: %s", what, sqlite3_errmsg(c->db));
	return -1;
}

static int oom(struct ctx *c)
{
	snprintf(c->err, c->errlen, "out of memory");
	return -1;
}

static int prepare(struct ctx *c, const char *sql, sqlite3_stmt **s, const char *what)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, s, NULL) != SQLITE_OK) {
		*s = NULL;
		return sql_fail(c, what);
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* ---- growable arrays ------------------------------------------------- */

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t nc = *cap ? *cap * 2 : 16;
	void *q = realloc(p, nc * size);
	if (q != NULL)
		*cap = nc;
	return q;
}

/* ---- the pass over every response ----------------------------------- */

static void counted_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct ctx *c = sqlite3_user_data(ctx);
	sqlite3_int64 id = sqlite3_value_int64(argv[0]);
	int yes = id > 0 && id <= c->max_id && (c->counted_bits[id >> 3] & (1u << (id & 7)));
	sqlite3_result_int(ctx, yes);
}

static long campaign_index(struct ctx *c, int64_t id)
{
	size_t lo = 0, hi = c->n_campaign_ids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->campaign_ids[mid] == id)
			return (long)mid;
		if (c->campaign_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Themes are found by id; a stored id the theme file lacks is added at the
 * end (configured = false), so nothing stored is silently dropped. */
static long theme_slot(struct ctx *c, const char *id)
{
	struct report_model *m = c->m;
	for (size_t i = 0; i < m->n_themes; i++)
		if (strcmp(m->themes[i].id, id) == 0)
			return (long)i;
	/* the campaign set first, so each theme always has one to free */
	size_t k = c->n_theme_campaigns; /* == m->n_themes */
	unsigned char **tc = realloc(c->theme_campaigns, (k + 1) * sizeof(*tc));
	if (tc == NULL)
		return -1;
	c->theme_campaigns = tc;
	tc[k] = calloc(c->bitset_bytes ? c->bitset_bytes : 1, 1);
	if (tc[k] == NULL)
		return -1;
	c->n_theme_campaigns = k + 1;
	struct report_theme *t = realloc(m->themes, (m->n_themes + 1) * sizeof(*t));
	if (t == NULL)
		return -1;
	m->themes = t;
	struct report_theme *nt = &t[m->n_themes];
	memset(nt, 0, sizeof(*nt));
	nt->id = strdup(id);
	nt->label = strdup(id);
	if (nt->id == NULL || nt->label == NULL) {
		free(nt->id);
		free(nt->label);
		return -1;
	}
	return (long)m->n_themes++;
}

static int add_day(struct report_model *m, size_t *cap, int64_t t, bool late)
{
	char day[11];
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL)
		memcpy(day, "0000-00-00", 11);
	else
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	/* Mostly the same or a recent day: search from the end. */
	size_t i = m->n_days;
	while (i > 0 && strcmp(m->days[i - 1].day, day) > 0)
		i--;
	if (i > 0 && strcmp(m->days[i - 1].day, day) == 0) {
		m->days[i - 1].responses++;
		m->days[i - 1].late += late;
		return 0;
	}
	struct report_day *d = grow(m->days, cap, m->n_days, sizeof(*d));
	if (d == NULL)
		return -1;
	m->days = d;
	memmove(&d[i + 1], &d[i], (m->n_days - i) * sizeof(*d));
	memcpy(d[i].day, day, 11);
	d[i].responses = 1;
	d[i].late = late;
	m->n_days++;
	return 0;
}

static int add_area(struct report_model *m, size_t *cap, const char *area)
{
	size_t lo = 0, hi = m->n_areas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(m->areas[mid].name, area);
		if (cmp == 0) {
			m->areas[mid].count++;
			return 0;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct report_named_count *a = grow(m->areas, cap, m->n_areas, sizeof(*a));
	if (a == NULL)
		return -1;
	m->areas = a;
	memmove(&a[lo + 1], &a[lo], (m->n_areas - lo) * sizeof(*a));
	a[lo].name = strdup(area);
	a[lo].label = NULL;
	a[lo].count = 1;
	m->n_areas++;
	return a[lo].name != NULL ? 0 : -1;
}

static int load_campaign_ids(struct ctx *c)
{
	sqlite3_stmt *s;
	if (prepare(c, "SELECT id FROM campaigns ORDER BY id", &s, "reading campaigns") != 0)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t *v = grow(c->campaign_ids, &cap, c->n_campaign_ids, sizeof(*v));
		if (v == NULL) {
			sqlite3_finalize(s);
			return oom(c);
		}
		c->campaign_ids = v;
		v[c->n_campaign_ids++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(c, "reading campaigns");
	c->campaign_counted = calloc(c->n_campaign_ids + 1, sizeof(int64_t));
	c->bitset_bytes = c->n_campaign_ids / 8 + 1;
	return c->campaign_counted != NULL ? 0 : oom(c);
}

static long question_slot(struct ctx *c, const char *key, const char *qid, const char *qtext,
			  bool choice)
{
	struct report_model *m = c->m;
	for (size_t i = 0; i < m->n_questions; i++)
		if (strcmp(c->qs[i].key, key) == 0)
			return (long)i;
	if (m->n_questions >= MAX_QUESTIONS)
		return -2; /* a hostile number of questions: the rest are not shown */
	size_t cap = c->q_cap;
	struct report_question *v = grow(m->questions, &cap, m->n_questions, sizeof(*v));
	if (v == NULL)
		return -1;
	m->questions = v;
	if (cap != c->q_cap) {
		struct qstate *q = realloc(c->qs, cap * sizeof(*q));
		if (q == NULL)
			return -1;
		c->qs = q;
		c->q_cap = cap;
	}
	struct report_question *k = &v[m->n_questions];
	struct qstate *q = &c->qs[m->n_questions];
	memset(k, 0, sizeof(*k));
	memset(q, 0, sizeof(*q));
	k->choice = choice;
	k->id = qid != NULL ? redact_clean(qid) : NULL;
	k->text = qtext != NULL ? redact_clean(qtext) : NULL;
	q->key = strdup(key);
	m->n_questions++;
	if ((qid != NULL && k->id == NULL) || (qtext != NULL && k->text == NULL) || q->key == NULL)
		return -1;
	return (long)(m->n_questions - 1);
}

/* Count one for item `name` of question qi, once per response. */
static int question_item(struct ctx *c, size_t qi, const char *name, int64_t resp)
{
	struct report_question *k = &c->m->questions[qi];
	struct qstate *q = &c->qs[qi];
	size_t i = 0;
	while (i < k->n_items && strcmp(k->items[i].name, name) != 0)
		i++;
	if (i == k->n_items) {
		if (k->n_items >= REPORT_MAX_LISTED) {
			/* a hostile number of distinct answers: lump the rest */
			name = "(other answers)";
			for (i = 0; i < k->n_items && strcmp(k->items[i].name, name) != 0; i++)
				;
		}
	}
	if (i == k->n_items) {
		size_t cap = q->item_cap;
		struct report_named_count *it = grow(k->items, &cap, k->n_items, sizeof(*it));
		if (it == NULL)
			return -1;
		k->items = it;
		if (cap != q->item_cap) {
			int64_t *l = realloc(q->item_last, cap * sizeof(*l));
			if (l == NULL)
				return -1;
			q->item_last = l;
			q->item_cap = cap;
		}
		it[i].name = redact_clean(name);
		it[i].label = NULL;
		it[i].count = 0;
		q->item_last[i] = 0;
		k->n_items++;
		if (it[i].name == NULL)
			return -1;
	}
	if (q->item_last[i] != resp) {
		q->item_last[i] = resp;
		k->items[i].count++;
	}
	return 0;
}

/* One web-form answer of counted response `resp`, whose themes are given. */
static int count_answer(struct ctx *c, sqlite3_stmt *f, int64_t resp, const long *themes,
			size_t n_themes)
{
	const char *key = col_text(f, 1), *kind = col_text(f, 4), *value = col_text(f, 5);
	if (key == NULL || kind == NULL)
		return 0;
	bool choice = strcmp(kind, "choice") == 0;
	long qi = question_slot(c, key, col_text(f, 2), col_text(f, 3), choice);
	if (qi == -2)
		return 0;
	if (qi < 0)
		return -1;
	struct report_question *k = &c->m->questions[qi];
	struct qstate *q = &c->qs[qi];
	int64_t idx = sqlite3_column_int64(f, 6);
	if (q->last == 0 || idx < q->min_idx)
		q->min_idx = idx;
	if (q->last != resp) {
		q->last = resp;
		k->answered++;
	}
	/* a question is what its first answer says; answers of the other
	 * kind count as answering it, nothing more */
	if (k->choice && choice)
		return question_item(c, (size_t)qi, value != NULL ? value : "", resp);
	if (!k->choice && !choice && q->last_text != resp) {
		q->last_text = resp;
		for (size_t i = 0; i < n_themes; i++)
			if (question_item(c, (size_t)qi, c->m->themes[themes[i]].id, resp) != 0)
				return -1;
	}
	return 0;
}

/*
 * One pass over the responses in id order (a narrow covering index), merged
 * with their themes in response order: headline, days, areas and the
 * theme table all come from it, with memory bounded by the number of
 * days, areas, themes and campaigns (plus one bit per response id).
 */
static int pass(struct ctx *c)
{
	struct report_model *m = c->m;
	sqlite3_stmt *s = NULL, *t = NULL, *f = NULL;
	int ret = -1;
	if (prepare(c, "SELECT max(id) FROM responses", &s, "reading responses") != 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		c->max_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	c->counted_bits = calloc((size_t)(c->max_id / 8) + 1, 1);
	if (c->counted_bits == NULL)
		return oom(c);
	if (sqlite3_create_function(c->db, "consultd_counted", 1, SQLITE_UTF8, c, counted_fn,
				    NULL, NULL) != SQLITE_OK)
		return sql_fail(c, "registering a function");
	if (prepare(c,
		    "SELECT id, status, duplicate_of IS NOT NULL, channel, late, received_at,"
		    " respondent_type, campaign_id, area"
		    " FROM responses INDEXED BY responses_summary ORDER BY id",
		    &s, "reading responses") != 0 ||
	    prepare(c, "SELECT response_id, theme_id FROM response_themes ORDER BY response_id, theme_id",
		    &t, "reading themes") != 0 ||
	    prepare(c, "SELECT response_id, coalesce(question_id, question), question_id, question,"
		    " kind, value, idx FROM form_answers WHERE kind IN ('choice','text')"
		    " ORDER BY response_id, idx", &f, "reading form answers") != 0)
		goto out;
	size_t day_cap = 0, area_cap = 0;
	int trc = sqlite3_step(t), frc = sqlite3_step(f);
	int rc;
	long rthemes[MAX_RESPONSE_THEMES];
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t n_rthemes = 0;
		int64_t id = sqlite3_column_int64(s, 0);
		const char *status = col_text(s, 1);
		bool dup = sqlite3_column_int(s, 2) != 0;
		m->stored++;
		bool counted = false;
		if (status == NULL) {
			;
		} else if (strcmp(status, "response") == 0) {
			if (dup)
				m->resubmissions++;
			else
				counted = true;
		} else if (strcmp(status, "auto-reply") == 0) {
			m->auto_replies++;
		} else if (strcmp(status, "bounce") == 0) {
			m->bounces++;
		} else if (strcmp(status, "quarantined") == 0) {
			m->quarantined++;
		} else if (strcmp(status, "list") == 0) {
			m->lists++;
		}
		bool has_theme = false;
		const char *type = NULL;
		long camp = -1;
		if (counted) {
			m->counted++;
			c->counted_bits[id >> 3] |= (unsigned char)(1u << (id & 7));
			const char *ch = col_text(s, 3);
			if (ch != NULL && strcmp(ch, "email") == 0)
				m->by_channel[0]++;
			else if (ch != NULL && strcmp(ch, "form") == 0)
				m->by_channel[1]++;
			else
				m->by_channel[2]++;
			bool late = sqlite3_column_int(s, 4) != 0;
			m->late += late;
			if (add_day(m, &day_cap, sqlite3_column_int64(s, 5), late) != 0)
				goto nomem;
			type = col_text(s, 6);
			if (type != NULL && strcmp(type, "organisation") == 0)
				m->organisation_responses++;
			else if (type != NULL && strcmp(type, "individual") == 0)
				m->individual_responses++;
			else
				m->unknown_type_responses++;
			if (sqlite3_column_type(s, 7) != SQLITE_NULL)
				camp = campaign_index(c, sqlite3_column_int64(s, 7));
			if (camp >= 0) {
				if (c->campaign_counted[camp]++ == 0)
					m->n_campaigns++;
				m->campaign_responses++;
			}
			const char *area = col_text(s, 8);
			if (area != NULL && area[0] != '\0' && add_area(m, &area_cap, area) != 0)
				goto nomem;
		}
		while (trc == SQLITE_ROW && sqlite3_column_int64(t, 0) < id)
			trc = sqlite3_step(t);
		while (trc == SQLITE_ROW && sqlite3_column_int64(t, 0) == id) {
			if (counted) {
				long ti = theme_slot(c, col_text(t, 1) != NULL ? col_text(t, 1) : "");
				if (ti < 0)
					goto nomem;
				struct report_theme *th = &m->themes[ti];
				if (n_rthemes < MAX_RESPONSE_THEMES)
					rthemes[n_rthemes++] = ti;
				th->responses++;
				has_theme = true;
				if (type != NULL && strcmp(type, "organisation") == 0)
					th->organisations++;
				else if (type != NULL && strcmp(type, "individual") == 0)
					th->individuals++;
				else
					th->unknown_type++;
				if (camp < 0) {
					th->as_one++;
				} else if (!(c->theme_campaigns[ti][camp >> 3] & (1u << (camp & 7)))) {
					c->theme_campaigns[ti][camp >> 3] |= (unsigned char)(1u << (camp & 7));
					th->as_one++;
				}
			}
			trc = sqlite3_step(t);
		}
		if (counted && !has_theme)
			m->no_theme++;
		while (frc == SQLITE_ROW && sqlite3_column_int64(f, 0) < id)
			frc = sqlite3_step(f);
		while (frc == SQLITE_ROW && sqlite3_column_int64(f, 0) == id) {
			if (counted && count_answer(c, f, id, rthemes, n_rthemes) != 0)
				goto nomem;
			frc = sqlite3_step(f);
		}
	}
	if (rc != SQLITE_DONE) {
		sql_fail(c, "reading responses");
		goto out;
	}
	if (trc != SQLITE_DONE && trc != SQLITE_ROW) {
		sql_fail(c, "reading themes");
		goto out;
	}
	if (frc != SQLITE_DONE && frc != SQLITE_ROW) {
		sql_fail(c, "reading form answers");
		goto out;
	}
	m->counted_as_one = m->counted - m->campaign_responses + m->n_campaigns;
	ret = 0;
	goto out;
nomem:
	oom(c);
out:
	sqlite3_finalize(s);
	sqlite3_finalize(t);
	sqlite3_finalize(f);
	return ret;
}

/* ---- ranking --------------------------------------------------------- */

/* qsort has no user pointer; one summary per thread at a time. */
static _Thread_local const struct theme_set *sort_ts;

static int cmp_theme(const void *a, const void *b)
{
	const struct report_theme *x = a, *y = b;
	if (x->responses != y->responses)
		return x->responses > y->responses ? -1 : 1;
	/* ties: the theme file's order, then unknown ids by name */
	long xi = x->configured ? themes_find(sort_ts, x->id) : 1L << 30;
	long yi = y->configured ? themes_find(sort_ts, y->id) : 1L << 30;
	if (xi != yi)
		return xi < yi ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_area(const void *a, const void *b)
{
	const struct report_named_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* ---- excerpts -------------------------------------------------------- */

#define MAX_SHINGLES 256

static bool word_byte(unsigned char ch)
{
	return ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

struct shingles {
	uint32_t h[MAX_SHINGLES];
	size_t n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Hashes of the first word 3-grams of a text (letters and digits folded
 * to lower case), sorted and unique: enough to see that two excerpts say
 * the same thing in the same words. */
static void make_shingles(const char *text, struct shingles *sh)
{
	uint32_t w[3] = {0};
	size_t nw = 0;
	sh->n = 0;
	const unsigned char *p = (const unsigned char *)text;
	while (*p != '\0' && sh->n < MAX_SHINGLES) {
		while (*p != '\0' && !word_byte(*p))
			p++;
		if (*p == '\0')
			break;
		uint32_t h = 2166136261u;
		while (*p != '\0' && word_byte(*p)) {
			unsigned ch = *p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p;
			h = (h ^ ch) * 16777619u;
			p++;
		}
		w[0] = w[1];
		w[1] = w[2];
		w[2] = h;
		if (++nw >= 3)
			sh->h[sh->n++] = (w[0] * 31u + w[1]) * 31u + w[2];
	}
	if (sh->n > 1) /* qsort must not see NULL, even for none */
		qsort(sh->h, sh->n, sizeof(sh->h[0]), cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < sh->n; i++)
		if (u == 0 || sh->h[u - 1] != sh->h[i])
			sh->h[u++] = sh->h[i];
	sh->n = u;
}

static double jaccard(const struct shingles *a, const struct shingles *b)
{
	if (a->n == 0 || b->n == 0)
		return 0.0;
	size_t i = 0, j = 0, both = 0;
	while (i < a->n && j < b->n) {
		if (a->h[i] == b->h[j])
			both++, i++, j++;
		else if (a->h[i] < b->h[j])
			i++;
		else
			j++;
	}
	return (double)both / (double)(a->n + b->n - both);
}

/* The respondent's own words: up to the first attachment marker, unless
 * there is nothing before it; redacted and shortened to about max bytes. */
static char *excerpt_text(const char *text, size_t max)
{
	if (text == NULL)
		text = "";
	const char *att = strstr(text, "[attachment: ");
	size_t len = att != NULL && att > text ? (size_t)(att - text) : strlen(text);
	return redact_excerpt(text, len, max);
}

static const char *area_label(const struct report_areas *areas, const char *id)
{
	if (areas == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < areas->n; i++)
		if (strcmp(areas->v[i].id, id) == 0)
			return areas->v[i].name;
	return NULL;
}

struct candidate {
	int64_t id, campaign;
	double score;
	int kind;              /* 0 organisation, 1 individual, 2 unknown */
	char *org, *area, *text;
	struct shingles sh;
};

static void free_candidates(struct candidate *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].org);
		free(v[i].area);
		free(v[i].text);
	}
	free(v);
}

/*
 * Three to five excerpts for a theme: the highest-scoring counted
 * responses, skipping a second one from the same campaign and any whose
 * words overlap an excerpt already chosen; first the best of each kind of
 * respondent (organisation, individual, unknown), then the best of the
 * rest, shown in score order.
 */
static int theme_excerpts(struct ctx *c, struct report_theme *th, sqlite3_stmt *top,
			  sqlite3_stmt *row)
{
	struct candidate *cand = calloc(EXCERPT_CANDIDATES, sizeof(*cand));
	if (cand == NULL)
		return oom(c);
	size_t n = 0;
	int ret = -1;
	sqlite3_bind_text(top, 1, th->id, -1, SQLITE_STATIC);
	int rc = SQLITE_DONE;
	while (n < EXCERPT_CANDIDATES && (rc = sqlite3_step(top)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(top, 0);
		if (id <= 0 || id > c->max_id || !(c->counted_bits[id >> 3] & (1u << (id & 7))))
			continue;
		sqlite3_bind_int64(row, 1, id);
		if (sqlite3_step(row) == SQLITE_ROW) {
			struct candidate *k = &cand[n];
			k->id = id;
			k->score = sqlite3_column_double(top, 1);
			const char *type = col_text(row, 0);
			k->kind = type == NULL ? 2 : strcmp(type, "organisation") == 0 ? 0
				: strcmp(type, "individual") == 0 ? 1 : 2;
			k->org = dup_or_null(col_text(row, 1));
			k->area = dup_or_null(col_text(row, 2));
			k->campaign = sqlite3_column_int64(row, 3);
			k->text = excerpt_text(col_text(row, 4), EXCERPT_CHARS);
			if (k->text == NULL) {
				sqlite3_reset(row);
				goto nomem;
			}
			make_shingles(k->text, &k->sh);
			n++;
		}
		sqlite3_reset(row);
	}
	sqlite3_reset(top);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sql_fail(c, "reading theme scores");
		goto out;
	}
	size_t chosen[REPORT_MAX_EXCERPTS], nc = 0;
	for (int round = 0; round < 4 && nc < REPORT_MAX_EXCERPTS; round++) {
		for (size_t i = 0; i < n && nc < REPORT_MAX_EXCERPTS; i++) {
			struct candidate *k = &cand[i];
			if (round < 3 && k->kind != round)
				continue;
			bool skip = k->text[0] == '\0';
			for (size_t j = 0; j < nc && !skip; j++) {
				const struct candidate *o = &cand[chosen[j]];
				skip = o == k || (k->campaign != 0 && k->campaign == o->campaign) ||
				       jaccard(&k->sh, &o->sh) > SHINGLE_LIMIT;
			}
			if (skip)
				continue;
			chosen[nc++] = i;
			if (round < 3)
				break; /* the best of this kind only */
		}
	}
	/* score order (candidates came in score order) */
	for (size_t i = 1; i < nc; i++)
		for (size_t j = i; j > 0 && chosen[j] < chosen[j - 1]; j--) {
			size_t x = chosen[j];
			chosen[j] = chosen[j - 1];
			chosen[j - 1] = x;
		}
	th->excerpts = calloc(nc ? nc : 1, sizeof(*th->excerpts));
	if (th->excerpts == NULL)
		goto nomem;
	for (size_t i = 0; i < nc; i++) {
		struct candidate *k = &cand[chosen[i]];
		struct report_excerpt *e = &th->excerpts[th->n_excerpts++];
		char ref[32];
		storage_format_ref(k->id, ref, sizeof(ref));
		e->ref = strdup(ref);
		e->text = k->text;
		k->text = NULL;
		e->who = k->org != NULL ? redact_clean(k->org)
			: strdup(k->kind == 0 ? "organisation" : k->kind == 1 ? "individual" : "respondent");
		const char *al = area_label(c->areas, k->area);
		e->area = al != NULL ? redact_clean(al) : k->area != NULL ? redact_clean(k->area) : NULL;
		e->score = k->score;
		e->campaign_id = k->campaign;
		if (e->ref == NULL || e->who == NULL || (k->area != NULL && e->area == NULL))
			goto nomem;
	}
	ret = 0;
	goto out;
nomem:
	oom(c);
out:
	free_candidates(cand, n);
	return ret;
}

static int excerpts(struct ctx *c)
{
	sqlite3_stmt *top = NULL, *row = NULL;
	int ret = -1;
	if (prepare(c,
		    "SELECT response_id, score FROM response_themes INDEXED BY response_themes_score"
		    " WHERE theme_id = ? ORDER BY score DESC, response_id",
		    &top, "reading theme scores") != 0 ||
	    prepare(c,
		    "SELECT respondent_type, organisation, area, campaign_id, text"
		    " FROM responses WHERE id = ?",
		    &row, "reading a response") != 0)
		goto out;
	for (size_t i = 0; i < c->m->n_themes; i++)
		if (theme_excerpts(c, &c->m->themes[i], top, row) != 0)
			goto out;
	ret = 0;
out:
	sqlite3_finalize(top);
	sqlite3_finalize(row);
	return ret;
}

/* ---- respondents, campaigns, questions, quality ---------------------- */

static int named_counts(struct ctx *c, const char *sql, const char *what,
			struct report_named_count **out, size_t *n, size_t limit)
{
	sqlite3_stmt *s;
	if (prepare(c, sql, &s, what) != 0)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit) {
		struct report_named_count *v = grow(*out, &cap, *n, sizeof(*v));
		if (v == NULL) {
			sqlite3_finalize(s);
			return oom(c);
		}
		*out = v;
		v[*n].name = redact_clean(col_text(s, 0) != NULL ? col_text(s, 0) : "");
		v[*n].label = NULL;
		v[*n].count = sqlite3_column_int64(s, 1);
		if (v[(*n)++].name == NULL) {
			sqlite3_finalize(s);
			return oom(c);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(c, what);
	return 0;
}

static int respondents(struct ctx *c)
{
	struct report_model *m = c->m;
	if (named_counts(c,
			 "SELECT organisation, count(*) FROM responses INDEXED BY responses_summary"
			 " WHERE organisation IS NOT NULL AND organisation <> ''"
			 " AND consultd_counted(id) GROUP BY organisation"
			 " ORDER BY lower(organisation), organisation",
			 "reading organisations", &m->organisations, &m->n_organisations_listed,
			 (size_t)-1) != 0)
		return -1;
	m->n_organisations = (int64_t)m->n_organisations_listed;
	if (m->n_organisations_listed > REPORT_MAX_LISTED) {
		for (size_t i = REPORT_MAX_LISTED; i < m->n_organisations_listed; i++)
			free(m->organisations[i].name);
		m->n_organisations_listed = REPORT_MAX_LISTED;
	}
	if (m->n_areas > 1) /* qsort must not see NULL, even for none */
		qsort(m->areas, m->n_areas, sizeof(*m->areas), cmp_area);
	for (size_t i = 0; i < m->n_areas; i++) {
		const char *l = area_label(c->areas, m->areas[i].name);
		char *clean = redact_clean(m->areas[i].name);
		if (clean == NULL || (l != NULL && (m->areas[i].label = redact_clean(l)) == NULL)) {
			free(clean);
			return oom(c);
		}
		free(m->areas[i].name);
		m->areas[i].name = clean;
	}
	m->areas_configured = c->areas != NULL;
	if (c->areas == NULL)
		return 0;
	m->silent_areas = calloc(c->areas->n ? c->areas->n : 1, sizeof(*m->silent_areas));
	if (m->silent_areas == NULL)
		return oom(c);
	for (size_t i = 0; i < c->areas->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < m->n_areas && !seen; j++)
			seen = strcmp(m->areas[j].name, c->areas->v[i].id) == 0;
		if (seen)
			continue;
		struct report_named_count *s = &m->silent_areas[m->n_silent_areas++];
		s->name = redact_clean(c->areas->v[i].id);
		s->label = redact_clean(c->areas->v[i].name);
		if (s->name == NULL || s->label == NULL)
			return oom(c);
	}
	return 0;
}

static int campaigns(struct ctx *c)
{
	struct report_model *m = c->m;
	sqlite3_stmt *s;
	if (prepare(c,
		    "SELECT c.id, c.size, c.first_at, c.last_at, c.representative_id, r.text"
		    " FROM campaigns c LEFT JOIN responses r ON r.id = c.representative_id"
		    " ORDER BY c.size DESC, c.id LIMIT ?",
		    &s, "reading campaigns") != 0)
		return -1;
	sqlite3_bind_int(s, 1, REPORT_MAX_LISTED);
	m->campaigns = calloc(REPORT_MAX_LISTED, sizeof(*m->campaigns));
	if (m->campaigns == NULL) {
		sqlite3_finalize(s);
		return oom(c);
	}
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_campaign *k = &m->campaigns[m->n_campaigns_listed++];
		k->id = sqlite3_column_int64(s, 0);
		k->size = sqlite3_column_int64(s, 1);
		k->first_at = sqlite3_column_int64(s, 2);
		k->last_at = sqlite3_column_int64(s, 3);
		long ci = campaign_index(c, k->id);
		k->counted = ci >= 0 ? c->campaign_counted[ci] : 0;
		if (sqlite3_column_type(s, 4) != SQLITE_NULL && col_text(s, 5) != NULL) {
			char ref[32];
			storage_format_ref(sqlite3_column_int64(s, 4), ref, sizeof(ref));
			k->ref = strdup(ref);
			k->text = excerpt_text(col_text(s, 5), 200);
			if (k->ref == NULL || k->text == NULL) {
				sqlite3_finalize(s);
				return oom(c);
			}
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(c, "reading campaigns");
}

static int cmp_item(const void *a, const void *b)
{
	const struct report_named_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static _Thread_local const struct qstate *sort_qs;

static int cmp_question(const void *a, const void *b)
{
	const struct qstate *x = &sort_qs[*(const size_t *)a], *y = &sort_qs[*(const size_t *)b];
	if (x->min_idx != y->min_idx)
		return x->min_idx < y->min_idx ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The questions were counted in the pass: order them as in the form, their
 * items most first, and name the themes of free-text questions. */
static int questions(struct ctx *c)
{
	struct report_model *m = c->m;
	for (size_t i = 0; i < m->n_questions; i++) {
		struct report_question *k = &m->questions[i];
		if (k->n_items > 1)
			qsort(k->items, k->n_items, sizeof(*k->items), cmp_item);
		for (size_t j = 0; !k->choice && j < k->n_items; j++) {
			long ti = themes_find(c->ts, k->items[j].name);
			if (ti >= 0 && (k->items[j].label = strdup(themes_label(c->ts, (size_t)ti))) == NULL)
				return oom(c);
		}
	}
	/* in form order: sort indexes by the counting state, then move */
	struct report_question *copy = malloc((m->n_questions ? m->n_questions : 1) * sizeof(*copy));
	size_t *order = malloc((m->n_questions ? m->n_questions : 1) * sizeof(*order));
	if (copy == NULL || order == NULL) {
		free(copy);
		free(order);
		return oom(c);
	}
	for (size_t i = 0; i < m->n_questions; i++)
		order[i] = i;
	sort_qs = c->qs;
	if (m->n_questions > 1)
		qsort(order, m->n_questions, sizeof(*order), cmp_question);
	if (m->n_questions > 0)
		memcpy(copy, m->questions, m->n_questions * sizeof(*copy));
	for (size_t i = 0; i < m->n_questions; i++)
		m->questions[i] = copy[order[i]];
	free(copy);
	free(order);
	return 0;
}

static int quality(struct ctx *c, struct storage *st)
{
	struct report_model *m = c->m;
	if (named_counts(c,
			 "SELECT coalesce(status_reason, 'no reason recorded'), count(*)"
			 " FROM responses INDEXED BY responses_status WHERE status = 'quarantined'"
			 " GROUP BY 1 ORDER BY 2 DESC, 1",
			 "reading quarantine", &m->quarantine_reasons, &m->n_quarantine_reasons,
			 REPORT_MAX_LISTED) != 0)
		return -1;
	sqlite3_stmt *s;
	if (prepare(c, "SELECT count(*) FROM manual_labels", &s, "reading manual labels") != 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		m->manual_labels = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	struct storage_source *src;
	size_t n;
	if (storage_sources(st, &src, &n) != 0) {
		snprintf(c->err, c->errlen, "%s", storage_errmsg(st));
		return -1;
	}
	m->sources = calloc(n ? n : 1, sizeof(*m->sources));
	if (m->sources == NULL) {
		storage_sources_free(src, n);
		return oom(c);
	}
	for (size_t i = 0; i < n; i++) {
		struct report_source *r = &m->sources[m->n_sources++];
		r->name = redact_clean(src[i].source);
		r->stored = src[i].stored;
		r->server_count = src[i].server_count;
		r->missing = src[i].missing_count;
		r->reconciled_at = src[i].reconciled_at;
		r->last_error = src[i].last_error != NULL ? redact_clean(src[i].last_error) : NULL;
	}
	storage_sources_free(src, n);
	return 0;
}

/* ---- build ----------------------------------------------------------- */

int report_model_build(struct report_model *m, struct storage *st, const struct config *cfg,
		       const struct theme_set *ts, const struct report_areas *areas,
		       int64_t now, bool closing, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	struct ctx c = {.m = m, .db = storage_db(st), .ts = ts, .areas = areas,
			.err = err, .errlen = errlen};
	int ret = -1;
	m->name = redact_clean(cfg->name);
	m->opens = cfg->opens;
	m->closes = cfg->closes;
	m->grace = cfg->grace;
	m->generated = now;
	m->closing = closing;
	m->theme_set_id = strdup(themes_set_id(ts));
	m->theme_set_label = redact_clean(themes_set_label(ts));
	m->n_configured_themes = themes_count(ts);
	m->default_threshold = themes_count(ts) > 0 ? themes_threshold(ts, 0) : 0.0;
	if (m->name == NULL || m->theme_set_id == NULL || m->theme_set_label == NULL)
		goto nomem;
	/* Every configured theme is listed, also those no response raised. */
	if (load_campaign_ids(&c) != 0)
		goto out;
	for (size_t i = 0; i < themes_count(ts); i++) {
		long k = theme_slot(&c, themes_id(ts, i));
		if (k < 0)
			goto nomem;
		free(m->themes[k].label);
		m->themes[k].label = redact_clean(themes_label(ts, i));
		m->themes[k].configured = true;
		if (m->themes[k].label == NULL)
			goto nomem;
	}
	/* One read transaction: every figure comes from the same snapshot. */
	if (sqlite3_exec(c.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(&c, "starting a read");
		goto out;
	}
	int rc = pass(&c);
	if (rc == 0) {
		sort_ts = ts;
		if (m->n_themes > 1)
			qsort(m->themes, m->n_themes, sizeof(*m->themes), cmp_theme);
		rc = excerpts(&c);
	}
	if (rc == 0)
		rc = respondents(&c);
	if (rc == 0)
		rc = campaigns(&c);
	if (rc == 0)
		rc = questions(&c);
	if (rc == 0)
		rc = quality(&c, st);
	if (rc == 0 && storage_multi_channel_respondents(st, &m->both_channels) != 0) {
		snprintf(err, errlen, "%s", storage_errmsg(st));
		rc = -1;
	}
	sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
	if (rc != 0)
		goto out;
	report_accuracy_load(cfg->themes_path, m->theme_set_id, &m->accuracy);
	ret = 0;
	goto out;
nomem:
	oom(&c);
out:
	sqlite3_create_function(c.db, "consultd_counted", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	free(c.counted_bits);
	free(c.campaign_ids);
	free(c.campaign_counted);
	for (size_t i = 0; i < c.n_theme_campaigns; i++)
		free(c.theme_campaigns[i]);
	free(c.theme_campaigns);
	for (size_t i = 0; i < m->n_questions && c.qs != NULL; i++) {
		free(c.qs[i].key);
		free(c.qs[i].item_last);
	}
	free(c.qs);
	if (ret != 0)
		report_model_free(m);
	return ret;
}

static void free_named(struct report_named_count *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].label);
	}
	free(v);
}

void report_model_free(struct report_model *m)
{
	free(m->name);
	free(m->theme_set_id);
	free(m->theme_set_label);
	free(m->days);
	for (size_t i = 0; i < m->n_themes; i++) {
		struct report_theme *t = &m->themes[i];
		for (size_t j = 0; j < t->n_excerpts; j++) {
			free(t->excerpts[j].ref);
			free(t->excerpts[j].text);
			free(t->excerpts[j].who);
			free(t->excerpts[j].area);
		}
		free(t->excerpts);
		free(t->id);
		free(t->label);
	}
	free(m->themes);
	free_named(m->organisations, m->n_organisations_listed);
	free_named(m->areas, m->n_areas);
	free_named(m->silent_areas, m->n_silent_areas);
	free(m->areas_error);
	for (size_t i = 0; i < m->n_campaigns_listed; i++) {
		free(m->campaigns[i].ref);
		free(m->campaigns[i].text);
	}
	free(m->campaigns);
	for (size_t i = 0; i < m->n_questions; i++) {
		free(m->questions[i].id);
		free(m->questions[i].text);
		free_named(m->questions[i].items, m->questions[i].n_items);
	}
	free(m->questions);
	free_named(m->quarantine_reasons, m->n_quarantine_reasons);
	for (size_t i = 0; i < m->n_sources; i++) {
		free(m->sources[i].name);
		free(m->sources[i].last_error);
	}
	free(m->sources);
	report_accuracy_free(&m->accuracy);
	memset(m, 0, sizeof(*m));
}
