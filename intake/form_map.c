#include "form_map.h"

#include "config/config.h"

#include <ctype.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ----------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* ---- one item being built -------------------------------------------- */

struct builder {
	const struct form_map_config *mc;
	struct form_item *it;
	struct sbuf text;
	size_t cap_answers;
	char reason[256];       /* set: the item is bad */
	const char *text_question; /* question of the block last added to text */
	bool oom;
};

static void bad(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(struct builder *b, const char *fmt, ...)
{
	if (b->reason[0] != '\0')
		return; /* the first reason is the one that counts */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->reason, sizeof(b->reason), fmt, ap);
	va_end(ap);
}

static char *dup_or_oom(struct builder *b, const char *s)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		b->oom = true;
	return d;
}

static void add_answer(struct builder *b, const char *qid, const char *label,
		       enum answer_kind kind, const char *value)
{
	struct response *r = &b->it->r;
	if (b->oom)
		return;
	if (r->n_answers == b->cap_answers) {
		size_t cap = b->cap_answers ? b->cap_answers * 2 : 8;
		void *p = realloc(r->answers, cap * sizeof(*r->answers));
		if (p == NULL) {
			b->oom = true;
			return;
		}
		r->answers = p;
		b->cap_answers = cap;
	}
	struct form_answer *a = &r->answers[r->n_answers];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->question_id = dup_or_oom(b, qid);
	a->question = dup_or_oom(b, label);
	a->value = dup_or_oom(b, value);
	r->n_answers++;
	if ((kind != ANSWER_TEXT && kind != ANSWER_CHOICE) || value[0] == '\0')
		return;
	/* Choices are classified too: a respondent who ticks "Violence against
	 * women and girls" as a priority has said something about that theme.
	 * The options of one multiple choice go under one label, a line each. */
	const char *q = a->question != NULL ? a->question
			: a->question_id != NULL ? a->question_id : "answer";
	if (kind == ANSWER_CHOICE && b->text_question != NULL && strcmp(b->text_question, q) == 0) {
		sb_str(&b->text, "\n");
	} else {
		if (b->text.len > 0)
			sb_str(&b->text, "\n\n");
		sb_str(&b->text, q);
		sb_str(&b->text, "\n");
	}
	sb_str(&b->text, value);
	b->text_question = kind == ANSWER_CHOICE ? q : NULL;
}

/* Lower-case the domain of an address; NULL when it does not look like
 * one (no '@', spaces or controls, absurd length). */
static char *normalise_email(struct builder *b, const char *s)
{
	size_t n = strlen(s);
	const char *at = strrchr(s, '@');
	if (n < 3 || n > 320 || at == NULL || at == s || at[1] == '\0')
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return NULL;
	char *e = dup_or_oom(b, s);
	if (e != NULL)
		for (char *p = e + (at - s); *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return e;
}

static void set_email(struct builder *b, const char *s)
{
	if (b->it->r.sender_email != NULL)
		return;
	b->it->r.sender_email = normalise_email(b, s);
}

/* A time as RFC 3339 text or Unix seconds. */
static int json_time(const json_t *v, int64_t *t)
{
	if (json_is_string(v))
		return config_parse_time(json_string_value(v), t);
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) < (json_int_t)253402300800LL) {
		*t = (int64_t)json_integer_value(v);
		return 0;
	}
	return -1;
}

/* A scalar as text (caller frees), or NULL for anything else. */
static char *scalar_text(struct builder *b, const json_t *v)
{
	char buf[64];
	if (json_is_string(v))
		return dup_or_oom(b, json_string_value(v));
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "yes" : "no");
	else
		return NULL;
	return dup_or_oom(b, buf);
}

static const struct form_question *find_question(const struct form_map_config *mc,
						 const char *id, const char *ref)
{
	for (size_t i = 0; i < mc->n_questions; i++) {
		if ((id != NULL && strcmp(mc->questions[i].id, id) == 0) ||
		    (ref != NULL && strcmp(mc->questions[i].id, ref) == 0))
			return &mc->questions[i];
	}
	return NULL;
}

static bool is_field(const char *want, const char *id, const char *ref)
{
	return want != NULL && ((id != NULL && strcmp(want, id) == 0) ||
				(ref != NULL && strcmp(want, ref) == 0));
}

/* ---- JSON Pointer ---------------------------------------------------- */

