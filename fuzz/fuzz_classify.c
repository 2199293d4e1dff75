/*
 * fuzz_classify.c — libFuzzer target for the tokeniser and classifier.
 *
 * The theme set is loaded once, from $THEMES or the shipped default
 * (relative to the repository, where the fuzzer is run from). The input's
 * first line is the subject and the rest the text, so both paths and the
 * gap between them are exercised. The output's promises are checked:
 * hits sorted by score then id, every score at or above its threshold,
 * every theme known, terms listed.
 */
#include "classify/classify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct theme_set *set;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("THEMES");
	char err[4096];

	(void)argc;
	(void)argv;
	if (path == NULL || *path == '\0')
		path = "config/themes/london-pcp.themes";
	set = themes_load(path, err, sizeof(err));
	if (set == NULL) {
		fprintf(stderr, "fuzz_classify: %s", err);
		exit(1);
	}
	return 0;
}

static void check(const struct theme_hit *hits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long t = themes_find(set, hits[i].theme_id);
		if (t < 0 || hits[i].score < themes_threshold(set, (size_t)t) ||
		    hits[i].terms == NULL || hits[i].terms[0] == '\0')
			abort();
		if (i > 0 && (hits[i - 1].score < hits[i].score ||
			      (hits[i - 1].score == hits[i].score &&
			       strcmp(hits[i - 1].theme_id, hits[i].theme_id) >= 0)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct theme_hit *hits = NULL;
	size_t n = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *nl = strchr(buf, '\n');
	const char *subject = NULL, *text = buf;
	if (nl != NULL) {
		*nl = '\0';
		subject = buf;
		text = nl + 1;
	}
	if (classify_text(set, subject, text, &hits, &n) == 0) {
		check(hits, n);
		classify_free_hits(hits, n);
	}
	free(buf);
	return 0;
}
