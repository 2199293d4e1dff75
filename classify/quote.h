/*
 * quote.h — what the respondent wrote, set apart from what they quoted.
 *
 * A reply often carries the whole earlier message (or the consultation's
 * own text) below or interleaved with the respondent's words, then a
 * signature and a corporate disclaimer. Only the respondent's own words
 * are classified; the stored text keeps everything.
 *
 * Recognised, line by line:
 *   - quoted lines: starting with '>' (after optional spaces);
 *   - a quoted tail: everything from an attribution line ("On ... wrote:",
 *     "Le ... a écrit :", "Am ... schrieb ...:", "El ... escribió:"), an
 *     Outlook header block ("-----Original Message-----", or a line of
 *     underscores, or "From:" followed within three lines by "Sent:" /
 *     "Date:" and "Subject:"), or a forwarded-message marker;
 *   - a signature: from a "-- " line (RFC 3676) to the end;
 *   - a disclaimer: from a paragraph that opens with one of the usual
 *     confidentiality phrases ("This email and any attachments",
 *     "If you are not the intended recipient", ...) to the end, when it
 *     is not the first paragraph.
 * A cut never removes everything: when the own text would be empty (a bare
 * forward), the whole text is kept.
 */
#ifndef CONSULTD_QUOTE_H
#define CONSULTD_QUOTE_H

#include <stddef.h>

/*
 * The respondent's own text of `text` (UTF-8, LF line ends), as a new
 * string the caller frees; *set_aside (may be NULL) gets the number of
 * bytes left out. NULL on out of memory.
 */
char *quote_own_text(const char *text, size_t *set_aside);

#endif
