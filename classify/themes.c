/*
 * themes.c — load, validate and compile a theme file.
 *
 * The file is read twice. A first pass finds every section header with its
 * line, because inih only reports keys: without it an empty [theme x] or a
 * repeated one would go unseen, and a theme with no keys could not be
 * reported at the line where it starts. It also reports the lines inih
 * would reject, so every syntax error is named, not only the first. The
 * second pass is config/ini_lines.h, whose handler is told each key's line;
 * the key belongs to the last header above that line.
 *
 * Problems are collected, not returned on the first, then sorted by line so
 * an author can fix a file in one go. Nothing is published unless the whole
 * file is clean: the set a caller gets is complete and never changes.
 *
 * The file format itself is described in doc/theme-file.md and at the top
 * of config/themes/london-pcp.themes.
 */
#include "themes.h"
#include "areas.h"

#include "config/ini_lines.h"
#include "config/limits.h"
#include "lexicon.h"
#include "pasted.h"
#include "tokenise.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

/* Serial numbers of loaded sets, from 1 (0 is "no set" in caches). */
static _Atomic uint64_t next_serial = 1;

#define THEME_ID_MAX 64
/* A consultation document longer than this is not a document but a mistake
 * (a mailbox export, a binary): refused, so nobody waits on it. */
#define DOCUMENT_MAX_BYTES (16u << 20)
#define WEIGHT_MAX 100.0
#define DEFAULT_THRESHOLD 2.0

struct load_error {
	int line;
	size_t seq;     /* keeps the order of errors on one line */
	char *msg;
};

enum section_kind { SEC_SET, SEC_THEME, SEC_IGNORED };

struct header {
	int line;
	enum section_kind kind;
	long theme;     /* index in themes when kind is SEC_THEME */
};

struct set_keys {
	int id_line, label_line, threshold_line, description_line;
};

struct theme_keys {
	int label_line, description_line, threshold_line;
	bool has_terms;
};

struct loader {
	const char *path;
	bool oom;
	struct load_error *errs;
	size_t n_errs, cap_errs;

	struct header *headers;
	size_t n_headers, cap_headers;
	size_t cur;             /* header the last key belonged to, plus one */
	int set_header;         /* line of [set], 0 when none */

	struct set_keys set;
	struct theme_keys *tkeys;  /* parallel to ts->themes */
	size_t cap_themes, cap_terms, cap_variants;

	struct theme_set *ts;
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *q = reallocarray(p, n, size);
	if (q != NULL)
		*cap = n;
	return q;
}

static void add_error(struct loader *ld, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_error(struct loader *ld, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	struct load_error *v;

	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	msg = malloc((size_t)n + 1);
	if (msg == NULL)
		goto oom;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	v = grow(ld->errs, &ld->cap_errs, ld->n_errs + 1, sizeof(*v));
	if (v == NULL)
		goto oom;
	ld->errs = v;
	ld->errs[ld->n_errs] = (struct load_error){line, ld->n_errs, msg};
	ld->n_errs++;
	return;
oom:
	free(msg);
	ld->oom = true;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* Where inih would end a search for one of chars: at an inline ';' comment
 * that follows whitespace, as Debian's build is configured. */
static char *find_before_comment(char *s, const char *chars)
{
	bool was_space = false;
	for (; *s; s++) {
		if (strchr(chars, *s))
			return s;
		if (was_space && *s == ';')
			return NULL;
		was_space = *s == ' ' || *s == '\t';
	}
	return NULL;
}

/* A decimal like "2", "0.5" or "12.75": strtod alone would take "inf",
 * "nan", hex and trailing junk. */
static bool parse_number(const char *s, double *out)
{
	const char *p = s;
	size_t digits = 0;

	while (*p >= '0' && *p <= '9') {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
	}
	if (digits == 0 || *p != '\0' || p - s > 32)
		return false;
	*out = strtod(s, NULL);
	return true;
}

static bool parse_limit(const char *s, double *out)
{
	double v;
	if (!parse_number(s, &v) || v <= 0.0 || v > WEIGHT_MAX)
		return false;
	*out = v;
	return true;
}

static bool valid_theme_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > THEME_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  (i > 0 && (c == '-' || c == '_'));
		if (!ok)
			return false;
	}
	return true;
}

