/*
 * search.h — full-text search over the stored responses.
 *
 * Uses the FTS5 index response_fts (schema 5), which holds every
 * response's subject and text (attachment text included) and is kept in
 * step with the responses table by triggers. Hits are ranked by BM25
 * (subject words weigh double), best first, ties by reference.
 *
 * The query is FTS5 syntax: words (all must occur, stemmed, case- and
 * accent-blind), "exact phrases", OR, NOT, prefix*, NEAR(a b, 5). A query
 * that is not valid FTS5 gives -1 with *syntax set and a message saying
 * so; nothing is run.
 */
#ifndef CONSULTD_SEARCH_H
#define CONSULTD_SEARCH_H

#include "storage/storage.h"

#include <stdbool.h>
#include <stdint.h>

struct search_query {
	const char *match;      /* FTS5 query, required */
	const char *theme;      /* only responses with this theme, or NULL */
	const char *channel;    /* "email", "form", "import", or NULL */
	const char *area;       /* area id, or NULL */
	int64_t since, until;   /* received_at >= since, < until; 0: open */
	int limit;              /* at most this many hits (> 0) */
};

struct search_hit {
	int64_t id;
	const char *ref;        /* R-000042 */
	const char *channel, *status;
	int64_t received_at;
	const char *area;       /* or NULL */
	const char *themes;     /* comma-separated theme ids, or "" */
	const char *snippet;    /* matched words between the highlight marks;
				 * control and bidirectional characters removed */
	double rank;            /* BM25: lower is better */
};

/* Called for each hit, best first; a non-zero return stops the search. */
typedef int (*search_fn)(void *user, const struct search_hit *h);

/*
 * Run q on st, calling fn for each hit. hl_open/hl_close surround each
 * matched word in the snippet. Returns the number of hits (>= 0), or -1
 * with the reason in err; *syntax (may be NULL) says whether the query
 * itself was at fault.
 */
int search_run(struct storage *st, const struct search_query *q, const char *hl_open,
	       const char *hl_close, search_fn fn, void *user, bool *syntax, char *err,
	       size_t errlen);

#endif
