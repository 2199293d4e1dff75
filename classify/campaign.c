/*
 * campaign.c — shingles, MinHash, LSH and union-find (contract in
 * campaign.h).
 *
 * Memory per response: its MinHash signature (CAMPAIGN_HASHES 32-bit
 * values) and a few words; the text is not kept, so the whole store can be
 * clustered at once.
 */
#include "campaign.h"

#include "classify.h"
#include "tokenise.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cdoc {
	int64_t id, received_at;
	uint64_t key_hash, text_hash; /* key_hash 0: no respondent key */
	bool has_sig;
	size_t dup_of;                /* index of the first copy, or SIZE_MAX */
};

struct campaign_builder {
	struct cdoc *docs;
	uint32_t *sigs;               /* CAMPAIGN_HASHES per doc */
	size_t n, cap;
	/* Identical resubmissions: open addressing on key_hash ^ text_hash. */
	size_t *slots;                /* doc index + 1; 0 empty */
	size_t n_slots;
	uint64_t *words;              /* scratch: word hashes of one text */
	size_t words_cap;
};

static uint64_t fnv64(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_START 0xcbf29ce484222325ull

struct campaign_builder *campaign_builder_new(void)
{
	struct campaign_builder *b = calloc(1, sizeof(*b));
	return b;
}

void campaign_builder_free(struct campaign_builder *b)
{
	if (b == NULL)
		return;
	free(b->docs);
	free(b->sigs);
	free(b->slots);
	free(b->words);
	free(b);
}

static int grow_slots(struct campaign_builder *b)
{
	size_t n = b->n_slots ? b->n_slots * 2 : 1024;
	size_t *s = calloc(n, sizeof(*s));
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < b->n_slots; i++) {
		if (b->slots[i] == 0)
			continue;
		const struct cdoc *d = &b->docs[b->slots[i] - 1];
		size_t j = (size_t)(d->key_hash ^ d->text_hash) & (n - 1);
		while (s[j] != 0)
			j = (j + 1) & (n - 1);
		s[j] = b->slots[i];
	}
	free(b->slots);
	b->slots = s;
	b->n_slots = n;
	return 0;
}

/* The first response with the same key and text, or SIZE_MAX; remembers
 * doc `idx` when it is the first. */
