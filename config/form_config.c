#include "form_config.h"

#include "config.h"
#include "credential.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_str(char **dst, const char *value)
{
	char *s = strdup(value);
	if (s == NULL)
		return -2;
	free(*dst);
	*dst = s;
	return 1;
}

static int set_path(char **dst, const char *dir, const char *value)
{
	if (value[0] == '/')
		return set_str(dst, value);
	size_t n = strlen(dir) + strlen(value) + 2;
	char *p = malloc(n);
	if (p == NULL)
		return -2;
	snprintf(p, n, "%s/%s", dir, value);
	free(*dst);
	*dst = p;
	return 1;
}

static int duration(const char *value, int64_t lo, int64_t hi, int *out)
{
	int64_t s;
	if (config_parse_duration(value, &s) != 0 || s < lo || s > hi)
		return -1;
	*out = (int)s;
	return 0;
}

static int pointer(char **dst, const char *value, char *msg, size_t msglen)
{
	if (form_pointer_check(value) != 0) {
		snprintf(msg, msglen, "'%s' is not a JSON Pointer (\"\" or /a/0/b, ~0 for ~, ~1 for /)", value);
		return 0;
	}
	return set_str(dst, value);
}

static int add_question(struct form_config *f, const char *id, const char *label,
			enum answer_kind kind, char *msg, size_t msglen)
{
	if (id[0] == '\0' || label[0] == '\0') {
		snprintf(msg, msglen, "needs an id after the dot and a label as value");
		return 0;
	}
	if (f->preset_set && f->preset == FORM_GENERIC && form_pointer_check(id) != 0) {
		snprintf(msg, msglen, "'%s' is not a JSON Pointer", id);
		return 0;
	}
	for (size_t i = 0; i < f->n_questions; i++) {
		if (strcmp(f->questions[i].id, id) == 0) {
			snprintf(msg, msglen, "question '%s' given twice", id);
			return 0;
		}
	}
	if (f->n_questions == FORM_MAX_QUESTIONS) {
		snprintf(msg, msglen, "more than %d questions", FORM_MAX_QUESTIONS);
		return 0;
	}
	struct form_question *q = &f->questions[f->n_questions];
	q->id = strdup(id);
	q->label = strdup(label);
	q->kind = kind;
	if (q->id == NULL || q->label == NULL) {
		free(q->id);
		free(q->label);
		q->id = q->label = NULL;
		return -2;
	}
	f->n_questions++;
	return 1;
}

int form_config_set(struct form_config *f, const char *dir, const char *name, const char *value,
		    char *msg, size_t msglen)
{
	if (strcmp(name, "preset") == 0) {
		if (strcmp(value, "typeform") == 0)
			f->preset = FORM_TYPEFORM;
		else if (strcmp(value, "google-forms") == 0)
			f->preset = FORM_GOOGLE;
		else if (strcmp(value, "generic") == 0)
			f->preset = FORM_GENERIC;
		else {
			snprintf(msg, msglen, "'%s' is not one of typeform, google-forms, generic", value);
			return 0;
		}
		f->preset_set = true;
		return 1;
	}
	if (strcmp(name, "url") == 0) {
		if (value[0] == '\0') {
			snprintf(msg, msglen, "must not be empty");
			return 0;
		}
		return set_str(&f->url, value);
	}
	if (strcmp(name, "form_id") == 0) {
		if (value[0] == '\0' || strchr(value, ':') != NULL) {
			snprintf(msg, msglen, "must be non-empty and without ':'");
			return 0;
		}
		return set_str(&f->form_id, value);
	}
	if (strcmp(name, "token_file") == 0 || strcmp(name, "token_credential") == 0) {
		if (f->token_file != NULL) {
			snprintf(msg, msglen, "token_file or token_credential given twice (set one)");
			return 0;
		}
		if (strcmp(name, "token_file") == 0)
			return set_path(&f->token_file, dir, value);
		int rc = credential_path(value, &f->token_file, msg, msglen);
		return rc == 0 ? 1 : rc == -1 ? 0 : -2;
	}
	if (strcmp(name, "token") == 0) {
		snprintf(msg, msglen, "tokens are never kept in the config file; use token_file or token_credential");
		return 0;
	}
	if (strcmp(name, "ca_file") == 0)
		return set_path(&f->ca_file, dir, value);
	if (strcmp(name, "poll_interval") == 0) {
		if (duration(value, 1, 86400, &f->poll_interval) != 0) {
			snprintf(msg, msglen, "'%s' is not a duration between 1s and 24h", value);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "timeout") == 0) {
		if (duration(value, 1, 600, &f->timeout) != 0) {
			snprintf(msg, msglen, "'%s' is not a duration between 1s and 10m", value);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "max_bytes") == 0) {
		char *end;
		long v = strtol(value, &end, 10);
		if (end == value || *end != '\0' || v < 1024 || v > 1024L * 1024 * 1024) {
			snprintf(msg, msglen, "'%s' is not a byte count between 1024 and 1073741824", value);
			return 0;
		}
		f->max_bytes = v;
		return 1;
	}
	if (strcmp(name, "page_size") == 0) {
		char *end;
		long v = strtol(value, &end, 10);
		if (end == value || *end != '\0' || v < 1 || v > 1000) {
			snprintf(msg, msglen, "'%s' is not a number from 1 to 1000", value);
			return 0;
		}
		f->page_size = (int)v;
		return 1;
	}
	if (strncmp(name, "question.", 9) == 0)
		return add_question(f, name + 9, value, ANSWER_TEXT, msg, msglen);
	if (strncmp(name, "choice.", 7) == 0)
		return add_question(f, name + 7, value, ANSWER_CHOICE, msg, msglen);
	if (strcmp(name, "name_field") == 0)
		return set_str(&f->name_field, value);
	if (strcmp(name, "organisation_field") == 0)
		return set_str(&f->organisation_field, value);
	if (strcmp(name, "cursor_param") == 0) {
		if (value[0] == '\0' || strpbrk(value, "&=?# ") != NULL) {
			snprintf(msg, msglen, "'%s' is not a query parameter name", value);
			return 0;
		}
		return set_str(&f->cursor_param, value);
	}
	static const struct {
		const char *key;
		size_t off;
	} ptrs[] = {
		{"items", offsetof(struct form_config, p_items)},
		{"id", offsetof(struct form_config, p_id)},
		{"submitted", offsetof(struct form_config, p_submitted)},
		{"email", offsetof(struct form_config, p_email)},
		{"name", offsetof(struct form_config, p_name)},
		{"organisation", offsetof(struct form_config, p_organisation)},
		{"next", offsetof(struct form_config, p_next)},
	};
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		if (strcmp(name, ptrs[i].key) == 0)
			return pointer((char **)((char *)f + ptrs[i].off), value, msg, msglen);
	return -1;
}

