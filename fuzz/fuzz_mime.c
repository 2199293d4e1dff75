/*
 * fuzz_mime.c — libFuzzer target for the MIME normaliser.
 *
 * Mail comes from anyone, so mime_normalise must survive any bytes; the
 * sanitizers turn a silent overrun into a finding. HTML reaches
 * mime_html_to_text through text/html parts, so it is covered too.
 */
#include "intake/mime.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	struct response r = { 0 };

	if (!initialised) {
		mime_init();
		initialised = 1;
	}
	/* -1 means out of memory, which is not a finding. */
	(void)mime_normalise(data, size, &r);
	response_clear(&r);
	return 0;
}
