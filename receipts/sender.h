/*
 * sender.h — sends the outbox's receipts by SMTP from the libuv loop.
 *
 * One submission at a time, through libcurl's multi-socket interface
 * (net/curl_loop.h), so the loop never waits on the network. Before a
 * receipt is handed to the server its row is marked 'sending' and
 * committed (outbox_claim); afterwards it is marked sent, scheduled again
 * (temporary failure: a 4xx reply or a network error before the whole
 * message went out; exponential backoff from retry_base, doubled each
 * attempt, capped at 6 h, with ±25 % jitter; a refused login and a TLS
 * failure count as temporary too), failed (a 5xx reply, or max_attempts
 * reached) or uncertain (the whole message went out but the
 * server's answer never came). A token bucket of one token, refilled at
 * `rate` a minute, spaces submissions evenly.
 *
 * The password is read from its file at every submission and wiped.
 * Everything here runs on the loop thread.
 */
#ifndef CONSULTD_RECEIPT_SENDER_H
#define CONSULTD_RECEIPT_SENDER_H

#include "config/config.h"
#include "net/curl_loop.h"
#include "storage/storage.h"

#include <uv.h>

struct receipt_sender;

/*
 * Start sending with rc (borrowed: it must outlive the sender, or be
 * replaced with receipt_sender_set_config). Rows left 'sending' by an
 * earlier run become 'uncertain' first. 0, or -1 with the reason in err.
 */
int receipt_sender_start(uv_loop_t *loop, struct storage *st, const struct receipts_config *rc,
			 struct receipt_sender **out, char *err, size_t errlen);

/* New receipts were committed: look at the outbox now (when the bucket
 * allows). */
void receipt_sender_kick(struct receipt_sender *s);

/* Use rc from now on (after a reload); a submission in flight finishes
 * with the settings it started with. */
void receipt_sender_set_config(struct receipt_sender *s, const struct receipts_config *rc);

/*
 * Stop: a submission in flight is abandoned and its receipt marked
 * 'uncertain' (the server may have taken it). The handles close
 * asynchronously: the loop must run on for the memory to be freed.
 * Accepts NULL.
 */
void receipt_sender_stop(struct receipt_sender *s);

#endif
