/*
 * model.h — a supervised model learnt from a lead's corrections, combined
 * with the theme file's lexicon.
 *
 * Features are the same stems the lexicon matches (tokenise.h: folded, stop
 * words left out, English stems), of the subject and the respondent's own
 * words, hashed into MODEL_FEATURES buckets and counted once per response.
 * Per theme, one-vs-rest, a multinomial naive Bayes over those binary
 * features gives a log-odds; divided by the square root of the response's
 * number of features, so a long letter is not more certain than an email.
 *
 * Combination, per theme t with lexicon score s and threshold T:
 *
 *     z = min(s / T, 3) + alpha_t * logodds      present when z >= beta_t
 *
 * alpha = 0, beta = 1 is the lexicon alone. alpha_t and beta_t are chosen
 * from a small grid by leave-one-out F1 on the labelled responses, and the
 * model moves a theme away from the lexicon alone only when that raises
 * the leave-one-out F1 by more than MODEL_MIN_GAIN; a theme with fewer than
 * MODEL_MIN_POSITIVES labelled examples keeps the lexicon alone. Training
 * is deterministic and takes milliseconds for thousands of responses, so
 * the model is trained afresh from the store's manual labels at each
 * `consultctl reclassify` rather than stored.
 *
 * A trained model borrows its theme set, which must outlive it. It is
 * immutable after training and may be shared between threads.
 */
#ifndef CONSULTD_MODEL_H
#define CONSULTD_MODEL_H

#include "intake/response.h"
#include "themes.h"

#include <stdbool.h>
#include <stddef.h>

#define MODEL_FEATURES 32768u
#define MODEL_MIN_POSITIVES 3
#define MODEL_MIN_GAIN 0.01

/* One labelled response: labels[i] says whether theme i is present. */
struct model_doc {
	const char *subject;  /* may be NULL */
	const char *text;     /* the respondent's own words (classify_own_words) */
	const bool *labels;   /* themes_count(ts) entries */
};

struct model;

/* Train from n docs (n may be 0: the lexicon alone). NULL on out of memory. */
struct model *model_train(const struct theme_set *ts, const struct model_doc *docs, size_t n);
void model_free(struct model *m); /* accepts NULL */

/* How many themes the model changes from the lexicon alone. */
size_t model_themes_used(const struct model *m);
/* Theme i's chosen alpha and beta (0 and 1 when the lexicon alone). */
void model_theme_params(const struct model *m, size_t i, double *alpha, double *beta);

/*
 * Classify subject + own text (already the respondent's own words) with
 * the lexicon and the model combined: hits as classify_text gives them
 * (caller frees with classify_free_hits); a theme the model adds that the
 * lexicon did not pass lists its terms as "(model)". 0, or -1 on out of
 * memory.
 */
int model_classify_text(const struct model *m, const char *subject, const char *text,
			struct theme_hit **hits, size_t *n_hits);

/* As classify_response (themes, respondent type, area), with the themes
 * from the lexicon and the model combined. */
int model_classify_response(const struct model *m, struct response *r);

#endif
