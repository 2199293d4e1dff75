/*
 * outbox.h — acknowledgement receipts, from the stored response to the
 * outbox table (schema 5) and through it to the sender (sender.h).
 *
 * A receipt is written by outbox_enqueue_receipt inside the transaction
 * that stores its response, so a response is never stored without its
 * receipt decided, nor the other way round; the table's UNIQUE response_id
 * makes it one receipt per response at most, also across restarts and
 * channels. A response that gets none still gets a row, 'suppressed', with
 * the reason, so `consultctl status` can say why.
 *
 * States: pending (waiting, maybe for a retry) -> sending (handed to the
 * SMTP server; committed before the first byte goes out) -> sent, or back
 * to pending (temporary failure), or failed (5xx, or max_attempts), or
 * uncertain (the server may have accepted it but its answer never came:
 * consultd died or the connection broke after the whole message went out).
 * An uncertain receipt is never sent again automatically: a respondent
 * gets at most one receipt, at the price of possibly none.
 *
 * Everything here runs on the loop thread with the daemon's connection.
 */
#ifndef CONSULTD_OUTBOX_H
#define CONSULTD_OUTBOX_H

#include "config/config.h"
#include "intake/response.h"
#include "storage/storage.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Why r gets no receipt, or NULL when it gets one: not a counted response
 * (auto-reply, bounce, list, quarantined), late with `late = no`, no
 * address, an address that cannot be written safely, or one that matches
 * a no-reply pattern (built in: noreply, no-reply, do-not-reply,
 * donotreply, mailer-daemon, postmaster, bounce(s), and the configured
 * ones), or consultd's own From address.
 */
const char *outbox_suppress_reason(const struct receipts_config *rc, const struct response *r);

/*
 * consultd's own receipt coming back without the headers that mark it
 * (Auto-Submitted, Precedence: a relay or a client dropped them), known by
 * its Message-ID in message_id_domain: when r would be counted, make it an
 * auto-reply with that reason and return true. Call before storing r.
 */
bool outbox_mark_own_receipt(const struct receipts_config *rc, struct response *r);

/*
 * Decide response_id's receipt, just after r was newly stored, inside the
 * same transaction: a pending row with the whole message, or a suppressed
 * row with the reason. Nothing when receipts are off or the response
 * already has a row. 0, or -1 (storage_errmsg says why; roll back).
 */
int outbox_enqueue_receipt(struct storage *st, const struct receipts_config *rc,
			   const char *consultation, int64_t response_id,
			   const struct response *r, int64_t now);

/* ---- for the sender ---- */

struct outbox_item {
	int64_t id;
	int64_t response_id;
	char *recipient;
	char *message;      /* RFC 5322, CRLF */
	int attempts;       /* including the one just claimed */
};
void outbox_item_clear(struct outbox_item *it);

/* At start: rows left 'sending' by a consultd that stopped mid-submission
 * become 'uncertain'. *n says how many. Own transaction. */
int outbox_recover(struct storage *st, int64_t now, int64_t *n);

/* The earliest next_attempt_at of a pending row; *any false when none. */
int outbox_next_due(struct storage *st, int64_t *at, bool *any);

/* Claim the most overdue pending row due by now: mark it 'sending' with
 * one more attempt and commit, then fill it. *found false when none. */
int outbox_claim(struct storage *st, int64_t now, struct outbox_item *it, bool *found);

int outbox_mark_sent(struct storage *st, int64_t id, int64_t now);
int outbox_mark_retry(struct storage *st, int64_t id, int64_t next_at, const char *error);
int outbox_mark_final(struct storage *st, int64_t id, const char *state, const char *error);

struct outbox_stats {
	int64_t pending, sending, sent, failed, suppressed, uncertain;
	int64_t oldest_pending_at;  /* created_at of the oldest pending, 0 when none */
};
int outbox_stats(struct storage *st, struct outbox_stats *out);

#endif
