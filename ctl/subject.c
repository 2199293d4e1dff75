/*
 * subject.c — consultctl's personal-data commands: forget (erasure),
 * export-subject (subject access) and purge (retention, by hand).
 *
 * forget and purge open the store read-write; SQLite's WAL and the busy
 * timeout let them run while consultd works, each as one short
 * transaction that waits its turn behind the daemon's batch.
 */
#include "ctl.h"

#include "daemon/window.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define EMAIL_MAX 320 /* RFC 5321: 64 + @ + 255 */

/* A bare address from the command line: refused with the reason when it
 * cannot be one (a typo must not silently match nothing, or everything). */
static int check_email(const char *cmd, const char *email)
{
	size_t len = strlen(email);
	const char *at = strrchr(email, '@');
	const char *why = NULL;
	if (len == 0 || len > EMAIL_MAX)
		why = "is empty or longer than 320 bytes";
	else if (at == NULL || at == email || at[1] == '\0')
		why = "is not an address (LOCAL@DOMAIN)";
	for (size_t i = 0; why == NULL && i < len; i++) {
		unsigned char ch = (unsigned char)email[i];
		if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>' || ch == ',')
			why = "has a space, a control character or <>, (give the bare address)";
	}
	if (why != NULL) {
		fprintf(stderr, "consultctl: %s: the email argument %s\n", cmd, why);
		return -1;
	}
	return 0;
}

int ctl_forget(struct ctl *c, const char *email)
{
	if (check_email("forget", email) != 0)
		return 2;
	if (ctl_open_store(c, true) != 0)
		return 1;
	int64_t erased;
	if (storage_forget(c->store, email, (int64_t)time(NULL), &erased) != 0) {
		fprintf(stderr, "consultctl: forget: %s\n", storage_errmsg(c->store));
		return 1;
	}
	printf("%lld %s erased\n", (long long)erased, erased == 1 ? "response" : "responses");
	return 0;
}

struct subject_export {
	struct storage *store;
	json_t *responses;
	bool oom;
	bool failed;            /* a store read failed: storage_errmsg says why */
};

static json_t *time_or_null(int64_t t)
{
	if (t <= 0)
		return json_null();
	char buf[32];
	config_format_time(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* The receipt sent (or due) for the response, as the respondent got it. */
static json_t *receipt_json(struct subject_export *x, int64_t id)
{
	struct storage_receipt rc;
	bool found;
	if (storage_receipt_of(x->store, id, &rc, &found) != 0) {
		x->failed = true;
		return NULL;
	}
	if (!found)
		return json_null();
	json_t *o = json_pack("{s:o, s:o, s:I, s:o, s:o, s:o}", "recipient", str_or_null(rc.recipient),
			      "state", str_or_null(rc.state), "attempts", (json_int_t)rc.attempts,
			      "created_at", time_or_null(rc.created_at), "sent_at",
			      time_or_null(rc.sent_at), "message", str_or_null(rc.message));
	storage_receipt_clear(&rc);
	return o;
}

/* Every version of a form response: an edit keeps the text it replaced,
 * which is the respondent's data as much as the current text. */
static json_t *versions_json(struct subject_export *x, int64_t id)
{
	struct storage_form_version_row *v;
	size_t n;
	if (storage_form_history(x->store, id, &v, &n) != 0) {
		x->failed = true;
		return NULL;
	}
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++) {
		json_t *o = json_pack("{s:o, s:o, s:b, s:o}", "version", str_or_null(v[i].version),
				      "recorded_at", time_or_null(v[i].recorded_at), "edit",
				      v[i].edit, "previous_text", str_or_null(v[i].previous_text));
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	storage_form_history_free(v, n);
	return a;
}

static int add_subject_response(void *user, const char *ref, const struct response *r)
{
	struct subject_export *x = user;
	json_t *o = ctl_response_json(ref, r);
	json_t *atts = json_object_get(o, "attachments");
	/* Subject access covers the text read out of each attachment too. */
	for (size_t i = 0; i < r->n_attachments && i < json_array_size(atts); i++) {
		const struct attachment *a = &r->attachments[i];
		json_t *j = json_array_get(atts, i);
		json_object_set_new(j, "text", a->text != NULL ? json_string(a->text) : json_null());
	}
	int64_t id = storage_parse_ref(ref);
	json_t *receipt = receipt_json(x, id);
	json_t *versions = r->channel == CHANNEL_FORM ? versions_json(x, id) : json_array();
	if (x->failed) {
		json_decref(receipt);
		json_decref(versions);
		json_decref(o);
		return -1;
	}
	if (o == NULL || receipt == NULL || versions == NULL) {
		json_decref(receipt);
		json_decref(versions);
		json_decref(o);
		x->oom = true;
		return 1;
	}
	/* The _new setters take the reference, also when they fail. */
	int bad = json_object_set_new(o, "receipt", receipt);
	bad |= json_object_set_new(o, "form_versions", versions);
	if (bad != 0 || json_array_append_new(x->responses, o) != 0) {
		x->oom = true;
		return 1;
	}
	return 0;
}

int ctl_export_subject(struct ctl *c, const char *email)
{
	if (check_email("export-subject", email) != 0)
		return 2;
	if (ctl_open_store(c, false) != 0)
		return 1;
	struct subject_export x = {.store = c->store, .responses = json_array()};
	struct storage_filter f = {.sender_email = email};
	int rc = storage_visit(c->store, &f, add_subject_response, &x);
	if (rc != 0 || x.oom) {
		fprintf(stderr, "consultctl: export-subject: %s\n",
			x.oom ? "out of memory" : storage_errmsg(c->store));
		json_decref(x.responses);
		return 1;
	}
	char now[32];
	config_format_time((int64_t)time(NULL), now, sizeof(now));
	json_t *doc = json_object();
	json_object_set_new(doc, "email", json_string(email));
	json_object_set_new(doc, "consultation", json_string(c->cfg->name));
	json_object_set_new(doc, "exported_at", json_string(now));
	json_object_set_new(doc, "responses", x.responses);
	rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "consultctl: export-subject: cannot write the output\n");
		return 1;
	}
	return 0;
}

int ctl_purge(struct ctl *c)
{
	int64_t at = window_purge_at(c->cfg), now = (int64_t)time(NULL);
	char when[32];
	if (at < 0) {
		fprintf(stderr, "consultctl: purge: [storage] retention is not set: nothing is due\n");
		return 1;
	}
	config_format_time(at, when, sizeof(when));
	if (now < at) {
		printf("retention not due before %s: nothing purged\n", when);
		return 0;
	}
	if (ctl_open_store(c, true) != 0)
		return 1;
	int64_t raw_total = 0, blob_total = 0, raw, blobs;
	do {
		if (storage_purge(c->store, now, 500, &raw, &blobs) != 0) {
			fprintf(stderr, "consultctl: purge: %s\n", storage_errmsg(c->store));
			return 1;
		}
		raw_total += raw;
		blob_total += blobs;
	} while (raw == 500 || blobs == 500);
	printf("purged %lld raw messages and %lld attachment files (due since %s)\n",
	       (long long)raw_total, (long long)blob_total, when);
	return 0;
}