static bool valid_set_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > THEME_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int add_header(struct loader *ld, int line, enum section_kind kind,
		      long theme)
{
	struct header *h = grow(ld->headers, &ld->cap_headers,
				ld->n_headers + 1, sizeof(*h));
	if (h == NULL)
		return -1;
	ld->headers = h;
	ld->headers[ld->n_headers++] = (struct header){line, kind, theme};
	return 0;
}

static long add_theme(struct loader *ld, const char *id, int line)
{
	struct theme_set *ts = ld->ts;
	size_t need = ts->n_themes + 1;
	size_t cap = ld->cap_themes;

	/* themes and their per-load key notes grow together */
	struct lex_theme *t = grow(ts->themes, &cap, need, sizeof(*t));
	if (t == NULL)
		return -1;
	ts->themes = t;
	cap = ld->cap_themes;
	struct theme_keys *k = grow(ld->tkeys, &cap, need, sizeof(*k));
	if (k == NULL)
		return -1;
	ld->tkeys = k;
	ld->cap_themes = cap;
	char *dup = strdup(id);
	if (dup == NULL)
		return -1;
	ts->themes[ts->n_themes] = (struct lex_theme){.id = dup, .line = line};
	ld->tkeys[ts->n_themes] = (struct theme_keys){0};
	return (long)ts->n_themes++;
}

static int section_header(struct loader *ld, int line, char *name)
{
	enum section_kind kind = SEC_IGNORED;
	long theme = -1;

	if (strcmp(name, "set") == 0) {
		if (ld->set_header)
			add_error(ld, line, "duplicate [set] section (first on line %d)",
				  ld->set_header);
		else {
			ld->set_header = line;
			kind = SEC_SET;
		}
	} else if (strncmp(name, "theme", 5) == 0 &&
		   (name[5] == '\0' || name[5] == ' ' || name[5] == '\t')) {
		char *id = trim(name + 5);
		long prev = themes_find(ld->ts, id);
		if (!valid_theme_id(id))
			add_error(ld, line, "bad theme id '%s' (use a-z, 0-9, '-' "
				  "and '_', at most %d characters)", id, THEME_ID_MAX);
		else if (prev >= 0) /* so themes holds at least prev + 1 entries */
			add_error(ld, line, "duplicate theme id '%s' (first on line %d)",
				  /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
				  id, ld->ts->themes[prev].line);
		else {
			theme = add_theme(ld, id, line);
			if (theme < 0)
				return -1;
			kind = SEC_THEME;
		}
	} else {
		add_error(ld, line, "unknown section [%s]", name);
	}
	return add_header(ld, line, kind, theme);
}

