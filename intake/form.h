/*
 * form.h — polls a form provider's responses endpoint from the loop.
 *
 * Everything runs on the loop thread; HTTP goes through curl_loop, so
 * nothing blocks. One poll fetches pages until the provider says there are
 * no more (typeform: a page shorter than page_size, paging with `after`;
 * google-forms: no nextPageToken, with `filter=timestamp >= T`; generic: no
 * next cursor). Each page is mapped (form_map.h) and handed to on_page with
 * the cursor that covers it; the owner stores both in one transaction, so
 * the cursor never runs ahead of what is stored. Then the next page is
 * fetched, at most one request per rate_ms.
 *
 * Failures: a transport error, timeout, over-long body, HTTP error or a
 * malformed page is reported through on_error and the same request is
 * tried again after an exponential backoff with jitter (1 s doubling to
 * 5 min); HTTP 429 and 503 wait for Retry-After instead. 304 (the stored
 * ETag sent as If-None-Match still matches) ends the poll: nothing new.
 * The bearer token is read from token_file for every poll, so a rotated
 * token is picked up without a restart.
 */
#ifndef CONSULTD_FORM_H
#define CONSULTD_FORM_H

#include "config/form_config.h"
#include "intake/form_map.h"
#include "net/curl_loop.h"
#include "storage/storage.h"

#include <uv.h>

struct form_poller;

struct form_poller_callbacks {
	/*
	 * A page was fetched: store page's items and *state (the cursor after
	 * this page) in one transaction. Return 0 when committed; anything
	 * else stops the poller (the owner decides what next). The page and
	 * state stay the poller's.
	 */
	int (*on_page)(void *user, struct form_page *page, const struct storage_form_state *state);
	void (*on_polled)(void *user);                  /* a poll came to its end */
	void (*on_error)(void *user, const char *message);
	void (*on_sweep_done)(void *user);              /* the poll asked for by form_poller_sweep ended */
};

/*
 * Start polling now, from *initial (copied). cfg is borrowed (see
 * form_poller_set_config); opens is the earliest submission time asked
 * for. 0, or -1 on out of memory.
 */
int form_poller_start(uv_loop_t *loop, struct curl_loop *cl, const struct form_config *cfg,
		      const struct storage_form_state *initial, int64_t opens,
		      const struct form_poller_callbacks *cb, void *user, struct form_poller **out);

/* Point at an identical config (after a reload freed the old copy). */
void form_poller_set_config(struct form_poller *fp, const struct form_config *cfg);

/* Poll once more from now (after the poll under way, if any), then call
 * on_sweep_done: the final sweep. */
void form_poller_sweep(struct form_poller *fp);

/* Stop: the transfer under way is dropped (its page was not stored, so
 * the next run fetches it again), memory is freed once the loop has
 * closed the timer. Accepts NULL. */
void form_poller_stop(struct form_poller *fp);

/*
 * For consultd --check-connection only (it blocks): ask for the first page
 * as a poll would, and say in info what came back. 0 when the page was
 * fetched and read, else -1.
 */
int form_check(const struct form_config *cfg, int64_t opens, char *info, size_t len);

#endif
