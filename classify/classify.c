/*
 * classify.c — score a response against a loaded theme set.
 *
 * One pass over subject then text: each word is folded, stop words are
 * skipped, the rest stemmed and looked up in the set's stem table. A ring
 * of the last LEX_PHRASE_MAX stem ids lets a phrase be recognised when its
 * last word arrives (variants are indexed by last stem, see lexicon.h).
 * A sentence break, the gap between subject and text, and any word no term
 * uses all enter the ring as "no stem", so a phrase never spans them.
 *
 * Score of a theme, with c_j the number of times term j occurred:
 *
 *     score = max(0, sum_j s_j * w_j * c_j (k + 1) / (c_j + k N))
 *
 * where w_j is the term's weight, s_j is +1 for a term and -1 for an
 * "against" term, k = 1.2, and N = 1 - b + b * max(L, A) / A is a gentle
 * length norm: L is the number of non-stop words in subject and text,
 * A = 150 (about a 1 KB response) and b = 0.1.
 *
 * This is BM25's saturation. A term met once in a short email counts its
 * weight exactly; repeats add less and less (never more than 2.2 times
 * the weight), so a letter that says "burglary" ten times does not drown
 * out its other themes. Responses shorter than A are not boosted, and a
 * 10 KB letter's single mention still counts two-thirds of its weight, so
 * a passing remark in a long submission weighs a little less than the
 * same remark as the whole of an email. Scores are therefore comparable
 * across lengths and with the set's threshold.
 */
#include "classify.h"
#include "quote.h"
#include "pasted.h"
#include "areas.h"
#include "campaign.h"
#include "respondent.h"

#include "lexicon.h"
#include "tokenise.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SAT_K 1.2
#define NORM_B 0.1
#define NORM_AVG 150.0

#define NO_STEM UINT32_MAX

struct scan {
	const struct theme_set *ts;
	uint32_t ring[LEX_PHRASE_MAX];  /* last stem ids; NO_STEM for gaps */
	size_t pos;                     /* words pushed so far */
	size_t n_words;                 /* non-stop words: L in the formula */
	uint32_t *counts;               /* per term */
};

static void push_gap(struct scan *sc)
{
	sc->ring[sc->pos++ % LEX_PHRASE_MAX] = NO_STEM;
}

/* The ring holds the last word at pos - 1; a variant matches when its
 * stems are the last len entries. */
static void match_at(struct scan *sc, uint32_t id)
{
	const struct theme_set *ts = sc->ts;

	sc->ring[sc->pos++ % LEX_PHRASE_MAX] = id;
	for (uint32_t i = ts->last_off[id]; i < ts->last_off[id + 1]; i++) {
		const struct lex_variant *v = &ts->variants[ts->by_last[i]];
		bool ok = v->len <= sc->pos;
		for (uint32_t k = 1; ok && k < v->len; k++)
			ok = sc->ring[(sc->pos - 1 - k) % LEX_PHRASE_MAX] ==
			     v->ids[v->len - 1 - k];
		if (ok)
			sc->counts[v->term]++;
	}
}

/*
 * Per thread, word -> what it amounts to: a stop word, a word no term
 * uses, or the id of its stem in the set with the cache's serial. Letters
 * reuse a small vocabulary, so nearly every word skips the stop check,
 * the stemmer and the stem table. Direct-mapped; a slot holds one word.
 */
#define WCACHE_SLOTS 16384 /* a power of two */
#define WCACHE_WORD 23
#define KIND_STOP (-2)
#define KIND_NONE (-1)

struct wcache_slot {
	uint8_t len;            /* 0: empty */
	char word[WCACHE_WORD];
	int32_t kind;           /* KIND_STOP, KIND_NONE or a stem id */
};

struct word_cache {
	uint64_t serial;        /* of the theme set the ids belong to */
	struct wcache_slot slot[WCACHE_SLOTS];
};

static _Thread_local struct word_cache wcache;

/* KIND_STOP, KIND_NONE, a stem id, or -3 when stemming failed. */
static long word_kind(const struct theme_set *ts, const struct tok_word *w)
{
	char stem[TOK_WORD_MAX + 1];
	if (tok_is_stop(w->text, w->len))
		return KIND_STOP;
	int n = tok_stem(w->text, w->len, stem);
	if (n < 0)
		return -3;
	long id = lex_lookup(ts, stem, (size_t)n);
	return id < 0 ? KIND_NONE : id;
}