static int find_first_copy(struct campaign_builder *b, size_t idx, size_t *first)
{
	const struct cdoc *d = &b->docs[idx];
	*first = SIZE_MAX;
	if (d->key_hash == 0)
		return 0;
	if ((b->n + 1) * 2 > b->n_slots && grow_slots(b) != 0)
		return -1;
	size_t j = (size_t)(d->key_hash ^ d->text_hash) & (b->n_slots - 1);
	while (b->slots[j] != 0) {
		const struct cdoc *o = &b->docs[b->slots[j] - 1];
		if (o->key_hash == d->key_hash && o->text_hash == d->text_hash) {
			*first = b->slots[j] - 1;
			return 0;
		}
		j = (j + 1) & (b->n_slots - 1);
	}
	b->slots[j] = idx + 1;
	return 0;
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * One-permutation MinHash of the shingles of words[0..nw): each shingle
 * is hashed once, its top bits choose one of CAMPAIGN_HASHES bins and the
 * bin keeps its smallest low bits; an empty bin borrows from the next
 * non-empty one (circularly) with the distance mixed in, so two responses
 * with the same shingles always get the same signature. One hash per
 * shingle instead of CAMPAIGN_HASHES: the estimate of the Jaccard
 * similarity is as good for letters of more than a few dozen words.
 */
static void sign(const uint64_t *words, size_t nw, uint32_t *sig)
{
	uint32_t bins[CAMPAIGN_HASHES];
	bool full[CAMPAIGN_HASHES] = {false};
	for (size_t k = 0; k < CAMPAIGN_HASHES; k++)
		bins[k] = UINT32_MAX;
	for (size_t i = 0; i + CAMPAIGN_SHINGLE <= nw; i++) {
		uint64_t s = FNV_START;
		for (size_t k = 0; k < CAMPAIGN_SHINGLE; k++)
			s = (s ^ words[i + k]) * 0x100000001b3ull;
		s = mix64(s);
		size_t bin = (size_t)(s >> 58) % CAMPAIGN_HASHES;
		uint32_t v = (uint32_t)s;
		if (v <= bins[bin]) {
			bins[bin] = v;
			full[bin] = true;
		}
	}
	for (size_t k = 0; k < CAMPAIGN_HASHES; k++) {
		size_t d = 0;
		while (d < CAMPAIGN_HASHES && !full[(k + d) % CAMPAIGN_HASHES])
			d++;
		sig[k] = d == 0 ? bins[k]
			: d == CAMPAIGN_HASHES ? 0
			: bins[(k + d) % CAMPAIGN_HASHES] + (uint32_t)mix64(d);
	}
}

/* What campaign_add and campaign_print_make compute from own words. */
struct print {
	uint64_t text_hash;
	bool has_sig;
	uint32_t sig[CAMPAIGN_HASHES];
};

/* Words, folded; the text's hash is over the word sequence, so spacing
 * and case do not make two copies differ. *words is scratch of *cap. */
static int print_of(const char *own_text, uint64_t **words, size_t *cap, struct print *out)
{
	struct tok_reader r;
	struct tok_word w;
	size_t nw = 0;
	uint64_t th = FNV_START;
	tok_init(&r, own_text, strlen(own_text));
	while (tok_next(&r, &w)) {
		if (nw == *cap) {
			size_t ncap = *cap ? *cap * 2 : 256;
			uint64_t *p = realloc(*words, ncap * sizeof(*p));
			if (p == NULL)
				return -1;
			*words = p;
			*cap = ncap;
		}
		uint64_t wh = fnv64(w.text, w.len, FNV_START);
		(*words)[nw++] = wh;
		th = (th ^ wh) * 0x100000001b3ull;
	}
	out->text_hash = th;
	out->has_sig = nw >= CAMPAIGN_MIN_WORDS;
	if (out->has_sig)
		sign(*words, nw, out->sig);
	return 0;
}

static int add_print(struct campaign_builder *b, int64_t id, const char *respondent_key,
		     int64_t received_at, const struct print *p)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct cdoc *d = realloc(b->docs, cap * sizeof(*d));
		if (d == NULL)
			return -1;
		b->docs = d;
		uint32_t *s = realloc(b->sigs, cap * CAMPAIGN_HASHES * sizeof(*s));
		if (s == NULL)
			return -1;
		b->sigs = s;
		b->cap = cap;
	}
	struct cdoc *d = &b->docs[b->n];
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->received_at = received_at;
	d->dup_of = SIZE_MAX;
	if (respondent_key != NULL && *respondent_key != '\0')
		d->key_hash = fnv64(respondent_key, strlen(respondent_key), FNV_START) | 1u;
	d->text_hash = p->text_hash;
	d->has_sig = p->has_sig;
	if (p->has_sig)
		memcpy(&b->sigs[b->n * CAMPAIGN_HASHES], p->sig, sizeof(p->sig));
	size_t first;
	if (find_first_copy(b, b->n, &first) != 0)
		return -1;
	d->dup_of = first;
	b->n++;
	return 0;
}

int campaign_add(struct campaign_builder *b, int64_t id, const char *respondent_key,
		 int64_t received_at, const char *own_text)
{
	struct print p;
	if (print_of(own_text, &b->words, &b->words_cap, &p) != 0)
		return -1;
	return add_print(b, id, respondent_key, received_at, &p);
}

/*
 * The stored form, little-endian: format (1 byte), the own-words id
 * (8), the text hash (8), then, for a response long enough to have one,
 * the signature (CAMPAIGN_HASHES x 4).
 */
#define PRINT_FORMAT 1
#define PRINT_HEAD 17

static void put_le(unsigned char *o, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		o[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *o, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)o[i] << (8 * i);
	return v;
}

int campaign_print_make(const struct theme_set *ts, const char *own_text, unsigned char **out,
			size_t *len)
{
	struct print p;
	uint64_t *words = NULL;
	size_t cap = 0;
	*out = NULL;
	*len = 0;
	int rc = print_of(own_text, &words, &cap, &p);
	free(words);
	if (rc != 0)
		return -1;
	size_t n = PRINT_HEAD + (p.has_sig ? 4 * CAMPAIGN_HASHES : 0);
	unsigned char *o = malloc(n);
	if (o == NULL)
		return -1;
	o[0] = PRINT_FORMAT;
	put_le(o + 1, classify_own_words_id(ts), 8);
	put_le(o + 9, p.text_hash, 8);
	for (size_t k = 0; p.has_sig && k < CAMPAIGN_HASHES; k++)
		put_le(o + PRINT_HEAD + 4 * k, p.sig[k], 4);
	*out = o;
	*len = n;
	return 0;
}

int campaign_set_print(const struct theme_set *ts, struct response *r, const char *own)
{
	unsigned char *p;
	size_t n;
	if (campaign_print_make(ts, own, &p, &n) != 0)
		return -1;
	free(r->campaign_print);
	r->campaign_print = p;
	r->campaign_print_len = n;
	return 0;
}

