/*
 * model.c — naive Bayes from manual labels, combined with the lexicon
 * (the contract and the formula are in model.h).
 */
#include "model.h"

#include "classify.h"
#include "areas.h"
#include "campaign.h"
#include "respondent.h"
#include "lexicon.h"
#include "tokenise.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEX_CAP 3.0
#define SMOOTH 1.0

static const double alphas[] = {0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8};
static const double betas[] = {0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6};

struct model_theme {
	double alpha, beta;
	double prior;     /* log P(+) - log P(-) */
	float *llr;       /* per feature: log P(f|+) - log P(f|-); NULL: unused */
};

struct model {
	const struct theme_set *ts;
	struct model_theme *th;
	size_t n_themes, n_used;
};

/* A doc's distinct feature ids, sorted. */
struct feats {
	uint32_t *id;
	size_t n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int add_words(const char *s, struct feats *f, size_t *cap)
{
	struct tok_reader r;
	struct tok_word w;
	char stem[TOK_WORD_MAX + 1];

	if (s == NULL)
		return 0;
	tok_init(&r, s, strlen(s));
	while (tok_next(&r, &w)) {
		if (w.too_long || tok_is_stop(w.text, w.len))
			continue;
		int n = tok_stem(w.text, w.len, stem);
		if (n < 0)
			return -1;
		if (f->n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			uint32_t *p = realloc(f->id, nc * sizeof(*p));
			if (p == NULL)
				return -1;
			f->id = p;
			*cap = nc;
		}
		f->id[f->n++] = lex_hash(stem, (size_t)n) & (MODEL_FEATURES - 1);
	}
	return 0;
}

static int features(const char *subject, const char *text, struct feats *f)
{
	size_t cap = 0;
	f->id = NULL;
	f->n = 0;
	if (add_words(subject, f, &cap) != 0 || add_words(text, f, &cap) != 0) {
		free(f->id);
		f->id = NULL;
		return -1;
	}
	if (f->n == 0)
		return 0;
	qsort(f->id, f->n, sizeof(*f->id), cmp_u32);
	size_t k = 1;
	for (size_t i = 1; i < f->n; i++)
		if (f->id[i] != f->id[k - 1])
			f->id[k++] = f->id[i];
	f->n = k;
	return 0;
}

/* Counts of one theme's classes, with one doc optionally left out. */
struct nb_counts {
	uint32_t *pos, *neg;   /* per feature: docs of the class with it */
	double pos_total, neg_total, pos_docs, neg_docs;
	size_t vocab;          /* features seen in training */
};

static double nb_logodds(const struct nb_counts *c, const struct feats *f, const struct feats *out,
			 bool out_pos)
{
	double pt = c->pos_total, nt = c->neg_total, pd = c->pos_docs, nd = c->neg_docs;
	if (out != NULL) {
		if (out_pos) {
			pt -= (double)out->n;
			pd -= 1;
		} else {
			nt -= (double)out->n;
			nd -= 1;
		}
	}
	if (pd <= 0 || nd <= 0 || f->n == 0)
		return 0.0;
	double v = (double)c->vocab, sum = 0.0;
	for (size_t i = 0; i < f->n; i++) {
		double p = c->pos[f->id[i]], n = c->neg[f->id[i]];
		if (out != NULL) { /* the left-out doc's own features (f == out) */
			if (out_pos)
				p -= 1;
			else
				n -= 1;
		}
		if (p + n <= 0)
			continue; /* unseen in training: no evidence */
		sum += log((p + SMOOTH) / (pt + SMOOTH * v)) - log((n + SMOOTH) / (nt + SMOOTH * v));
	}
	return (log(pd / nd) + sum) / sqrt((double)f->n);
}

static double lex_part(const struct theme_set *ts, size_t t, double s)
{
	double thr = ts->themes[t].threshold > 0 ? ts->themes[t].threshold : 1.0;
	double x = s / thr;
	return x > LEX_CAP ? LEX_CAP : x;
}

static double f1_of(unsigned tp, unsigned fp, unsigned fn)
{
	return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
}

/* Pick alpha/beta for theme t from leave-one-out log-odds lo[] and lexicon
 * parts lx[] of the n docs. */
static void calibrate(struct model_theme *mt, const double *lo, const double *lx,
		      const struct model_doc *docs, size_t t, size_t n)
{
	double best = -1.0, base = -1.0;
	mt->alpha = 0.0;
	mt->beta = 1.0;
	for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
		for (size_t b = 0; b < sizeof(betas) / sizeof(betas[0]); b++) {
			if (alphas[a] == 0.0 && betas[b] != 1.0)
				continue;
			unsigned tp = 0, fp = 0, fn = 0;
			for (size_t i = 0; i < n; i++) {
				/* alpha 0: the lexicon's own rule (lx >= 1). */
				bool pred = lx[i] >= 1.0 || lx[i] + alphas[a] * lo[i] >= betas[b];
				tp += pred && docs[i].labels[t];
				fp += pred && !docs[i].labels[t];
				fn += !pred && docs[i].labels[t];
			}
			double f = f1_of(tp, fp, fn);
			if (alphas[a] == 0.0)
				base = f;
			if (f > best) {
				best = f;
				mt->alpha = alphas[a];
				mt->beta = betas[b];
			}
		}
	}
	if (best < base + MODEL_MIN_GAIN) {
		mt->alpha = 0.0;
		mt->beta = 1.0;
	}
}

