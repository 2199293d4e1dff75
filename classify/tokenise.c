#include "tokenise.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum cp_class {
	CP_SEP,        /* space, symbol, anything that is not part of a word */
	CP_WORD,       /* letter or digit */
	CP_MARK,       /* combining mark: dropped, the word goes on */
	CP_APOS,       /* apostrophe: dropped inside a word */
	CP_HYPHEN,
	CP_BREAK,      /* sentence punctuation */
	CP_NEWLINE
};

/* Latin-1 letters U+00C0..U+00FF folded to ASCII, so "café" meets "cafe".
 * NULL marks the two non-letters (multiplication and division signs). */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Decode one UTF-8 sequence; *cp = -1 and one byte consumed when invalid. */
static inline size_t utf8_decode(const unsigned char *p, const unsigned char *end,
				 int32_t *cp)
{
	unsigned char c = p[0];
	size_t need;
	int32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3; v = c & 0x07; min = 0x10000;
	} else {
		*cp = -1;
		return 1;
	}
	if ((size_t)(end - p) <= need) {
		*cp = -1;
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = -1;
		return 1;
	}
	*cp = v;
	return need + 1;
}

/* classify_cp() for ASCII, as a table: most text is ASCII, and a lookup per
 * byte is what keeps tokenising cheap (each response is read several times). */
#define S CP_SEP
#define W CP_WORD
#define A CP_APOS
#define H CP_HYPHEN
#define B CP_BREAK
#define N CP_NEWLINE
static const unsigned char ascii_class[128] = {
	S, S, S, S, S, S, S, S, S, S, N, S, S, S, S, S,
	S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
	S, B, S, S, S, S, S, A, B, B, S, S, B, H, B, S,
	W, W, W, W, W, W, W, W, W, W, B, B, S, S, S, B,
	S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, B, S, B, S, S,
	S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
	W, W, W, W, W, W, W, W, W, W, W, B, S, B, S, S,
};
#undef S
#undef W
#undef A
#undef H
#undef B
#undef N

static inline enum cp_class classify_cp(int32_t cp)
{
	if (cp < 0)
		return CP_SEP; /* an invalid byte */
	if (cp < 0x80)
		return (enum cp_class)ascii_class[cp];
	if (cp < 0xC0)
		return CP_SEP; /* Latin-1 symbols */
	if (cp <= 0xFF)
		return latin1_fold[cp - 0xC0] ? CP_WORD : CP_SEP;
	if (cp >= 0x300 && cp <= 0x36F)
		return CP_MARK;
	if (cp == 0x2018 || cp == 0x2019 || cp == 0x2BC)
		return CP_APOS;
	if (cp == 0x2010 || cp == 0x2011)
		return CP_HYPHEN;
	if (cp == 0x2026 || cp == 0x3002 || cp == 0xFF0C || cp == 0xFF0E)
		return CP_BREAK;
	/* Punctuation, symbols, arrows, box drawing, CJK punctuation,
	 * private use, variation selectors, BOM, specials and emoji. */
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	    cp == 0xFEFF || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
	    (cp >= 0x1F000 && cp <= 0x1FAFF) || cp >= 0xE0000)
		return CP_SEP;
	return CP_WORD;
}

void tok_init(struct tok_reader *r, const char *s, size_t n)
{
	r->p = (const unsigned char *)s;
	r->end = r->p + n;
}

/* Append a word character, folded; a word that grows too long is cut and
 * flagged so it cannot match by accident on its prefix. */
static inline void word_append(struct tok_word *w, int32_t cp, const unsigned char *src,
			       size_t srclen)
{
	const char *add;
	size_t n;

	if (cp < 0x80) {
		if (w->len >= TOK_WORD_MAX) {
			w->too_long = true;
			return;
		}
		w->text[w->len++] =
			(char)((cp >= 'A' && cp <= 'Z') ? cp + ('a' - 'A') : cp);
		return;
	} else if (cp <= 0xFF) {
		add = latin1_fold[cp - 0xC0];
		n = strlen(add);
	} else {
		add = (const char *)src;
		n = srclen;
	}
	if (w->len + n > TOK_WORD_MAX) {
		w->too_long = true;
		return;
	}
	memcpy(w->text + w->len, add, n);
	w->len += n;
}

