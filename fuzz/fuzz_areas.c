/*
 * fuzz_areas.c — libFuzzer target for the areas-file parser.
 *
 * The input is parsed from memory (areas_parse, which areas_load uses for
 * the file's bytes). A refusal must name the file; a loaded set must
 * answer its accessors, and matching the input itself as a response's text
 * (and its first line as a sender address) must give an area of the set or
 * none.
 */
#include "classify/areas.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[2048];
	struct area_set *as = areas_parse((const char *)data, size, "fuzz.areas", err, sizeof(err));
	if (as == NULL) {
		if (strncmp(err, "fuzz.areas", 10) != 0)
			abort(); /* every refusal names the file */
		return 0;
	}
	size_t n = areas_count(as);
	if (n == 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct area *a = areas_get(as, i);
		if (a == NULL || a->id == NULL || a->name == NULL ||
		    areas_name(as, a->id) != a->name)
			abort();
	}
	char *text = malloc(size + 1);
	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		char *nl = strchr(text, '\n');
		char *email = nl != NULL ? strndup(text, (size_t)(nl - text)) : NULL;
		const char *id = areas_match(as, email, text);
		if (id != NULL && areas_name(as, id) == NULL)
			abort();
		free(email);
		free(text);
	}
	areas_free(as);
	return 0;
}
