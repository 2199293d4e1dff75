/*
 * campaign.h — near-identical responses grouped into campaigns, and
 * identical resubmissions linked to their first copy.
 *
 * A campaign is a template letter sent by many people, each with small
 * edits, their own greeting and signature. Method:
 *   - the text of a response is the respondent's own words (quotes,
 *     signature and disclaimer set aside, classify_own_words), folded into
 *     words (tokenise.h, stop words kept: a template's wording is the
 *     point);
 *   - its shingles are every run of CAMPAIGN_SHINGLE words, hashed;
 *   - a MinHash signature of CAMPAIGN_HASHES values (one-permutation
 *     hashing with densification: one hash per shingle) estimates the
 *     Jaccard similarity of two responses' shingle sets;
 *   - locality-sensitive hashing: the signature is cut into
 *     CAMPAIGN_BANDS bands of CAMPAIGN_ROWS values; responses sharing a
 *     band are candidates, and a candidate pair is joined when its
 *     estimated Jaccard is at least CAMPAIGN_JACCARD (union-find);
 *   - a group of at least CAMPAIGN_MIN_SIZE responses is a campaign. Two
 *     alike responses are not: a couple or two neighbours writing together
 *     is not an organised campaign, and weighing them apart costs nothing.
 *   - responses of fewer than CAMPAIGN_MIN_WORDS words take no part: "more
 *     police please" from many people is agreement, not a template.
 * With 32 bands of 2, a pair at Jaccard 0.5 is a candidate with
 * probability 0.9999, at 0.3 0.95 (then rejected by the estimate), at 0.05
 * 0.08. Candidates are not all pairs of a bucket: each member is checked
 * against the bucket's first and, failing that, its predecessor, so the
 * work stays linear in the number of responses even when a campaign has
 * thousands of copies, and union-find joins the rest.
 *
 * Identical resubmission: the same respondent_key (the sender's address)
 * and the same own words (as folded words) as an earlier response. It is
 * linked to the first copy (duplicate_of), not counted in a campaign's
 * size and takes no part in clustering; it shares the first copy's
 * campaign.
 *
 * Everything is deterministic: the same responses give the same campaigns,
 * numbered by their first response's time (then id).
 */
#ifndef CONSULTD_CAMPAIGN_H
#define CONSULTD_CAMPAIGN_H

#include "storage/storage.h"

#include <stddef.h>
#include <stdint.h>

#define CAMPAIGN_SHINGLE 5
#define CAMPAIGN_HASHES 64
#define CAMPAIGN_BANDS 32
#define CAMPAIGN_ROWS 2
#define CAMPAIGN_JACCARD 0.5
#define CAMPAIGN_MIN_SIZE 3
#define CAMPAIGN_MIN_WORDS 20

struct campaign_builder;

struct campaign_builder *campaign_builder_new(void);
void campaign_builder_free(struct campaign_builder *b); /* accepts NULL */

/*
 * Add a response: its id, respondent_key (may be NULL), time and own words
 * (the caller strips quotes; see campaign_add_stored for stored text). Ids
 * must be added in ascending order. 0, or -1 on out of memory.
 */
int campaign_add(struct campaign_builder *b, int64_t id, const char *respondent_key,
		 int64_t received_at, const char *own_text);

/*
 * A response's campaign print: what campaign_add computes from its own
 * words (own_text, classify_own_words with ts), in a stored form of a few
 * hundred bytes (*out, caller frees, *len bytes), tagged with how the own
 * words were set aside (classify_own_words_id), so a print made before
 * the theme file's documents changed is not used. 0, or -1 on out of
 * memory.
 */
struct theme_set;
int campaign_print_make(const struct theme_set *ts, const char *own_text, unsigned char **out,
			size_t *len);

/* r->campaign_print from own, r's own words with ts (replacing any). 0, or
 * -1 on out of memory. */
int campaign_set_print(const struct theme_set *ts, struct response *r, const char *own);

/*
 * campaign_add from a stored print instead of the text: 0 when added, 1
 * when the print cannot be used (NULL, damaged, another format, or made
 * with other own words than ts sets aside: add from the text instead), -1
 * on out of memory. The same order rule as campaign_add.
 */
int campaign_add_print(struct campaign_builder *b, const struct theme_set *ts, int64_t id,
		       const char *respondent_key, int64_t received_at, const void *print,
		       size_t print_len);

/*
 * Cluster what was added. *members gets one entry per added response, in
 * the order added (campaign is an index into *campaigns or -1), and
 * *campaigns the campaigns, by first time; both caller-freed. 0, or -1 on
 * out of memory.
 */
int campaign_build(struct campaign_builder *b, struct storage_campaign_member **members,
		   size_t *n_members, struct storage_campaign **campaigns, size_t *n_campaigns);

/*
 * Recompute the campaigns and duplicates of every counted response in the
 * store and save them in one transaction (storage_save_campaigns). The
 * store must be open read-write. Each response's own words are compared
 * (classify_own_words with ts, which may be NULL), so two responses that
 * quote the same passage of the consultation are not alike for it: from
 * its stored print when it has a usable one, else from its text.
 * *n_campaigns and *n_duplicates (may be NULL) get the counts. 0, or -1
 * (storage_errmsg says why, or "out of memory").
 */
int campaigns_recompute(struct storage *st, const struct theme_set *ts, size_t *n_campaigns,
			size_t *n_duplicates);

#endif