static int train_theme(struct model *m, size_t t, const struct model_doc *docs,
		       const struct feats *fs, const double *lex, size_t n)
{
	struct model_theme *mt = &m->th[t];
	struct nb_counts c = {0};
	double *lo = NULL, *lx = NULL;
	int rc = -1;
	size_t positives = 0;

	mt->alpha = 0.0;
	mt->beta = 1.0;
	for (size_t i = 0; i < n; i++)
		positives += docs[i].labels[t];
	if (positives < MODEL_MIN_POSITIVES || n - positives < MODEL_MIN_POSITIVES)
		return 0;
	c.pos = calloc(MODEL_FEATURES, sizeof(*c.pos));
	c.neg = calloc(MODEL_FEATURES, sizeof(*c.neg));
	lo = malloc(n * sizeof(*lo));
	lx = malloc(n * sizeof(*lx));
	mt->llr = malloc(MODEL_FEATURES * sizeof(*mt->llr));
	if (c.pos == NULL || c.neg == NULL || lo == NULL || lx == NULL || mt->llr == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint32_t *into = docs[i].labels[t] ? c.pos : c.neg;
		for (size_t k = 0; k < fs[i].n; k++)
			into[fs[i].id[k]]++;
		if (docs[i].labels[t]) {
			c.pos_total += (double)fs[i].n;
			c.pos_docs++;
		} else {
			c.neg_total += (double)fs[i].n;
			c.neg_docs++;
		}
	}
	for (size_t f = 0; f < MODEL_FEATURES; f++)
		c.vocab += c.pos[f] + c.neg[f] > 0;
	for (size_t i = 0; i < n; i++) {
		lo[i] = nb_logodds(&c, &fs[i], &fs[i], docs[i].labels[t]);
		lx[i] = lex_part(m->ts, t, lex[i * m->n_themes + t]);
	}
	calibrate(mt, lo, lx, docs, t, n);
	double v = (double)c.vocab;
	mt->prior = log(c.pos_docs / c.neg_docs);
	for (size_t f = 0; f < MODEL_FEATURES; f++) {
		mt->llr[f] = c.pos[f] + c.neg[f] == 0
				     ? 0.0f
				     : (float)(log((c.pos[f] + SMOOTH) / (c.pos_total + SMOOTH * v)) -
					       log((c.neg[f] + SMOOTH) / (c.neg_total + SMOOTH * v)));
	}
	if (mt->alpha > 0.0)
		m->n_used++;
	rc = 0;
out:
	free(c.pos);
	free(c.neg);
	free(lo);
	free(lx);
	return rc;
}

