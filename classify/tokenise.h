/*
 * tokenise.h — private to classify/: words out of UTF-8 text, and stems.
 *
 * The theme loader and the classifier both go through these functions, so a
 * term in a theme file and the same words in a response always come out as
 * the same stems.
 *
 * Words are runs of letters and digits. ASCII and Latin-1 letters are folded
 * to lower-case ASCII ("Café" -> "cafe", "Straße" -> "strasse"); other letters
 * are kept as they are and simply never match an English term. Apostrophes
 * inside a word are dropped ("don't" -> "dont", "victim's" -> "victims").
 * A hyphen ends a word but the next word is marked as joined to it, so the
 * theme loader can match "anti-social" both as two words and as "antisocial".
 * Sentence punctuation and blank lines mark a break that phrases do not span.
 * Invalid UTF-8 is a separator, never an error.
 */
#ifndef CONSULTD_TOKENISE_H
#define CONSULTD_TOKENISE_H

#include <stdbool.h>
#include <stddef.h>

#define TOK_WORD_MAX 64 /* bytes of one folded word; longer words never match */

struct tok_reader {
	const unsigned char *p;   /* next byte to read; borrowed */
	const unsigned char *end;
};

struct tok_word {
	char text[TOK_WORD_MAX + 1]; /* folded, NUL-terminated */
	size_t len;
	bool too_long;      /* the word was longer than TOK_WORD_MAX: text is cut */
	bool after_hyphen;  /* only a hyphen separates it from the previous word */
	bool after_break;   /* sentence punctuation or a blank line came before */
	const char *raw;    /* where the word is in the text read; borrowed */
	size_t raw_len;     /* its bytes there, as written (before folding) */
};

/* Read s[0..n). The reader borrows s. */
void tok_init(struct tok_reader *r, const char *s, size_t n);

/* Next word into *w; false at the end of the text. */
bool tok_next(struct tok_reader *r, struct tok_word *w);

/* Whether a folded word is a grammatical word that terms and text skip. */
bool tok_is_stop(const char *w, size_t n);

/*
 * English stem of a folded word into out (NUL-terminated). Uses one stemmer
 * per thread, created on first use and deleted when the thread exits, so it
 * is safe from any thread. Returns the stem length, or -1 when out of memory.
 */
int tok_stem(const char *w, size_t n, char out[TOK_WORD_MAX + 1]);

#endif