static long cached_kind(const struct theme_set *ts, const struct tok_word *w)
{
	if (w->len == 0 || w->len > WCACHE_WORD)
		return word_kind(ts, w);
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < w->len; i++)
		h = (h ^ (unsigned char)w->text[i]) * 16777619u;
	struct wcache_slot *slot = &wcache.slot[h & (WCACHE_SLOTS - 1)];
	if (slot->len == w->len && memcmp(slot->word, w->text, w->len) == 0)
		return slot->kind;
	long kind = word_kind(ts, w);
	if (kind >= KIND_STOP && kind <= INT32_MAX) {
		slot->len = (uint8_t)w->len;
		memcpy(slot->word, w->text, w->len);
		slot->kind = (int32_t)kind;
	}
	return kind;
}

static int scan_text(struct scan *sc, const char *s)
{
	struct tok_reader r;
	struct tok_word w;

	if (wcache.serial != sc->ts->serial || sc->ts->serial == 0) {
		memset(wcache.slot, 0, sizeof(wcache.slot));
		wcache.serial = sc->ts->serial;
	}
	tok_init(&r, s, strlen(s));
	while (tok_next(&r, &w)) {
		if (w.after_break)
			push_gap(sc);
		if (w.too_long) {
			/* Longer than any stop word: counted, but matches nothing. */
			sc->n_words++;
			push_gap(sc);
			continue;
		}
		long kind = sc->ts->serial != 0 ? cached_kind(sc->ts, &w) : word_kind(sc->ts, &w);
		if (kind == KIND_STOP)
			continue;
		if (kind < KIND_STOP)
			return -1;
		sc->n_words++;
		if (kind == KIND_NONE)
			push_gap(sc);
		else
			match_at(sc, (uint32_t)kind);
	}
	push_gap(sc); /* nothing spans from subject into text */
	return 0;
}

struct ranked {
	uint32_t term;
	double part;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->part != y->part)
		return x->part > y->part ? -1 : 1;
	return x->term < y->term ? -1 : x->term > y->term;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct theme_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->theme_id, y->theme_id);
}

/* "term, term, ..." of the matched positive terms, largest part first. */
static char *join_terms(const struct theme_set *ts, struct ranked *rk, size_t n)
{
	size_t len = 1;
	char *s, *p;

	qsort(rk, n, sizeof(*rk), ranked_cmp);
	for (size_t i = 0; i < n; i++)
		len += strlen(ts->terms[rk[i].term].text) + 2;
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	for (size_t i = 0; i < n; i++) {
		const char *t = ts->terms[rk[i].term].text;
		size_t tl = strlen(t);
		if (i > 0) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, t, tl);
		p += tl;
	}
	*p = '\0';
	return s;
}

/* Count every term's occurrences in subject then text into sc->counts
 * (allocated here; the caller frees) and return the length norm N. */
static int scan_all(const struct theme_set *ts, const char *subject, const char *text,
		    struct scan *sc, double *norm)
{
	*sc = (struct scan){.ts = ts};
	sc->counts = calloc(ts->n_terms ? ts->n_terms : 1, sizeof(*sc->counts));
	if (sc->counts == NULL)
		return -1;
	for (size_t i = 0; i < LEX_PHRASE_MAX; i++)
		push_gap(sc);
	if (subject != NULL && scan_text(sc, subject) < 0)
		return -1;
	if (text != NULL && scan_text(sc, text) < 0)
		return -1;
	double len = (double)sc->n_words < NORM_AVG ? NORM_AVG : (double)sc->n_words;
	*norm = 1.0 - NORM_B + NORM_B * len / NORM_AVG;
	return 0;
}

/* Theme t's score from the counts; *n_rk positive terms ranked into rk
 * (may be NULL when only the score is wanted). */
static double theme_score(const struct theme_set *ts, const struct scan *sc, double norm,
			  size_t t, struct ranked *rk, size_t *n_rk)
{
	const struct lex_theme *th = &ts->themes[t];
	double score = 0.0;
	size_t n = 0;
	for (uint32_t j = th->first_term; j < th->first_term + th->n_terms; j++) {
		if (sc->counts[j] == 0)
			continue;
		double c = sc->counts[j];
		double part = ts->terms[j].weight * c * (SAT_K + 1.0) / (c + SAT_K * norm);
		if (ts->terms[j].against) {
			score -= part;
		} else {
			score += part;
			if (rk != NULL)
				rk[n] = (struct ranked){j, part};
			n++;
		}
	}
	if (n_rk != NULL)
		*n_rk = n;
	return n == 0 || score < 0.0 ? 0.0 : score;
}

int classify_scores(const struct theme_set *ts, const char *subject, const char *text,
		    double *scores)
{
	struct scan sc;
	double norm;
	int rc = scan_all(ts, subject, text, &sc, &norm);
	for (size_t t = 0; rc == 0 && t < ts->n_themes; t++)
		scores[t] = theme_score(ts, &sc, norm, t, NULL, NULL);
	free(sc.counts);
	return rc;
}

