/*
 * limits.h — every cap on input from outside, in one place.
 *
 * Each is checked before the bytes are parsed; hitting one is logged and the
 * input is quarantined (never silently dropped).
 */
#ifndef CONSULTD_LIMITS_H
#define CONSULTD_LIMITS_H

#define LIMIT_MESSAGE_BYTES     (25u * 1024u * 1024u) /* one raw mail */
#define LIMIT_TEXT_BYTES        (2u * 1024u * 1024u)  /* decoded text per response (body over it: quarantined) */
#define LIMIT_ATTACHMENTS       64u                   /* attachments recorded per message */
#define LIMIT_MIME_DEPTH        16u                   /* nested multiparts followed */
#define LIMIT_HEADER_BYTES      (64u * 1024u)         /* one decoded header value */
#define LIMIT_HEADER_BLOCK_BYTES (1024u * 1024u)      /* the header of a message too large to parse */
#define LIMIT_ATTACHMENT_TEXT_BYTES (1024u * 1024u)   /* text extracted from one attachment */
#define LIMIT_DOCX_XML_BYTES    (16u * 1024u * 1024u) /* word/document.xml decompressed (zip bombs) */
#define LIMIT_PDF_PAGES         500u                  /* pages of one PDF read for text */
#define LIMIT_CONFIG_LINE       4096u                 /* one line of a config or theme file */
#define LIMIT_BATCH_MESSAGES    100u                  /* IMAP messages per fetch batch */
#define LIMIT_BATCH_BYTES       (4u * 1024u * 1024u)  /* raw bytes per fetch batch (one bigger message goes alone) */
/* A mail over LIMIT_MESSAGE_BYTES is not parsed but still kept raw in
 * quarantine, fetched LIMIT_FETCH_CHUNK_BYTES at a time into a temporary
 * file (memory stays bounded), up to this size; beyond it, header only. */
#define LIMIT_KEPT_RAW_BYTES    (256u * 1024u * 1024u)
#define LIMIT_FETCH_CHUNK_BYTES (4u * 1024u * 1024u)
/* The largest literal an IMAP server may announce, and the most literal
 * bytes in its answer to one command: well above anything consultd asks
 * for (a batch is at most one mail of LIMIT_MESSAGE_BYTES, or
 * LIMIT_BATCH_BYTES of smaller ones, a chunk LIMIT_FETCH_CHUNK_BYTES);
 * libetpan 1.9.4 allocates an announced literal whole, so more drops the
 * session (upstream later capped one literal at 64 MB too). */
#define LIMIT_IMAP_LITERAL_BYTES (64u * 1024u * 1024u)

#endif
