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
 *                  blanks and leading/trailing blank lines removed. Then,
 *                  for each attachment with extracted text, in order, a
 *                  blank line, a line "[attachment: FILENAME]" (the
 *                  content type when there is no file name) and that text:
 *                  the classifier, search and export see a letter sent as
 *                  a PDF as part of the response, and a reader can tell
 *                  the body from the files. The whole is capped at
 *                  LIMIT_TEXT_BYTES on a character boundary. Never NULL on
 *                  success. A leading UTF-8 BOM is skipped and a message
 *                  with CR-only line ends is read as if they were LF (the
 *                  raw copy is untouched); a Content-Type without a "/"
 *                  is read as text/plain (RFC 2045 5.2); HTML that libxml2
 *                  cannot read (e.g. nested deeper than it allows) falls
 *                  back to the characters outside tags.
 *   attachments    each leaf part that is not inline text/plain or
 *                  text/html without a filename (so: disposition
 *                  attachment, a filename, or any other type, including
 *                  message/rfc822, whose size is the embedded message's):
 *                  filename (or NULL), lower-case content_type, decoded
 *                  size, sha256, and the decoded bytes (data, data_len).
 *                  Parts inside the alternatives not chosen for the text
 *                  count too, once per distinct content. At most
 *                  LIMIT_ATTACHMENTS.
 *                  Attachment text (a->text, NULL when none; at most
 *                  LIMIT_ATTACHMENT_TEXT_BYTES, normalised like body text),
 *                  chosen by declared type, or for
 *                  application/octet-stream by file extension (and PDF
 *                  also by its "%PDF-" magic):
 *                    text/plain, .txt   charset-decoded like body text;
 *                    text/html, .htm(l) as HTML bodies are;
 *                    application/pdf    poppler-glib, page texts apart by
 *                                       a blank line, at most
 *                                       LIMIT_PDF_PAGES pages;
 *                    DOCX               word/document.xml through libzip
 *                                       (decompressed size capped at
 *                                       LIMIT_DOCX_XML_BYTES whatever the
 *                                       zip claims) and libxml2: each
 *                                       <w:p> a line, <w:t> text only (no
 *                                       deleted text or field codes),
 *                                       <w:tab/> a tab, <w:br/> a newline.
 *                  When extraction fails or is partial the message is
 *                  still normalised and a->text_error says why ("encrypted
 *                  PDF", "not a readable PDF", "DOCX is not a readable zip
 *                  archive", "... larger than N bytes decompressed", "no
 *                  text in PDF (scanned image?)", ...); the caller logs it.
 *   status         The first rule that matches, in this order (status_reason
 *                  in quotes). A resident's genuine response must never be
 *                  excluded, so weak signals only count together:
 *                  STATUS_BOUNCE, checked first because DSNs often carry
 *                  Auto-Submitted as well:
 *                    top-level multipart/report; report-type=delivery-status
 *                      "multipart/report; report-type=delivery-status";
 *                    a delivery-status part anywhere and From MAILER-DAEMON
 *                      or postmaster "delivery-status report from
 *                      MAILER-DAEMON/postmaster";
 *                    From MAILER-DAEMON (mailer-daemon, mailer_daemon,
 *                      mailerdaemon, mail-daemon; never a person)
 *                      "From: MAILER-DAEMON";
 *                    From postmaster (can be a person) with a bounce
 *                      subject or Return-Path: <> "bounce subject from
 *                      postmaster" / "postmaster with null Return-Path";
 *                    Return-Path: <> with a bounce subject "bounce subject
 *                      with null Return-Path".
 *                    Bounce subjects are prefixes such as "Undelivered Mail
 *                    Returned to Sender", "failure notice" (qmail),
 *                    "Delivery Status Notification", "Mail delivery
 *                    failed", "Undeliverable", "Returned mail". A bounce
 *                    subject alone is no signal: a resident forwarding a
 *                    bounce of their own response writes "Fwd: ...".
 *                  STATUS_AUTO_REPLY:
 *                    multipart/report; report-type=disposition-notification
 *                      (read receipts);
 *                    Auto-Submitted other than "no" (RFC 3834);
 *                    Precedence: auto_reply; X-Autoreply; X-Autorespond;
 *                    X-Auto-Response-Suppress with an out-of-office subject
 *                      "X-Auto-Response-Suppress with out-of-office
 *                      subject" (Outlook puts the header on ordinary mail
 *                      too, so alone it is no signal);
 *                    Return-Path: <> with an out-of-office subject "null
 *                      Return-Path with out-of-office subject" (alone, <>
 *                      is no signal: some form mailers use it);
 *                    a subject that starts with a strong out-of-office
 *                      phrase "out-of-office subject".
 *                    Out-of-office phrases are matched case-folded and
 *                    only as whole phrases: what follows must end the
 *                    subject or be punctuation (":", "-", "(", ...), so
 *                    "Automatic reply: Consultation" and "Out of Office"
 *                    match but "Out of office hours policing" and "Absence
 *                    of police" do not. Strong phrases are those clients
 *                    and servers put before the subject, in English,
 *                    French, German, Spanish, Italian, Dutch, Welsh,
 *                    Polish and Portuguese ("Out of Office", "Automatic
 *                    reply", "Autoreply", "Réponse automatique",
 *                    "Abwesenheitsnotiz", "Automatische Antwort",
 *                    "Respuesta automática", "Fuera de la oficina",
 *                    "Risposta automatica", "Automatisch antwoord", "Ateb
 *                    awtomatig", "Odpowiedź automatyczna", ...); weak ones
 *                    ("Absence", "Afwezig", "on leave", ...) only count
 *                    with X-Auto-Response-Suppress or Return-Path: <>.
 *                  STATUS_LIST, mailing-list traffic, after the auto-reply
 *                  rules (an out-of-office reply that went through a list
 *                  is an auto-reply): Precedence: list; a List-Id or
 *                  List-Post header (set by list managers, RFC 2369/2919:
 *                  a copy sent to the consultation address directly has
 *                  neither, only one relayed by a list the mailbox is
 *                  subscribed to); List-Unsubscribe with Precedence
 *                  bulk/junk "Precedence: bulk with List-Unsubscribe".
 *                  List-Unsubscribe alone is no signal: campaign tools
 *                  that send residents' own letters may add it. Kept
 *                  apart from auto-replies because a person should skim
 *                  it: if the consultation address is itself a list (a
 *                  Google Group, say), every response lands here.
 *                  STATUS_AUTO_REPLY again for Precedence bulk/junk without
 *                  list headers (vacation(1) sends "Precedence: bulk").
 *                  STATUS_QUARANTINED when the message cannot be parsed:
 *                  empty input, input over LIMIT_MESSAGE_BYTES (only
 *                  its header block is parsed), no header block, or neither a From nor any
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
