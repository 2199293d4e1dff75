#include "outbox.h"

#include "message.h"
#include "template.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* Local parts that never read their mail (matched as globs, any case). */
static const char *const builtin_no_reply[] = {
	"noreply*", "no-reply*", "no_reply*", "donotreply*", "do-not-reply*", "do_not_reply*",
	"mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster", "bounce", "bounces",
	"bounce-*", "bounces-*", "bounce+*", "bounces+*",
};

const char *outbox_suppress_reason(const struct receipts_config *rc, const struct response *r)
{
	switch (r->status) {
	case STATUS_RESPONSE: break;
	case STATUS_AUTO_REPLY: return "auto-reply";
	case STATUS_BOUNCE: return "bounce";
	case STATUS_LIST: return "list traffic";
	case STATUS_QUARANTINED: return "quarantined";
	}
	if (r->late && !rc->late)
		return "late (late = no)";
	if (r->sender_email == NULL || r->sender_email[0] == '\0')
		return "no sender address";
	if (!receipt_address_ok(r->sender_email))
		return "sender address cannot be written safely";
	if (rc->from_address != NULL && strcasecmp(r->sender_email, rc->from_address) == 0)
		return "our own address";
	for (size_t i = 0; i < sizeof(builtin_no_reply) / sizeof(builtin_no_reply[0]); i++)
		if (receipt_address_matches(r->sender_email, builtin_no_reply[i]))
			return "no-reply address";
	for (size_t i = 0; i < rc->n_no_reply; i++)
		if (receipt_address_matches(r->sender_email, rc->no_reply[i]))
			return "no-reply address (no_reply pattern)";
	return NULL;
}

bool outbox_mark_own_receipt(const struct receipts_config *rc, struct response *r)
{
	/* Only what the mail's own headers did not already give away. */
	if (!rc->enabled || rc->message_id_domain == NULL || r->message_id == NULL ||
	    r->status != STATUS_RESPONSE)
		return false;
	const char *at = strrchr(r->message_id, '@');
	if (at == NULL || strcasecmp(at + 1, rc->message_id_domain) != 0)
		return false;
	char *why = strdup("consultd's own receipt (Message-ID domain)");
	if (why == NULL)
		return false; /* Auto-Submitted still marks it, see mime.h */
	free(r->status_reason);
	r->status_reason = why;
	r->status = STATUS_AUTO_REPLY;
	return true;
}

static int insert_row(struct storage *st, int64_t response_id, const char *recipient,
		      const char *message, const char *state, const char *reason, int64_t now)
{
	sqlite3 *db = storage_db(st);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO outbox(response_id, recipient, message, state, last_error,"
			       " created_at, next_attempt_at) VALUES(?,?,?,?,?,?,?)"
			       " ON CONFLICT(response_id) DO NOTHING",
			       -1, &s, NULL) != SQLITE_OK) {
		storage_set_error(st, "outbox");
		return -1;
	}
	sqlite3_bind_int64(s, 1, response_id);
	sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, message, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	sqlite3_bind_int64(s, 7, now);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		storage_set_error(st, "outbox: adding a receipt");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void random_hex(char *out, size_t bytes)
{
	unsigned char b[16];
	if (bytes > sizeof(b))
		bytes = sizeof(b);
	if (getrandom(b, bytes, 0) != (ssize_t)bytes) {
		/* Uniqueness comes from the response id and time; this only
		 * makes the id unguessable. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (size_t i = 0; i < bytes; i++)
			b[i] = (unsigned char)(ts.tv_nsec >> (i % 4 * 8));
	}
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

int outbox_enqueue_receipt(struct storage *st, const struct receipts_config *rc,
			   const char *consultation, int64_t response_id,
			   const struct response *r, int64_t now)
{
	if (!rc->enabled)
		return 0;
	const char *why = outbox_suppress_reason(rc, r);
	if (why != NULL)
		return insert_row(st, response_id, r->sender_email, NULL, "suppressed", why, now);

	char ref[32], date[64], rnd[17], msgid[300];
	storage_format_ref(response_id, ref, sizeof(ref));
	time_t t = (time_t)r->received_at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	random_hex(rnd, 8);
	snprintf(msgid, sizeof(msgid), "receipt.%lld.%lld.%s@%s", (long long)response_id,
		 (long long)now, rnd, rc->message_id_domain);
	struct template_fields f = {
		.consultation = consultation,
		.reference = ref,
		.received_date = date,
		.name = r->sender_name != NULL && r->sender_name[0] != '\0' ? r->sender_name
									    : r->sender_email,
		.email = r->sender_email,
		.subject = r->subject,
		.late_note = r->late ? " It arrived after the consultation closed." : "",
	};
	char *subject = template_render(rc->subject, &f, true);
	char *body = template_render(rc->body, &f, false);
	char *message = NULL;
	if (subject != NULL && body != NULL) {
		struct receipt_parts p = {
			.from_name = rc->from_name,
			.from_address = rc->from_address,
			.reply_to = rc->reply_to,
			.to = r->sender_email,
			.subject = subject,
			.body = body,
			.message_id = msgid,
			/* A hostile Message-ID is left out rather than written. */
			.in_reply_to = r->channel == CHANNEL_EMAIL && receipt_msgid_ok(r->message_id)
					       ? r->message_id : NULL,
			.date = now,
		};
		message = receipt_build(&p);
	}
	free(subject);
	free(body);
	int rc_ = message != NULL
			  ? insert_row(st, response_id, r->sender_email, message, "pending", NULL, now)
			  : insert_row(st, response_id, r->sender_email, NULL, "suppressed",
				       "receipt could not be built (out of memory)", now);
	free(message);
	return rc_;
}

