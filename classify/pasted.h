/*
 * pasted.h — the consultation's own text, pasted back into a response.
 *
 * Respondents often copy a paragraph of the consultation document into
 * their answer ("You say: ...") before saying what they think of it. That
 * paragraph is full of the themes' words, but it is the consultation
 * speaking, not the respondent, so it must not be classified (nor make
 * two responses that quote the same paragraph look like a campaign).
 *
 * An index holds every run of PASTED_MIN_WORDS consecutive words of the
 * consultation's documents (folded as the tokeniser folds them, so case,
 * punctuation and line breaks do not matter). In a response, every run of
 * at least PASTED_MIN_WORDS words found in the index is set aside. A
 * shorter shared run (a theme's name, "stop and search", a common phrase)
 * is never taken as pasted: eight words in the same order by chance is
 * not something ordinary writing does.
 *
 * An index is immutable once built and may be shared between threads.
 */
#ifndef CONSULTD_PASTED_H
#define CONSULTD_PASTED_H

#include <stddef.h>
#include <stdint.h>

#define PASTED_MIN_WORDS 8

struct pasted_index;

/* A new, empty index; NULL on out of memory. */
struct pasted_index *pasted_index_new(void);
void pasted_index_free(struct pasted_index *ix); /* accepts NULL */

/* Add a document's text (UTF-8; invalid bytes are separators). Returns the
 * runs of PASTED_MIN_WORDS words it has (0: too short to add anything), or
 * -1 on out of memory (the index is then unchanged). Not after sharing. */
long pasted_index_add(struct pasted_index *ix, const char *text, size_t len);

/* Distinct runs of PASTED_MIN_WORDS words held. */
size_t pasted_index_size(const struct pasted_index *ix);

/* A hash of the runs held: indexes of the same passages agree, others
 * almost surely not; 0 for NULL or an empty index. */
uint64_t pasted_index_digest(const struct pasted_index *ix);

/*
 * text without the passages found in ix, each replaced by a blank line (so
 * that no phrase is matched across the gap), as a new string the caller
 * frees; *set_aside (may be NULL) gets the bytes left out. When ix is NULL
 * or empty, or when nothing but pasted text would remain, text is copied
 * whole (a response that only repeats a passage endorses it). NULL on out
 * of memory.
 */
char *pasted_remove(const struct pasted_index *ix, const char *text, size_t *set_aside);

#endif
