/*
 * labels.c — consultctl retag, reclassify and campaigns: the commands that
 * change the store beside the daemon (WAL and a busy timeout make that
 * safe; each write is a short transaction).
 */
#include "ctl.h"

#include "classify/campaign.h"
#include "classify/classify.h"
#include "classify/model.h"
#include "config/config.h"
#include "config/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECLASSIFY_BATCH 500

/* ---- retag ------------------------------------------------------------ */

int ctl_retag(struct ctl *c, int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: consultctl -c FILE retag REF +THEME|-THEME ...\n");
		return 2;
	}
	int64_t id = storage_parse_ref(argv[1]);
	if (id == 0) {
		fprintf(stderr, "consultctl: retag: '%s' is not a reference such as R-000042\n",
			argv[1]);
		return 2;
	}
	/* Every label is checked before anything is written. */
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if ((a[0] != '+' && a[0] != '-') || themes_find(c->themes, a + 1) < 0) {
			char esc[200];
			fprintf(stderr,
				"consultctl: retag: '%s' is not +THEME or -THEME with a theme id of %s\n",
				log_escape(a, esc, sizeof(esc)), themes_set_id(c->themes));
			return 2;
		}
	}
	if (ctl_open_store(c, true) != 0)
		return 1;
	int64_t now = (int64_t)time(NULL);
	if (storage_begin(c->store) != 0)
		goto failed;
	for (int i = 2; i < argc; i++) {
		if (storage_retag(c->store, id, argv[i] + 1, argv[i][0] == '+', now) != 0) {
			storage_rollback(c->store);
			goto failed;
		}
	}
	if (storage_commit(c->store) != 0) {
		storage_rollback(c->store);
		goto failed;
	}
	char *summary = NULL;
	if (storage_manual_summary(c->store, id, &summary) != 0)
		goto failed;
	char ref[32];
	storage_format_ref(id, ref, sizeof(ref));
	printf("%s: corrected: %s\n", ref, summary != NULL ? summary : "");
	free(summary);
	return 0;
failed:
	fprintf(stderr, "consultctl: retag: %s\n", storage_errmsg(c->store));
	return 1;
}

/* ---- reclassify ------------------------------------------------------ */

/* Training data: the responses a lead corrected, with the themes in force. */
struct training {
	const struct theme_set *ts;
	struct model_doc *docs;
	char **subjects, **texts;
	bool *labels;
	size_t n, cap;
	bool oom;
};

static int add_training(void *user, const char *ref, const struct response *r)
{
	(void)ref;
	struct training *t = user;
	size_t nt = themes_count(t->ts);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct model_doc *d = realloc(t->docs, cap * sizeof(*d));
		char **s = d != NULL ? realloc(t->subjects, cap * sizeof(*s)) : NULL;
		if (d != NULL)
			t->docs = d;
		if (s != NULL)
			t->subjects = s;
		char **x = s != NULL ? realloc(t->texts, cap * sizeof(*x)) : NULL;
		if (x != NULL)
			t->texts = x;
		bool *l = x != NULL ? realloc(t->labels, cap * (nt ? nt : 1) * sizeof(*l)) : NULL;
		if (l == NULL) {
			t->oom = true;
			return -1;
		}
		t->labels = l;
		t->cap = cap;
	}
	size_t i = t->n;
	t->subjects[i] = r->subject != NULL ? strdup(r->subject) : NULL;
	t->texts[i] = classify_own_words(t->ts, r->text != NULL ? r->text : "", NULL);
	if ((r->subject != NULL && t->subjects[i] == NULL) || t->texts[i] == NULL) {
		free(t->subjects[i]);
		free(t->texts[i]);
		t->oom = true;
		return -1;
	}
	memset(t->labels + i * nt, 0, nt * sizeof(bool));
	for (size_t k = 0; k < r->n_themes; k++) {
		long th = themes_find(t->ts, r->themes[k].theme_id);
		if (th >= 0)
			t->labels[i * nt + (size_t)th] = true;
	}
	t->n++;
	return 0;
}

static void training_free(struct training *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->subjects[i]);
		free(t->texts[i]);
	}
	free(t->subjects);
	free(t->texts);
	free(t->labels);
	free(t->docs);
}

/* What a reclassification run found, kept until it is written. */
struct pending {
	int64_t id;
	struct response r;          /* only the classified members are set */
	char *old_themes, *old_type_area;
};

struct run {
	struct ctl *c;
	const struct model *m;
	struct pending *p;
	size_t n, cap;
	bool oom;
};

