/*
 * pasted.c — runs of words shared with the consultation's documents.
 *
 * Each run of PASTED_MIN_WORDS words is reduced to one 64-bit hash of its
 * folded words in order; the index is a sorted array of those hashes. A
 * response is read once, keeping only its last PASTED_MIN_WORDS words, so
 * the memory needed is that of the spans found, not of the text.
 */
#include "pasted.h"

#include "tokenise.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pasted_index {
	uint64_t *hashes; /* sorted, distinct */
	size_t n, cap;
	uint64_t digest;  /* of hashes[0..n), kept with them */
};

/* The last PASTED_MIN_WORDS words read: their hashes and where they are. */
struct window {
	uint64_t hash[PASTED_MIN_WORDS];
	size_t start[PASTED_MIN_WORDS], end[PASTED_MIN_WORDS];
	size_t seen; /* words read so far */
};

static uint64_t word_hash(const struct tok_word *w)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (size_t i = 0; i < w->len; i++) {
		h ^= (unsigned char)w->text[i];
		h *= 1099511628211u;
	}
	return h;
}

/* The hash of the window's words in reading order (splitmix64 finish, so
 * that near-identical runs do not land next to each other). */
static uint64_t window_hash(const struct window *win)
{
	uint64_t h = 0;
	for (size_t i = 0; i < PASTED_MIN_WORDS; i++) {
		size_t k = (win->seen + i) % PASTED_MIN_WORDS; /* oldest first */
		h = (h ^ win->hash[k]) * 0x9e3779b97f4a7c15u;
		h ^= h >> 29;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebu;
	h ^= h >> 31;
	return h;
}

/* Read the next word into the window; false at the end of the text. */
static bool window_next(struct window *win, struct tok_reader *r, const char *base)
{
	struct tok_word w;
	if (!tok_next(r, &w))
		return false;
	size_t k = win->seen % PASTED_MIN_WORDS;
	win->hash[k] = word_hash(&w);
	win->start[k] = (size_t)(w.raw - base);
	win->end[k] = win->start[k] + w.raw_len;
	win->seen++;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

struct pasted_index *pasted_index_new(void)
{
	return calloc(1, sizeof(struct pasted_index));
}

void pasted_index_free(struct pasted_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->hashes);
	free(ix);
}

size_t pasted_index_size(const struct pasted_index *ix)
{
	return ix != NULL ? ix->n : 0;
}

long pasted_index_add(struct pasted_index *ix, const char *text, size_t len)
{
	struct tok_reader r;
	struct window win = {.seen = 0};
	size_t n = ix->n, cap = ix->cap, first_new = ix->n;
	uint64_t *h = ix->hashes;

	tok_init(&r, text, len);
	while (window_next(&win, &r, text)) {
		if (win.seen < PASTED_MIN_WORDS)
			continue;
		if (n == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 1024;
			uint64_t *nh = realloc(h, ncap * sizeof(*nh));
			if (nh == NULL) {
				/* Keep what was there: the added tail is not sorted in. */
				ix->hashes = h;
				ix->cap = cap;
				return -1;
			}
			h = nh;
			cap = ncap;
		}
		h[n++] = window_hash(&win);
	}
	ix->hashes = h;
	ix->cap = cap;
	long runs = (long)(n - first_new);
	if (runs == 0)
		return 0;
	qsort(h, n, sizeof(*h), cmp_u64);
	size_t out = 1;
	for (size_t i = 1; i < n; i++)
		if (h[i] != h[out - 1])
			h[out++] = h[i];
	ix->n = out;
	uint64_t d = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < out; i++)
		d = (d ^ h[i]) * 0x100000001b3ull;
	ix->digest = d;
	return runs;
}

uint64_t pasted_index_digest(const struct pasted_index *ix)
{
	return ix != NULL && ix->n > 0 ? ix->digest : 0;
}

static bool index_has(const struct pasted_index *ix, uint64_t h)
{
	return bsearch(&h, ix->hashes, ix->n, sizeof(h), cmp_u64) != NULL;
}

struct span {
	size_t start, end;
};

/* The byte spans of text covered by runs found in ix, in order, merged. */
static int find_spans(const struct pasted_index *ix, const char *text, size_t len,
		      struct span **out, size_t *n_out)
{
	struct tok_reader r;
	struct window win = {.seen = 0};
	struct span *s = NULL;
	size_t n = 0, cap = 0;

	tok_init(&r, text, len);
	while (window_next(&win, &r, text)) {
		if (win.seen < PASTED_MIN_WORDS || !index_has(ix, window_hash(&win)))
			continue;
		size_t first = win.seen % PASTED_MIN_WORDS; /* oldest word */
		size_t last = (win.seen - 1) % PASTED_MIN_WORDS;
		size_t start = win.start[first], end = win.end[last];
		if (n > 0 && start <= s[n - 1].end) {
			s[n - 1].end = end; /* the run goes on */
			continue;
		}
		if (n == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 8;
			struct span *ns = realloc(s, ncap * sizeof(*ns));
			if (ns == NULL) {
				free(s);
				return -1;
			}
			s = ns;
			cap = ncap;
		}
		s[n++] = (struct span){start, end};
	}
	*out = s;
	*n_out = n;
	return 0;
}

static bool has_words(const char *text, size_t len)
{
	struct tok_reader r;
	struct tok_word w;
	tok_init(&r, text, len);
	return tok_next(&r, &w);
}

char *pasted_remove(const struct pasted_index *ix, const char *text, size_t *set_aside)
{
	size_t len = strlen(text);
	struct span *spans = NULL;
	size_t n = 0;

	if (set_aside != NULL)
		*set_aside = 0;
	if (ix != NULL && ix->n > 0 && find_spans(ix, text, len, &spans, &n) != 0)
		return NULL;
	if (n == 0)
		return strdup(text);

	/* Each span becomes "\n\n": never longer than the span it replaces
	 * (a span holds at least PASTED_MIN_WORDS words). */
	char *out = malloc(len + 1);
	if (out == NULL) {
		free(spans);
		return NULL;
	}
	size_t at = 0, o = 0, removed = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(out + o, text + at, spans[i].start - at);
		o += spans[i].start - at;
		memcpy(out + o, "\n\n", 2);
		o += 2;
		removed += spans[i].end - spans[i].start;
		at = spans[i].end;
	}
	memcpy(out + o, text + at, len - at);
	o += len - at;
	out[o] = '\0';
	free(spans);
	if (!has_words(out, o)) {
		memcpy(out, text, len + 1);
		removed = 0;
	}
	if (set_aside != NULL)
		*set_aside = removed;
	return out;
}
