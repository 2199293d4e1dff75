/*
 * classify.h — score a response's text against a theme set.
 *
 * Local, deterministic and explainable: every theme hit carries the terms
 * that produced it. Multi-label: every theme whose score passes the set's
 * threshold is returned, highest first; none when nothing passes.
 * Thread-safe for a shared, immutable theme_set.
 */
#ifndef CONSULTD_CLASSIFY_H
#define CONSULTD_CLASSIFY_H

#include "intake/response.h"
#include "themes.h"

/*
 * Classify subject + text. On success sets *hits to a caller-owned array of
 * *n_hits theme_hits (each member owned by the array; free with
 * classify_free_hits) and returns 0; *hits is NULL when n is 0. Returns -1
 * on out of memory.
 */
int classify_text(const struct theme_set *ts, const char *subject,
		  const char *text, struct theme_hit **hits, size_t *n_hits);
void classify_free_hits(struct theme_hit *hits, size_t n);

/*
 * Every theme's raw score (0 when none of its terms occurred, never below
 * 0) into scores[themes_count(ts)], whether or not it passes the
 * threshold: what the supervised model (model.h) combines with. Returns 0,
 * or -1 on out of memory.
 */
int classify_scores(const struct theme_set *ts, const char *subject, const char *text,
		    double *scores);

/* What classify_own_words left out, in bytes. */
struct own_words_aside {
	size_t quoted; /* quotes, signature and disclaimer of the body (quote.h) */
	size_t pasted; /* passages of the consultation's documents (pasted.h) */
};

/*
 * The words of a stored response text that are the respondent's own: the
 * body without quotes, signature and disclaimer (quote.h), then any
 * attachment text; of both, passages of ts's consultation documents set
 * aside (none when ts is NULL or names no document). A new string the
 * caller frees; *aside (may be NULL) gets what was left out. NULL on out of
 * memory.
 */
char *classify_own_words(const struct theme_set *ts, const char *text,
			 struct own_words_aside *aside);

/* Which own words classify_own_words gives with ts, as a number: it
 * changes when ts's documents do, and with CLASSIFY_OWN_WORDS_VERSION,
 * raised whenever a change to quote.h's or pasted.h's rules sets aside
 * other words. For what is stored from the own words (campaign.h). */
#define CLASSIFY_OWN_WORDS_VERSION 1
uint64_t classify_own_words_id(const struct theme_set *ts);

/* Classify r->subject/r->text into r->themes/r->n_themes (replacing any),
 * and set r->respondent_type, r->organisation (respondent.h) and r->area
 * (areas.h, with the set's areas). */
int classify_response(const struct theme_set *ts, struct response *r);

#endif
