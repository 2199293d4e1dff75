/*
 * campaign_bench.c — how well and how fast campaigns are found
 * (classify/campaign.h), on synthetic responses generated deterministically.
 *
 *   campaign_bench [--quality N] [--speed N] [--store PATH]
 *
 * Responses are made of English-like pseudo-words drawn with a Zipf
 * distribution (common words recur across unrelated responses, as in real
 * text). A campaign is a template letter of 120-350 words, sent by 3-60
 * people, each copy with its own greeting and signature, 0-10 word edits
 * (a word replaced, inserted or deleted) and, for half of them, a personal
 * sentence or two added; 2% of the senders send their copy twice (an
 * identical resubmission). The other responses are distinct, 10-300 words,
 * one in ten of them with one of five 30-word passages of the consultation
 * pasted in (alike in part: not a campaign).
 *
 * Quality (default 3,000 responses, about 45% in campaigns): pair
 * precision and recall (pairs of responses put in one campaign, against
 * pairs of copies of one template), how many template copies were put in a
 * campaign, how many distinct responses were, and resubmissions linked.
 * Speed (default 100,000 responses, ~1 KB each, 30% in campaigns): seconds
 * to set aside quotes, shingle, sign and cluster them all on one thread.
 * With --store PATH (a new file), the speed run's responses are also
 * stored there and campaigns_recompute is timed on the store.
 *
 * A measurement, never a test: nothing here fails on a figure.
 */
#include "classify/campaign.h"
#include "classify/classify.h"
#include "storage/storage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VOCAB 6000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rnd_below(size_t n)
{
	return (size_t)(rnd() % n);
}

static char *vocab[VOCAB];
static double zipf_cdf[VOCAB];

static void make_vocab(void)
{
	static const char *const syl[] = {"ka", "lo", "men", "tri", "sa", "ve", "dor", "pu", "li",
					  "ran", "to", "mi", "gle", "bas", "ne", "qui", "fo", "har",
					  "el", "stu", "po", "wen", "ri", "dal"};
	double sum = 0;
	for (size_t i = 0; i < VOCAB; i++) {
		char w[32] = "";
		size_t ns = 1 + rnd_below(3) + (i > 200);
		for (size_t k = 0; k < ns; k++)
			strcat(w, syl[rnd_below(sizeof(syl) / sizeof(syl[0]))]);
		vocab[i] = strdup(w);
		sum += 1.0 / (double)(i + 1);
		zipf_cdf[i] = sum;
	}
	for (size_t i = 0; i < VOCAB; i++)
		zipf_cdf[i] /= sum;
}

static size_t zipf_word(void)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	size_t lo = 0, hi = VOCAB - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			abort();
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* n word ids into words (a template or a distinct response). */
static void random_words(size_t *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		words[i] = zipf_word();
}

static void words_text(struct buf *b, const size_t *words, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put(b, vocab[words[i]]);
		put(b, (i + 1) % 14 == 0 ? ".\n" : " ");
	}
	put(b, ".\n");
}

static const char *const greetings[] = {"Dear Sir or Madam,", "Dear Mayor,", "Hello,",
					"To whom it may concern,", "Hi there,", "Dear MOPAC,",
					"Good afternoon,", ""};
static const char *const first[] = {"Anna", "Ben", "Chidi", "Dev", "Ewa", "Farah", "Gary",
				    "Hui", "Ines", "Jon", "Kemi", "Liam", "Maya", "Nia"};
static const char *const last[] = {"Smith", "Okafor", "Patel", "Nowak", "Khan", "Jones",
				   "Chen", "Silva", "Brown", "Ahmed", "Murphy", "Evans"};

struct sample {
	char *text;
	char key[64];
	long truth;  /* template index, or -1 for a distinct response */
	bool resubmission;
};

/* One copy of template t (tw[0..tn)). */
static char *campaign_copy(const size_t *tw, size_t tn)
{
	size_t *w = malloc((tn + 64) * sizeof(*w));
	size_t n = 0, edits = rnd_below(11);
	memcpy(w, tw, tn * sizeof(*w));
	n = tn;
	for (size_t e = 0; e < edits; e++) {
		size_t at = rnd_below(n), kind = rnd_below(3);
		if (kind == 0) {
			w[at] = zipf_word();
		} else if (kind == 1) {
			memmove(w + at + 1, w + at, (n - at) * sizeof(*w));
			w[at] = zipf_word();
			n++;
		} else if (n > 10) {
			memmove(w + at, w + at + 1, (n - at - 1) * sizeof(*w));
			n--;
		}
	}
	struct buf b = {0};
	put(&b, greetings[rnd_below(sizeof(greetings) / sizeof(greetings[0]))]);
	put(&b, "\n\n");
	if (rnd_below(2) == 0) {
		size_t extra[40], ne = 8 + rnd_below(30);
		random_words(extra, ne);
		words_text(&b, extra, ne);
		put(&b, "\n");
	}
	words_text(&b, w, n);
	put(&b, "\nRegards,\n");
	put(&b, first[rnd_below(sizeof(first) / sizeof(first[0]))]);
	put(&b, " ");
	put(&b, last[rnd_below(sizeof(last) / sizeof(last[0]))]);
	put(&b, "\n");
	free(w);
	return b.s;
}