int form_pointer_check(const char *ptr)
{
	if (ptr[0] != '\0' && ptr[0] != '/')
		return -1;
	for (const char *p = ptr; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return -1;
	return 0;
}

static json_t *pointer_get(json_t *doc, const char *ptr)
{
	if (ptr == NULL || form_pointer_check(ptr) != 0)
		return NULL;
	json_t *cur = doc;
	const char *p = ptr;
	char tok[512];
	while (*p == '/' && cur != NULL) {
		p++;
		size_t n = 0;
		while (*p != '\0' && *p != '/') {
			char c = *p++;
			if (c == '~') {
				c = *p++ == '0' ? '~' : '/';
			}
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok);
		} else if (json_is_array(cur)) {
			char *end;
			if (n == 0 || !isdigit((unsigned char)tok[0]) || (tok[0] == '0' && n > 1))
				return NULL;
			unsigned long long i = strtoull(tok, &end, 10);
			if (*end != '\0' || i >= json_array_size(cur))
				return NULL;
			cur = json_array_get(cur, (size_t)i);
		} else {
			return NULL;
		}
	}
	return cur;
}

/* ---- presets ---------------------------------------------------------- */

static void typeform_answer(struct builder *b, json_t *a, size_t idx)
{
	const struct form_map_config *mc = b->mc;
	if (!json_is_object(a)) {
		bad(b, "answers[%zu] is not an object", idx);
		return;
	}
	json_t *field = json_object_get(a, "field");
	const char *fid = json_string_value(json_object_get(field, "id"));
	const char *ref = json_string_value(json_object_get(field, "ref"));
	const char *ftype = json_string_value(json_object_get(field, "type"));
	const char *type = json_string_value(json_object_get(a, "type"));
	if (type == NULL) {
		bad(b, "answers[%zu] has no type", idx);
		return;
	}
	const struct form_question *q = find_question(mc, fid, ref);
	const char *label = q != NULL ? q->label : (ref != NULL ? ref : fid);
	const char *qid = fid != NULL ? fid : ref;
	json_t *v = json_object_get(a, type);
	if (strcmp(type, "choice") == 0 || strcmp(type, "choices") == 0) {
		if (!json_is_object(v)) {
			bad(b, "answers[%zu]: no '%s' object", idx, type);
			return;
		}
		json_t *labels = json_object_get(v, "labels");
		json_t *one = json_object_get(v, "label");
		size_t i;
		json_t *l;
		if (json_is_string(one))
			add_answer(b, qid, label, ANSWER_CHOICE, json_string_value(one));
		for (i = 0; i < json_array_size(labels) && (l = json_array_get(labels, i)) != NULL; i++) {
			if (json_is_string(l))
				add_answer(b, qid, label, ANSWER_CHOICE, json_string_value(l));
		}
		json_t *other = json_object_get(v, "other");
		if (json_is_string(other))
			add_answer(b, qid, label, ANSWER_TEXT, json_string_value(other));
		return;
	}
	if (strcmp(type, "email") == 0 && json_is_string(v)) {
		set_email(b, json_string_value(v));
		add_answer(b, qid, label, ANSWER_OTHER, json_string_value(v));
		return;
	}
	char *s = scalar_text(b, v);
	if (s == NULL) {
		/* An answer type this version does not know: kept as JSON. */
		s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
		if (s == NULL) {
			b->oom = true;
			return;
		}
		add_answer(b, qid, label, ANSWER_OTHER, s);
		free(s);
		return;
	}
	if (is_field(mc->name_field, fid, ref)) {
		if (b->it->r.sender_name == NULL)
			b->it->r.sender_name = dup_or_oom(b, s);
		add_answer(b, qid, label, ANSWER_OTHER, s);
	} else if (is_field(mc->organisation_field, fid, ref)) {
		if (b->it->r.organisation == NULL)
			b->it->r.organisation = dup_or_oom(b, s);
		add_answer(b, qid, label, ANSWER_OTHER, s);
	} else {
		bool free_text = strcmp(type, "text") == 0 &&
				 (ftype == NULL || strcmp(ftype, "short_text") == 0 ||
				  strcmp(ftype, "long_text") == 0);
		add_answer(b, qid, label, free_text ? ANSWER_TEXT : ANSWER_OTHER, s);
	}
	free(s);
}

