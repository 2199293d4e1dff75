#include "quote.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct line {
	const char *start;
	size_t len;
};

static bool starts_with_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && strncasecmp(s, prefix, n) == 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static const char *skip_space(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	return s;
}

static bool is_quoted(const struct line *l)
{
	size_t len = l->len;
	const char *s = skip_space(l->start, &len);
	return len > 0 && *s == '>';
}

/* "On Tue, 4 Jan 2022 at 10:12, Jo Bloggs <jo@example.org> wrote:" and
 * its usual translations. Attribution lines are short and end in a colon. */
static bool is_attribution(const struct line *l)
{
	size_t len = l->len;
	const char *s = skip_space(l->start, &len);
	if (len > 300 || !ends_with(s, len, ":"))
		return false;
	static const struct { const char *start, *end; } forms[] = {
		{"On ", "wrote:"}, {"Le ", "crit :"}, {"Le ", "crit:"}, {"Am ", ":"},
		{"El ", "escribi\xc3\xb3:"}, {"Il ", "scritto:"}, {"Op ", "geschreven:"},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (!starts_with_ci(s, len, forms[i].start) || !ends_with(s, len, forms[i].end))
			continue;
		/* "Am ..." must say "schrieb" somewhere to count. */
		if (strcmp(forms[i].start, "Am ") == 0) {
			bool schrieb = false;
			for (size_t j = 0; j + 7 <= len; j++)
				schrieb = schrieb || strncmp(s + j, "schrieb", 7) == 0;
			if (!schrieb)
				continue;
		}
		return true;
	}
	return false;
}

static bool is_header_line(const struct line *l, const char *name)
{
	return starts_with_ci(l->start, l->len, name);
}

/* An Outlook-style block of the earlier message's headers. */
static bool is_outlook_block(const struct line *lines, size_t n, size_t i)
{
	const struct line *l = &lines[i];
	size_t len = l->len;
	const char *s = skip_space(l->start, &len);
	if (starts_with_ci(s, len, "-----Original Message-----") ||
	    starts_with_ci(s, len, "----- Original Message -----") ||
	    starts_with_ci(s, len, "---------- Forwarded message") ||
	    starts_with_ci(s, len, "Begin forwarded message:") ||
	    starts_with_ci(s, len, "-------- Original message --------"))
		return true;
	bool underscores = len >= 20;
	for (size_t j = 0; j < len && underscores; j++)
		underscores = s[j] == '_';
	size_t from = underscores ? i + 1 : i;
	while (from < n && from <= i + 1 && lines[from].len == 0)
		from++;
	if (from >= n || !is_header_line(&lines[from], "From:"))
		return false;
	bool sent = false, subject = false;
	for (size_t j = from + 1; j < n && j <= from + 4; j++) {
		sent = sent || is_header_line(&lines[j], "Sent:") || is_header_line(&lines[j], "Date:");
		subject = subject || is_header_line(&lines[j], "Subject:");
	}
	return sent && subject;
}

static bool is_signature(const struct line *l)
{
	return (l->len == 3 && memcmp(l->start, "-- ", 3) == 0) ||
	       (l->len == 2 && memcmp(l->start, "--", 2) == 0);
}

static bool is_disclaimer(const struct line *l)
{
	static const char *const openers[] = {
		"This email and any attachments",
		"This e-mail and any attachments",
		"This email and any files",
		"This e-mail and any files",
		"This email is confidential",
		"This e-mail is confidential",
		"This message is confidential",
		"The information contained in this email",
		"The information contained in this e-mail",
		"The information in this email",
		"If you are not the intended recipient",
		"DISCLAIMER",
		"Confidentiality notice",
		"CONFIDENTIALITY NOTICE",
		"This email has been scanned",
	};
	size_t len = l->len;
	const char *s = skip_space(l->start, &len);
	for (size_t i = 0; i < sizeof(openers) / sizeof(openers[0]); i++)
		if (starts_with_ci(s, len, openers[i]))
			return true;
	return false;
}

static bool is_blank(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (!isspace((unsigned char)l->start[i]))
			return false;
	return true;
}

char *quote_own_text(const char *text, size_t *set_aside)
{
	size_t total = strlen(text);
	size_t n = 1;
	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	struct line *lines = malloc(n * sizeof(*lines));
	bool *keep = malloc(n * sizeof(*keep));
	char *out = malloc(total + 1);
	if (lines == NULL || keep == NULL || out == NULL) {
		free(lines);
		free(keep);
		free(out);
		return NULL;
	}
	n = 0;
	for (const char *p = text;;) {
		const char *nl = strchr(p, '\n');
		lines[n].start = p;
		lines[n].len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}

	/* Where the own text ends: the first tail marker. */
	size_t end = n;
	for (size_t i = 0; i < n && end == n; i++) {
		if (is_attribution(&lines[i]) || is_outlook_block(lines, n, i) || is_signature(&lines[i]) ||
		    /* a disclaimer: a paragraph of its own, after the respondent's */
		    (i > 0 && is_blank(&lines[i - 1]) && is_disclaimer(&lines[i])))
			end = i;
	}
	for (size_t i = 0; i < n; i++)
		keep[i] = i < end && !is_quoted(&lines[i]);
	/* Nothing of their own (a bare forward, or all quoted): keep it all. */
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = keep[i] && !is_blank(&lines[i]);
	size_t o = 0, dropped = 0;
	for (size_t i = 0; i < n; i++) {
		if (any && !keep[i]) {
			dropped += lines[i].len + (i + 1 < n);
			continue;
		}
		memcpy(out + o, lines[i].start, lines[i].len);
		o += lines[i].len;
		out[o++] = '\n';
	}
	/* Trim the trailing newlines added above and any blank tail. */
	while (o > 0 && isspace((unsigned char)out[o - 1]))
		o--;
	out[o] = '\0';
	if (set_aside != NULL)
		*set_aside = dropped;
	free(lines);
	free(keep);
	return out;
}
