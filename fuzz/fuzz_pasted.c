/*
 * fuzz_pasted.c — libFuzzer target for the pasted-passage finder.
 *
 * The first byte says where the rest splits into a document (the
 * consultation's text, as a theme file's `document` brings it) and a
 * response. Checked: the response never grows, what is set aside is never
 * more than it had, and a document read back as a response is kept whole
 * (every one of its words is in a pasted run, and a response of nothing
 * but pasted text is classified whole).
 */
#include "classify/pasted.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t rest = size - 1;
	size_t split = rest * data[0] / 255;
	char *doc = strndup((const char *)data + 1, split);
	char *text = strndup((const char *)data + 1 + split, rest - split);
	struct pasted_index *ix = pasted_index_new();
	if (doc == NULL || text == NULL || ix == NULL ||
	    pasted_index_add(ix, doc, strlen(doc)) < 0)
		abort();

	size_t aside;
	char *mine = pasted_remove(ix, text, &aside);
	if (mine == NULL || strlen(mine) > strlen(text) || aside > strlen(text))
		abort();
	free(mine);
	mine = pasted_remove(ix, doc, &aside);
	if (mine == NULL || strcmp(mine, doc) != 0 || aside != 0)
		abort();
	free(mine);

	pasted_index_free(ix);
	free(doc);
	free(text);
	return 0;
}