/* "id,id,..." of the hits' theme ids, sorted; NULL on out of memory. */
static char *theme_key(const struct theme_hit *h, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(h[i].theme_id) + 1;
	char *s = malloc(len), **ids = malloc((n ? n : 1) * sizeof(*ids));
	if (s == NULL || ids == NULL) {
		free(s);
		free(ids);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = h[i].theme_id;
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of themes */
		for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			char *t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	size_t used = 0;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(ids[i]);
		memcpy(s + used, ids[i], l);
		s[used + l] = ',';
		used += l + 1;
	}
	s[used] = '\0';
	free(ids);
	return s;
}

static char *type_area_key(const struct response *r)
{
	const char *t = respondent_type_name(r->respondent_type);
	size_t n = 8 + (t ? strlen(t) : 0) + (r->area ? strlen(r->area) : 0) +
		   (r->organisation ? strlen(r->organisation) : 0);
	char *s = malloc(n);
	if (s != NULL)
		snprintf(s, n, "%s|%s|%s", t ? t : "", r->area ? r->area : "",
			 r->organisation ? r->organisation : "");
	return s;
}

static int reclassify_one(void *user, const char *ref, const struct response *r)
{
	(void)ref;
	struct run *run = user;
	if (run->n == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 256;
		struct pending *p = realloc(run->p, cap * sizeof(*p));
		if (p == NULL) {
			run->oom = true;
			return -1;
		}
		run->p = p;
		run->cap = cap;
	}
	struct pending *p = &run->p[run->n];
	memset(p, 0, sizeof(*p));
	p->id = storage_parse_ref(ref);
	p->old_themes = theme_key(r->themes, r->n_themes);
	p->old_type_area = type_area_key(r);
	/* A shallow copy of what classification reads; it fills the rest. */
	struct response in = {.subject = r->subject, .text = r->text, .sender_email = r->sender_email};
	int rc = run->m != NULL ? model_classify_response(run->m, &in)
				: classify_response(run->c->themes, &in);
	p->r.themes = in.themes;
	p->r.n_themes = in.n_themes;
	p->r.respondent_type = in.respondent_type;
	p->r.organisation = in.organisation;
	p->r.area = in.area;
	p->r.campaign_print = in.campaign_print;
	p->r.campaign_print_len = in.campaign_print_len;
	run->n++;
	if (rc != 0 || p->old_themes == NULL || p->old_type_area == NULL) {
		run->oom = true;
		return -1;
	}
	return 0;
}