/* A stored print that is whole and was made from the own words as ts
 * sets them aside now; false means compute it again from the text. */
static bool print_read(const struct theme_set *ts, const unsigned char *in, size_t len,
		       struct print *p)
{
	if (in == NULL || len < PRINT_HEAD || in[0] != PRINT_FORMAT ||
	    get_le(in + 1, 8) != classify_own_words_id(ts))
		return false;
	if (len != PRINT_HEAD && len != PRINT_HEAD + 4 * CAMPAIGN_HASHES)
		return false;
	p->text_hash = get_le(in + 9, 8);
	p->has_sig = len != PRINT_HEAD;
	for (size_t k = 0; p->has_sig && k < CAMPAIGN_HASHES; k++)
		p->sig[k] = (uint32_t)get_le(in + PRINT_HEAD + 4 * k, 4);
	return true;
}

int campaign_add_print(struct campaign_builder *b, const struct theme_set *ts, int64_t id,
		       const char *respondent_key, int64_t received_at, const void *print,
		       size_t print_len)
{
	struct print p;
	if (!print_read(ts, print, print_len, &p))
		return 1;
	return add_print(b, id, respondent_key, received_at, &p) == 0 ? 0 : -1;
}

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void uf_union(size_t *parent, size_t a, size_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a != b) /* the smaller index is the root: deterministic */
		parent[a > b ? a : b] = a < b ? a : b;
}

static bool similar(const struct campaign_builder *b, size_t x, size_t y)
{
	const uint32_t *p = &b->sigs[x * CAMPAIGN_HASHES], *q = &b->sigs[y * CAMPAIGN_HASHES];
	unsigned same = 0;
	for (size_t k = 0; k < CAMPAIGN_HASHES; k++)
		same += p[k] == q[k];
	return same >= (unsigned)(CAMPAIGN_JACCARD * CAMPAIGN_HASHES);
}

struct band_entry {
	uint64_t key;
	size_t doc;
};

static int cmp_band(const void *a, const void *b)
{
	const struct band_entry *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->doc > y->doc) - (x->doc < y->doc);
}

struct cluster {
	size_t root, size;
	int64_t first_at, last_at, rep_id;
	size_t rep;
};

static int cmp_cluster(const void *a, const void *b)
{
	const struct cluster *x = a, *y = b;
	if (x->first_at != y->first_at)
		return x->first_at < y->first_at ? -1 : 1;
	return (x->rep_id > y->rep_id) - (x->rep_id < y->rep_id);
}