static bool is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

/* The form id from the provider's URL path: .../forms/ID/responses. 1 when
 * found (*id set), 0 when the path is not of that shape, -1 on out of memory. */
static int id_from_path(const char *path, char **id)
{
	const char *p = strstr(path, "/forms/");
	if (p == NULL)
		return 0;
	p += 7;
	size_t n = strcspn(p, "/");
	if (n == 0 || strcmp(p + n, "/responses") != 0)
		return 0;
	*id = strndup(p, n);
	return *id != NULL ? 1 : -1;
}

int form_config_validate(struct form_config *f, void (*report)(void *user, const char *key,
								const char *msg),
			 void *user)
{
	char msg[512];
	if (!f->preset_set)
		report(user, "preset", "missing (required): typeform, google-forms or generic");
	if (f->url == NULL) {
		report(user, "url", "missing (required)");
	} else {
		/* scheme://host[:port]/path: parsed here, without allocating. */
		const char *u = f->url, *rest = NULL;
		bool plain = false;
		if (strncmp(u, "https://", 8) == 0)
			rest = u + 8;
		else if (strncmp(u, "http://", 7) == 0)
			rest = u + 7, plain = true;
		char host[256] = "";
		size_t hl = 0;
		if (rest != NULL) {
			hl = rest[0] == '[' ? strcspn(rest, "]") + 1 : strcspn(rest, ":/?#");
			if (hl < sizeof(host)) {
				memcpy(host, rest, hl);
				host[hl] = '\0';
			}
		}
		bool bad = rest == NULL || hl == 0 || hl >= sizeof(host) || strpbrk(u, " \t\r\n\"<>\\^`{|}") != NULL ||
			   strchr(host, '@') != NULL || (rest[0] == '[' && rest[hl - 1] != ']');
		if (bad) {
			snprintf(msg, sizeof(msg), "'%s' is not an absolute http(s) URL", f->url);
			report(user, "url", msg);
		} else if (plain && !is_loopback(host)) {
			snprintf(msg, sizeof(msg),
				 "'%s': https is required (plain http only for a loopback host)", f->url);
			report(user, "url", msg);
		} else if (f->form_id == NULL) {
			const char *path = rest + hl;
			path += strcspn(path, "/?#");
			char p[1024];
			size_t pl = strcspn(path, "?#");
			if (pl < sizeof(p)) {
				memcpy(p, path, pl);
				p[pl] = '\0';
				if (id_from_path(p, &f->form_id) < 0)
					return -1;
			}
		}
	}
	if (f->form_id == NULL) {
		const char *sp = strchr(f->section, ' ');
		f->form_id = strdup(sp != NULL ? sp + 1 : "form");
	}
	if (f->form_id == NULL)
		return -1;
	if (f->preset_set && f->preset != FORM_GENERIC && f->token_file == NULL)
		report(user, "token_file", "missing (required by this preset)");
	if (!f->preset_set)
		return 0;
	if (f->preset == FORM_GENERIC) {
		if (f->p_items == NULL)
			report(user, "items", "missing (required by preset generic: JSON Pointer to the item list)");
		if (f->p_id == NULL)
			report(user, "id", "missing (required by preset generic)");
		if (f->p_submitted == NULL)
			report(user, "submitted", "missing (required by preset generic)");
		if (f->n_questions == 0)
			report(user, "question.POINTER", "missing: preset generic needs at least one question");
		for (size_t i = 0; i < f->n_questions; i++) {
			if (form_pointer_check(f->questions[i].id) != 0) {
				snprintf(msg, sizeof(msg), "'%s' is not a JSON Pointer", f->questions[i].id);
				report(user, "question", msg);
			}
		}
	} else {
		const char *generic_only[] = {f->p_items, f->p_id, f->p_submitted, f->p_email,
					      f->p_name, f->p_organisation, f->p_next, f->cursor_param};
		for (size_t i = 0; i < sizeof(generic_only) / sizeof(generic_only[0]); i++)
			if (generic_only[i] != NULL) {
				report(user, "items", "JSON Pointer keys (items, id, submitted, email, name, "
						      "organisation, next, cursor_param) are only for preset generic");
				break;
			}
	}
	if (f->page_size != 1000 && f->preset != FORM_TYPEFORM)
		report(user, "page_size", "only for preset typeform");
	f->rate_ms = f->preset == FORM_TYPEFORM ? 500 : 0; /* Typeform: 2 requests a second */
	if (f->cursor_param == NULL && f->preset == FORM_GENERIC &&
	    (f->cursor_param = strdup("cursor")) == NULL)
		return -1;
	return 0;
}