bool tok_next(struct tok_reader *r, struct tok_word *w)
{
	const unsigned char *p = r->p;
	const unsigned char *end = r->end;
	int32_t cp = 0;
	size_t n;
	unsigned newlines = 0, hyphens = 0, spaces = 0, others = 0;
	bool brk = false;

	/* Separators before the word. */
	while (p < end) {
		n = utf8_decode(p, end, &cp);
		enum cp_class k = classify_cp(cp);
		if (k == CP_WORD)
			break;
		switch (k) {
		case CP_HYPHEN: hyphens++; break;
		case CP_BREAK: brk = true; break;
		case CP_NEWLINE: newlines++; break;
		case CP_SEP:
			if (cp == ' ' || cp == '\t')
				spaces++;
			else if (cp != '\r')
				others++;
			break;
		default: others++; break;
		}
		p += n;
	}
	if (p >= end) {
		r->p = p;
		return false;
	}
	w->len = 0;
	w->too_long = false;
	w->raw = (const char *)p;
	w->after_break = brk || newlines >= 2;
	/* "anti-social", not "anti - social" or "anti-\nsocial" split by a
	 * hard wrap, which a person would still read as one word. */
	w->after_hyphen = hyphens == 1 && spaces == 0 && others == 0 && !brk &&
			  newlines <= 1;

	while (p < end) {
		if (*p < 0x80 && ascii_class[*p] == CP_WORD) {
			word_append(w, *p, p, 1); /* the common case, without decoding */
			p++;
			continue;
		}
		n = utf8_decode(p, end, &cp);
		enum cp_class k = classify_cp(cp);
		if (k == CP_WORD) {
			word_append(w, cp, p, n);
		} else if (k == CP_MARK) {
			/* decomposed accents: "e" + U+0301 is still "e" */
		} else if (k == CP_APOS) {
			int32_t next = -1;
			if (p + n < end)
				utf8_decode(p + n, end, &next);
			if (classify_cp(next) != CP_WORD)
				break;
		} else {
			break;
		}
		p += n;
	}
	w->text[w->len] = '\0';
	w->raw_len = (size_t)(p - (const unsigned char *)w->raw);
	r->p = p;
	return true;
}

/* Kept short on purpose: only glue that a phrase may or may not have
 * ("nicked my bike" = "nicked bike", "stop & search" = "stop and search").
 * Prepositions and negations carry meaning in phrases ("break in", "use of
 * force", "never see police", "off-road"), and pronouns keep a phrase from
 * forming across a clause ("the communities they police" is not "community
 * policing"), so they are not here. Sorted, for a binary search. */
static const char *const stop_words[] = {
	"a", "actually", "also", "am", "an", "and", "any", "are", "be", "been",
	"being", "did", "do", "does", "even", "ever", "had", "has", "have", "her",
	"his", "im", "is", "its", "ive", "just", "my", "or", "our", "really", "s",
	"some", "still", "that", "the", "their", "these", "this", "those", "very",
	"was", "were", "your",
};

/* A word of at most 8 bytes as one integer, so the check is a few integer
 * comparisons instead of string compares on every word of every response. */
static uint64_t pack8(const char *w, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | (unsigned char)w[i];
	return v << (8 * (8 - n));
}

#define N_STOP (sizeof(stop_words) / sizeof(stop_words[0]))
static uint64_t stop_packed[N_STOP]; /* sorted, as the strings are */
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static void stop_pack(void)
{
	for (size_t i = 0; i < N_STOP; i++)
		stop_packed[i] = pack8(stop_words[i], strlen(stop_words[i]));
}