int campaign_build(struct campaign_builder *b, struct storage_campaign_member **members,
		   size_t *n_members, struct storage_campaign **campaigns, size_t *n_campaigns)
{
	size_t n = b->n;
	size_t *parent = malloc((n ? n : 1) * sizeof(*parent));
	struct band_entry *band = malloc((n ? n : 1) * sizeof(*band));
	size_t *size = calloc(n ? n : 1, sizeof(*size));
	long *which = malloc((n ? n : 1) * sizeof(*which));
	struct cluster *cl = NULL;
	int rc = -1;

	*members = NULL;
	*campaigns = NULL;
	*n_members = *n_campaigns = 0;
	if (parent == NULL || band == NULL || size == NULL || which == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t bi = 0; bi < CAMPAIGN_BANDS; bi++) {
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			if (!b->docs[i].has_sig || b->docs[i].dup_of != SIZE_MAX)
				continue;
			const uint32_t *sig = &b->sigs[i * CAMPAIGN_HASHES + bi * CAMPAIGN_ROWS];
			uint64_t key = FNV_START ^ bi;
			for (size_t k = 0; k < CAMPAIGN_ROWS; k++)
				key = (key ^ sig[k]) * 0x100000001b3ull;
			band[m++] = (struct band_entry){key, i};
		}
		qsort(band, m, sizeof(*band), cmp_band);
		/* Within a bucket, each member is checked against the bucket's
		 * first and, failing that, its predecessor: linear in the bucket,
		 * and union-find does the rest. */
		for (size_t s = 0; s < m;) {
			size_t e = s + 1;
			while (e < m && band[e].key == band[s].key)
				e++;
			for (size_t j = s + 1; j < e; j++) {
				size_t x = band[j].doc;
				if (uf_find(parent, x) == uf_find(parent, band[s].doc))
					continue;
				if (similar(b, x, band[s].doc))
					uf_union(parent, x, band[s].doc);
				else if (similar(b, x, band[j - 1].doc))
					uf_union(parent, x, band[j - 1].doc);
			}
			s = e;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (b->docs[i].dup_of == SIZE_MAX && b->docs[i].has_sig)
			size[uf_find(parent, i)]++;
	size_t nc = 0;
	for (size_t i = 0; i < n; i++)
		nc += size[i] >= CAMPAIGN_MIN_SIZE;
	cl = calloc(nc ? nc : 1, sizeof(*cl));
	if (cl == NULL)
		goto out;
	nc = 0;
	for (size_t i = 0; i < n; i++) {
		which[i] = -1;
		if (size[i] >= CAMPAIGN_MIN_SIZE) {
			cl[nc] = (struct cluster){.root = i, .size = size[i], .first_at = INT64_MAX,
						  .last_at = INT64_MIN};
			which[i] = (long)nc++;
		}
	}
	/* Times and representative (the earliest member). */
	for (size_t i = 0; i < n; i++) {
		if (b->docs[i].dup_of != SIZE_MAX || !b->docs[i].has_sig)
			continue;
		long c = which[uf_find(parent, i)];
		if (c < 0)
			continue;
		struct cluster *k = &cl[c];
		const struct cdoc *d = &b->docs[i];
		if (d->received_at < k->first_at ||
		    (d->received_at == k->first_at && d->id < k->rep_id)) {
			k->first_at = d->received_at;
			k->rep_id = d->id;
		}
		if (d->received_at > k->last_at)
			k->last_at = d->received_at;
	}
	qsort(cl, nc, sizeof(*cl), cmp_cluster);
	for (size_t c = 0; c < nc; c++)
		which[cl[c].root] = (long)c;
	*members = malloc((n ? n : 1) * sizeof(**members));
	*campaigns = malloc((nc ? nc : 1) * sizeof(**campaigns));
	if (*members == NULL || *campaigns == NULL) {
		free(*members);
		free(*campaigns);
		*members = NULL;
		*campaigns = NULL;
		goto out;
	}
	for (size_t c = 0; c < nc; c++)
		(*campaigns)[c] = (struct storage_campaign){(int64_t)cl[c].size, cl[c].first_at,
							    cl[c].last_at, cl[c].rep_id};
	for (size_t i = 0; i < n; i++) {
		const struct cdoc *d = &b->docs[i];
		size_t base = d->dup_of != SIZE_MAX ? d->dup_of : i;
		long c = b->docs[base].has_sig ? which[uf_find(parent, base)] : -1;
		(*members)[i] = (struct storage_campaign_member){
			d->id, c, d->dup_of != SIZE_MAX ? b->docs[d->dup_of].id : 0};
	}
	*n_members = n;
	*n_campaigns = nc;
	rc = 0;
out:
	free(parent);
	free(band);
	free(size);
	free(which);
	free(cl);
	return rc;
}

struct recompute {
	struct campaign_builder *b;
	const struct theme_set *ts;
	bool oom;
	size_t from_text;
};

static int add_stored(void *user, const struct storage_text *row, struct storage *st)
{
	struct recompute *rc = user;
	int r = campaign_add_print(rc->b, rc->ts, row->id, row->respondent_key, row->received_at,
				   row->print, row->print_len);
	if (r == 0)
		return 0;
	if (r < 0) {
		rc->oom = true;
		return -1;
	}
	/* No print, or one made before the theme file's documents changed. */
	char *text;
	if (storage_response_text(st, row->id, &text) != 0)
		return -1;
	char *own = classify_own_words(rc->ts, text, NULL);
	free(text);
	if (own == NULL || campaign_add(rc->b, row->id, row->respondent_key, row->received_at, own) != 0) {
		free(own);
		rc->oom = true;
		return -1;
	}
	free(own);
	rc->from_text++;
	return 0;
}

int campaigns_recompute(struct storage *st, const struct theme_set *ts, size_t *n_campaigns,
			size_t *n_duplicates)
{
	struct recompute rc = {.b = campaign_builder_new(), .ts = ts};
	struct storage_campaign_member *m = NULL;
	struct storage_campaign *c = NULL;
	size_t nm = 0, nc = 0;
	int ret = -1;
	if (rc.b == NULL)
		return -1;
	if (storage_foreach_text(st, add_stored, &rc) != 0 ||
	    campaign_build(rc.b, &m, &nm, &c, &nc) != 0)
		goto out;
	if (storage_save_campaigns(st, c, nc, m, nm) != 0)
		goto out;
	if (n_campaigns != NULL)
		*n_campaigns = nc;
	if (n_duplicates != NULL) {
		*n_duplicates = 0;
		for (size_t i = 0; i < nm; i++)
			*n_duplicates += m[i].duplicate_of > 0;
	}
	ret = 0;
out:
	campaign_builder_free(rc.b);
	free(m);
	free(c);
	return ret;
}
