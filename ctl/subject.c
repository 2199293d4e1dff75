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
	json_t *responses;
	bool oom;
};

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
	if (json_array_append_new(x->responses, o) != 0) {
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
	struct subject_export x = {.responses = json_array()};
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
