/*
 * fuzz_config.c — libFuzzer target for the config file parser.
 *
 * config_load reads a path, so each input is written to one temporary file
 * (made once per process, rewritten in place) and loaded from there. The
 * error buffer is sometimes small so that the truncation of the error list
 * is exercised too. Time and duration parsing get the input directly as
 * well, since they see every value of opens, closes, grace and
 * poll_interval.
 */
#include "config/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

static void remove_temp(void)
{
	if (path[0] != '\0')
		unlink(path);
}

static int write_input(const uint8_t *data, size_t size)
{
	if (path[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/fuzz-config-XXXXXX.conf",
			 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		int fd = mkstemps(path, 5);
		if (fd < 0) {
			perror("fuzz_config: mkstemps");
			abort();
		}
		close(fd);
		atexit(remove_temp);
	}
	FILE *f = fopen(path, "we");
	if (f == NULL)
		return -1;
	size_t n = fwrite(data, 1, size, f);
	return fclose(f) == 0 && n == size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char err[8192];
	struct config *cfg = NULL;

	if (write_input(data, size) != 0)
		abort(); /* the fuzzer's own temp file: not a finding, but fatal */
	size_t errlen = size > 0 && (data[size - 1] & 1) ? 64 : sizeof(err);
	if (config_load(path, &cfg, err, errlen) == 0) {
		if (cfg == NULL)
			abort(); /* success must give a config */
		config_free(cfg);
	} else if (cfg != NULL) {
		abort(); /* failure must leave *out NULL */
	}
	if (memchr(err, '\0', errlen) == NULL)
		abort(); /* the error text must stay terminated within errlen */

	/* The value parsers on their own, on a NUL-terminated copy. */
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t v;
	char when[32];
	if (config_parse_time(s, &v) == 0)
		config_format_time(v, when, sizeof(when));
	(void)config_parse_duration(s, &v);
	free(s);
	return 0;
}