static void typeform_item(struct builder *b, json_t *item)
{
	const char *id = json_string_value(json_object_get(item, "response_id"));
	const char *token = json_string_value(json_object_get(item, "token"));
	if (id == NULL)
		id = token;
	if (id == NULL || id[0] == '\0') {
		bad(b, "no response_id");
		return;
	}
	b->it->response_id = dup_or_oom(b, id);
	b->it->token = dup_or_oom(b, token != NULL ? token : id);
	if (json_time(json_object_get(item, "submitted_at"), &b->it->r.received_at) != 0) {
		bad(b, "submitted_at missing or not an RFC 3339 time");
		return;
	}
	json_t *answers = json_object_get(item, "answers");
	if (answers == NULL || json_is_null(answers))
		return; /* an empty submission */
	if (!json_is_array(answers)) {
		bad(b, "answers is not a list");
		return;
	}
	size_t i;
	json_t *a;
	for (i = 0; i < json_array_size(answers) && (a = json_array_get(answers, i)) != NULL; i++)
		typeform_answer(b, a, i);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void google_answer(struct builder *b, const char *key, json_t *a)
{
	const struct form_map_config *mc = b->mc;
	if (!json_is_object(a)) {
		bad(b, "answers.%.100s is not an object", key);
		return;
	}
	const struct form_question *q = find_question(mc, key, NULL);
	const char *label = q != NULL ? q->label : key;
	enum answer_kind kind = q != NULL ? q->kind : ANSWER_TEXT;
	json_t *ta = json_object_get(json_object_get(a, "textAnswers"), "answers");
	json_t *fa = json_object_get(json_object_get(a, "fileUploadAnswers"), "answers");
	size_t i;
	json_t *v;
	if (json_is_array(ta)) {
		for (i = 0; i < json_array_size(ta) && (v = json_array_get(ta, i)) != NULL; i++) {
			const char *s = json_string_value(json_object_get(v, "value"));
			if (s == NULL) {
				bad(b, "answers.%.100s.textAnswers.answers[%zu] has no value", key, i);
				return;
			}
			if (is_field(mc->name_field, key, NULL)) {
				if (b->it->r.sender_name == NULL)
					b->it->r.sender_name = dup_or_oom(b, s);
				add_answer(b, key, label, ANSWER_OTHER, s);
			} else if (is_field(mc->organisation_field, key, NULL)) {
				if (b->it->r.organisation == NULL)
					b->it->r.organisation = dup_or_oom(b, s);
				add_answer(b, key, label, ANSWER_OTHER, s);
			} else {
				add_answer(b, key, label, kind, s);
			}
		}
	} else if (json_is_array(fa)) {
		for (i = 0; i < json_array_size(fa) && (v = json_array_get(fa, i)) != NULL; i++) {
			const char *s = json_string_value(json_object_get(v, "fileName"));
			add_answer(b, key, label, ANSWER_OTHER, s != NULL ? s : "(file)");
		}
	} else {
		bad(b, "answers.%.100s has neither textAnswers nor fileUploadAnswers", key);
	}
}

static void google_item(struct builder *b, json_t *item)
{
	const char *id = json_string_value(json_object_get(item, "responseId"));
	if (id == NULL || id[0] == '\0') {
		bad(b, "no responseId");
		return;
	}
	b->it->response_id = dup_or_oom(b, id);
	if (json_time(json_object_get(item, "createTime"), &b->it->r.received_at) != 0) {
		bad(b, "createTime missing or not an RFC 3339 time");
		return;
	}
	json_t *last = json_object_get(item, "lastSubmittedTime");
	int64_t t;
	if (last != NULL && (!json_is_string(last) || json_time(last, &t) != 0)) {
		bad(b, "lastSubmittedTime is not an RFC 3339 time");
		return;
	}
	b->it->submitted = last != NULL ? t : b->it->r.received_at;
	b->it->version = dup_or_oom(b, last != NULL ? json_string_value(last)
						    : json_string_value(json_object_get(item, "createTime")));
	const char *email = json_string_value(json_object_get(item, "respondentEmail"));
	if (email != NULL)
		set_email(b, email);
	json_t *answers = json_object_get(item, "answers");
	if (answers == NULL || json_is_null(answers))
		return;
	if (!json_is_object(answers)) {
		bad(b, "answers is not an object");
		return;
	}
	/* The configured questions in their order, then any others by id, so
	 * the order never depends on the provider's key order. */
	size_t n = json_object_size(answers), k = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	if (keys == NULL) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < b->mc->n_questions; i++) {
		json_t *a = json_object_get(answers, b->mc->questions[i].id);
		if (a != NULL)
			google_answer(b, b->mc->questions[i].id, a);
	}
	const char *key;
	for (void *iter = json_object_iter(answers); iter != NULL && k < n;
	     iter = json_object_iter_next(answers, iter)) {
		key = json_object_iter_key(iter);
		if (find_question(b->mc, key, NULL) == NULL)
			keys[k++] = key;
	}
	qsort(keys, k, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < k; i++)
		google_answer(b, keys[i], json_object_get(answers, keys[i]));
	free(keys);
}

