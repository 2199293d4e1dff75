/*
 * lexicon.h — private to classify/: the compiled form of a theme set.
 *
 * themes.c builds it once at load; classify.c only reads it, which is what
 * makes a loaded set safe to share between threads.
 *
 * Every distinct stem used by any term gets a small integer id, found
 * through an open-addressing hash table. Each term compiles to one or two
 * variants (sequences of stem ids with the stop words left out); a term
 * with a hyphen also has the joined variant, so "anti-social" matches
 * "anti-social", "anti social" and "antisocial". Variants are indexed by
 * their LAST stem, so the classifier can match phrases while streaming the
 * text, looking back over a small ring of recent stems.
 */
#ifndef CONSULTD_LEXICON_H
#define CONSULTD_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#define LEX_PHRASE_MAX 8 /* stems in one term; a power of two */

struct lex_term {
	char *text;        /* as written in the theme file */
	double weight;     /* > 0 */
	int against;       /* counts against its theme */
	uint32_t theme;    /* index into theme_set.themes */
	int line;
};

struct lex_variant {
	uint32_t term;                  /* index into theme_set.terms */
	uint32_t len;                   /* 1..LEX_PHRASE_MAX */
	uint32_t ids[LEX_PHRASE_MAX];   /* stem ids, in text order */
};

struct lex_theme {
	char *id, *label, *description;
	double threshold;
	uint32_t first_term, n_terms;   /* a theme's terms are contiguous */
	int line;                       /* of its section header */
};

struct lex_slot {
	char *stem;        /* NULL when empty */
	uint32_t hash;
	uint32_t id;
};

struct pasted_index;

struct theme_set {
	uint64_t serial;           /* unique per loaded set, never reused (caches key on it) */
	char *id, *label;
	double threshold;
	struct lex_theme *themes;
	size_t n_themes;
	struct lex_term *terms;
	size_t n_terms;
	struct lex_variant *variants;
	size_t n_variants;
	struct lex_slot *slots;    /* stem -> id; size is a power of two */
	size_t n_slots, n_stems;
	/* Variants ending in stem id s: by_last[last_off[s] .. last_off[s+1]). */
	uint32_t *last_off;
	uint32_t *by_last;
	struct area_set *areas;    /* owned; NULL: none (themes_set_areas) */
	struct pasted_index *pasted; /* owned; the [set] documents, or NULL */
};

uint32_t lex_hash(const char *s, size_t n);

/* The id of a stem, or -1 when no term uses it. */
long lex_lookup(const struct theme_set *ts, const char *stem, size_t n);

#endif
