/*
 * fuzz_imap_wire.c — libFuzzer target for the check of the IMAP server's
 * bytes (intake/imap_wire.h), which reads everything a server sends.
 *
 * The input is fed twice: whole, and in pieces whose sizes come from the
 * input itself, as reads from a socket would cut it. The scanner keeps its
 * state between calls, so both must reach the same verdict and the same
 * reason; once refused, every later call must refuse too.
 */
#include "intake/imap_wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_wire whole, pieces;
	imap_wire_init(&whole);
	imap_wire_init(&pieces);
	int rc_whole = imap_wire_feed(&whole, (const char *)data, size);

	int rc_pieces = 0;
	size_t at = 0, k = 0;
	while (at < size) {
		size_t n = 1 + (size_t)data[k++ % size] % 17;
		if (n > size - at)
			n = size - at;
		int rc = imap_wire_feed(&pieces, (const char *)data + at, n);
		if (rc_pieces != 0 && rc == 0)
			abort(); /* a refusal must stick */
		if (rc != 0)
			rc_pieces = rc;
		at += n;
	}
	if (rc_whole != rc_pieces || whole.refused != pieces.refused)
		abort();
	if (whole.refused && strcmp(whole.reason, pieces.reason) != 0)
		abort();
	return 0;
}
