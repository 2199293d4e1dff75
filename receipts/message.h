/*
 * message.h — an acknowledgement receipt as RFC 5322 text.
 *
 * The receipt is plain UTF-8 text, quoted-printable, with CRLF line ends
 * (what SMTP DATA carries). Every header is built here from checked parts:
 * addresses must be plain ASCII addr-specs without spaces, brackets or
 * control characters; free text (display names, the subject) has its
 * control characters replaced and is RFC 2047 encoded when it is not
 * printable ASCII, so nothing a respondent wrote can start a header line.
 */
#ifndef CONSULTD_RECEIPT_MESSAGE_H
#define CONSULTD_RECEIPT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * true when addr can be written as an SMTP envelope address and in a To:
 * header as is: ASCII, one '@' with a non-empty local part and domain, no
 * space, control character, quote, bracket, comma, semicolon or backslash,
 * at most 254 bytes. (Quoted local parts and SMTPUTF8 addresses are
 * refused: no receipt rather than a malformed one.)
 */
bool receipt_address_ok(const char *addr);

/* Same rules for a Message-ID's inside (without <>), at most 250 bytes. */
bool receipt_msgid_ok(const char *id);

/*
 * Does addr (case-insensitive) match a glob pattern (fnmatch: *, ?, [...])?
 * A pattern without '@' is matched against the local part only.
 */
bool receipt_address_matches(const char *addr, const char *pattern);

/*
 * An unstructured header's value: the text with control characters as
 * spaces, as is when it is printable ASCII, else as RFC 2047 "B" encoded
 * words of UTF-8 (each at most 75 characters, split on character
 * boundaries) folded with CRLF SP. `used` is how many characters of the
 * first line the header's name already takes ("Subject: " is 9). Caller
 * frees; NULL on out of memory.
 */
char *receipt_encode_text(const char *utf8, size_t used);

/* A display name as a quoted-string (ASCII) or encoded words; caller frees. */
char *receipt_encode_name(const char *utf8);

/* UTF-8 text as quoted-printable with CRLF line ends; caller frees. */
char *receipt_qp_encode(const char *text);

struct receipt_parts {
	const char *from_name;      /* may be NULL */
	const char *from_address;
	const char *reply_to;       /* may be NULL */
	const char *to;
	const char *subject;        /* UTF-8, one line */
	const char *body;           /* UTF-8 */
	const char *message_id;     /* without <> */
	const char *in_reply_to;    /* the response's Message-ID without <>, or NULL */
	int64_t date;               /* Unix seconds, written in UTC */
};

/*
 * The whole message, headers and body, CRLF line ends. NULL when an
 * address or Message-ID fails the checks above, or on out of memory.
 */
char *receipt_build(const struct receipt_parts *p);

#endif
