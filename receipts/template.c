#include "template.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const placeholders[] = {
	"consultation", "reference", "received_date", "name", "email", "subject", "late_note",
};
#define N_PLACEHOLDERS (sizeof(placeholders) / sizeof(placeholders[0]))

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Index of the placeholder named by s[0..n), or -1. */
static int placeholder(const char *s, size_t n)
{
	for (size_t i = 0; i < N_PLACEHOLDERS; i++)
		if (strlen(placeholders[i]) == n && memcmp(placeholders[i], s, n) == 0)
			return (int)i;
	return -1;
}

int template_check(const char *tpl, size_t len, char *err, size_t errlen)
{
	if (len > TEMPLATE_MAX) {
		snprintf(err, errlen, "longer than %u bytes", TEMPLATE_MAX);
		return -1;
	}
	const unsigned char *s = (const unsigned char *)tpl;
	size_t line = 1;
	for (size_t i = 0; i < len;) {
		if (s[i] == '\0') {
			snprintf(err, errlen, "line %zu: NUL byte", line);
			return -1;
		}
		if (s[i] == '\n')
			line++;
		if (s[i] == '{' && i + 1 < len && s[i + 1] == '{') {
			i += 2;
			continue;
		}
		if (s[i] == '{') {
			size_t j = i + 1;
			while (j < len && j - i <= 32 && s[j] != '}' && s[j] != '{' && s[j] != '\n')
				j++;
			if (j >= len || s[j] != '}') {
				snprintf(err, errlen, "line %zu: '{' without a closing '}' (write '{{' for a brace)",
					 line);
				return -1;
			}
			if (placeholder(tpl + i + 1, j - i - 1) < 0) {
				snprintf(err, errlen,
					 "line %zu: unknown placeholder {%.*s}; known: {consultation}, {reference}, "
					 "{received_date}, {name}, {email}, {subject}, {late_note}",
					 line, (int)(j - i - 1), tpl + i + 1);
				return -1;
			}
			i = j + 1;
			continue;
		}
		size_t n = utf8_seq(s + i, len - i);
		if (n == 0) {
			snprintf(err, errlen, "line %zu: not valid UTF-8", line);
			return -1;
		}
		i += n;
	}
	return 0;
}

char *template_clean_value(const char *v, size_t max)
{
	if (v == NULL)
		v = "";
	size_t len = strlen(v);
	char *out = malloc((len < max ? len : max) + 1);
	if (out == NULL)
		return NULL;
	const unsigned char *s = (const unsigned char *)v;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(s + i, len - i);
		if (n == 0) {
			if (o + 1 > max)
				break;
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + n > max)
			break;
		/* C0 controls and DEL, C1 controls, LINE and PARAGRAPH SEPARATOR */
		bool control = (n == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
			       (n == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) ||
			       (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
				(s[i + 2] == 0xa8 || s[i + 2] == 0xa9));
		if (control) {
			out[o++] = ' ';
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static const char *field(const struct template_fields *f, int i, int *respondent)
{
	*respondent = 0;
	switch (i) {
	case 0: return f->consultation;
	case 1: return f->reference;
	case 2: return f->received_date;
	case 3: *respondent = 1; return f->name;
	case 4: *respondent = 1; return f->email;
	case 5: *respondent = 1; return f->subject;
	default: return f->late_note;
	}
}

char *template_render(const char *tpl, const struct template_fields *f, bool one_line)
{
	char why[8];
	size_t len = strlen(tpl);
	if (template_check(tpl, len, why, sizeof(why)) != 0)
		return NULL;
	struct buf b = {0};
	put(&b, "", 0);
	for (size_t i = 0; i < len && !b.oom;) {
		if ((tpl[i] == '{' || tpl[i] == '}') && i + 1 < len && tpl[i + 1] == tpl[i]) {
			put(&b, tpl + i, 1);
			i += 2;
		} else if (tpl[i] == '{') {
			const char *end = strchr(tpl + i, '}');
			int respondent;
			const char *v = field(f, placeholder(tpl + i + 1, (size_t)(end - tpl - i - 1)),
					      &respondent);
			if (respondent) {
				char *c = template_clean_value(v, TEMPLATE_VALUE_MAX);
				if (c == NULL)
					b.oom = 1;
				else
					put(&b, c, strlen(c));
				free(c);
			} else if (v != NULL) {
				put(&b, v, strlen(v));
			}
			i = (size_t)(end - tpl) + 1;
		} else {
			put(&b, tpl + i, 1);
			i++;
		}
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	if (one_line) {
		/* Trusted values (the consultation's name) are cleaned too: a
		 * Subject is one line whatever went into it. */
		char *c = template_clean_value(b.p, b.len);
		free(b.p);
		return c;
	}
	return b.p;
}