/* Passages of the consultation document that respondents paste into their
 * own, otherwise different responses: alike in part, not a campaign. */
static size_t passages[5][30];

static char *distinct_response(size_t min, size_t max)
{
	size_t n = min + rnd_below(max - min + 1);
	size_t *w = malloc(n * sizeof(*w));
	random_words(w, n);
	struct buf b = {0};
	if (rnd_below(2) == 0)
		put(&b, "Hello,\n\n");
	if (rnd_below(10) == 0)
		words_text(&b, passages[rnd_below(5)], 30);
	words_text(&b, w, n);
	free(w);
	return b.s;
}

/*
 * n samples: templates with sizes 3..max_size until about `share` of n are
 * copies, then distinct responses, shuffled.
 */
static struct sample *generate(size_t n, double share, size_t max_size, size_t dmin,
			       size_t dmax, size_t *n_templates)
{
	struct sample *s = calloc(n, sizeof(*s));
	size_t i = 0, t = 0;
	while ((double)i < share * (double)n) {
		size_t tn = 120 + rnd_below(231), size = 3 + rnd_below(max_size - 2);
		size_t tw[400];
		random_words(tw, tn);
		for (size_t k = 0; k < size && i < n; k++, i++) {
			s[i].text = campaign_copy(tw, tn);
			s[i].truth = (long)t;
			snprintf(s[i].key, sizeof(s[i].key), "p%zu@example.org", i);
			if (rnd_below(50) == 0 && i + 1 < n) { /* sent twice */
				s[i + 1] = s[i];
				s[i + 1].text = strdup(s[i].text);
				s[i + 1].resubmission = true;
				i++;
			}
		}
		t++;
	}
	for (; i < n; i++) {
		s[i].text = distinct_response(dmin, dmax);
		s[i].truth = -1;
		snprintf(s[i].key, sizeof(s[i].key), "p%zu@example.org", i);
	}
	/* Shuffle, keeping each resubmission after its first copy. */
	for (size_t k = n - 1; k > 0; k--) {
		size_t j = rnd_below(k + 1);
		struct sample tmp = s[k];
		s[k] = s[j];
		s[j] = tmp;
	}
	*n_templates = t;
	return s;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cluster(struct sample *s, size_t n, struct storage_campaign_member **m,
		   struct storage_campaign **c, size_t *nc, double *secs)
{
	struct campaign_builder *b = campaign_builder_new();
	size_t nm;
	double t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		char *own = classify_own_words(NULL, s[i].text, NULL);
		if (own == NULL || campaign_add(b, (int64_t)i + 1, s[i].key, (int64_t)i, own) != 0)
			return -1;
		free(own);
	}
	int rc = campaign_build(b, m, &nm, c, nc);
	*secs = now_s() - t0;
	campaign_builder_free(b);
	return rc;
}

static void quality(size_t n)
{
	size_t nt, nc;
	struct sample *s = generate(n, 0.45, 60, 10, 300, &nt);
	struct storage_campaign_member *m;
	struct storage_campaign *c;
	double secs;
	if (cluster(s, n, &m, &c, &nc, &secs) != 0) {
		fprintf(stderr, "campaign_bench: out of memory\n");
		exit(1);
	}
	/* Pairs among the first copies (resubmissions are linked, not
	 * clustered). */
	unsigned long long tp = 0, fp = 0, fn = 0;
	size_t copies = 0, copies_in = 0, distinct = 0, distinct_in = 0, resub = 0, resub_ok = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].resubmission) {
			/* Either copy may have arrived first: the later one is linked. */
			resub++;
			for (size_t j = 0; j < n; j++)
				if (j != i && strcmp(s[j].key, s[i].key) == 0)
					resub_ok += m[i].duplicate_of == (int64_t)j + 1 ||
						    m[j].duplicate_of == (int64_t)i + 1;
			continue;
		}
		if (s[i].truth >= 0) {
			copies++;
			copies_in += m[i].campaign >= 0;
		} else {
			distinct++;
			distinct_in += m[i].campaign >= 0;
		}
		for (size_t j = i + 1; j < n; j++) {
			if (s[j].resubmission)
				continue;
			bool same_truth = s[i].truth >= 0 && s[i].truth == s[j].truth;
			bool same_pred = m[i].campaign >= 0 && m[i].campaign == m[j].campaign;
			tp += same_truth && same_pred;
			fp += !same_truth && same_pred;
			fn += same_truth && !same_pred;
		}
	}
	printf("campaign_bench quality: %zu responses, %zu templates (%zu copies), %zu distinct, "
	       "%zu resubmissions\n", n, nt, copies, distinct, resub);
	printf("  campaigns found %zu (true %zu)\n", nc, nt);
	printf("  pair precision %.4f  pair recall %.4f  (TP %llu, FP %llu, FN %llu)\n",
	       tp + fp ? (double)tp / (double)(tp + fp) : 0.0,
	       tp + fn ? (double)tp / (double)(tp + fn) : 0.0, tp, fp, fn);
	printf("  template copies put in a campaign: %zu of %zu (%.4f); distinct responses put "
	       "in one: %zu of %zu\n", copies_in, copies, copies ? (double)copies_in / (double)copies : 0.0,
	       distinct_in, distinct);
	printf("  resubmissions linked to their first copy: %zu of %zu\n", resub_ok, resub);
	for (size_t i = 0; i < n; i++)
		free(s[i].text);
	free(s);
	free(m);
	free(c);
}

