/*
 * areas.c — areas file and area of a response (contract in areas.h).
 *
 * Names are matched on a normalised copy of the text: ASCII letters and
 * digits lower-cased, apostrophes dropped, every other run of bytes one
 * space, with a space at each end; a name (normalised the same way) is
 * found as " name " so only whole words match.
 */
#include "areas.h"

#include "classify.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AREAS_MAX_FILE (4u << 20)
#define AREAS_MAX_LINE 4096

struct pattern {
	char *text;     /* normalised, " like this " */
	size_t area;
	int line;
};

struct area_item {
	struct area pub;
	char *id, *name;
	char **domains;
	size_t n_domains;
	int line;
};

struct area_set {
	char *id, *label;
	struct area_item *areas;
	size_t n_areas;
	struct pattern *patterns;
	size_t n_patterns;
};

struct problem {
	int line;
	char *msg;
};

struct loader {
	struct area_set *as;
	struct problem *probs;
	size_t n_probs;
	bool oom;
	bool in_set, seen_set;
	long cur;        /* area index of the current section, or -1 */
};

static void problem(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct loader *ld, int line, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct problem *p = realloc(ld->probs, (ld->n_probs + 1) * sizeof(*p));
	if (p == NULL) {
		ld->oom = true;
		return;
	}
	ld->probs = p;
	p[ld->n_probs].line = line;
	p[ld->n_probs].msg = strdup(buf);
	if (p[ld->n_probs].msg == NULL)
		ld->oom = true;
	else
		ld->n_probs++;
}

/* Normalised " text " (see the top of the file); NULL on out of memory. */
static char *normalise(const char *s, size_t n)
{
	char *out = malloc(n + 3), *o = out;
	if (out == NULL)
		return NULL;
	*o++ = ' ';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) && c < 128)
			*o++ = (char)tolower(c);
		else if (c == '\'')
			continue;
		else if (o[-1] != ' ')
			*o++ = ' ';
	}
	if (o[-1] != ' ')
		*o++ = ' ';
	*o = '\0';
	return out;
}

static bool valid_id(const char *s, bool set)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (!(islower(c) || isdigit(c) || c == '-' || c == '_' ||
		      (set && (isupper(c) || c == '.'))))
			return false;
	}
	return true;
}

static bool valid_domain(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 253 || s[0] == '.' || s[n - 1] == '.' || strchr(s, '.') == NULL ||
	    strstr(s, "..") != NULL)
		return false;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '.'))
			return false;
	return true;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int add_pattern(struct loader *ld, int line, const char *text)
{
	struct area_set *as = ld->as;
	char *norm = normalise(text, strlen(text));
	if (norm == NULL) {
		ld->oom = true;
		return -1;
	}
	if (strcmp(norm, " ") == 0) {
		problem(ld, line, "name '%s' has no letters or digits", text);
		free(norm);
		return 0;
	}
	for (size_t i = 0; i < as->n_patterns; i++) {
		if (strcmp(as->patterns[i].text, norm) == 0) {
			problem(ld, line, "name '%s' already names area '%s' (line %d)", text,
				as->areas[as->patterns[i].area].id, as->patterns[i].line);
			free(norm);
			return 0;
		}
	}
	struct pattern *p = realloc(as->patterns, (as->n_patterns + 1) * sizeof(*p));
	if (p == NULL) {
		free(norm);
		ld->oom = true;
		return -1;
	}
	as->patterns = p;
	p[as->n_patterns++] = (struct pattern){norm, (size_t)ld->cur, line};
	return 0;
}

static void add_domain(struct loader *ld, int line, const char *value)
{
	struct area_set *as = ld->as;
	char low[256];
	size_t n = strlen(value);
	if (n >= sizeof(low) || !valid_domain(value)) {
		problem(ld, line, "bad domain '%.100s' (a domain name such as camden.gov.uk)", value);
		return;
	}
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)value[i]);
	for (size_t a = 0; a < as->n_areas; a++) {
		for (size_t d = 0; d < as->areas[a].n_domains; d++) {
			if (strcmp(as->areas[a].domains[d], low) == 0) {
				problem(ld, line, "domain '%s' already given to area '%s'", low,
					as->areas[a].id);
				return;
			}
		}
	}
	struct area_item *it = &as->areas[ld->cur];
	char **p = realloc(it->domains, (it->n_domains + 1) * sizeof(*p));
	if (p == NULL) {
		ld->oom = true;
		return;
	}
	it->domains = p;
	if ((p[it->n_domains] = strdup(low)) == NULL)
		ld->oom = true;
	else
		it->n_domains++;
}

