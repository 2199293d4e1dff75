/*
 * respondent.h — who wrote a response: an individual, or someone writing
 * for an organisation (a council, committee, partnership, charity,
 * business or other body), and the organisation's name where it can be
 * read.
 *
 * Evidence, added up (weights in respondent.c):
 *   - the sender's domain: public bodies and charities (.gov.uk,
 *     .police.uk, .nhs.uk, nhs.net, .sch.uk, .ac.uk, .org.uk, .org,
 *     .parliament.uk) count strongly for an organisation; the big webmail
 *     and broadband providers (gmail.com, btinternet.com, ...) against;
 *   - phrases of someone writing for a body: "on behalf of", "we are a",
 *     "we represent", "our members", "our organisation", "registered
 *     charity", "X Council welcomes/submits/supports";
 *   - a name of a body (capitalised words ending in Council, Board,
 *     Partnership, Forum, Association, Trust, Charity, Network, Service,
 *     Commission, Committee, ...) as the subject of the opening sentence,
 *     in the subject line with "response"/"submission", or in a signature
 *     line;
 *   - first person singular outweighing plural ("I", "my" against "we",
 *     "our") counts for an individual, and so does a short text.
 * Deterministic, local, no allocation beyond the returned name.
 */
#ifndef CONSULTD_RESPONDENT_H
#define CONSULTD_RESPONDENT_H

#include "intake/response.h"

/*
 * Decide from subject (may be NULL), text (the stored text: body then
 * attachment text; quotes are set aside here) and sender_email (may be
 * NULL). *organisation gets the body's name (caller frees) or NULL.
 * Returns RESPONDENT_INDIVIDUAL or RESPONDENT_ORGANISATION, or
 * RESPONDENT_UNKNOWN when out of memory.
 */
enum respondent_type respondent_classify(const char *subject, const char *text,
					 const char *sender_email, char **organisation);

/* Sets r->respondent_type and r->organisation (replacing any), given own,
 * the respondent's own words of r->text (classify_own_words), so that a
 * caller that has them does not set the quotes aside twice. 0, or -1 on
 * out of memory. */
int respondent_classify_response(struct response *r, const char *own);

#endif