/* First pass: section headers, and lines inih would refuse. */
static int scan_file(struct loader *ld)
{
	FILE *f = fopen(ld->path, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int line = 0;
	int rc = 0;

	if (f == NULL) {
		add_error(ld, 0, "cannot open: %s", strerror(errno));
		return 0;
	}
	while ((n = getline(&buf, &cap, f)) >= 0) {
		line++;
		char *s = buf;
		if (line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		if ((size_t)n > LIMIT_CONFIG_LINE) {
			add_error(ld, line, "line longer than %u bytes",
				  (unsigned)LIMIT_CONFIG_LINE);
			continue;
		}
		s = trim(s);
		if (*s == '\0' || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *end = find_before_comment(s + 1, "]");
			if (end == NULL) {
				add_error(ld, line, "section header without ']'");
				continue;
			}
			*end = '\0';
			if (section_header(ld, line, trim(s + 1)) < 0) {
				rc = -1;
				break;
			}
		} else if (find_before_comment(s, "=:") == NULL) {
			add_error(ld, line, "expected 'key = value'");
		}
	}
	/* getline's -1 is also a failure (ENOMEM), not only the end: a file
	 * read in part must not pass for a shorter one. */
	if (rc == 0 && !feof(f)) {
		if (errno == ENOMEM)
			rc = -1;
		else
			add_error(ld, 0, "cannot read: %s", strerror(errno));
	}
	free(buf);
	fclose(f);
	return rc;
}

static uint32_t intern(struct loader *ld, const char *stem, size_t n, bool *ok)
{
	struct theme_set *ts = ld->ts;
	uint32_t h = lex_hash(stem, n);

	if ((ts->n_stems + 1) * 2 > ts->n_slots) {
		size_t ns = ts->n_slots ? ts->n_slots * 2 : 256;
		struct lex_slot *s = calloc(ns, sizeof(*s));
		if (s == NULL) {
			*ok = false;
			return 0;
		}
		for (size_t i = 0; i < ts->n_slots; i++) {
			if (ts->slots[i].stem == NULL)
				continue;
			size_t j = ts->slots[i].hash & (ns - 1);
			while (s[j].stem != NULL)
				j = (j + 1) & (ns - 1);
			s[j] = ts->slots[i];
		}
		free(ts->slots);
		ts->slots = s;
		ts->n_slots = ns;
	}
	size_t j = h & (ts->n_slots - 1);
	while (ts->slots[j].stem != NULL) {
		if (ts->slots[j].hash == h && strncmp(ts->slots[j].stem, stem, n) == 0 &&
		    ts->slots[j].stem[n] == '\0')
			return ts->slots[j].id;
		j = (j + 1) & (ts->n_slots - 1);
	}
	char *copy = strndup(stem, n);
	if (copy == NULL) {
		*ok = false;
		return 0;
	}
	ts->slots[j] = (struct lex_slot){copy, h, (uint32_t)ts->n_stems};
	return (uint32_t)ts->n_stems++;
}

static bool same_variant(const struct lex_variant *a, const struct lex_variant *b)
{
	return a->len == b->len &&
	       memcmp(a->ids, b->ids, a->len * sizeof(a->ids[0])) == 0;
}

/*
 * Compile a term's words into its variants: the stems with stop words left
 * out, and when hyphens join words, the same with each hyphenated group
 * written as one word. Returns the number of variants (0 after reporting a
 * problem), or -1 when out of memory.
 */
static int compile_term(struct loader *ld, int line, const char *text,
			struct lex_variant out[2])
{
	struct tok_reader r;
	struct tok_word w = {0};
	char stem[TOK_WORD_MAX + 1];
	char joined[TOK_WORD_MAX + 1];
	size_t joined_len = 0;
	bool any_word = false, any_hyphen = false, joined_ok = true;
	bool ok = true;
	int sl;

	out[0].len = out[1].len = 0;
	tok_init(&r, text, strlen(text));
	for (;;) {
		bool more = tok_next(&r, &w);
		if (more && w.too_long) {
			add_error(ld, line, "term '%s' has a word longer than %d bytes",
				  text, TOK_WORD_MAX);
			return 0;
		}
		/* Close the pending hyphenated group of the joined variant. */
		if (any_word && (!more || !w.after_hyphen) && joined_len > 0) {
			if (!tok_is_stop(joined, joined_len)) {
				if ((sl = tok_stem(joined, joined_len, stem)) < 0)
					return -1;
				if (out[1].len == LEX_PHRASE_MAX)
					joined_ok = false;
				else
					out[1].ids[out[1].len++] = intern(ld, stem, (size_t)sl, &ok);
			}
			joined_len = 0;
		}
		if (!more)
			break;
		if (any_word && w.after_hyphen)
			any_hyphen = true;
		any_word = true;
		if (joined_len + w.len > TOK_WORD_MAX)
			joined_ok = false;
		else {
			memcpy(joined + joined_len, w.text, w.len);
			joined_len += w.len;
			joined[joined_len] = '\0';
		}
		if (tok_is_stop(w.text, w.len))
			continue;
		if (out[0].len == LEX_PHRASE_MAX) {
			add_error(ld, line, "term '%s' has more than %d words", text,
				  LEX_PHRASE_MAX);
			return 0;
		}
		if ((sl = tok_stem(w.text, w.len, stem)) < 0)
			return -1;
		out[0].ids[out[0].len++] = intern(ld, stem, (size_t)sl, &ok);
	}
	if (!ok)
		return -1;
	if (!any_word) {
		add_error(ld, line, "term '%s' has no words", text);
		return 0;
	}
	if (out[0].len == 0) {
		add_error(ld, line, "term '%s' has only stop words and can never "
			  "match", text);
		return 0;
	}
	if (!any_hyphen || !joined_ok || out[1].len == 0 ||
	    same_variant(&out[0], &out[1]))
		return 1;
	return 2;
}

static int add_term(struct loader *ld, int line, long theme, bool against,
		    char *value)
{
	struct theme_set *ts = ld->ts;
	struct lex_variant v[2];
	double weight = 1.0;
	char *bar = strrchr(value, '|');
	char *text = value;
	int nv;

	if (bar != NULL) {
		*bar = '\0';
		char *ws = trim(bar + 1);
		text = trim(value);
		if (!parse_limit(ws, &weight)) {
			add_error(ld, line, "bad weight '%s' (a number above 0 and "
				  "at most 100)", ws);
			return 0;
		}
	}
	text = trim(text);
	if (*text == '\0') {
		add_error(ld, line, "empty term");
		return 0;
	}
	if (strchr(text, ',') != NULL) {
		/* classify.h lists matched terms comma-separated */
		add_error(ld, line, "term '%s' contains ','", text);
		return 0;
	}
	nv = compile_term(ld, line, text, v);
	if (nv <= 0)
		return nv;

	struct lex_theme *t = &ts->themes[theme];
	if (t->n_terms == 0)
		t->first_term = (uint32_t)ts->n_terms; /* a theme's keys are one block */
	for (size_t i = 0; i < ts->n_variants; i++) {
		const struct lex_variant *old = &ts->variants[i];
		if (old->term < t->first_term)
			continue;
		for (int k = 0; k < nv; k++) {
			if (!same_variant(old, &v[k]))
				continue;
			const struct lex_term *o = &ts->terms[old->term];
			add_error(ld, line, "duplicate term '%s' in theme '%s' (same as "
				  "'%s' on line %d after stemming)", text, t->id,
				  o->text, o->line);
			return 0;
		}
	}

	size_t cap = ld->cap_terms;
	struct lex_term *terms = grow(ts->terms, &cap, ts->n_terms + 1, sizeof(*terms));
	if (terms == NULL)
		return -1;
	ts->terms = terms;
	ld->cap_terms = cap;
	struct lex_variant *vs = grow(ts->variants, &ld->cap_variants,
				      ts->n_variants + (size_t)nv, sizeof(*vs));
	if (vs == NULL)
		return -1;
	ts->variants = vs;
	char *copy = strdup(text);
	if (copy == NULL)
		return -1;
	uint32_t ti = (uint32_t)ts->n_terms++;
	ts->terms[ti] = (struct lex_term){copy, weight, against, (uint32_t)theme, line};
	for (int k = 0; k < nv; k++) {
		v[k].term = ti;
		ts->variants[ts->n_variants++] = v[k];
	}
	t->n_terms++;
	if (!against)
		ld->tkeys[theme].has_terms = true;
	return 0;
}

/* Set a once-only string key; a second one is an error. */
static int set_string(struct loader *ld, int line, int *seen, char **dst,
		      const char *key, const char *where, const char *value)
{
	if (*seen) {
		add_error(ld, line, "duplicate key '%s' in %s (first on line %d)",
			  key, where, *seen);
		return 0;
	}
	*seen = line;
	*dst = strdup(value);
	return *dst == NULL ? -1 : 0;
}

/* value resolved against the theme file's folder, as a new string. */
static char *beside_theme_file(const char *theme_path, const char *value)
{
	const char *slash = strrchr(theme_path, '/');
	if (value[0] == '/' || slash == NULL)
		return strdup(value);
	size_t dl = (size_t)(slash - theme_path) + 1, vl = strlen(value);
	char *p = malloc(dl + vl + 1);
	if (p != NULL) {
		memcpy(p, theme_path, dl);
		memcpy(p + dl, value, vl + 1);
	}
	return p;
}

/* document = FILE: the consultation's own text (plain UTF-8), whose
 * passages pasted into a response are not classified (pasted.h). */
static int add_document(struct loader *ld, int line, const char *value)
{
	if (value[0] == '\0') {
		add_error(ld, line, "document: empty file name");
		return 0;
	}
	char *path = beside_theme_file(ld->path, value);
	if (path == NULL)
		return -1;
	int rc = 0;
	char *text = NULL;
	FILE *f = NULL;
	/* Not blocking on open, and only a regular file: a FIFO or a device
	 * could hold the loader for ever. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	if (fd < 0) {
		if (errno == ENOMEM)
			rc = -1;
		else
			add_error(ld, line, "document: cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		add_error(ld, line, "document: %s is not a regular file", path);
		close(fd);
		goto out;
	}
	if ((f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		rc = -1;
		goto out;
	}
	if (sb.st_size > (off_t)DOCUMENT_MAX_BYTES) {
		add_error(ld, line, "document: %s is over %u MB; give the consultation's "
			  "text as plain text", path, DOCUMENT_MAX_BYTES >> 20);
		goto out;
	}
	size_t cap = (size_t)sb.st_size;
	text = malloc(cap + 1);
	if (text == NULL) {
		rc = -1;
		goto out;
	}
	/* What the file held when it was opened; a file still growing is read
	 * as far as that. */
	size_t len = fread(text, 1, cap, f);
	if (ferror(f)) {
		add_error(ld, line, "document: cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		add_error(ld, line, "document: %s is not plain text (it has NUL bytes); "
			  "convert it first, e.g. with pdftotext", path);
		goto out;
	}
	if (ld->ts->pasted == NULL && (ld->ts->pasted = pasted_index_new()) == NULL) {
		rc = -1;
		goto out;
	}
	long runs = pasted_index_add(ld->ts->pasted, text, len);
	if (runs < 0)
		rc = -1;
	else if (runs == 0)
		add_error(ld, line, "document: %s has fewer than %d words", path,
			  PASTED_MIN_WORDS);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	free(path);
	return rc;
}

static int set_key(struct loader *ld, int line, const char *name, char *value)
{
	struct theme_set *ts = ld->ts;

	if (strcmp(name, "id") == 0) {
		if (!valid_set_id(value) && !ld->set.id_line) {
			ld->set.id_line = line;
			add_error(ld, line, "bad set id '%s' (use letters, digits, "
				  "'-', '_' and '.', at most %d characters)", value,
				  THEME_ID_MAX);
			return 0;
		}
		return set_string(ld, line, &ld->set.id_line, &ts->id, name,
				  "[set]", value);
	}
	if (strcmp(name, "label") == 0)
		return set_string(ld, line, &ld->set.label_line, &ts->label, name,
				  "[set]", value);
	if (strcmp(name, "description") == 0) {
		if (ld->set.description_line)
			add_error(ld, line, "duplicate key 'description' in [set] "
				  "(first on line %d)", ld->set.description_line);
		ld->set.description_line = line;
		return 0; /* for people reading the file; not kept */
	}
	if (strcmp(name, "document") == 0)
		return add_document(ld, line, value);
	if (strcmp(name, "threshold") == 0) {
		if (ld->set.threshold_line) {
			add_error(ld, line, "duplicate key 'threshold' in [set] "
				  "(first on line %d)", ld->set.threshold_line);
			return 0;
		}
		ld->set.threshold_line = line;
		if (!parse_limit(value, &ts->threshold))
			add_error(ld, line, "bad threshold '%s' (a number above 0 and "
				  "at most 100)", value);
		return 0;
	}
	add_error(ld, line, "unknown key '%s' in [set]", name);
	return 0;
}

static int theme_key(struct loader *ld, int line, long theme, const char *name,
		     char *value)
{
	struct lex_theme *t = &ld->ts->themes[theme];
	struct theme_keys *k = &ld->tkeys[theme];
	char where[THEME_ID_MAX + 16];

	snprintf(where, sizeof(where), "[theme %s]", t->id);
	if (strcmp(name, "term") == 0)
		return add_term(ld, line, theme, false, value);
	if (strcmp(name, "against") == 0)
		return add_term(ld, line, theme, true, value);
	if (strcmp(name, "label") == 0) {
		if (*value == '\0' && !k->label_line) {
			k->label_line = line;
			add_error(ld, line, "empty label in %s", where);
			return 0;
		}
		return set_string(ld, line, &k->label_line, &t->label, name, where,
				  value);
	}
	if (strcmp(name, "description") == 0)
		return set_string(ld, line, &k->description_line, &t->description,
				  name, where, value);
	if (strcmp(name, "threshold") == 0) {
		if (k->threshold_line) {
			add_error(ld, line, "duplicate key 'threshold' in %s (first on "
				  "line %d)", where, k->threshold_line);
			return 0;
		}
		k->threshold_line = line;
		if (!parse_limit(value, &t->threshold))
			add_error(ld, line, "bad threshold '%s' (a number above 0 and "
				  "at most 100)", value);
		return 0;
	}
	add_error(ld, line, "unknown key '%s' in %s", name, where);
	return 0;
}

/* Second pass, through ini_lines: one call per key, in file order. */
static int on_key(void *user, int line, const char *section, const char *name,
		  const char *value)
{
	struct loader *ld = user;
	char *v = NULL;
	int rc = 0;

	(void)section; /* the first pass's headers are the authority */
	if (ld->oom)
		return 1;
	while (ld->cur < ld->n_headers && ld->headers[ld->cur].line < line)
		ld->cur++;
	if (ld->cur == 0) {
		add_error(ld, line, "key '%s' outside any section", name);
		return 1;
	}
	const struct header *h = &ld->headers[ld->cur - 1];
	if (h->kind == SEC_IGNORED)
		return 1; /* already reported at its header */
	v = strdup(value);
	if (v == NULL) {
		ld->oom = true;
		return 1;
	}
	if (h->kind == SEC_SET)
		rc = set_key(ld, line, name, v);
	else
		rc = theme_key(ld, line, h->theme, name, v);
	if (rc < 0)
		ld->oom = true;
	free(v);
	return 1;
}

static void check_complete(struct loader *ld)
{
	struct theme_set *ts = ld->ts;

	if (!ld->set_header)
		add_error(ld, 1, "no [set] section (a theme file needs [set] "
			  "with an id)");
	else if (ts->id == NULL && !ld->set.id_line)
		add_error(ld, ld->set_header, "[set] has no id");
	if (ts->n_themes == 0 && ld->n_errs == 0)
		add_error(ld, 1, "no [theme ID] sections");
	for (size_t i = 0; i < ts->n_themes; i++) {
		const struct lex_theme *t = &ts->themes[i];
		if (t->label == NULL && !ld->tkeys[i].label_line)
			add_error(ld, t->line, "theme '%s' has no label", t->id);
		if (!ld->tkeys[i].has_terms)
			add_error(ld, t->line, "theme '%s' has no terms", t->id);
	}
}

/* Index variants by their last stem; see lexicon.h. */
static int build_index(struct theme_set *ts)
{
	ts->last_off = calloc(ts->n_stems + 1, sizeof(*ts->last_off));
	ts->by_last = calloc(ts->n_variants ? ts->n_variants : 1,
			     sizeof(*ts->by_last));
	if (ts->last_off == NULL || ts->by_last == NULL)
		return -1;
	for (size_t i = 0; i < ts->n_variants; i++) {
		const struct lex_variant *v = &ts->variants[i];
		ts->last_off[v->ids[v->len - 1] + 1]++;
	}
	for (size_t s = 0; s < ts->n_stems; s++)
		ts->last_off[s + 1] += ts->last_off[s];
	uint32_t *fill = calloc(ts->n_stems ? ts->n_stems : 1, sizeof(*fill));
	if (fill == NULL)
		return -1;
	for (size_t i = 0; i < ts->n_variants; i++) {
		const struct lex_variant *v = &ts->variants[i];
		uint32_t s = v->ids[v->len - 1];
		ts->by_last[ts->last_off[s] + fill[s]++] = (uint32_t)i;
	}
	free(fill);
	return 0;
}

static int error_cmp(const void *a, const void *b)
{
	const struct load_error *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every error as "PATH:LINE: message\n", cut to fit errlen. */
static void write_errors(struct loader *ld, char *err, size_t errlen)
{
	size_t used = 0;

	if (err == NULL || errlen == 0)
		return;
	err[0] = '\0';
	if (ld->oom) {
		snprintf(err, errlen, "%s: out of memory\n", ld->path);
		return;
	}
	qsort(ld->errs, ld->n_errs, sizeof(ld->errs[0]), error_cmp);
	for (size_t i = 0; i < ld->n_errs && used + 1 < errlen; i++) {
		const struct load_error *e = &ld->errs[i];
		int n;
		if (e->line > 0)
			n = snprintf(err + used, errlen - used, "%s:%d: %s\n",
				     ld->path, e->line, e->msg);
		else
			n = snprintf(err + used, errlen - used, "%s: %s\n",
				     ld->path, e->msg);
		if (n < 0)
			break;
		used += (size_t)n;
		if (used >= errlen)
			used = errlen - 1;
	}
}

struct theme_set *themes_load(const char *path, char *err, size_t errlen)
{
	struct loader ld = {.path = path};
	struct theme_set *out = NULL;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	ld.ts = calloc(1, sizeof(*ld.ts));
	if (ld.ts == NULL) {
		ld.oom = true;
		goto out;
	}
	ld.ts->threshold = DEFAULT_THRESHOLD;
	if (scan_file(&ld) < 0)
		ld.oom = true;
	if (ld.oom || (ld.n_errs > 0 && ld.errs[0].line == 0))
		goto out; /* could not open it */

	rc = ini_lines_parse(path, on_key, &ld);
	if (rc == -2)
		ld.oom = true;
	else if (rc == -1)
		add_error(&ld, 0, "cannot read: %s", strerror(errno));
	else if (rc > 0) {
		bool named = false;
		for (size_t i = 0; i < ld.n_errs; i++)
			named = named || ld.errs[i].line == rc;
		if (!named)
			add_error(&ld, rc, "syntax error");
	}
	if (ld.oom)
		goto out;
	check_complete(&ld);
	if (ld.n_errs > 0 || ld.oom)
		goto out;
	for (size_t i = 0; i < ld.ts->n_themes; i++)
		if (!ld.tkeys[i].threshold_line)
			ld.ts->themes[i].threshold = ld.ts->threshold;
	if (ld.ts->label == NULL && (ld.ts->label = strdup(ld.ts->id)) == NULL) {
		ld.oom = true;
		goto out;
	}
	if (build_index(ld.ts) < 0) {
		ld.oom = true;
		goto out;
	}
	out = ld.ts;
	out->serial = atomic_fetch_add(&next_serial, 1);
	ld.ts = NULL;
out:
	if (out == NULL)
		write_errors(&ld, err, errlen);
	for (size_t i = 0; i < ld.n_errs; i++)
		free(ld.errs[i].msg);
	free(ld.errs);
	free(ld.headers);
	free(ld.tkeys);
	themes_free(ld.ts);
	return out;
}

void themes_free(struct theme_set *ts)
{
	if (ts == NULL)
		return;
	for (size_t i = 0; i < ts->n_themes; i++) {
		free(ts->themes[i].id);
		free(ts->themes[i].label);
		free(ts->themes[i].description);
	}
	for (size_t i = 0; i < ts->n_terms; i++)
		free(ts->terms[i].text);
	for (size_t i = 0; i < ts->n_slots; i++)
		free(ts->slots[i].stem);
	free(ts->themes);
	free(ts->terms);
	free(ts->variants);
	free(ts->slots);
	free(ts->last_off);
	free(ts->by_last);
	pasted_index_free(ts->pasted);
	free(ts->id);
	free(ts->label);
	areas_free(ts->areas);
	free(ts);
}

void themes_set_areas(struct theme_set *ts, struct area_set *as)
{
	areas_free(ts->areas);
	ts->areas = as;
}

const struct area_set *themes_areas(const struct theme_set *ts)
{
	return ts != NULL ? ts->areas : NULL;
}

const struct pasted_index *themes_pasted(const struct theme_set *ts)
{
	return ts != NULL ? ts->pasted : NULL;
}

/* FNV-1a: short keys, and good enough spread for a few thousand stems. */
uint32_t lex_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

long lex_lookup(const struct theme_set *ts, const char *stem, size_t n)
{
	uint32_t h = lex_hash(stem, n);
	size_t mask = ts->n_slots - 1;

	if (ts->n_slots == 0)
		return -1;
	for (size_t j = h & mask;; j = (j + 1) & mask) {
		const struct lex_slot *s = &ts->slots[j];
		if (s->stem == NULL)
			return -1;
		if (s->hash == h && memcmp(s->stem, stem, n) == 0 && s->stem[n] == '\0')
			return (long)s->id;
	}
}

const char *themes_set_id(const struct theme_set *ts)
{
	return ts->id;
}

const char *themes_set_label(const struct theme_set *ts)
{
	return ts->label;
}

size_t themes_count(const struct theme_set *ts)
{
	return ts->n_themes;
}

const char *themes_id(const struct theme_set *ts, size_t i)
{
	return i < ts->n_themes ? ts->themes[i].id : NULL;
}

const char *themes_label(const struct theme_set *ts, size_t i)
{
	return i < ts->n_themes ? ts->themes[i].label : NULL;
}

const char *themes_description(const struct theme_set *ts, size_t i)
{
	return i < ts->n_themes ? ts->themes[i].description : NULL;
}

double themes_threshold(const struct theme_set *ts, size_t i)
{
	return i < ts->n_themes ? ts->themes[i].threshold : ts->threshold;
}

long themes_find(const struct theme_set *ts, const char *id)
{
	for (size_t i = 0; i < ts->n_themes; i++)
		if (strcmp(ts->themes[i].id, id) == 0)
			return (long)i;
	return -1;
}