static void speed(size_t n, const char *store_path)
{
	size_t nt, nc, bytes = 0;
	struct sample *s = generate(n, 0.30, 200, 60, 280, &nt);
	struct storage_campaign_member *m;
	struct storage_campaign *c;
	double secs;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(s[i].text);
	if (cluster(s, n, &m, &c, &nc, &secs) != 0) {
		fprintf(stderr, "campaign_bench: out of memory\n");
		exit(1);
	}
	printf("campaign_bench speed: %zu responses (%.0f bytes on average), %zu templates: "
	       "%zu campaigns in %.2f s (%.0f responses/s)\n", n, (double)bytes / (double)n, nt, nc,
	       secs, (double)n / secs);
	free(m);
	free(c);
	if (store_path != NULL) {
		struct storage *st;
		char err[512];
		if (storage_open(store_path, STORAGE_READ_WRITE, &st, err, sizeof(err)) != 0) {
			fprintf(stderr, "campaign_bench: %s\n", err);
			exit(1);
		}
		storage_begin(st);
		for (size_t i = 0; i < n; i++) {
			struct response r = {0};
			char idem[64], email[96];
			bool ins;
			snprintf(idem, sizeof(idem), "bench:%zu", i);
			snprintf(email, sizeof(email), "%s", s[i].key);
			r.idem_key = idem;
			r.sender_email = email;
			r.text = s[i].text;
			r.received_at = (int64_t)i;
			if (storage_insert_response(st, &r, 0, &ins, NULL) != 0) {
				fprintf(stderr, "campaign_bench: %s\n", storage_errmsg(st));
				exit(1);
			}
		}
		storage_commit(st);
		size_t ncs, nd;
		double t0 = now_s();
		if (campaigns_recompute(st, NULL, &ncs, &nd) != 0) {
			fprintf(stderr, "campaign_bench: %s\n", storage_errmsg(st));
			exit(1);
		}
		printf("campaign_bench store: campaigns_recompute of %zu stored responses: %zu "
		       "campaigns, %zu resubmissions, %.2f s\n", n, ncs, nd, now_s() - t0);
		/* Again, as at the next close or consultctl reclassify: nothing
		 * changed, so no response row is written. */
		t0 = now_s();
		if (campaigns_recompute(st, NULL, &ncs, &nd) != 0) {
			fprintf(stderr, "campaign_bench: %s\n", storage_errmsg(st));
			exit(1);
		}
		printf("campaign_bench store: campaigns_recompute again, nothing changed: %.2f s\n",
		       now_s() - t0);
		storage_close(st);
	}
	for (size_t i = 0; i < n; i++)
		free(s[i].text);
	free(s);
}

int main(int argc, char **argv)
{
	size_t nq = 3000, ns = 100000;
	const char *store = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quality") == 0 && i + 1 < argc)
			nq = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--speed") == 0 && i + 1 < argc)
			ns = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			store = argv[++i];
		else {
			fprintf(stderr, "usage: campaign_bench [--quality N] [--speed N] [--store PATH]\n");
			return 1;
		}
	}
	rng_state = 42;
	make_vocab();
	for (size_t i = 0; i < 5; i++)
		random_words(passages[i], 30);
	if (nq > 0)
		quality(nq);
	if (ns > 0)
		speed(ns, store);
	for (size_t i = 0; i < VOCAB; i++)
		free(vocab[i]);
	return 0;
}
