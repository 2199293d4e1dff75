/*
 * mime.h — turn one raw RFC 5322 message into a normalised response.
 *
 * Parsing uses GMime 3 (libetpan's MIME parser is not safe on untrusted
 * mail). Call mime_init() once per process before any thread parses; GMime
 * objects never leave the thread that made them.
 *
 * What mime_normalise fills in `out` (all owned by `out`):
 *   message_id     Message-ID without angle brackets and surrounding space,
 *                  or NULL when absent/empty.
 *   idem_key       "mid:" + message_id when there is one, else
 *                  "sha256:" + hex digest of the raw bytes.
 *   sender_name,   from the first From: mailbox, RFC 2047 decoded; the
 *   sender_email   e-mail address with its domain lower-cased.
 *   subject        RFC 2047 decoded, folded whitespace collapsed.
 *   text           UTF-8 body text: text/plain preferred in
 *                  multipart/alternative, HTML turned into readable text
 *                  otherwise; nested multiparts walked (depth capped by
 *                  LIMIT_MIME_DEPTH); quoted-printable and base64 decoded;
 *                  declared charset converted (windows-1252 fallback when
 *                  the bytes are not valid in the declared one); CRLF -> LF;
 *                  capped at LIMIT_TEXT_BYTES. Never NULL on success.
 *   attachments    each non-body part with a filename or a non-text type:
 *                  filename, content_type, decoded size, sha256.
 *   status         STATUS_AUTO_REPLY (Auto-Submitted other than "no",
 *                  Precedence auto_reply/bulk/junk, X-Autoreply,
 *                  X-Autorespond, X-Auto-Response-Suppress with an
 *                  out-of-office subject),
 *                  STATUS_BOUNCE (multipart/report; report-type=delivery-status,
 *                  or From MAILER-DAEMON / postmaster with a DSN),
 *                  STATUS_QUARANTINED when the message cannot be parsed
 *                  (then text is "" and status_reason says why),
 *                  else STATUS_RESPONSE. status_reason is set for all but
 *                  STATUS_RESPONSE.
 *   raw, raw_len   a copy of the input bytes.
 * Fields the caller sets itself: channel, source_id, received_at, late,
 * themes.
 *
 * Returns 0 on success (including a quarantined result), -1 on out of
 * memory (out is then cleared). Never crashes on any input; input longer
 * than LIMIT_MESSAGE_BYTES is quarantined without being parsed.
 */
#ifndef CONSULTD_MIME_H
#define CONSULTD_MIME_H

#include "response.h"

#include <stddef.h>

void mime_init(void);
void mime_shutdown(void);

int mime_normalise(const unsigned char *raw, size_t len, struct response *out);

/*
 * HTML to readable text (libxml2, no network, recovering from broken
 * markup): block elements become line breaks, script/style skipped,
 * entities decoded, runs of blank lines collapsed. Caller frees. NULL on
 * out of memory. `html` need not be NUL-terminated.
 */
char *mime_html_to_text(const char *html, size_t len);

#endif
