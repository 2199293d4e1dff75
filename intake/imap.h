/*
 * imap.h — the IMAP intake worker.
 *
 * Thread model: libetpan is blocking, so each mailbox gets one worker
 * thread that alone owns its mailimap session (connect, TLS, login,
 * select, search, fetch, flag). It hands each bounded batch of raw mail to
 * the loop (locked queue + uv_async_send) and goes on fetching the next
 * one; the batch is parsed (GMime) and classified on the worker's parse
 * threads (workq.h, fed by the worker itself so parsing never waits for the
 * loop), and the loop stores batches strictly in fetch order, one
 * transaction each. Only once the loop says a batch was committed does the worker set
 * \Seen on those messages (stored before acknowledged), between fetches.
 * At most a few batches (and about LIMIT_BATCH_BYTES of raw mail) are in
 * flight at once. A batch that was not committed is never flagged, nor is
 * any later batch of that session stored; they are fetched again after a
 * reconnect or restart, and the idempotency key keeps that from making
 * duplicates.
 *
 * Which messages are fetched never depends on \Seen: the worker asks for
 * every UID above the highest stored one, and rescans from UID 1 when the
 * mailbox's UIDVALIDITY differs from the stored one.
 *
 * When the server goes away the session is dropped (never reused after an
 * error) and the worker reconnects with exponential backoff and jitter,
 * logging why.
 */
#ifndef CONSULTD_IMAP_H
#define CONSULTD_IMAP_H

#include "classify/themes.h"
#include "config/config.h"
#include "response.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct imap_fetched {
	uint32_t uid;
	struct response r;      /* normalised and classified; late not yet set */
};

/* One bounded batch, owned by the loop from on_batch until imap_worker_ack. */
struct imap_batch {
	uint32_t uidvalidity;
	uint32_t highest_uid;   /* highest UID in items */
	struct imap_fetched *items;
	size_t n;
	bool stored;            /* set by imap_worker_ack */
	/* The worker's bookkeeping: its session, and the raw bytes counted
	 * against its in-flight bound. */
	unsigned generation;
	uint64_t raw_bytes;
	struct imap_batch *next;
};

struct imap_worker_callbacks {
	/* A batch to store: the loop must call imap_worker_ack(b) exactly once. */
	void (*on_batch)(void *user, struct imap_batch *b);
	/* A sweep asked for with imap_worker_sweep has searched the whole
	 * mailbox and every batch it found has been acknowledged. */
	void (*on_sweep_done)(void *user);
	/* A pass over the mailbox went well. */
	void (*on_polled)(void *user);
	/* Something went wrong (already logged); message is borrowed. */
	void (*on_error)(void *user, const char *message);
	/* What the server holds up to `upto`, the worker's stored cursor, for
	 * reconciliation (at most once a minute, and on a sweep). uids is
	 * ascending and borrowed for the call. */
	void (*on_reconcile)(void *user, uint32_t uidvalidity, uint32_t upto,
			     const uint32_t *uids, size_t n);
};

struct imap_worker;

/*
 * Start the worker thread for cfg (copied; cfg may be freed after). The
 * source name keys the stored intake state; uidvalidity/last_uid are what
 * the store holds for it (zeros when new). ts is borrowed and must outlive
 * the worker. Callbacks run on the loop thread. Returns 0 or -1.
 */
int imap_worker_start(uv_loop_t *loop, const struct imap_config *cfg,
		      const struct theme_set *ts, uint32_t uidvalidity, uint32_t last_uid,
		      const struct imap_worker_callbacks *cb, void *user,
		      struct imap_worker **out);

/* The loop stored (or failed to store) b; the worker flags and frees it. */
void imap_worker_ack(struct imap_worker *w, struct imap_batch *b, bool stored);

/* Classify from now on with ts (borrowed; must outlive the worker). */
void imap_worker_set_themes(struct imap_worker *w, const struct theme_set *ts);

/*
 * Whether the worker has been in the middle of talking to the server for
 * longer than limit_ns without progress (a hung libetpan call: the
 * watchdog then stops, and systemd restarts consultd). Waiting in IDLE or
 * between polls is not "stuck".
 */
bool imap_worker_stuck(struct imap_worker *w, uint64_t limit_ns);

/* Poll now, and call on_sweep_done once a full pass has completed. */
void imap_worker_sweep(struct imap_worker *w);

/*
 * Stop the worker: it finishes the command in flight, and leaves unflagged
 * whatever the loop has not acknowledged (batches still being parsed are
 * dropped when their parse ends). Blocks until the thread has ended
 * (bounded by the network timeout), closes the async handle, and frees w
 * once the loop has run the close callback and no parse is left. Call on
 * the loop; on_batch is not called after it.
 */
void imap_worker_stop(struct imap_worker *w);

/*
 * Connect, verify the server's certificate, log in and select the mailbox
 * exactly as the worker does, then log out: for `consultd
 * --check-connection`. Blocking; never call it on the loop. Returns 0 and
 * a one-line description of the mailbox in info, or -1 when any step
 * failed (the reason has been logged).
 */
int imap_check(const struct imap_config *cfg, char *info, size_t len);

/* "imap:user@host/mailbox", the key of the intake state; caller frees. */
char *imap_source_name(const struct imap_config *cfg);

#endif
