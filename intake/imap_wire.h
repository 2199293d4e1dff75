/*
 * imap_wire.h — a check of the IMAP server's bytes before libetpan parses
 * them, for two unfixed libetpan 1.9.4 bugs (TECH-NOTES):
 *
 *  - a literal announced as {N} is allocated whole before a byte of it
 *    arrives, so "{4294967295}" costs 4 GB; any announcement over
 *    LIMIT_IMAP_LITERAL_BYTES is refused, and so are literals adding up
 *    to more than that in the answer to one command (a server that lies
 *    about RFC822.SIZE would otherwise push 100 such bodies per batch);
 *  - a PERMANENTFLAGS response code whose first flag cannot be parsed,
 *    e.g. "[PERMANENTFLAGS (%)]", makes its cleanup dereference NULL (a
 *    segfault); such a code is refused.
 *
 * The scanner follows libetpan's framing closely enough to skip message
 * literals (their contents are the senders', not the server's, and must
 * never be refused for what they say): only "{N}" CRLF in an untagged
 * FETCH response is taken as the start of a literal, and quoted strings in
 * a FETCH response are skipped. Everywhere else every byte is checked, so
 * where the two could disagree the scanner checks more, not less.
 */
#ifndef CONSULTD_IMAP_WIRE_H
#define CONSULTD_IMAP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imap_wire {
	uint64_t literal_left;  /* bytes of a message literal still to skip */
	uint64_t literal_n;     /* the number being read in "{N}" */
	uint64_t answer_bytes;  /* literals announced since the last tagged line */
	unsigned prefix;        /* progress through "* N FETCH" at line start */
	unsigned lit;           /* progress through "{" N "}" CRLF */
	unsigned pf;            /* progress through "[PERMANENTFLAGS (" */
	unsigned pf_i;
	bool fetch;             /* this response is an untagged FETCH */
	bool quoted, escaped;
	bool literal_negative;
	bool refused;
	char reason[160];       /* why, once refused */
};

void imap_wire_init(struct imap_wire *s);

/* Check the next n bytes from the server. Returns 0, or -1 once anything
 * has been refused (also for every later call); s->reason says why. */
int imap_wire_feed(struct imap_wire *s, const char *buf, size_t n);

#endif