bool tok_is_stop(const char *w, size_t n)
{
	if (n == 0 || n > 8)
		return false; /* longest stop word is "actually" */
	pthread_once(&stop_once, stop_pack);
	uint64_t key = pack8(w, n);
	size_t lo = 0, hi = N_STOP;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (stop_packed[mid] == key)
			return true;
		if (stop_packed[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * An sb_stemmer holds its working buffer inside, so it must not be shared:
 * each thread gets its own, through a key whose destructor frees it. Beside
 * it sits a small direct-mapped cache of word -> stem: stemming is most of
 * the cost of classifying, and responses reuse a small vocabulary, so most
 * words are stemmed once per thread, not once per occurrence.
 */
#define CACHE_SLOTS 4096 /* a power of two; 64 bytes each */
#define CACHE_WORD 29    /* longer words are stemmed every time */

struct cache_slot {
	uint8_t wlen, slen;  /* wlen 0: empty */
	char word[CACHE_WORD];
	char stem[CACHE_WORD + 4];
};

struct stem_state {
	struct sb_stemmer *stemmer;
	struct cache_slot slots[CACHE_SLOTS];
};

static pthread_key_t stem_key;
static pthread_once_t stem_once = PTHREAD_ONCE_INIT;
static bool stem_key_ok;

static void stem_state_free(void *p)
{
	struct stem_state *st = p;
	if (st == NULL)
		return;
	sb_stemmer_delete(st->stemmer);
	free(st);
}

static void stem_key_make(void)
{
	stem_key_ok = pthread_key_create(&stem_key, stem_state_free) == 0;
}

static int stem_with(struct sb_stemmer *st, const char *w, size_t n,
		     char out[TOK_WORD_MAX + 1])
{
	const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)w, (int)n);
	if (s == NULL)
		return -1;
	int len = sb_stemmer_length(st);
	if (len < 0)
		len = 0;
	if (len > TOK_WORD_MAX)
		len = TOK_WORD_MAX;
	memcpy(out, s, (size_t)len);
	out[len] = '\0';
	return len;
}

static struct stem_state *stem_state_get(void)
{
	struct stem_state *st;

	pthread_once(&stem_once, stem_key_make);
	if (!stem_key_ok)
		return NULL;
	st = pthread_getspecific(stem_key);
	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->stemmer = sb_stemmer_new("english", NULL);
	if (st->stemmer == NULL || pthread_setspecific(stem_key, st) != 0) {
		stem_state_free(st);
		return NULL;
	}
	return st;
}

static uint32_t word_hash(const char *w, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h;
}

int tok_stem(const char *w, size_t n, char out[TOK_WORD_MAX + 1])
{
	struct stem_state *st = stem_state_get();
	struct cache_slot *slot = NULL;
	struct sb_stemmer *own = NULL;
	int rc = -1;

	if (n > TOK_WORD_MAX)
		n = TOK_WORD_MAX;
	if (st == NULL) {
		/* No per-thread state (out of memory, or no key): stem with a
		 * private stemmer so the answer is still right. */
		own = sb_stemmer_new("english", NULL);
		if (own != NULL)
			rc = stem_with(own, w, n, out);
		goto out;
	}
	if (n <= CACHE_WORD) {
		slot = &st->slots[word_hash(w, n) & (CACHE_SLOTS - 1)];
		if (slot->wlen == n && memcmp(slot->word, w, n) == 0) {
			memcpy(out, slot->stem, slot->slen);
			out[slot->slen] = '\0';
			rc = slot->slen;
			goto out;
		}
	}
	rc = stem_with(st->stemmer, w, n, out);
	if (rc >= 0 && slot != NULL && rc <= CACHE_WORD + 3) {
		slot->wlen = (uint8_t)n;
		slot->slen = (uint8_t)rc;
		memcpy(slot->word, w, n);
		memcpy(slot->stem, out, (size_t)rc);
	}
out:
	if (own != NULL)
		sb_stemmer_delete(own);
	return rc;
}
