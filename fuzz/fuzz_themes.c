/*
 * fuzz_themes.c — libFuzzer target for the theme-file loader.
 *
 * themes_load reads a path (the file goes through inih twice), so each
 * input is written to a private temporary file first. Both outcomes are
 * checked: a loaded set must answer its accessors, and a refusal must say
 * why in "PATH:..." form.
 */
#include "classify/themes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[512];

static int write_input(const uint8_t *data, size_t size)
{
	const char *dir = getenv("TMPDIR");
	int fd;
	size_t off = 0;

	snprintf(path, sizeof(path), "%s/fuzz_themes.XXXXXX",
		 dir != NULL && *dir != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)n;
	}
	close(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[2048];
	struct theme_set *ts;

	if (write_input(data, size) < 0)
		return 0;
	ts = themes_load(path, err, sizeof(err));
	if (ts == NULL) {
		if (strncmp(err, path, strlen(path)) != 0)
			abort(); /* every refusal names the file */
	} else {
		size_t n = themes_count(ts);
		if (n == 0 || themes_set_id(ts) == NULL)
			abort();
		for (size_t i = 0; i < n; i++) {
			const char *id = themes_id(ts, i);
			if (id == NULL || themes_label(ts, i) == NULL ||
			    themes_find(ts, id) != (long)i ||
			    !(themes_threshold(ts, i) > 0.0))
				abort();
		}
		themes_free(ts);
	}
	unlink(path);
	return 0;
}
