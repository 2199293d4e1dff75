/*
 * mime.h — turn one raw RFC 5322 message into a normalised response.
 *
 * Parsing uses GMime 3 (libetpan's MIME parser is not safe on untrusted
 * mail). Call mime_init() once per process before any thread parses (a
 * forgotten call is made on first use); GMime objects never leave the
 * thread that made them. mime_shutdown() is final: GMime cannot be
 * initialised again in the same process.
 *
 * `out` must start zeroed (or response_clear()ed). mime_normalise sets the
 * fields below and leaves the others alone. What it fills in (all owned by
 * `out`):
 *   message_id     Message-ID without angle brackets and whitespace, or
 *                  NULL when absent/empty (also when not UTF-8 or longer
 *                  than 998 bytes: such an id is no use as a key).
 *   idem_key       "mid:" + message_id when there is one, else
 *                  "sha256:" + hex digest of the raw bytes.
 *   sender_name,   from the first From: mailbox (looking inside a group),
 *   sender_email   RFC 2047 decoded; the e-mail address with its domain
 *                  lower-cased, local part as sent. NULL when absent.
 *   subject        RFC 2047 decoded, whitespace runs collapsed; NULL when
 *                  absent or blank.
 *   text           UTF-8 body text: text/plain preferred in
 *                  multipart/alternative (an empty plain part loses to
 *                  HTML), HTML turned into readable text otherwise; the
 *                  inline text parts of other multiparts joined by a blank
 *                  line; nested multiparts walked (depth capped by
 *                  LIMIT_MIME_DEPTH); a multipart without a usable boundary
 *                  yields its body text; quoted-printable and base64
 *                  decoded; declared charset converted; when there is no
 *                  known charset or the bytes are not valid in it, UTF-8 if
 *                  they are valid UTF-8, else windows-1252 (ISO-8859-1 and
 *                  windows-1252 labels are both read as windows-1252, as
 *                  browsers do); NUL bytes dropped; CRLF -> LF; trailing
 *                  blanks and leading/trailing blank lines removed; capped at
 *                  LIMIT_TEXT_BYTES on a character boundary. Never NULL on
 *                  success.
 *   attachments    each leaf part that is not inline text/plain or
 *                  text/html without a filename (so: disposition
 *                  attachment, a filename, or any other type, including
 *                  message/rfc822, whose size is the embedded message's):
 *                  filename (or NULL), lower-case content_type, decoded
 *                  size, sha256. Parts inside the alternatives not chosen
 *                  for the text count too, once per distinct content. At
 *                  most LIMIT_ATTACHMENTS.
 *   status         STATUS_BOUNCE (multipart/report; report-type=delivery-status,
 *                  or From MAILER-DAEMON / postmaster with a delivery-status
 *                  part anywhere), checked first because DSNs often carry
 *                  Auto-Submitted as well;
 *                  STATUS_AUTO_REPLY (Auto-Submitted other than "no",
 *                  Precedence auto_reply/bulk/junk, X-Autoreply,
 *                  X-Autorespond, X-Auto-Response-Suppress with an
 *                  out-of-office subject);
 *                  STATUS_QUARANTINED when the message cannot be parsed:
 *                  empty input, input over LIMIT_MESSAGE_BYTES (not
 *                  parsed), no header block, or neither a From nor any
 *                  body (then text is "", there are no attachments,
 *                  whatever headers were read are kept, and status_reason
 *                  says why);
 *                  else STATUS_RESPONSE. status_reason is a short phrase
 *                  (e.g. "Auto-Submitted: auto-replied") for all but
 *                  STATUS_RESPONSE, where it is NULL.
 *   raw, raw_len   a copy of the input bytes.
 * Fields the caller sets itself: channel, source_id, received_at, late,
 * themes.
 *
 * Returns 0 on success (including a quarantined result), -1 on out of
 * memory (out is then cleared with response_clear()). Never crashes on any
 * input.
 */
#ifndef CONSULTD_MIME_H
#define CONSULTD_MIME_H

#include "response.h"

#include <stddef.h>

void mime_init(void);
void mime_shutdown(void);

int mime_normalise(const unsigned char *raw, size_t len, struct response *out);

/*
 * UTF-8 HTML to readable text (libxml2, no network, recovering from broken
 * markup): block elements become line breaks, list items start with "- ",
 * script/style/head skipped, entities decoded, whitespace runs collapsed
 * (kept inside <pre>), at most one blank line in a row, trimmed. Caller
 * frees; "" when nothing is readable. NULL on out of memory. `html` need
 * not be NUL-terminated.
 */
char *mime_html_to_text(const char *html, size_t len);

#endif
