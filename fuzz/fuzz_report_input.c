/*
 * fuzz_report_input.c — libFuzzer target for what the summary reads from
 * outside and prints: the configured areas' file (report_areas_parse), and
 * redaction and CSV guarding of arbitrary text (which must always give
 * valid UTF-8 without control or bidirectional characters).
 */
#include "report/model.h"
#include "report/redact.h"
#include "report/writers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void valid_clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			abort();
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				abort();
		if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xae || p[2] == 0x8f))
			abort(); /* U+202E, U+200F */
		p += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_areas a;
	char err[256];
	if (report_areas_parse((const char *)data, size, "areas", &a, err, sizeof(err)) == 0)
		report_areas_free(&a);
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	char *r = redact_text(s);
	if (r != NULL) {
		valid_clean_utf8(r);
		free(r);
	}
	char *c = report_csv_cell(s);
	if (c != NULL) {
		if (c[0] != '"' || (c[1] != '\0' && strchr("=+-@", c[1]) != NULL))
			abort();
		free(c);
	}
	free(s);
	return 0;
}