void outbox_item_clear(struct outbox_item *it)
{
	free(it->recipient);
	free(it->message);
	memset(it, 0, sizeof(*it));
}

/* Run one statement with int64/text parameters given as "i" / "t". */
static int exec_bound(struct storage *st, const char *sql, const char *what, const char *types, ...)
{
	sqlite3 *db = storage_db(st);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		storage_set_error(st, what);
		return -1;
	}
	va_list ap;
	va_start(ap, types);
	for (int i = 0; types[i] != '\0'; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		storage_set_error(st, what);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int outbox_recover(struct storage *st, int64_t now, int64_t *n)
{
	*n = 0;
	if (exec_bound(st,
		       "UPDATE outbox SET state = 'uncertain', last_error = 'consultd stopped while the"
		       " SMTP server had it; it may or may not have been delivered (not sent again)'"
		       " WHERE state = 'sending'",
		       "outbox: recovering", "") != 0)
		return -1;
	*n = sqlite3_changes(storage_db(st));
	(void)now;
	return 0;
}

int outbox_next_due(struct storage *st, int64_t *at, bool *any)
{
	sqlite3_stmt *s;
	*any = false;
	if (sqlite3_prepare_v2(storage_db(st),
			       "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'", -1, &s,
			       NULL) != SQLITE_OK) {
		storage_set_error(st, "outbox");
		return -1;
	}
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*at = sqlite3_column_int64(s, 0);
		*any = true;
	}
	if (rc != SQLITE_ROW)
		storage_set_error(st, "outbox");
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int outbox_claim(struct storage *st, int64_t now, struct outbox_item *it, bool *found)
{
	memset(it, 0, sizeof(*it));
	*found = false;
	if (storage_begin(st) != 0)
		return -1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(storage_db(st),
			       "SELECT id, response_id, recipient, message, attempts FROM outbox"
			       " WHERE state = 'pending' AND next_attempt_at <= ?"
			       " ORDER BY next_attempt_at, id LIMIT 1",
			       -1, &s, NULL) != SQLITE_OK) {
		storage_set_error(st, "outbox: claiming");
		storage_rollback(st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, now);
	int rc = sqlite3_step(s);
	bool oom = false;
	if (rc == SQLITE_ROW) {
		it->id = sqlite3_column_int64(s, 0);
		it->response_id = sqlite3_column_int64(s, 1);
		const unsigned char *rcp = sqlite3_column_text(s, 2);
		const unsigned char *msg = sqlite3_column_text(s, 3);
		it->recipient = rcp != NULL ? strdup((const char *)rcp) : NULL;
		it->message = msg != NULL ? strdup((const char *)msg) : NULL;
		it->attempts = sqlite3_column_int(s, 4) + 1;
		oom = it->recipient == NULL || it->message == NULL;
	} else if (rc != SQLITE_DONE) {
		storage_set_error(st, "outbox: claiming");
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		storage_rollback(st);
		return 0;
	}
	if (rc != SQLITE_ROW || oom) {
		if (oom)
			storage_set_error(st, "outbox: out of memory");
		storage_rollback(st);
		outbox_item_clear(it);
		return -1;
	}
	/* Committed before the transfer starts: see the crash window in outbox.h. */
	if (exec_bound(st, "UPDATE outbox SET state = 'sending', attempts = ? WHERE id = ?",
		       "outbox: marking sending", "ii", (int64_t)it->attempts, it->id) != 0 ||
	    storage_commit(st) != 0) {
		storage_rollback(st);
		outbox_item_clear(it);
		return -1;
	}
	*found = true;
	return 0;
}

int outbox_mark_sent(struct storage *st, int64_t id, int64_t now)
{
	return exec_bound(st,
			  "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
			  "outbox: marking sent", "ii", now, id);
}

int outbox_mark_retry(struct storage *st, int64_t id, int64_t next_at, const char *error)
{
	return exec_bound(st,
			  "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?"
			  " WHERE id = ?",
			  "outbox: scheduling a retry", "iti", next_at, error, id);
}

int outbox_mark_final(struct storage *st, int64_t id, const char *state, const char *error)
{
	return exec_bound(st, "UPDATE outbox SET state = ?, last_error = ? WHERE id = ?",
			  "outbox: marking", "tti", state, error, id);
}

int outbox_stats(struct storage *st, struct outbox_stats *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(storage_db(st),
			       "SELECT state, count(*), min(created_at) FROM outbox GROUP BY state", -1, &s,
			       NULL) != SQLITE_OK) {
		storage_set_error(st, "outbox");
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 0);
		int64_t n = sqlite3_column_int64(s, 1);
		if (state == NULL)
			continue;
		if (strcmp(state, "pending") == 0) {
			out->pending = n;
			out->oldest_pending_at = sqlite3_column_int64(s, 2);
		} else if (strcmp(state, "sending") == 0) {
			out->sending = n;
		} else if (strcmp(state, "sent") == 0) {
			out->sent = n;
		} else if (strcmp(state, "failed") == 0) {
			out->failed = n;
		} else if (strcmp(state, "suppressed") == 0) {
			out->suppressed = n;
		} else if (strcmp(state, "uncertain") == 0) {
			out->uncertain = n;
		}
	}
	if (rc != SQLITE_DONE)
		storage_set_error(st, "outbox");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
