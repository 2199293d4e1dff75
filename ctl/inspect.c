/*
 * inspect.c — consultctl's commands that look at one response or at the
 * store as a whole: status, show, quarantine, backup.
 */
#include "ctl.h"

#include "classify/areas.h"

#include "classify/classify.h"
#include "config/log.h"
#include "daemon/window.h"
#include "intake/mime.h"
#include "receipts/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void format_time(int64_t t, char *buf, size_t len)
{
	if (t <= 0) {
		snprintf(buf, len, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void format_span(int64_t secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "%lld d %lld h", (long long)(secs / 86400), (long long)(secs % 86400 / 3600));
	else if (secs >= 3600)
		snprintf(buf, len, "%lld h %lld min", (long long)(secs / 3600), (long long)(secs % 3600 / 60));
	else
		snprintf(buf, len, "%lld min %lld s", (long long)(secs / 60), (long long)(secs % 60));
}

int ctl_status(struct ctl *c)
{
	if (ctl_open_store(c, false) != 0)
		return 1;
	int64_t now = (int64_t)time(NULL);
	const struct config *cfg = c->cfg;
	enum window_state ws = window_state_at(cfg, now);
	char a[64], b[64], span[64];
	format_time(cfg->opens, a, sizeof(a));
	format_time(cfg->closes, b, sizeof(b));
	printf("consultation: %s\n", cfg->name);
	printf("window:       %s (%s to %s, grace %lld s)\n", window_state_name(ws), a, b,
	       (long long)cfg->grace);
	int64_t next = window_next_change(cfg, now);
	if (ws == WINDOW_BEFORE) {
		format_span(next, span, sizeof(span));
		printf("              opens in %s\n", span);
	} else if (ws == WINDOW_OPEN) {
		format_span(next, span, sizeof(span));
		printf("              closes in %s\n", span);
	} else if (ws == WINDOW_GRACE) {
		format_span(next, span, sizeof(span));
		printf("              final sweep in %s\n", span);
	}
	struct storage_stats s;
	if (storage_stats(c->store, &s) != 0) {
		fprintf(stderr, "consultctl: status: %s\n", storage_errmsg(c->store));
		return 1;
	}
	printf("responses:    %lld counted (email %lld, form %lld, import %lld), %lld late\n",
	       (long long)s.counted, (long long)s.by_channel[CHANNEL_EMAIL],
	       (long long)s.by_channel[CHANNEL_FORM], (long long)s.by_channel[CHANNEL_IMPORT],
	       (long long)s.late);
	printf("not counted:  %lld auto-replies, %lld bounces, %lld list, %lld quarantined\n",
	       (long long)s.auto_replies, (long long)s.bounces, (long long)s.lists,
	       (long long)s.quarantined);
	storage_stats_clear(&s);

	struct outbox_stats ob;
	if (outbox_stats(c->store, &ob) != 0) {
		fprintf(stderr, "consultctl: status: %s\n", storage_errmsg(c->store));
		return 1;
	}
	if (cfg->receipts.enabled || ob.pending + ob.sending + ob.sent + ob.failed + ob.uncertain > 0) {
		printf("receipts:     %lld pending, %lld sending, %lld sent, %lld failed, %lld uncertain, "
		       "%lld not due (suppressed)%s\n",
		       (long long)ob.pending, (long long)ob.sending, (long long)ob.sent, (long long)ob.failed,
		       (long long)ob.uncertain, (long long)ob.suppressed,
		       cfg->receipts.enabled ? "" : " [receipts off]");
		if (ob.pending > 0) {
			format_span(now - ob.oldest_pending_at, span, sizeof(span));
			printf("              oldest pending waiting %s\n", span);
		}
	}

	struct storage_source *v;
	size_t n;
	if (storage_sources(c->store, &v, &n) != 0) {
		fprintf(stderr, "consultctl: status: %s\n", storage_errmsg(c->store));
		return 1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char poll[64], errt[64], rec[64];
		format_time(v[i].last_poll_at, poll, sizeof(poll));
		format_time(v[i].last_error_at, errt, sizeof(errt));
		format_time(v[i].reconciled_at, rec, sizeof(rec));
		printf("source:       %s\n", v[i].source);
		if (strncmp(v[i].source, "form:", 5) == 0) {
			struct storage_form_state fst;
			if (storage_get_form_state(c->store, v[i].source, &fst) == 0) {
				char since[64], upd[64];
				format_time(fst.since, since, sizeof(since));
				format_time(fst.updated_at, upd, sizeof(upd));
				printf("  cursor:     %s, since %s, saved %s\n",
				       fst.cursor != NULL ? fst.cursor : "(start)", fst.since > 0 ? since : "opens",
				       upd);
				storage_form_state_clear(&fst);
			}
		} else {
			printf("  cursor:     UIDVALIDITY %u, highest stored UID %u, %lld UIDs stored\n",
			       (unsigned)v[i].uidvalidity, (unsigned)v[i].last_uid, (long long)v[i].stored);
		}
		printf("  last poll:  %s\n", poll);
		if (v[i].last_error != NULL) {
			char esc[300];
			printf("  last error: %s: %s\n", errt, log_escape(v[i].last_error, esc, sizeof(esc)));
		}
		if (strncmp(v[i].source, "form:", 5) == 0) {
			continue; /* nothing to reconcile: the provider pages by cursor */
		} else if (v[i].reconciled_at > 0) {
			printf("  reconciled: %s: server holds %lld up to the cursor, %lld not stored%s%s\n", rec,
			       (long long)v[i].server_count, (long long)v[i].missing_count,
			       v[i].missing_uids != NULL ? " (UIDs " : "",
			       v[i].missing_uids != NULL ? v[i].missing_uids : "");
			if (v[i].missing_uids != NULL)
				printf("%s", ")\n");
			if (v[i].missing_count > 0)
				rc = 3; /* a difference a script should notice */
		} else {
			printf("  reconciled: never\n");
		}
	}
	printf("receipts:     none are sent (no outbox configured)\n");
	storage_sources_free(v, n);
	return rc;
}

int ctl_backup(struct ctl *c, const char *dest)
{
	if (ctl_open_store(c, false) != 0)
		return 1;
	if (storage_backup(c->store, dest) != 0) {
		fprintf(stderr, "consultctl: backup: %s\n", storage_errmsg(c->store));
		return 1;
	}
	printf("%s: a consistent copy of %s\n", dest, c->cfg->storage_path);
	return 0;
}

static int print_response(void *user, const char *ref, const struct response *r)
{
	struct ctl *c = user;
	const struct theme_set *ts = c->themes;
	char when[32];
	config_format_time(r->received_at, when, sizeof(when));
	printf("reference:  %s\n", ref);
	printf("channel:    %s (%s)\n", response_channel_name(r->channel), r->source_id);
	printf("received:   %s%s\n", when, r->late ? " (late: after the close)" : "");
	printf("status:     %s%s%s\n", response_status_name(r->status),
	       r->status_reason != NULL ? ": " : "", r->status_reason != NULL ? r->status_reason : "");
	printf("from:       %s <%s>\n", r->sender_name != NULL ? r->sender_name : "",
	       r->sender_email != NULL ? r->sender_email : "");
	printf("subject:    %s\n", r->subject != NULL ? r->subject : "");
	if (r->message_id != NULL)
		printf("message-id: %s\n", r->message_id);
	if (r->respondent_type != RESPONDENT_UNKNOWN)
		printf("respondent: %s%s%s\n", respondent_type_name(r->respondent_type),
		       r->organisation != NULL ? ": " : "",
		       r->organisation != NULL ? r->organisation : "");
	if (r->area != NULL) {
		const char *name = areas_name(themes_areas(ts), r->area);
		printf("area:       %s%s%s%s\n", name != NULL ? name : r->area, name != NULL ? " (" : "",
		       name != NULL ? r->area : "", name != NULL ? ")" : "");
	}
	int64_t id = storage_parse_ref(ref), campaign = 0, dup = 0;
	char *manual = NULL;
	if (storage_campaign_of(c->store, id, &campaign, &dup) != 0 ||
	    storage_manual_summary(c->store, id, &manual) != 0)
		return -1;
	if (campaign > 0)
		printf("campaign:   C-%lld (as of the last campaigns run)\n", (long long)campaign);
	if (dup > 0) {
		char dref[32];
		storage_format_ref(dup, dref, sizeof(dref));
		printf("duplicate:  an identical resubmission of %s (not counted again)\n", dref);
	}
	if (manual != NULL)
		printf("corrected:  %s (by a lead; kept by reclassify)\n", manual);
	free(manual);
	for (size_t i = 0; i < r->n_attachments; i++) {
		const struct attachment *a = &r->attachments[i];
		printf("attachment: %s (%s, %zu bytes, sha256 %s)%s%s\n",
		       a->filename != NULL ? a->filename : "(no name)", a->content_type, a->size,
		       a->sha256, a->text_error != NULL ? ": no text: " : "",
		       a->text_error != NULL ? a->text_error : "");
	}
	if (r->n_answers > 0) {
		printf("\nanswers:\n");
		for (size_t i = 0; i < r->n_answers; i++) {
			const struct form_answer *a = &r->answers[i];
			printf("  [%s] %s: %s\n", answer_kind_name(a->kind),
			       a->question != NULL ? a->question : (a->question_id != NULL ? a->question_id : "?"),
			       a->value != NULL ? a->value : "");
		}
	}
	printf("\nthemes:\n");
	if (r->n_themes == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < r->n_themes; i++) {
		long t = themes_find(ts, r->themes[i].theme_id);
		printf("  %-24s %6.2f  %s\n      matched: %s\n", r->themes[i].theme_id, r->themes[i].score,
		       t >= 0 ? themes_label(ts, (size_t)t) : "(not in the current theme file)",
		       r->themes[i].terms);
	}
	printf("\ntext:\n%s\n", r->text != NULL ? r->text : "");
	/* What classification did not read: quotes, signature, disclaimer,
	 * and passages of the consultation's own documents. */
	struct own_words_aside aside;
	char *own = classify_own_words(ts, r->text != NULL ? r->text : "", &aside);
	if (own == NULL) {
		fprintf(stderr, "consultctl: show: out of memory\n");
		return 1;
	}
	if (aside.quoted > 0)
		printf("\nset aside as quoted text, signature or disclaimer: %zu bytes\n", aside.quoted);
	if (aside.pasted > 0)
		printf("\nset aside as the consultation's own text pasted back: %zu bytes\n",
		       aside.pasted);
	if (aside.quoted > 0 || aside.pasted > 0)
		printf("classified:\n%s\n", own);
	free(own);
	return 0;
}

static int64_t ref_or_complain(const char *cmd, const char *ref)
{
	int64_t id = storage_parse_ref(ref);
	if (id == 0)
		fprintf(stderr, "consultctl: %s: '%s' is not a reference such as R-000042\n", cmd, ref);
	return id;
}

struct id_list {
	int64_t *ids;
	size_t n, cap;
};

struct found {
	int count;
	int (*fn)(void *, const char *, const struct response *);
	void *user;
};

static int count_and_call(void *user, const char *ref, const struct response *r)
{
	struct found *f = user;
	f->count++;
	return f->fn(f->user, ref, r);
}

int ctl_show(struct ctl *c, const char *ref)
{
	int64_t id = ref_or_complain("show", ref);
	if (id == 0)
		return 2;
	if (ctl_open_store(c, false) != 0)
		return 1;
	struct storage_filter f = {.id = id};
	struct found found = {.fn = print_response, .user = c};
	if (storage_visit(c->store, &f, count_and_call, &found) != 0) {
		fprintf(stderr, "consultctl: show: %s\n", storage_errmsg(c->store));
		return 1;
	}
	if (found.count == 0) {
		fprintf(stderr, "consultctl: show: no response %s\n", ref);
		return 1;
	}
	return 0;
}

static int list_quarantined(void *user, const char *ref, const struct response *r)
{
	(void)user;
	char when[32], from[200], reason[300];
	config_format_time(r->received_at, when, sizeof(when));
	printf("%s  %s  %s  %s\n", ref, when, log_escape(r->sender_email, from, sizeof(from)),
	       log_escape(r->status_reason, reason, sizeof(reason)));
	return 0;
}

static int print_raw(void *user, const char *ref, const struct response *r)
{
	(void)user;
	char reason[300];
	fprintf(stderr, "%s: %s\n", ref, log_escape(r->status_reason, reason, sizeof(reason)));
	if (r->raw == NULL) {
		fprintf(stderr, "%s: no raw source kept ([storage] retention purged it)\n", ref);
		return 0;
	}
	/* The raw source, as received: the caller chose to see it. */
	fwrite(r->raw, 1, r->raw_len, stdout);
	return 0;
}

/* The raw source of one response, copied out of a visit. */
struct raw_copy {
	unsigned char *raw;
	size_t len;
	bool oom;
	bool purged;            /* retention deleted it */
};

static int copy_raw(void *user, const char *ref, const struct response *r)
{
	(void)ref;
	struct raw_copy *rc = user;
	if (r->raw == NULL) {
		rc->purged = true;
		return 0;
	}
	rc->raw = malloc(r->raw_len + 1);
	if (rc->raw == NULL) {
		rc->oom = true;
		return -1;
	}
	memcpy(rc->raw, r->raw, r->raw_len);
	rc->len = r->raw_len;
	return 0;
}

static int collect_id(void *user, const char *ref, const struct response *r)
{
	(void)r;
	struct id_list *l = user;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		int64_t *p = realloc(l->ids, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		l->ids = p;
		l->cap = cap;
	}
	l->ids[l->n++] = storage_parse_ref(ref);
	return 0;
}

/* Parse and classify the kept raw source of id again, and store the
 * result in place. Returns 1 when it parses now, 0 when still
 * quarantined, -1 on error. */
static int retry_one(struct ctl *c, int64_t id)
{
	char ref[32];
	storage_format_ref(id, ref, sizeof(ref));
	struct raw_copy raw = {0};
	struct storage_filter f = {.id = id, .with_raw = true};
	if (storage_visit(c->store, &f, copy_raw, &raw) != 0 || raw.raw == NULL) {
		fprintf(stderr, "consultctl: quarantine retry: %s: %s\n", ref,
			raw.oom ? "out of memory"
			: raw.purged ? "no raw source kept ([storage] retention purged it)"
				     : storage_errmsg(c->store));
		free(raw.raw);
		return -1;
	}
	struct response r = {0};
	int ret = -1;
	if (mime_normalise(raw.raw, raw.len, &r) != 0 ||
	    (r.status == STATUS_RESPONSE && classify_response(c->themes, &r) != 0)) {
		fprintf(stderr, "consultctl: quarantine retry: %s: out of memory\n", ref);
		goto out;
	}
	if (storage_begin(c->store) != 0 || storage_replace_parsed(c->store, id, &r) != 0 ||
	    storage_commit(c->store) != 0) {
		fprintf(stderr, "consultctl: quarantine retry: %s: %s\n", ref, storage_errmsg(c->store));
		storage_rollback(c->store);
		goto out;
	}
	if (r.status == STATUS_QUARANTINED) {
		char reason[300];
		printf("%s: still quarantined: %s\n", ref, log_escape(r.status_reason, reason, sizeof(reason)));
		ret = 0;
	} else {
		printf("%s: now %s, %zu %s\n", ref, response_status_name(r.status), r.n_themes,
		       r.n_themes == 1 ? "theme" : "themes");
		ret = 1;
	}
out:
	response_clear(&r);
	free(raw.raw);
	return ret;
}

int ctl_quarantine(struct ctl *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	struct storage_filter f = {.status_only = true, .status = STATUS_QUARANTINED};
	if (strcmp(sub, "list") == 0 && argc <= 2) {
		if (ctl_open_store(c, false) != 0)
			return 1;
		if (storage_visit(c->store, &f, list_quarantined, NULL) != 0) {
			fprintf(stderr, "consultctl: quarantine: %s\n", storage_errmsg(c->store));
			return 1;
		}
		return 0;
	}
	if (strcmp(sub, "show") == 0 && argc == 3) {
		if ((f.id = ref_or_complain("quarantine show", argv[2])) == 0)
			return 2;
		if (ctl_open_store(c, false) != 0)
			return 1;
		f.with_raw = true;
		struct found found = {.fn = print_raw};
		if (storage_visit(c->store, &f, count_and_call, &found) != 0) {
			fprintf(stderr, "consultctl: quarantine: %s\n", storage_errmsg(c->store));
			return 1;
		}
		if (found.count == 0) {
			fprintf(stderr, "consultctl: quarantine show: %s is not in quarantine\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (strcmp(sub, "retry") == 0 && argc <= 3) {
		if (argc == 3 && (f.id = ref_or_complain("quarantine retry", argv[2])) == 0)
			return 2;
		if (ctl_open_store(c, true) != 0)
			return 1;
		mime_init();
		struct id_list ids = {0};
		if (storage_visit(c->store, &f, collect_id, &ids) != 0) {
			fprintf(stderr, "consultctl: quarantine: %s\n", storage_errmsg(c->store));
			free(ids.ids);
			return 1;
		}
		if (argc == 3 && ids.n == 0) {
			fprintf(stderr, "consultctl: quarantine retry: %s is not in quarantine\n", argv[2]);
			return 1;
		}
		int parsed = 0, still = 0, failed = 0;
		for (size_t i = 0; i < ids.n; i++) {
			int r = retry_one(c, ids.ids[i]);
			parsed += r == 1;
			still += r == 0;
			failed += r < 0;
		}
		free(ids.ids);
		printf("retried %zu: %d parsed now, %d still in quarantine\n", ids.n, parsed, still);
		return failed > 0 ? 1 : 0;
	}
	fprintf(stderr, "usage: consultctl -c FILE quarantine [list | show REF | retry [REF]]\n");
	return 2;
}
