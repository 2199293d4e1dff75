/*
 * inputs.c — what the summary reads besides the store: the configured
 * areas' file and the theme file's measured accuracy (contracts in
 * model.h).
 */
#include "model.h"

#include "redact.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	size_t nc = *cap ? *cap * 2 : 16;
	void *q = realloc(p, nc * size);
	if (q != NULL)
		*cap = nc;
	return q;
}

/* ---- configured areas ------------------------------------------------ */

void report_areas_free(struct report_areas *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].id);
		free(a->v[i].name);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static char *trimmed(const char *b, const char *e)
{
	while (b < e && (*b == ' ' || *b == '\t' || *b == '\r'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return strndup(b, (size_t)(e - b));
}

int report_areas_parse(const char *text, size_t len, const char *name,
		       struct report_areas *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 0, line = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		line++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *hash = memchr(p, '#', (size_t)(le - p));
		const char *ce = hash != NULL ? hash : le;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL) {
			snprintf(err, errlen, "%s:%zu: NUL byte", name, line);
			goto fail;
		}
		const char *eq = memchr(p, '=', (size_t)(ce - p));
		char *id = trimmed(p, eq != NULL ? eq : ce);
		char *label = eq != NULL ? trimmed(eq + 1, ce) : NULL;
		if (id == NULL || (eq != NULL && label == NULL)) {
			free(id);
			free(label);
			snprintf(err, errlen, "%s:%zu: out of memory", name, line);
			goto fail;
		}
		if (id[0] == '\0' && (label == NULL || label[0] == '\0')) {
			free(id);
			free(label);
			p = le + 1;
			continue;
		}
		const char *why = id[0] == '\0' ? "an area needs an id before '='"
			: strlen(id) > 200 || (label != NULL && strlen(label) > 200) ? "longer than 200 bytes"
			: label != NULL && label[0] == '\0' ? "empty name after '='" : NULL;
		for (size_t i = 0; why == NULL && i < out->n; i++)
			if (strcmp(out->v[i].id, id) == 0)
				why = "area id listed twice";
		char *clean = NULL;
		if (why == NULL) {
			clean = redact_clean(id);
			if (clean != NULL && strcmp(clean, id) != 0)
				why = "control characters or invalid UTF-8";
		}
		free(clean);
		if (why != NULL) {
			snprintf(err, errlen, "%s:%zu: %s", name, line, why);
			free(id);
			free(label);
			goto fail;
		}
		struct report_area_def *v = grow(out->v, &cap, out->n, sizeof(*v));
		if (v == NULL) {
			free(id);
			free(label);
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
		out->v = v;
		v[out->n].id = id;
		v[out->n].name = label != NULL ? label : strdup(id);
		if (v[out->n++].name == NULL) {
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
		p = le + 1;
	}
	return 0;
fail:
	report_areas_free(out);
	return -1;
}

int report_areas_load(const char *path, struct report_areas *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *text = malloc(1 << 20);
	size_t n = text != NULL ? fread(text, 1, 1 << 20, f) : 0;
	bool big = text != NULL && n == (1 << 20);
	bool bad = ferror(f);
	fclose(f);
	if (text == NULL || big || bad) {
		snprintf(err, errlen, "%s: %s", path, text == NULL ? "out of memory"
			 : big ? "larger than 1 MB" : "read error");
		free(text);
		return -1;
	}
	int rc = report_areas_parse(text, n, path, out, err, errlen);
	free(text);
	return rc;
}

/* ---- measured accuracy ----------------------------------------------- */

struct acc_loader {
	struct report_accuracy *acc;
	char *set;
	bool bad;
};

static int acc_handler(void *user, const char *section, const char *name, const char *value)
{
	struct acc_loader *l = user;
	if (l == NULL || strcmp(section, "accuracy") != 0)
		return 1;
	char **dst = strcmp(name, "theme_set") == 0 ? &l->set
		: strcmp(name, "devset") == 0 ? &l->acc->devset
		: strcmp(name, "measured") == 0 ? &l->acc->measured : NULL;
	if (dst != NULL) {
		free(*dst);
		*dst = redact_clean(value);
		return 1;
	}
	double *num = strcmp(name, "macro_f1") == 0 ? &l->acc->macro_f1
		: strcmp(name, "micro_f1") == 0 ? &l->acc->micro_f1 : NULL;
	if (num != NULL) {
		char *end;
		errno = 0;
		double v = strtod(value, &end);
		if (errno != 0 || *end != '\0' || end == value || !(v >= 0.0 && v <= 1.0))
			l->bad = true;
		else
			*num = v;
	}
	return 1;
}

void report_accuracy_load(const char *themes_path, const char *set_id,
			  struct report_accuracy *acc)
{
	memset(acc, 0, sizeof(*acc));
	acc->macro_f1 = acc->micro_f1 = -1.0;
	if (themes_path == NULL)
		return;
	size_t n = strlen(themes_path);
	const char *dot = strrchr(themes_path, '.');
	const char *slash = strrchr(themes_path, '/');
	size_t stem = dot != NULL && (slash == NULL || dot > slash) ? (size_t)(dot - themes_path) : n;
	acc->path = malloc(stem + sizeof(".accuracy"));
	if (acc->path == NULL)
		return;
	memcpy(acc->path, themes_path, stem);
	memcpy(acc->path + stem, ".accuracy", sizeof(".accuracy"));
	struct acc_loader l = {.acc = acc};
	FILE *f = fopen(acc->path, "re");
	const char *why = NULL;
	if (f == NULL) {
		why = "no measured accuracy is recorded for this theme file";
	} else {
		int rc = ini_parse_file(f, acc_handler, &l);
		fclose(f);
		if (rc != 0 || l.bad)
			why = "the accuracy file beside the theme file could not be read";
		else if (l.set == NULL || strcmp(l.set, set_id) != 0)
			why = "the recorded accuracy was measured for another theme set";
		else if (acc->macro_f1 < 0.0)
			why = "the accuracy file gives no macro_f1";
	}
	free(l.set);
	if (why != NULL) {
		acc->note = strdup(why);
		acc->macro_f1 = acc->micro_f1 = -1.0;
		return;
	}
	acc->present = true;
}

void report_accuracy_free(struct report_accuracy *acc)
{
	free(acc->path);
	free(acc->devset);
	free(acc->measured);
	free(acc->note);
	memset(acc, 0, sizeof(*acc));
}