static void section(struct loader *ld, int line, char *hdr)
{
	struct area_set *as = ld->as;
	char *close = strchr(hdr, ']');
	ld->in_set = false;
	ld->cur = -1;
	if (close == NULL || *trim(close + 1) != '\0') {
		problem(ld, line, "bad section header (expected [set] or [area ID])");
		return;
	}
	*close = '\0';
	char *name = trim(hdr + 1);
	if (strcmp(name, "set") == 0) {
		if (ld->seen_set)
			problem(ld, line, "duplicate [set] section");
		ld->in_set = ld->seen_set = true;
		return;
	}
	if (strncmp(name, "area ", 5) != 0) {
		problem(ld, line, "unknown section [%.100s]", name);
		return;
	}
	char *id = trim(name + 5);
	if (!valid_id(id, false)) {
		problem(ld, line, "bad area id '%.100s' (use a-z, 0-9, '-' and '_')", id);
		return;
	}
	for (size_t i = 0; i < as->n_areas; i++) {
		if (strcmp(as->areas[i].id, id) == 0) {
			problem(ld, line, "duplicate area id '%s' (first on line %d)", id,
				as->areas[i].line);
			return;
		}
	}
	struct area_item *p = realloc(as->areas, (as->n_areas + 1) * sizeof(*p));
	if (p == NULL) {
		ld->oom = true;
		return;
	}
	as->areas = p;
	memset(&p[as->n_areas], 0, sizeof(*p));
	p[as->n_areas].line = line;
	if ((p[as->n_areas].id = strdup(id)) == NULL) {
		ld->oom = true;
		return;
	}
	ld->cur = (long)as->n_areas++;
}

static void key(struct loader *ld, int line, char *k, char *v)
{
	struct area_set *as = ld->as;
	if (ld->in_set) {
		char **dst = strcmp(k, "id") == 0 ? &as->id : strcmp(k, "label") == 0 ? &as->label : NULL;
		if (dst == NULL) {
			problem(ld, line, "unknown key '%.100s' in [set]", k);
		} else if (*dst != NULL) {
			problem(ld, line, "duplicate key '%s' in [set]", k);
		} else if (dst == &as->id && !valid_id(v, true)) {
			problem(ld, line, "bad set id '%.100s'", v);
		} else if ((*dst = strdup(v)) == NULL) {
			ld->oom = true;
		}
		return;
	}
	if (ld->cur < 0) {
		problem(ld, line, "key '%.100s' outside an [area ID] section", k);
		return;
	}
	struct area_item *it = &as->areas[ld->cur];
	if (*v == '\0') {
		problem(ld, line, "empty value for '%.100s'", k);
	} else if (strcmp(k, "name") == 0) {
		if (it->name != NULL) {
			problem(ld, line, "duplicate key 'name' in [area %s]", it->id);
		} else if ((it->name = strdup(v)) == NULL) {
			ld->oom = true;
		} else {
			add_pattern(ld, line, v);
		}
	} else if (strcmp(k, "alias") == 0) {
		add_pattern(ld, line, v);
	} else if (strcmp(k, "domain") == 0) {
		add_domain(ld, line, v);
	} else {
		problem(ld, line, "unknown key '%.100s' in [area %s]", k, it->id);
	}
}

static void parse_line(struct loader *ld, int line, char *s)
{
	s = trim(s);
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		section(ld, line, s);
		return;
	}
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		problem(ld, line, "expected 'key = value'");
		return;
	}
	*eq = '\0';
	key(ld, line, trim(s), trim(eq + 1));
}