static void generic_value(struct builder *b, const struct form_question *q, json_t *v)
{
	if (v == NULL || json_is_null(v))
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		for (i = 0; i < json_array_size(v) && (e = json_array_get(v, i)) != NULL; i++) {
			char *s = scalar_text(b, e);
			if (s == NULL) {
				bad(b, "%s[%zu] is not text", q->id, i);
				return;
			}
			add_answer(b, q->id, q->label, q->kind, s);
			free(s);
		}
		return;
	}
	char *s = scalar_text(b, v);
	if (s == NULL) {
		bad(b, "%s is not text", q->id);
		return;
	}
	add_answer(b, q->id, q->label, q->kind, s);
	free(s);
}

static void generic_item(struct builder *b, json_t *item)
{
	const struct form_map_config *mc = b->mc;
	json_t *idv = pointer_get(item, mc->p_id);
	char *id = json_is_string(idv) || json_is_integer(idv) ? scalar_text(b, idv) : NULL;
	if (id == NULL || id[0] == '\0') {
		free(id);
		bad(b, "no id at %s", mc->p_id != NULL ? mc->p_id : "(id not configured)");
		return;
	}
	b->it->response_id = id;
	if (json_time(pointer_get(item, mc->p_submitted), &b->it->r.received_at) != 0) {
		bad(b, "no RFC 3339 time or Unix seconds at %s",
		    mc->p_submitted != NULL ? mc->p_submitted : "(submitted not configured)");
		return;
	}
	if (mc->p_email != NULL) {
		const char *e = json_string_value(pointer_get(item, mc->p_email));
		if (e != NULL)
			set_email(b, e);
	}
	if (mc->p_name != NULL)
		b->it->r.sender_name = scalar_text(b, pointer_get(item, mc->p_name));
	if (mc->p_organisation != NULL)
		b->it->r.organisation = scalar_text(b, pointer_get(item, mc->p_organisation));
	for (size_t i = 0; i < mc->n_questions; i++)
		generic_value(b, &mc->questions[i], pointer_get(item, mc->questions[i].id));
}

/* ---- the page ---------------------------------------------------------- */

static void sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char md[32];
	gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, md);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Map item i into page->items[page->n]. -1 on out of memory only. */
static int map_item(const struct form_map_config *mc, json_t *item, size_t index,
		    struct form_page *page)
{
	struct form_item *it = &page->items[page->n];
	memset(it, 0, sizeof(*it));
	struct builder b = {.mc = mc, .it = it};
	struct response *r = &it->r;
	r->channel = CHANNEL_FORM;
	r->status = STATUS_RESPONSE;
	char *raw = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (raw == NULL)
		return -1;
	size_t raw_len = strlen(raw);
	if (raw_len > FORM_ITEM_MAX) {
		raw[FORM_ITEM_MAX] = '\0';
		raw_len = FORM_ITEM_MAX;
		bad(&b, "item larger than %d bytes (cut)", FORM_ITEM_MAX);
	} else if (!json_is_object(item)) {
		bad(&b, "not an object");
	} else if (mc->preset == FORM_TYPEFORM) {
		typeform_item(&b, item);
	} else if (mc->preset == FORM_GOOGLE) {
		google_item(&b, item);
	} else {
		generic_item(&b, item);
	}
	if (it->submitted == 0)
		it->submitted = r->received_at;
	r->raw = (unsigned char *)raw;
	r->raw_len = raw_len;
	if (b.text.oom)
		b.oom = true;
	r->text = b.text.p != NULL ? b.text.p : strdup("");
	if (r->text == NULL)
		b.oom = true;
	page->n++; /* owned by the page from here, also on failure */
	if (b.oom)
		return -1;
	char key[600];
	if (it->response_id != NULL) {
		snprintf(key, sizeof(key), "form:%.200s:%.300s", mc->form_id, it->response_id);
	} else {
		char hex[65];
		sha256_hex(raw, raw_len, hex);
		snprintf(key, sizeof(key), "sha256:%s", hex);
	}
	r->idem_key = strdup(key);
	r->source_id = strdup(key);
	if (r->idem_key == NULL || r->source_id == NULL)
		return -1;
	if (b.reason[0] != '\0') {
		char reason[300];
		snprintf(reason, sizeof(reason), "item %zu: %s", index, b.reason);
		r->status = STATUS_QUARANTINED;
		if ((r->status_reason = strdup(reason)) == NULL)
			return -1;
		page->n_bad++;
	}
	return 0;
}

