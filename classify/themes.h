/*
 * themes.h — a consultation's theme set, loaded from a theme file.
 *
 * The theme file is INI-shaped (read through config/ini_lines.h so errors
 * carry line numbers); its format is documented in doc/theme-file.md and at
 * the top of the shipped default set config/themes/london-pcp.themes.
 *
 * A loaded theme_set is immutable and may be shared read-only between
 * threads.
 */
#ifndef CONSULTD_THEMES_H
#define CONSULTD_THEMES_H

#include <stddef.h>

struct theme_set;

/*
 * Load and validate a theme file. On success returns the set (caller frees
 * with themes_free). On failure returns NULL and writes every problem, one
 * per line as "PATH:LINE: message", into err (truncated to errlen), sorted
 * by line. A file that cannot be opened or read gives "PATH: cannot open:
 * reason" or "PATH: cannot read: reason"; running out of memory gives
 * "PATH: out of memory".
 */
struct theme_set *themes_load(const char *path, char *err, size_t errlen);
void themes_free(struct theme_set *ts); /* accepts NULL */

const char *themes_set_id(const struct theme_set *ts);   /* e.g. "london-pcp-2021" */
size_t themes_count(const struct theme_set *ts);
/* Theme i's id and label, in file order; borrowed; NULL when i is out of
 * range. */
const char *themes_id(const struct theme_set *ts, size_t i);
const char *themes_label(const struct theme_set *ts, size_t i);
/* The set's label; its id when the file gives none. Borrowed. */
const char *themes_set_label(const struct theme_set *ts);
/* A theme's description, or NULL when the file gives none. Borrowed. */
const char *themes_description(const struct theme_set *ts, size_t i);
/* The score theme i needs: its own threshold, else the set's. */
double themes_threshold(const struct theme_set *ts, size_t i);
/* Index of the theme with this id, or -1. */
long themes_find(const struct theme_set *ts, const char *id);

/*
 * The consultation's areas travel with its theme set, so every thread that
 * classifies with a set (and gets a new one on reload) has the matching
 * areas. themes_set_areas takes ownership of as (may be NULL) before the
 * set is shared; themes_areas borrows it (NULL when none).
 */
struct area_set;
void themes_set_areas(struct theme_set *ts, struct area_set *as);
const struct area_set *themes_areas(const struct theme_set *ts);

/* The runs of words of the consultation's documents ([set] document = FILE,
 * see pasted.h), or NULL when the file names none. Borrowed. */
struct pasted_index;
const struct pasted_index *themes_pasted(const struct theme_set *ts);

#endif
