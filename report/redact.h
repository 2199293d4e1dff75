/*
 * redact.h — personal data out of the text a summary quotes.
 *
 * Every excerpt a report shows passes through redact_text first. It is
 * deliberately eager: quoting "[phone]" where there was none costs a lead
 * nothing, printing a respondent's number in a board paper does.
 *
 * Replaced, each by a bracketed marker:
 *   - e-mail addresses (local@domain.tld)                     -> [email]
 *   - UK telephone numbers: 0 or +44 / (0) followed by 9-10
 *     more digits, grouped by spaces, hyphens, dots, brackets -> [phone]
 *   - UK postcodes (A9 9AA, A9A 9AA, A99 9AA, AA9 9AA,
 *     AA9A 9AA, AA99 9AA; either case, space optional)         -> [postcode]
 *   - street addresses: a house number (with optional letter)
 *     and one to four capitalised words ending in a street
 *     word (Road, Street, Avenue, Lane, Close, ...)           -> [address]
 * Also removed, because they can reorder or hide what a reader sees:
 * bidirectional controls (U+200E/F, U+202A-E, U+2066-9, U+061C) and
 * C0/C1 control characters (tab and newline become spaces). Invalid
 * UTF-8 becomes U+FFFD, so the result is always valid UTF-8.
 *
 * Returns a new string (caller frees), or NULL when out of memory.
 */
#ifndef CONSULTD_REDACT_H
#define CONSULTD_REDACT_H

#include <stddef.h>

char *redact_text(const char *in);

/*
 * An excerpt of the first len bytes of text: redacted as above, runs of
 * spaces collapsed, cut at a word boundary to about max bytes (never
 * inside a UTF-8 sequence) with an ellipsis when cut. Only as much of a
 * long text as can reach the excerpt is redacted, so its cost does not
 * grow with the text. Caller frees; NULL on OOM.
 */
char *redact_excerpt(const char *text, size_t len, size_t max);

/* Only the clean-up (controls, bidi, invalid UTF-8), no redaction: for
 * names and labels that are shown as they are. Caller frees; NULL on OOM. */
char *redact_clean(const char *in);

#endif