static int cmp_problem(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

struct area_set *areas_parse(const char *buf, size_t len, const char *name, char *err,
			     size_t errlen)
{
	struct loader ld = {.cur = -1};
	char *line = malloc(AREAS_MAX_LINE + 1);
	ld.as = calloc(1, sizeof(*ld.as));
	if (errlen > 0)
		err[0] = '\0';
	if (ld.as == NULL || line == NULL) {
		ld.oom = true;
		goto done;
	}
	int lineno = 0;
	for (size_t pos = 0; pos < len && !ld.oom;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		lineno++;
		if (n > AREAS_MAX_LINE) {
			problem(&ld, lineno, "line longer than %u bytes", AREAS_MAX_LINE);
		} else if (memchr(buf + pos, '\0', n) != NULL) {
			problem(&ld, lineno, "NUL byte in line");
		} else {
			memcpy(line, buf + pos, n);
			line[n] = '\0';
			parse_line(&ld, lineno, line);
		}
		pos += n + 1;
	}
	for (size_t i = 0; !ld.oom && i < ld.as->n_areas; i++) {
		ld.as->areas[i].pub.id = ld.as->areas[i].id;
		ld.as->areas[i].pub.name = ld.as->areas[i].name;
		if (ld.as->areas[i].name == NULL)
			problem(&ld, ld.as->areas[i].line, "area '%s' has no name",
				ld.as->areas[i].id);
	}
	if (!ld.oom && ld.n_probs == 0 && ld.as->n_areas == 0)
		problem(&ld, 0, "no [area ID] section");
done:
	free(line);
	if (ld.oom) {
		snprintf(err, errlen, "%s: out of memory", name);
	} else if (ld.n_probs > 0) {
		size_t used = 0;
		qsort(ld.probs, ld.n_probs, sizeof(*ld.probs), cmp_problem);
		for (size_t i = 0; i < ld.n_probs && used + 1 < errlen; i++) {
			int w = ld.probs[i].line > 0
					? snprintf(err + used, errlen - used, "%s:%d: %s\n", name,
						   ld.probs[i].line, ld.probs[i].msg)
					: snprintf(err + used, errlen - used, "%s: %s\n", name,
						   ld.probs[i].msg);
			if (w < 0)
				break;
			used += (size_t)w;
		}
	}
	for (size_t i = 0; i < ld.n_probs; i++)
		free(ld.probs[i].msg);
	free(ld.probs);
	if (ld.oom || ld.n_probs > 0) {
		areas_free(ld.as);
		return NULL;
	}
	return ld.as;
}

struct area_set *areas_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(AREAS_MAX_FILE + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	size_t n = fread(buf, 1, AREAS_MAX_FILE + 1, f);
	bool bad = ferror(f) != 0;
	fclose(f);
	struct area_set *as = NULL;
	if (bad)
		snprintf(err, errlen, "%s: cannot read", path);
	else if (n > AREAS_MAX_FILE)
		snprintf(err, errlen, "%s: larger than %u bytes", path, AREAS_MAX_FILE);
	else
		as = areas_parse(buf, n, path, err, errlen);
	free(buf);
	return as;
}

void areas_free(struct area_set *as)
{
	if (as == NULL)
		return;
	for (size_t i = 0; i < as->n_areas; i++) {
		free(as->areas[i].id);
		free(as->areas[i].name);
		for (size_t d = 0; d < as->areas[i].n_domains; d++)
			free(as->areas[i].domains[d]);
		free(as->areas[i].domains);
	}
	for (size_t i = 0; i < as->n_patterns; i++)
		free(as->patterns[i].text);
	free(as->patterns);
	free(as->areas);
	free(as->id);
	free(as->label);
	free(as);
}

size_t areas_count(const struct area_set *as)
{
	return as != NULL ? as->n_areas : 0;
}

const struct area *areas_get(const struct area_set *as, size_t i)
{
	return as != NULL && i < as->n_areas ? &as->areas[i].pub : NULL;
}

const char *areas_name(const struct area_set *as, const char *id)
{
	for (size_t i = 0; id != NULL && i < areas_count(as); i++)
		if (strcmp(as->areas[i].id, id) == 0)
			return as->areas[i].name;
	return NULL;
}

static const char *by_domain(const struct area_set *as, const char *email)
{
	const char *at = email != NULL ? strrchr(email, '@') : NULL;
	if (at == NULL)
		return NULL;
	const char *dom = at + 1;
	size_t n = strlen(dom);
	for (size_t a = 0; a < as->n_areas; a++) {
		for (size_t d = 0; d < as->areas[a].n_domains; d++) {
			const char *x = as->areas[a].domains[d];
			size_t m = strlen(x);
			if (n >= m && strcasecmp(dom + n - m, x) == 0 &&
			    (n == m || dom[n - m - 1] == '.'))
				return as->areas[a].id;
		}
	}
	return NULL;
}

static size_t count_in(const char *hay, const char *needle)
{
	size_t c = 0, step = strlen(needle) - 1; /* the next may share the space */
	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + step, needle))
		c++;
	return c;
}

/* The area as areas_match says; -1 when out of memory. */
static int match(const struct area_set *as, const char *sender_email, const char *own_text,
		 const char **out)
{
	*out = NULL;
	if (as == NULL || as->n_areas == 0)
		return 0;
	*out = by_domain(as, sender_email);
	if (*out != NULL || own_text == NULL)
		return 0;
	char *norm = normalise(own_text, strlen(own_text));
	size_t *counts = calloc(as->n_areas, sizeof(*counts));
	int rc = -1;
	if (norm != NULL && counts != NULL) {
		for (size_t i = 0; i < as->n_patterns; i++)
			counts[as->patterns[i].area] += count_in(norm, as->patterns[i].text);
		size_t top = 0;
		bool tie = false;
		for (size_t a = 0; a < as->n_areas; a++) {
			if (counts[a] > top) {
				top = counts[a];
				*out = as->areas[a].id;
				tie = false;
			} else if (counts[a] == top && top > 0) {
				tie = true;
			}
		}
		if (tie)
			*out = NULL;
		rc = 0;
	}
	free(norm);
	free(counts);
	return rc;
}

const char *areas_match(const struct area_set *as, const char *sender_email,
			const char *own_text)
{
	const char *id;
	return match(as, sender_email, own_text, &id) == 0 ? id : NULL;
}

int areas_classify_response(const struct theme_set *ts, struct response *r, const char *own)
{
	const struct area_set *as = themes_areas(ts);
	free(r->area);
	r->area = NULL;
	if (areas_count(as) == 0)
		return 0;
	size_t sl = r->subject != NULL ? strlen(r->subject) : 0, ol = strlen(own);
	char *all = malloc(sl + ol + 2);
	if (all == NULL)
		return -1;
	memcpy(all, r->subject != NULL ? r->subject : "", sl);
	all[sl] = '\n';
	memcpy(all + sl + 1, own, ol + 1);
	const char *id;
	int rc = match(as, r->sender_email, all, &id);
	free(all);
	if (rc != 0 || (id != NULL && (r->area = strdup(id)) == NULL))
		return -1;
	return 0;
}