static void pending_free(struct pending *p)
{
	free(p->old_themes);
	free(p->old_type_area);
	response_clear(&p->r);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* theme_key of r's automatic themes amended by the lead's labels
 * ("+a -b ..." as storage_manual_summary gives them, or NULL). */
static int in_force_key(const struct response *r, const char *manual, char **out)
{
	size_t cap = r->n_themes + 1, n = 0;
	struct theme_hit *h = calloc(cap, sizeof(*h));
	char *copy = manual != NULL ? strdup(manual) : NULL;
	int rc = -1;
	if (h == NULL || (manual != NULL && copy == NULL))
		goto out;
	for (size_t i = 0; i < r->n_themes; i++)
		h[n++].theme_id = r->themes[i].theme_id;
	char *save = NULL;
	for (char *tok = copy != NULL ? strtok_r(copy, " ", &save) : NULL; tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		size_t k = 0;
		while (k < n && strcmp(h[k].theme_id, tok + 1) != 0)
			k++;
		if (tok[0] == '-' && k < n) {
			h[k] = h[--n];
		} else if (tok[0] == '+' && k == n) {
			if (n == cap) {
				struct theme_hit *g = realloc(h, (cap *= 2) * sizeof(*h));
				if (g == NULL)
					goto out;
				h = g;
			}
			h[n++].theme_id = tok + 1;
		}
	}
	*out = theme_key(h, n);
	rc = *out != NULL ? 0 : -1;
out:
	free(h);
	free(copy);
	return rc;
}

int ctl_reclassify(struct ctl *c)
{
	struct training t = {.ts = c->themes};
	struct model *m = NULL;
	struct run run = {.c = c};
	int64_t *ids = NULL;
	size_t n_ids = 0, changed = 0, type_area_changed = 0, written = 0;
	int rc = 1;

	if (ctl_open_store(c, true) != 0)
		return 1;
	if (storage_labelled_ids(c->store, &ids, &n_ids) != 0)
		goto store_failed;
	for (size_t i = 0; i < n_ids; i++) {
		struct storage_filter f = {.id = ids[i]};
		if (storage_visit(c->store, &f, add_training, &t) != 0 && !t.oom)
			goto store_failed;
		if (t.oom)
			goto oom;
	}
	if (t.n > 0) {
		for (size_t i = 0; i < t.n; i++)
			t.docs[i] = (struct model_doc){t.subjects[i], t.texts[i],
						       t.labels + i * themes_count(c->themes)};
		if ((m = model_train(c->themes, t.docs, t.n)) == NULL)
			goto oom;
	}
	run.m = m;
	struct storage_filter all = {.status_only = true, .status = STATUS_RESPONSE};
	if (storage_visit(c->store, &all, reclassify_one, &run) != 0) {
		if (run.oom)
			goto oom;
		goto store_failed;
	}
	/* Written in short transactions, so the daemon is never kept waiting
	 * for long. */
	for (size_t i = 0; i < run.n; i += RECLASSIFY_BATCH) {
		size_t end = i + RECLASSIFY_BATCH < run.n ? i + RECLASSIFY_BATCH : run.n;
		if (storage_begin(c->store) != 0)
			goto store_failed;
		for (size_t k = i; k < end; k++) {
			if (storage_set_classified(c->store, run.p[k].id, &run.p[k].r) != 0) {
				storage_rollback(c->store);
				goto store_failed;
			}
		}
		if (storage_commit(c->store) != 0) {
			storage_rollback(c->store);
			goto store_failed;
		}
		written = end;
	}
	/* What changed: the themes in force now (the new automatic ones, as
	 * the lead's labels amend them) against before. */
	for (size_t i = 0; i < run.n; i++) {
		const struct pending *p = &run.p[i];
		char *manual = NULL, *now = NULL;
		if (n_ids > 0 && bsearch(&p->id, ids, n_ids, sizeof(*ids), cmp_id) != NULL &&
		    storage_manual_summary(c->store, p->id, &manual) != 0)
			goto store_failed;
		int r = in_force_key(&p->r, manual, &now);
		free(manual);
		if (r != 0)
			goto oom;
		changed += strcmp(now, p->old_themes) != 0;
		free(now);
		char *ta = type_area_key(&p->r);
		if (ta == NULL)
			goto oom;
		type_area_changed += strcmp(ta, p->old_type_area) != 0;
		free(ta);
	}
	printf("reclassified %zu responses with %s", run.n, themes_set_id(c->themes));
	if (m != NULL)
		printf(" and a model from %zu corrected responses (%zu themes use it)", t.n,
		       model_themes_used(m));
	printf("\nthemes changed: %zu; respondent type, organisation or area changed: %zu\n",
	       changed, type_area_changed);
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "consultctl: reclassify: out of memory\n");
	goto out;
store_failed:
	fprintf(stderr, "consultctl: reclassify: %s%s\n", storage_errmsg(c->store),
		written > 0 ? " (the responses before it were reclassified)" : "");
out:
	for (size_t i = 0; i < run.n; i++)
		pending_free(&run.p[i]);
	free(run.p);
	model_free(m);
	training_free(&t);
	free(ids);
	return rc;
}

/* ---- campaigns ------------------------------------------------------- */

static int print_campaign(void *user, int64_t number, const struct storage_campaign *cp,
			  const char *subject)
{
	(void)user;
	char first[32], last[32], ref[32], esc[200];
	config_format_time(cp->first_at, first, sizeof(first));
	config_format_time(cp->last_at, last, sizeof(last));
	storage_format_ref(cp->representative_id, ref, sizeof(ref));
	printf("C-%lld  %5lld responses  %s .. %s  first %s  %s\n", (long long)number,
	       (long long)cp->size, first, last, ref, log_escape(subject, esc, sizeof(esc)));
	return 0;
}

int ctl_campaigns(struct ctl *c)
{
	size_t nc = 0, nd = 0;
	if (ctl_open_store(c, true) != 0)
		return 1;
	if (campaigns_recompute(c->store, c->themes, &nc, &nd) != 0) {
		fprintf(stderr, "consultctl: campaigns: %s\n", storage_errmsg(c->store));
		return 1;
	}
	printf("%zu campaigns (groups of %d or more near-identical responses); %zu identical "
	       "resubmissions linked to their first copy\n", nc, CAMPAIGN_MIN_SIZE, nd);
	if (storage_foreach_campaign(c->store, print_campaign, NULL) != 0) {
		fprintf(stderr, "consultctl: campaigns: %s\n", storage_errmsg(c->store));
		return 1;
	}
	return 0;
}
