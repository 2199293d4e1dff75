/*
 * areas.h — the places a consultation's respondents come from, loaded from
 * an areas file, and the area of a response.
 *
 * Areas file (UTF-8, line by line; the shipped default is
 * config/areas/london-boroughs.areas, the 33 London local authorities):
 *
 *   # comment                 ('#' or ';' at the start of a line)
 *   [set]                     optional, at most once
 *   id = london-boroughs      letters, digits, '-', '_', '.'
 *   label = ...               optional
 *   [area ID]                 one per area; ID is a-z, 0-9, '-', '_'
 *   name = Camden             required: the name reports show
 *   alias = Camden Council    optional, repeatable: other names people use
 *   domain = camden.gov.uk    optional, repeatable: the sender's domain,
 *                             or any subdomain of it
 *
 * Problems are reported as "PATH:LINE: message", all of them, by line:
 * unknown sections and keys, lines that are not "key = value", bad ids,
 * duplicate ids, an area without a name, names or aliases given to two
 * areas (or twice to one), domains that are not domains or are given
 * twice.
 *
 * The area of a response: the area whose domain the sender's address is
 * at; otherwise the area whose names (name and aliases, matched as whole
 * words, ignoring case) the respondent's own words mention most often; no
 * area when none is mentioned or two areas are mentioned equally often.
 *
 * A loaded set is immutable and may be shared read-only between threads.
 */
#ifndef CONSULTD_AREAS_H
#define CONSULTD_AREAS_H

#include "intake/response.h"

#include <stddef.h>

struct area_set;

struct area {
	const char *id;      /* stored in responses.area */
	const char *name;    /* shown in reports and exports */
};

/* Load and validate; NULL with every problem in err on failure (as
 * themes_load does). */
struct area_set *areas_load(const char *path, char *err, size_t errlen);
/* The same from buf[0..len), with `name` standing for the path in
 * messages. */
struct area_set *areas_parse(const char *buf, size_t len, const char *name, char *err,
			     size_t errlen);
void areas_free(struct area_set *as); /* accepts NULL */

size_t areas_count(const struct area_set *as);
/* Area i in file order, or NULL when out of range; borrowed. */
const struct area *areas_get(const struct area_set *as, size_t i);
/* The name of area id, or NULL. */
const char *areas_name(const struct area_set *as, const char *id);

/* The area id (borrowed from the set) of a response by sender_email (may
 * be NULL) and own_text (the respondent's own words), or NULL (also when
 * out of memory: areas_classify_response tells that apart). */
const char *areas_match(const struct area_set *as, const char *sender_email,
			const char *own_text);

/* Sets r->area from r->sender_email, r->subject and own (the respondent's
 * own words of r->text, classify_own_words with ts), with ts's areas
 * (none: no area). 0, or -1 on out of memory. */
struct theme_set;
int areas_classify_response(const struct theme_set *ts, struct response *r, const char *own);

#endif