void form_config_map(const struct form_config *f, struct form_map_config *mc)
{
	memset(mc, 0, sizeof(*mc));
	mc->preset = f->preset;
	mc->form_id = f->form_id;
	mc->questions = f->questions;
	mc->n_questions = f->n_questions;
	mc->name_field = f->name_field;
	mc->organisation_field = f->organisation_field;
	mc->p_items = f->p_items;
	mc->p_id = f->p_id;
	mc->p_submitted = f->p_submitted;
	mc->p_email = f->p_email;
	mc->p_name = f->p_name;
	mc->p_organisation = f->p_organisation;
	mc->p_next = f->p_next;
}

static bool same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool form_config_same(const struct form_config *a, const struct form_config *b)
{
	if (!same(a->section, b->section) || a->preset != b->preset || !same(a->url, b->url) ||
	    !same(a->form_id, b->form_id) || !same(a->token_file, b->token_file) ||
	    !same(a->ca_file, b->ca_file) || a->poll_interval != b->poll_interval ||
	    a->timeout != b->timeout || a->max_bytes != b->max_bytes ||
	    a->page_size != b->page_size || a->n_questions != b->n_questions ||
	    !same(a->name_field, b->name_field) || !same(a->organisation_field, b->organisation_field) ||
	    !same(a->p_items, b->p_items) || !same(a->p_id, b->p_id) ||
	    !same(a->p_submitted, b->p_submitted) || !same(a->p_email, b->p_email) ||
	    !same(a->p_name, b->p_name) || !same(a->p_organisation, b->p_organisation) ||
	    !same(a->p_next, b->p_next) || !same(a->cursor_param, b->cursor_param))
		return false;
	for (size_t i = 0; i < a->n_questions; i++)
		if (!same(a->questions[i].id, b->questions[i].id) ||
		    !same(a->questions[i].label, b->questions[i].label) ||
		    a->questions[i].kind != b->questions[i].kind)
			return false;
	return true;
}

void form_config_clear(struct form_config *f)
{
	free(f->section);
	free(f->url);
	free(f->form_id);
	free(f->token_file);
	free(f->ca_file);
	for (size_t i = 0; i < f->n_questions; i++) {
		free(f->questions[i].id);
		free(f->questions[i].label);
	}
	free(f->name_field);
	free(f->organisation_field);
	free(f->p_items);
	free(f->p_id);
	free(f->p_submitted);
	free(f->p_email);
	free(f->p_name);
	free(f->p_organisation);
	free(f->p_next);
	free(f->cursor_param);
	memset(f, 0, sizeof(*f));
}