int form_map_page(const struct form_map_config *mc, const char *json, size_t len,
		  struct form_page *page, char *err, size_t errlen)
{
	memset(page, 0, sizeof(*page));
	page->total = -1;
	json_error_t je;
	json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		/* jansson ends its message with " near 'TOKEN'", and the token
		 * can be a respondent's words: those go neither to the log nor
		 * into the quarantine reason (the page itself is kept). */
		char *near = strstr(je.text, " near ");
		if (near != NULL)
			*near = '\0';
		set_err(err, errlen, "malformed JSON at line %d column %d: %s", je.line, je.column,
			je.text);
		return -1;
	}
	int ret = -1;
	json_t *items;
	const char *where;
	if (!json_is_object(doc) && mc->preset != FORM_GENERIC) {
		set_err(err, errlen, "the page is not a JSON object");
		goto out;
	}
	if (mc->preset == FORM_TYPEFORM) {
		where = "items";
		items = json_object_get(doc, "items");
		json_t *total = json_object_get(doc, "total_items");
		if (json_is_integer(total))
			page->total = (int64_t)json_integer_value(total);
	} else if (mc->preset == FORM_GOOGLE) {
		where = "responses";
		items = json_object_get(doc, "responses");
		json_t *next = json_object_get(doc, "nextPageToken");
		if (next != NULL && !json_is_string(next)) {
			set_err(err, errlen, "nextPageToken is not a string");
			goto out;
		}
		if (json_is_string(next) && json_string_value(next)[0] != '\0' &&
		    (page->next = strdup(json_string_value(next))) == NULL) {
			set_err(err, errlen, "out of memory");
			goto out;
		}
	} else {
		where = mc->p_items != NULL ? mc->p_items : "";
		items = pointer_get(doc, where);
		if (mc->p_next != NULL) {
			json_t *next = pointer_get(doc, mc->p_next);
			char buf[64];
			const char *s = NULL;
			if (json_is_string(next)) {
				s = json_string_value(next);
			} else if (json_is_integer(next)) {
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(next));
				s = buf;
			} else if (next != NULL && !json_is_null(next)) {
				set_err(err, errlen, "%s (next) is not a string", mc->p_next);
				goto out;
			}
			if (s != NULL && s[0] != '\0' && (page->next = strdup(s)) == NULL) {
				set_err(err, errlen, "out of memory");
				goto out;
			}
		}
	}
	if (mc->preset == FORM_GOOGLE && items == NULL) {
		ret = 0;
		goto out;
	}
	if (!json_is_array(items)) {
		set_err(err, errlen, "%s%s is %s, not a list", mc->preset == FORM_GENERIC ? "the item list at " : "",
			where[0] != '\0' ? where : "the page", items == NULL ? "missing" : "of another type");
		goto out;
	}
	size_t n = json_array_size(items);
	page->items = calloc(n ? n : 1, sizeof(*page->items));
	if (page->items == NULL) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (map_item(mc, json_array_get(items, i), i, page) != 0) {
			set_err(err, errlen, "out of memory");
			goto out;
		}
		struct form_item *it = &page->items[i];
		if (it->token != NULL) {
			free(page->last_token);
			if ((page->last_token = strdup(it->token)) == NULL) {
				set_err(err, errlen, "out of memory");
				goto out;
			}
		}
		if (it->r.status != STATUS_QUARANTINED && it->submitted > page->max_submitted)
			page->max_submitted = it->submitted;
	}
	ret = 0;
out:
	json_decref(doc);
	if (ret != 0)
		form_page_clear(page);
	return ret;
}

void form_page_clear(struct form_page *page)
{
	if (page == NULL)
		return;
	for (size_t i = 0; i < page->n; i++) {
		response_clear(&page->items[i].r);
		free(page->items[i].response_id);
		free(page->items[i].version);
		free(page->items[i].token);
	}
	free(page->items);
	free(page->next);
	free(page->last_token);
	memset(page, 0, sizeof(*page));
	page->total = -1;
}

const char *form_preset_name(enum form_preset p)
{
	switch (p) {
	case FORM_TYPEFORM: return "typeform";
	case FORM_GOOGLE: return "google-forms";
	case FORM_GENERIC: return "generic";
	}
	return "?";
}