int classify_text(const struct theme_set *ts, const char *subject,
		  const char *text, struct theme_hit **hits, size_t *n_hits)
{
	struct scan sc = {0};
	struct theme_hit *out = NULL;
	struct ranked *rk = NULL;
	size_t n_out = 0;
	double norm;
	int rc = -1;

	*hits = NULL;
	*n_hits = 0;
	rk = malloc((ts->n_terms ? ts->n_terms : 1) * sizeof(*rk));
	out = calloc(ts->n_themes ? ts->n_themes : 1, sizeof(*out));
	if (rk == NULL || out == NULL || scan_all(ts, subject, text, &sc, &norm) != 0)
		goto out;
	for (size_t t = 0; t < ts->n_themes; t++) {
		size_t n_rk;
		double score = theme_score(ts, &sc, norm, t, rk, &n_rk);
		if (score < ts->themes[t].threshold || n_rk == 0)
			continue;
		out[n_out].score = score;
		out[n_out].theme_id = strdup(ts->themes[t].id);
		out[n_out].terms = join_terms(ts, rk, n_rk);
		n_out++;
		if (out[n_out - 1].theme_id == NULL || out[n_out - 1].terms == NULL)
			goto out;
	}
	qsort(out, n_out, sizeof(*out), hit_cmp);
	if (n_out > 0) {
		*hits = out;
		*n_hits = n_out;
		out = NULL;
	}
	rc = 0;
out:
	classify_free_hits(out, n_out);
	free(rk);
	free(sc.counts);
	return rc;
}

void classify_free_hits(struct theme_hit *hits, size_t n)
{
	if (hits == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(hits[i].theme_id);
		free(hits[i].terms);
	}
	free(hits);
}

/*
 * The text to classify: the respondent's own words of the body (quotes,
 * signature and disclaimer set aside, see quote.h), then the attachments'
 * text, which the MIME normaliser appends after ATTACHMENT_MARK.
 */
#define ATTACHMENT_MARK "\n\n[attachment: "

/* The body's own words (quote.h) followed by the attachments' text. */
static char *body_own_then_attachments(const char *text, size_t *quoted)
{
	const char *mark = strncmp(text, &ATTACHMENT_MARK[2], strlen(ATTACHMENT_MARK) - 2) == 0
				   ? text /* no body text: only attachments */
				   : strstr(text, ATTACHMENT_MARK);
	size_t body_len = mark != NULL ? (size_t)(mark - text) : strlen(text);
	char *body = strndup(text, body_len);
	if (body == NULL)
		return NULL;
	char *own = quote_own_text(body, quoted);
	free(body);
	if (own == NULL || mark == NULL)
		return own;
	size_t own_len = strlen(own), rest = strlen(mark);
	char *all = realloc(own, own_len + rest + 1);
	if (all == NULL) {
		free(own);
		return NULL;
	}
	memcpy(all + own_len, mark, rest + 1);
	return all;
}

uint64_t classify_own_words_id(const struct theme_set *ts)
{
	uint64_t d = pasted_index_digest(themes_pasted(ts));
	return (d ^ CLASSIFY_OWN_WORDS_VERSION) * 0x9e3779b97f4a7c15ull + CLASSIFY_OWN_WORDS_VERSION;
}

char *classify_own_words(const struct theme_set *ts, const char *text,
			 struct own_words_aside *aside)
{
	struct own_words_aside a = {0, 0};
	char *own = body_own_then_attachments(text, &a.quoted);
	const struct pasted_index *ix = themes_pasted(ts);
	if (own != NULL && ix != NULL) {
		char *mine = pasted_remove(ix, own, &a.pasted);
		free(own);
		own = mine;
	}
	if (aside != NULL)
		*aside = a;
	return own;
}

int classify_response(const struct theme_set *ts, struct response *r)
{
	struct theme_hit *hits;
	size_t n;

	char *own = classify_own_words(ts, r->text != NULL ? r->text : "", NULL);
	if (own == NULL)
		return -1;
	int rc = classify_text(ts, r->subject, own, &hits, &n);
	if (rc >= 0) {
		classify_free_hits(r->themes, r->n_themes);
		r->themes = hits;
		r->n_themes = n;
		if (respondent_classify_response(r, own) != 0 ||
		    areas_classify_response(ts, r, own) != 0 || campaign_set_print(ts, r, own) != 0)
			rc = -1;
	}
	free(own);
	return rc < 0 ? -1 : 0;
}