struct model *model_train(const struct theme_set *ts, const struct model_doc *docs, size_t n)
{
	struct model *m = calloc(1, sizeof(*m));
	struct feats *fs = NULL;
	double *lex = NULL;
	size_t nt = themes_count(ts);
	if (m == NULL)
		return NULL;
	m->ts = ts;
	m->n_themes = nt;
	m->th = calloc(nt ? nt : 1, sizeof(*m->th));
	fs = calloc(n ? n : 1, sizeof(*fs));
	lex = malloc((n * nt > 0 ? n * nt : 1) * sizeof(*lex));
	if (m->th == NULL || fs == NULL || lex == NULL)
		goto fail;
	for (size_t t = 0; t < nt; t++) {
		m->th[t].alpha = 0.0;
		m->th[t].beta = 1.0;
	}
	for (size_t i = 0; i < n; i++) {
		if (features(docs[i].subject, docs[i].text, &fs[i]) != 0 ||
		    classify_scores(ts, docs[i].subject, docs[i].text, lex + i * nt) != 0)
			goto fail;
	}
	for (size_t t = 0; t < nt; t++)
		if (train_theme(m, t, docs, fs, lex, n) != 0)
			goto fail;
	for (size_t i = 0; i < n; i++)
		free(fs[i].id);
	free(fs);
	free(lex);
	return m;
fail:
	for (size_t i = 0; fs != NULL && i < n; i++)
		free(fs[i].id);
	free(fs);
	free(lex);
	model_free(m);
	return NULL;
}

void model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (size_t t = 0; m->th != NULL && t < m->n_themes; t++)
		free(m->th[t].llr);
	free(m->th);
	free(m);
}

size_t model_themes_used(const struct model *m)
{
	return m != NULL ? m->n_used : 0;
}

void model_theme_params(const struct model *m, size_t i, double *alpha, double *beta)
{
	*alpha = m != NULL && i < m->n_themes ? m->th[i].alpha : 0.0;
	*beta = m != NULL && i < m->n_themes ? m->th[i].beta : 1.0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct theme_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->theme_id, y->theme_id);
}

int model_classify_text(const struct model *m, const char *subject, const char *text,
			struct theme_hit **hits, size_t *n_hits)
{
	const struct theme_set *ts = m->ts;
	struct theme_hit *lexh = NULL, *out = NULL;
	size_t n_lex = 0, n_out = 0, nt = m->n_themes;
	struct feats f = {0};
	double *scores = NULL;
	int rc = -1;

	*hits = NULL;
	*n_hits = 0;
	if (m->n_used == 0)
		return classify_text(ts, subject, text, hits, n_hits);
	scores = malloc((nt ? nt : 1) * sizeof(*scores));
	out = calloc(nt ? nt : 1, sizeof(*out));
	if (scores == NULL || out == NULL || classify_scores(ts, subject, text, scores) != 0 ||
	    classify_text(ts, subject, text, &lexh, &n_lex) != 0 ||
	    features(subject, text, &f) != 0)
		goto out;
	for (size_t t = 0; t < nt; t++) {
		const struct model_theme *mt = &m->th[t];
		const struct theme_hit *lh = NULL;
		for (size_t k = 0; k < n_lex; k++)
			if (strcmp(lexh[k].theme_id, ts->themes[t].id) == 0)
				lh = &lexh[k];
		double z;
		if (mt->alpha == 0.0) {
			if (lh == NULL)
				continue;
			z = 1.0;
		} else {
			double lo = 0.0;
			for (size_t k = 0; k < f.n; k++)
				lo += mt->llr[f.id[k]];
			lo = f.n > 0 ? (mt->prior + lo) / sqrt((double)f.n) : 0.0;
			z = lex_part(ts, t, scores[t]) + mt->alpha * lo;
			if (z < mt->beta && lh == NULL)
				continue;
			if (z < mt->beta)
				z = mt->beta; /* the lexicon's hit stands */
		}
		double thr = ts->themes[t].threshold;
		out[n_out].score = lh != NULL && mt->alpha == 0.0 ? lh->score : z / mt->beta * thr;
		out[n_out].theme_id = strdup(ts->themes[t].id);
		out[n_out].terms = strdup(lh != NULL ? lh->terms : "(model)");
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
	classify_free_hits(lexh, n_lex);
	free(scores);
	free(f.id);
	return rc;
}

int model_classify_response(const struct model *m, struct response *r)
{
	struct theme_hit *hits;
	size_t n;
	char *own = classify_own_words(m->ts, r->text != NULL ? r->text : "", NULL);
	if (own == NULL)
		return -1;
	int rc = model_classify_text(m, r->subject, own, &hits, &n);
	if (rc >= 0) {
		classify_free_hits(r->themes, r->n_themes);
		r->themes = hits;
		r->n_themes = n;
		if (respondent_classify_response(r, own) != 0 ||
		    areas_classify_response(m->ts, r, own) != 0 || campaign_set_print(m->ts, r, own) != 0)
			rc = -1;
	}
	free(own);
	return rc < 0 ? -1 : 0;
}
