/*
 * consultd — collects a consultation's responses while its window is open.
 *
 * The loop thread owns the state and the single write connection to the
 * store. The IMAP worker (intake/imap.h) fetches, parses and classifies on
 * its own thread and hands bounded batches here; each batch is stored in
 * one transaction together with the mailbox cursor, and only then is the
 * worker told to flag it. A window timer starts intake at `opens` and
 * asks for a final sweep at `closes + grace`; the closing summary is then
 * written on a libuv work thread with its own read-only connection.
 */
#include "classify/classify.h"
#include "classify/areas.h"
#include "classify/campaign.h"
#include "classify/themes.h"
#include "config/config.h"
#include "config/log.h"
#include "daemon/window.h"
#include "intake/form.h"
#include "intake/imap.h"
#include "intake/mime.h"
#include "receipts/outbox.h"
#include "receipts/sender.h"
#include "net/curl_loop.h"
#include "report/report.h"
#include "storage/storage.h"
#include "version.h"

#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

/* How long the final sweep may take before the summary is written anyway. */
#define SWEEP_TIMEOUT_MS (5 * 60 * 1000)

enum phase { PHASE_WAITING, PHASE_COLLECTING, PHASE_SWEEPING, PHASE_REPORTING, PHASE_DONE };

struct daemon;

/* One mailbox and its worker. */
struct source {
	struct daemon *d;
	const struct imap_config *cfg;  /* borrowed from d->cfg */
	char *key;                  /* intake state key, "imap:user@host/mailbox" */
	uint32_t uidvalidity;       /* the stored cursor, as last committed */
	uint32_t last_uid;
	struct imap_worker *worker;
	bool swept;                 /* the final sweep has been done */
};

/* One web form and its poller (on the loop). */
struct form_source {
	struct daemon *d;
	const struct form_config *cfg;  /* borrowed from d->cfg */
	char key[600];              /* intake state key, "form:<form id>" */
	struct storage_form_state state; /* the stored cursor, read at start */
	struct form_poller *poller;
	bool swept;
};

struct daemon {
	uv_loop_t *loop;
	struct config *cfg;
	struct theme_set *themes;
	struct storage *store;
	struct receipt_sender *sender; /* NULL unless [receipts] is on */
	struct source sources[CONFIG_MAX_MAILBOXES];
	size_t n_sources;
	struct form_source forms[CONFIG_MAX_FORMS];
	size_t n_forms;
	struct curl_loop *curl;     /* HTTP for the form pollers, made on first use */
	enum phase phase;
	uv_timer_t window_timer;
	uv_timer_t sweep_timer;
	uv_timer_t watchdog_timer;
	uv_timer_t purge_timer;
	uint64_t watchdog_usec;     /* from systemd's WATCHDOG_USEC, 0 when off */
	const char *config_path;
	struct theme_set *retired[64]; /* theme sets replaced by reloads: a worker
					* may still classify with one, so they
					* live until exit */
	size_t n_retired;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_work_t report_work;
	bool report_running;
	char report_path[4096];
	char report_err[512];
	int report_rc;
	int exit_code;
	bool stopping;
	int64_t stored, duplicates;
};

static int64_t now_seconds(void)
{
	return (int64_t)time(NULL);
}

static void notify_status(struct daemon *d)
{
	char status[256];
	enum window_state ws = window_state_at(d->cfg, now_seconds());
	snprintf(status, sizeof(status), "STATUS=window %s; %lld stored, %lld duplicates skipped",
		 window_state_name(ws), (long long)d->stored, (long long)d->duplicates);
	sd_notify(0, status);
}

static void shutdown_daemon(struct daemon *d, int code);
static void stop_intake(struct daemon *d);
static void on_window_timer(uv_timer_t *t);
static void on_purge_timer(uv_timer_t *t);
static void purge_all(struct daemon *d);
static int load_all(const char *path, struct config **cfg, struct theme_set **themes,
		    char *err, size_t errlen);
static void log_lines(const char *event, const char *text);

/* ---- storing what the worker fetched -------------------------------- */

/* Store one response of any channel, inside the caller's transaction,
 * with its receipt when it is new (the outbox row commits with it). */
static int store_one(struct daemon *d, struct response *r, int64_t now, bool *inserted, int64_t *id)
{
	r->late = window_is_late(d->cfg, r->received_at);
	outbox_mark_own_receipt(&d->cfg->receipts, r);
	if (storage_insert_response(d->store, r, now, inserted, id) != 0)
		return -1;
	if (*inserted &&
	    outbox_enqueue_receipt(d->store, &d->cfg->receipts, d->cfg->name, *id, r, now) != 0)
		return -1;
	return 0;
}

static void on_batch(void *user, struct imap_batch *b)
{
	struct source *src = user;
	struct daemon *d = src->d;
	int64_t now = now_seconds();
	size_t added = 0, dups = 0;
	bool ok = storage_begin(d->store) == 0;
	for (size_t i = 0; ok && i < b->n; i++) {
		struct response *r = &b->items[i].r;
		bool inserted;
		int64_t id;
		if (store_one(d, r, now, &inserted, &id) != 0 ||
		    storage_record_uid(d->store, src->key, b->uidvalidity, b->items[i].uid, id) != 0) {
			ok = false;
			break;
		}
		if (inserted) {
			added++;
			log_debug("uid=%u status=%s late=%d themes=%zu event=stored", (unsigned)b->items[i].uid,
				  response_status_name(r->status), r->late, r->n_themes);
		} else {
			dups++;
		}
	}
	uint32_t last = b->uidvalidity == src->uidvalidity && src->last_uid > b->highest_uid
				? src->last_uid : b->highest_uid;
	if (ok)
		ok = storage_set_imap_state(d->store, src->key, b->uidvalidity, last, now) == 0;
	if (ok)
		ok = storage_commit(d->store) == 0;
	if (!ok) {
		log_err("source=%s reason=\"storing a batch of %zu: %s\" action=stop", src->key, b->n,
			storage_errmsg(d->store));
		storage_rollback(d->store);
		imap_worker_ack(src->worker, b, false);
		shutdown_daemon(d, 1);
		return;
	}
	src->uidvalidity = b->uidvalidity;
	src->last_uid = last;
	d->stored += (int64_t)added;
	d->duplicates += (int64_t)dups;
	log_info("source=%s event=batch-stored stored=%zu duplicates=%zu highest_uid=%u total=%lld",
		 src->key, added, dups, (unsigned)b->highest_uid, (long long)d->stored);
	imap_worker_ack(src->worker, b, true);
	if (added > 0)
		receipt_sender_kick(d->sender);
	notify_status(d);
}

static void on_polled(void *user)
{
	struct source *src = user;
	if (storage_note_poll(src->d->store, src->key, now_seconds()) != 0)
		log_warn("source=%s reason=\"noting the poll: %s\"", src->key,
			 storage_errmsg(src->d->store));
}

static void on_error(void *user, const char *message)
{
	struct source *src = user;
	if (storage_note_error(src->d->store, src->key, now_seconds(), message) != 0)
		log_warn("source=%s reason=\"noting an error: %s\"", src->key,
			 storage_errmsg(src->d->store));
}

/* Compare what the server holds with what is stored, and say so. */
static void on_reconcile(void *user, uint32_t uidvalidity, uint32_t upto, const uint32_t *uids,
			 size_t n)
{
	struct source *src = user;
	uint32_t *missing;
	size_t n_missing;
	int64_t gone;
	if (storage_reconcile(src->d->store, src->key, uidvalidity, uids, n, upto, now_seconds(),
			      &missing, &n_missing, &gone) != 0) {
		log_warn("source=%s reason=\"reconcile: %s\"", src->key, storage_errmsg(src->d->store));
		return;
	}
	if (n_missing > 0) {
		/* Should never happen: say exactly which, so it can be chased. */
		char list[512];
		size_t used = 0;
		for (size_t i = 0; i < n_missing && used < sizeof(list) - 12; i++)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%u", i ? "," : "",
						 (unsigned)missing[i]);
		log_warn("source=%s event=reconcile server=%zu missing=%zu gone=%lld uids=%s%s", src->key,
			 n, n_missing, (long long)gone, list, n_missing > 40 ? ",..." : "");
	} else {
		log_debug("source=%s event=reconcile server=%zu missing=0 gone=%lld", src->key, n,
			  (long long)gone);
	}
	free(missing);
}

/* ---- the closing summary -------------------------------------------- */

static void report_work_cb(uv_work_t *req)
{
	struct daemon *d = req->data;
	/* Campaigns as of the close, on this thread's own connection; the
	 * summary is still written if this fails. */
	struct storage *st;
	char err[512];
	size_t nc = 0, nd = 0;
	if (storage_open(d->cfg->storage_path, STORAGE_READ_WRITE, &st, err, sizeof(err)) != 0) {
		log_err("event=campaigns reason=\"%s\"", err);
	} else {
		if (campaigns_recompute(st, d->themes, &nc, &nd) != 0)
			log_err("event=campaigns reason=\"%s\"", storage_errmsg(st));
		else
			log_info("event=campaigns campaigns=%zu resubmissions=%zu", nc, nd);
		storage_close(st);
	}
	d->report_rc = report_write_closing(d->cfg, d->themes, now_seconds(), d->report_path,
					    sizeof(d->report_path), d->report_err,
					    sizeof(d->report_err));
}

static void report_done_cb(uv_work_t *req, int status)
{
	struct daemon *d = req->data;
	d->report_running = false;
	if (status != 0 || d->report_rc != 0) {
		log_err("event=closing-summary reason=\"%s\"", d->report_err);
		d->exit_code = 1;
	} else {
		log_info("event=closing-summary path=%s", d->report_path);
		char msg[4200];
		snprintf(msg, sizeof(msg), "STATUS=closed; closing summary written to %s", d->report_path);
		sd_notify(0, msg);
	}
	d->phase = PHASE_DONE;
	if (d->stopping || d->exit_code != 0) {
		shutdown_daemon(d, d->exit_code);
	} else if (d->cfg->on_close == ON_CLOSE_EXIT) {
		purge_all(d); /* retention already due: do it before going */
		shutdown_daemon(d, d->exit_code);
	} else {
		on_purge_timer(&d->purge_timer);
	}
}

static void write_closing_summary(struct daemon *d)
{
	if (d->phase >= PHASE_REPORTING)
		return;
	d->phase = PHASE_REPORTING;
	uv_timer_stop(&d->sweep_timer);
	/* Intake is over: the workers' sessions are no longer needed. */
	stop_intake(d);
	d->report_work.data = d;
	d->report_running = true;
	uv_queue_work(d->loop, &d->report_work, report_work_cb, report_done_cb);
}

/* Every mailbox and form has had its final sweep: write the summary. */
static void check_swept(struct daemon *d)
{
	for (size_t i = 0; i < d->n_sources; i++)
		if (!d->sources[i].swept)
			return;
	for (size_t i = 0; i < d->n_forms; i++)
		if (!d->forms[i].swept)
			return;
	log_info("event=final-sweep-done stored=%lld", (long long)d->stored);
	write_closing_summary(d);
}

static void on_sweep_done(void *user)
{
	struct source *src = user;
	struct daemon *d = src->d;
	if (d->phase != PHASE_SWEEPING || src->swept)
		return;
	src->swept = true;
	log_info("source=%s event=final-sweep-done", src->key);
	check_swept(d);
}

/* ---- web forms -------------------------------------------------------- */

/*
 * One page of a form: every item classified and stored, with the cursor
 * after the page, in one transaction. An item already stored is skipped,
 * unless the provider says it was edited since (a new lastSubmittedTime):
 * then it is updated in place and the edit recorded.
 */
static int on_form_page(void *user, struct form_page *page, const struct storage_form_state *state)
{
	struct form_source *fs = user;
	struct daemon *d = fs->d;
	int64_t now = now_seconds();
	uint64_t t0 = uv_hrtime();
	size_t added = 0, dups = 0, edits = 0;
	bool ok = storage_begin(d->store) == 0;
	for (size_t i = 0; ok && i < page->n; i++) {
		struct form_item *it = &page->items[i];
		struct response *r = &it->r;
		bool inserted, edited = false;
		int64_t id;
		if (r->status == STATUS_RESPONSE && classify_response(d->themes, r) != 0) {
			ok = false;
			break;
		}
		if (store_one(d, r, now, &inserted, &id) != 0 ||
		    (it->version != NULL && r->status == STATUS_RESPONSE &&
		     storage_form_version(d->store, id, it->version, r, inserted, now, &edited) != 0)) {
			ok = false;
			break;
		}
		if (inserted) {
			added++;
			log_debug("source=%s item=%s status=%s late=%d themes=%zu event=stored", fs->key,
				  it->response_id != NULL ? it->response_id : "-",
				  response_status_name(r->status), r->late, r->n_themes);
			if (r->status == STATUS_QUARANTINED)
				log_warn("source=%s item=%s event=quarantined reason=\"%s\"", fs->key,
					 it->response_id != NULL ? it->response_id : "-", r->status_reason);
		} else if (edited) {
			edits++;
			log_info("source=%s item=%s event=edited version=%s", fs->key, it->response_id,
				 it->version);
		} else {
			dups++;
		}
	}
	if (ok)
		ok = storage_set_form_state(d->store, fs->key, state, now) == 0;
	if (ok)
		ok = storage_commit(d->store) == 0;
	if (!ok) {
		log_err("source=%s reason=\"storing a page of %zu: %s\" action=stop", fs->key, page->n,
			storage_errmsg(d->store));
		storage_rollback(d->store);
		shutdown_daemon(d, 1);
		return -1;
	}
	d->stored += (int64_t)added;
	d->duplicates += (int64_t)dups;
	log_info("source=%s event=page-stored stored=%zu quarantined=%zu edited=%zu duplicates=%zu total=%lld ms=%llu",
		 fs->key, added, page->n_bad, edits, dups, (long long)d->stored,
		 (unsigned long long)((uv_hrtime() - t0) / 1000000));
	/* The sender sleeps while its outbox is empty: wake it for the new rows. */
	if (added > 0)
		receipt_sender_kick(d->sender);
	notify_status(d);
	return 0;
}

static void on_form_polled(void *user)
{
	struct form_source *fs = user;
	if (storage_note_poll(fs->d->store, fs->key, now_seconds()) != 0)
		log_warn("source=%s reason=\"noting the poll: %s\"", fs->key, storage_errmsg(fs->d->store));
}

static void on_form_error(void *user, const char *message)
{
	struct form_source *fs = user;
	log_warn("source=%s reason=\"%s\" action=retry", fs->key, message);
	if (storage_note_error(fs->d->store, fs->key, now_seconds(), message) != 0)
		log_warn("source=%s reason=\"noting an error: %s\"", fs->key, storage_errmsg(fs->d->store));
}

static void on_form_sweep_done(void *user)
{
	struct form_source *fs = user;
	struct daemon *d = fs->d;
	if (d->phase != PHASE_SWEEPING || fs->swept)
		return;
	fs->swept = true;
	log_info("source=%s event=final-sweep-done", fs->key);
	check_swept(d);
}

static void on_sweep_timeout(uv_timer_t *t)
{
	struct daemon *d = t->data;
	log_warn("event=final-sweep reason=\"not finished after %d s; writing the summary from what is stored\"",
		 SWEEP_TIMEOUT_MS / 1000);
	write_closing_summary(d);
}

/* ---- the window ------------------------------------------------------ */

/* One source per configured mailbox, with its stored cursor. */
static int setup_sources(struct daemon *d)
{
	for (size_t i = 0; i < d->cfg->n_imap; i++) {
		struct source *src = &d->sources[d->n_sources++];
		memset(src, 0, sizeof(*src));
		src->d = d;
		src->cfg = &d->cfg->imap[i];
		src->key = imap_source_name(src->cfg);
		if (src->key == NULL ||
		    storage_get_imap_state(d->store, src->key, &src->uidvalidity, &src->last_uid) != 0) {
			log_err("event=start reason=\"reading intake state: %s\"", storage_errmsg(d->store));
			return -1;
		}
	}
	return 0;
}

static void free_sources(struct daemon *d)
{
	for (size_t i = 0; i < d->n_sources; i++)
		free(d->sources[i].key);
	d->n_sources = 0;
}

/* One form source per [form] section, with its stored cursor. */
static int setup_forms(struct daemon *d)
{
	for (size_t i = 0; i < d->cfg->n_form; i++) {
		struct form_source *fs = &d->forms[d->n_forms++];
		memset(fs, 0, sizeof(*fs));
		fs->d = d;
		fs->cfg = &d->cfg->form[i];
		snprintf(fs->key, sizeof(fs->key), "form:%.500s", fs->cfg->form_id);
		if (storage_get_form_state(d->store, fs->key, &fs->state) != 0) {
			log_err("event=start reason=\"reading form state: %s\"", storage_errmsg(d->store));
			return -1;
		}
	}
	return 0;
}

static void free_forms(struct daemon *d)
{
	for (size_t i = 0; i < d->n_forms; i++) {
		form_poller_stop(d->forms[i].poller);
		storage_form_state_clear(&d->forms[i].state);
	}
	d->n_forms = 0;
}

static int start_forms(struct daemon *d)
{
	static const struct form_poller_callbacks cb = {
		.on_page = on_form_page, .on_polled = on_form_polled, .on_error = on_form_error,
		.on_sweep_done = on_form_sweep_done,
	};
	if (d->n_forms > 0 && d->curl == NULL && curl_loop_new(d->loop, &d->curl) != 0) {
		log_err("event=start reason=\"cannot set up libcurl\"");
		return -1;
	}
	for (size_t i = 0; i < d->n_forms; i++) {
		struct form_source *fs = &d->forms[i];
		if (fs->poller != NULL)
			continue;
		/* The stored cursor, read again: pages stored since setup count. */
		storage_form_state_clear(&fs->state);
		if (storage_get_form_state(d->store, fs->key, &fs->state) != 0 ||
		    form_poller_start(d->loop, d->curl, fs->cfg, &fs->state, d->cfg->opens, &cb, fs,
				      &fs->poller) != 0) {
			log_err("source=%s reason=\"cannot start intake\"", fs->key);
			return -1;
		}
		log_info("source=%s event=intake-started preset=%s", fs->key,
			 form_preset_name(fs->cfg->preset));
	}
	return 0;
}

static void stop_forms(struct daemon *d)
{
	for (size_t i = 0; i < d->n_forms; i++) {
		form_poller_stop(d->forms[i].poller);
		d->forms[i].poller = NULL;
	}
}

static int start_intake(struct daemon *d)
{
	static const struct imap_worker_callbacks cb = {
		.on_batch = on_batch, .on_sweep_done = on_sweep_done, .on_polled = on_polled,
		.on_error = on_error, .on_reconcile = on_reconcile,
	};
	for (size_t i = 0; i < d->n_sources; i++) {
		struct source *src = &d->sources[i];
		if (src->worker != NULL)
			continue;
		if (imap_worker_start(d->loop, src->cfg, d->themes, src->uidvalidity, src->last_uid,
				      &cb, src, &src->worker) != 0) {
			log_err("source=%s reason=\"cannot start intake\"", src->key);
			return -1;
		}
		log_info("source=%s event=intake-started", src->key);
	}
	return start_forms(d);
}

static void stop_intake(struct daemon *d)
{
	for (size_t i = 0; i < d->n_sources; i++) {
		imap_worker_stop(d->sources[i].worker);
		d->sources[i].worker = NULL;
	}
	stop_forms(d);
}

static void on_window_timer(uv_timer_t *t)
{
	struct daemon *d = t->data;
	int64_t now = now_seconds();
	enum window_state ws = window_state_at(d->cfg, now);
	if (d->phase == PHASE_WAITING && ws != WINDOW_BEFORE) {
		log_info("event=window-open");
		if (start_intake(d) != 0) {
			shutdown_daemon(d, 1);
			return;
		}
		d->phase = PHASE_COLLECTING;
	}
	if (d->phase == PHASE_COLLECTING && ws == WINDOW_CLOSED) {
		d->phase = PHASE_SWEEPING;
		log_info("event=window-closed action=final-sweep");
		if (d->n_sources + d->n_forms > 0) {
			for (size_t i = 0; i < d->n_sources; i++)
				imap_worker_sweep(d->sources[i].worker);
			for (size_t i = 0; i < d->n_forms; i++)
				form_poller_sweep(d->forms[i].poller);
			uv_timer_start(&d->sweep_timer, on_sweep_timeout, SWEEP_TIMEOUT_MS, 0);
		} else {
			write_closing_summary(d);
		}
	}
	notify_status(d);
	int64_t next = window_next_change(d->cfg, now);
	if (next >= 0) {
		/* Re-check at least hourly so a changed clock is noticed. */
		uint64_t ms = (uint64_t)(next > 3600 ? 3600 : next) * 1000 + 200;
		uv_timer_start(&d->window_timer, on_window_timer, ms, 0);
	}
}

/* ---- retention -------------------------------------------------------- */

/*
 * [storage] retention: once the closing summary is written and the due
 * time (window_purge_at) has passed, raw mail and attachment bytes are
 * deleted on the loop's own connection, in batches short enough to keep
 * the loop (and the watchdog) turning. Checked hourly, so a retention set
 * by a reload or a clock change is noticed.
 */
#define PURGE_BATCH 500
#define PURGE_CHECK_MS (3600 * 1000)

/* One batch when due; 1 when more is left, 0 when done or not due, -1 on error. */
static int purge_batch(struct daemon *d)
{
	int64_t now = now_seconds(), at = window_purge_at(d->cfg);
	if (at < 0 || now < at || d->phase != PHASE_DONE)
		return 0;
	int64_t raw, blobs;
	if (storage_purge(d->store, now, PURGE_BATCH, &raw, &blobs) != 0) {
		log_err("event=retention-purge reason=\"%s\"", storage_errmsg(d->store));
		return -1;
	}
	if (raw > 0 || blobs > 0)
		log_info("event=retention-purge raw_sources=%lld attachment_blobs=%lld",
			 (long long)raw, (long long)blobs);
	return raw == PURGE_BATCH || blobs == PURGE_BATCH ? 1 : 0;
}

static void on_purge_timer(uv_timer_t *t)
{
	struct daemon *d = t->data;
	uint64_t next_ms = PURGE_CHECK_MS;
	int64_t now = now_seconds(), at = window_purge_at(d->cfg);
	if (purge_batch(d) > 0)
		next_ms = 10; /* let the loop breathe, then the next batch */
	else if (at > now && at - now < PURGE_CHECK_MS / 1000)
		next_ms = (uint64_t)(at - now) * 1000 + 200;
	if (!d->stopping)
		uv_timer_start(&d->purge_timer, on_purge_timer, next_ms, 0);
}

static void purge_all(struct daemon *d)
{
	while (purge_batch(d) > 0)
		;
}

/* ---- watchdog --------------------------------------------------------- */

/*
 * A worker stuck inside a server command far longer than its timeout (the
 * libetpan hangs of TECH-NOTES) cannot be stopped or joined. Everything
 * stored is committed (the loop commits synchronously), so consultd exits
 * at once with EX_TEMPFAIL; systemd's Restart=on-failure starts it again
 * and the new run fetches whatever was not acknowledged. Under systemd,
 * WATCHDOG=1 also proves that the loop itself turns.
 */
#define STUCK_CHECK_MS 15000

static void on_watchdog(uv_timer_t *t)
{
	struct daemon *d = t->data;
	for (size_t i = 0; i < d->n_sources; i++) {
		struct source *src = &d->sources[i];
		int limit_s = src->cfg->timeout * 4 > 60 ? src->cfg->timeout * 4 : 60;
		if (src->worker != NULL &&
		    imap_worker_stuck(src->worker, (uint64_t)limit_s * 1000000000u)) {
			log_err("source=%s reason=\"IMAP worker stuck in a server command for over %d s\" "
				"action=\"exit; everything stored is committed\"", src->key, limit_s);
			sd_notify(0, "STOPPING=1");
			storage_close(d->store);
			_exit(75);
		}
	}
	if (d->watchdog_usec > 0)
		sd_notify(0, "WATCHDOG=1");
}

/* ---- signals and shutdown ------------------------------------------- */

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void shutdown_daemon(struct daemon *d, int code)
{
	if (code != 0)
		d->exit_code = code;
	d->stopping = true;
	sd_notify(0, "STOPPING=1");
	stop_intake(d);
	receipt_sender_stop(d->sender);
	d->sender = NULL;
	curl_loop_close(d->curl);
	d->curl = NULL;
	uv_timer_stop(&d->window_timer);
	uv_timer_stop(&d->sweep_timer);
	uv_timer_stop(&d->watchdog_timer);
	uv_timer_stop(&d->purge_timer);
	uv_signal_stop(&d->sig_term);
	uv_signal_stop(&d->sig_int);
	uv_signal_stop(&d->sig_hup);
	/* A report in progress finishes (its done callback runs); the loop then
	 * has nothing left and returns. */
	if (!d->report_running)
		uv_walk(d->loop, close_walk_cb, NULL);
}

static bool same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_mailboxes(const struct config *a, const struct config *b)
{
	if (a->n_imap != b->n_imap)
		return false;
	for (size_t i = 0; i < a->n_imap; i++) {
		const struct imap_config *x = &a->imap[i], *y = &b->imap[i];
		if (!same_string(x->section, y->section) || !same_string(x->host, y->host) ||
		    x->port != y->port || x->tls != y->tls || !same_string(x->ca_file, y->ca_file) ||
		    !same_string(x->user, y->user) || x->auth != y->auth ||
		    !same_string(x->password_file, y->password_file) ||
		    !same_string(x->mailbox, y->mailbox) ||
		    !same_string(x->processed_mailbox, y->processed_mailbox) || x->idle != y->idle ||
		    x->poll_interval != y->poll_interval || x->timeout != y->timeout)
			return false;
	}
	return true;
}

/* Start, retarget or stop the receipt sender to match d->cfg. */
static int update_sender(struct daemon *d)
{
	if (!d->cfg->receipts.enabled) {
		receipt_sender_stop(d->sender);
		d->sender = NULL;
		return 0;
	}
	if (d->sender != NULL) {
		receipt_sender_set_config(d->sender, &d->cfg->receipts);
		receipt_sender_kick(d->sender);
		return 0;
	}
	char err[512];
	if (receipt_sender_start(d->loop, d->store, &d->cfg->receipts, &d->sender, err, sizeof(err)) != 0) {
		log_err("event=receipts reason=\"%s\"", err);
		return -1;
	}
	log_info("event=receipts-started smtp=%s:%d rate=%d", d->cfg->receipts.host,
		 d->cfg->receipts.port, d->cfg->receipts.rate);
	return 0;
}

/*
 * SIGHUP: read the config and theme file again. A bad new config is
 * refused with its errors and the running one kept. Nothing in flight is
 * lost: workers whose mailboxes changed are stopped (unacknowledged mail is
 * fetched again) and started afresh from the stored cursors.
 */
static void reload(struct daemon *d)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)(uv_hrtime() / 1000));
	sd_notify(0, msg);
	static char err[16384];
	struct config *cfg;
	struct theme_set *themes;
	if (load_all(d->config_path, &cfg, &themes, err, sizeof(err)) != 0) {
		log_lines("reload", err);
		log_err("event=reload action=\"kept the running configuration\"");
		sd_notify(0, "READY=1");
		return;
	}
	if (!same_string(cfg->storage_path, d->cfg->storage_path) || d->n_retired == 64) {
		log_err("event=reload reason=\"%s\" action=\"kept the running configuration\"",
			d->n_retired == 64 ? "too many reloads; restart consultd"
					   : "[storage] path changes need a restart");
		themes_free(themes);
		config_free(cfg);
		sd_notify(0, "READY=1");
		return;
	}
	bool restart = !same_mailboxes(cfg, d->cfg);
	bool forms_differ = cfg->n_form != d->cfg->n_form;
	for (size_t i = 0; !forms_differ && i < cfg->n_form; i++)
		forms_differ = !form_config_same(&cfg->form[i], &d->cfg->form[i]);
	bool restart_forms = forms_differ && d->phase < PHASE_SWEEPING;
	if (forms_differ) {
		/* Restarted below; after the close, intake is over: the forms'
		 * sweeps end here rather than run on a config being replaced. */
		stop_forms(d);
		free_forms(d);
	}
	if (restart && d->phase >= PHASE_SWEEPING)
		restart = false; /* intake is over; the closing summary is on its way */
	if (restart) {
		stop_intake(d);
		free_sources(d);
	}
	d->retired[d->n_retired++] = d->themes;
	d->themes = themes;
	struct config *old = d->cfg;
	d->cfg = cfg;
	if (restart_forms && !restart &&
	    (setup_forms(d) != 0 || (d->phase == PHASE_COLLECTING && start_forms(d) != 0))) {
		config_free(old);
		shutdown_daemon(d, 1);
		return;
	}
	if (!restart_forms)
		for (size_t i = 0; i < d->n_forms; i++) {
			d->forms[i].cfg = &cfg->form[i];
			if (d->forms[i].poller != NULL)
				form_poller_set_config(d->forms[i].poller, &cfg->form[i]);
		}
	if (restart) {
		if (setup_sources(d) != 0 || (restart_forms && setup_forms(d) != 0) ||
		    (d->phase == PHASE_COLLECTING && start_intake(d) != 0)) {
			config_free(old);
			shutdown_daemon(d, 1);
			return;
		}
	} else {
		/* Same mailboxes: point the sources at the new copies. */
		for (size_t i = 0; i < d->n_sources; i++) {
			d->sources[i].cfg = &cfg->imap[i];
			if (d->sources[i].worker != NULL)
				imap_worker_set_themes(d->sources[i].worker, themes);
		}
	}
	update_sender(d);
	config_free(old);
	log_info("event=reload themes=%zu mailboxes=%zu workers=%s forms=%zu form_pollers=%s",
		 themes_count(themes), cfg->n_imap, restart ? "restarted" : "kept", cfg->n_form,
		 restart_forms ? "restarted" : "kept");
	on_window_timer(&d->window_timer); /* the window may have moved */
	if (forms_differ && !restart_forms && d->phase == PHASE_SWEEPING)
		check_swept(d);
	sd_notify(0, "READY=1");
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	if (signum == SIGHUP) {
		reload(d);
		return;
	}
	log_info("event=signal signal=%s action=stop", signum == SIGTERM ? "TERM" : "INT");
	shutdown_daemon(d, 0);
}

/* ---- start-up -------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: consultd -c FILE [--foreground] [--verbose]\n"
		"       consultd --check-config -c FILE\n"
		"       consultd --check-connection -c FILE\n"
		"       consultd --version | --help\n"
		"\n"
		"  -c, --config=FILE    the configuration file (consultd.conf(5))\n"
		"  -f, --foreground     accepted for familiarity: consultd never forks\n"
		"  -v, --verbose        log at debug level too\n"
		"  --check-config       check the configuration, its theme, areas and receipt template\n"
		"                       files, then exit\n"
		"  --check-connection   log in to every [imap] mailbox and fetch a page of every [form]\n"
		"                       as the daemon would, then exit\n"
		"  --version            print the version and exit\n"
		"  -h, --help           print this help and exit\n"
		"\n"
		"signals: SIGHUP reloads the configuration, SIGTERM and SIGINT stop cleanly\n");
}

/* Config and theme file; every problem is written to err, one a line. */
static int load_all(const char *path, struct config **cfg, struct theme_set **themes,
		    char *err, size_t errlen)
{
	if (config_load(path, cfg, err, errlen) != 0)
		return -1;
	*themes = themes_load((*cfg)->themes_path, err, errlen);
	struct area_set *areas = NULL;
	if (*themes != NULL && (*cfg)->areas_path != NULL &&
	    (areas = areas_load((*cfg)->areas_path, err, errlen)) == NULL) {
		themes_free(*themes);
		*themes = NULL;
	}
	if (*themes == NULL) {
		config_free(*cfg);
		*cfg = NULL;
		return -1;
	}
	themes_set_areas(*themes, areas);
	return 0;
}

/* Each line of a multi-line error message as its own log line. */
static void log_lines(const char *event, const char *text)
{
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		int len = nl != NULL ? (int)(nl - text) : (int)strlen(text);
		if (len > 0)
			log_err("event=%s reason=\"%.*s\"", event, len, text);
		text += len + (nl != NULL);
	}
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
	/* Mail is parsed on several threads in batches of megabytes. glibc
	 * raises its mmap threshold after each large free, so those buffers
	 * then come from per-thread heaps that keep them; a fixed threshold
	 * hands big ones back at once, and two arenas for all threads keep the
	 * rest from being held once per thread: the peak RSS stays flat. (Much
	 * lower a threshold costs a page-fault and TLB-shootdown storm.) */
	mallopt(M_MMAP_THRESHOLD, 512 * 1024);
	mallopt(M_ARENA_MAX, 2);
#endif
	const char *config_path = NULL;
	bool check_only = false, check_connection = false;
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"check-connection", no_argument, NULL, 'K'},
		{"foreground", no_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "c:fvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'C': check_only = true; break;
		case 'K': check_connection = true; break;
		case 'f': break; /* consultd never forks; kept for familiarity */
		case 'v': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'V': printf("consultd %s\n", CONSULTD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (config_path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}

	/* libetpan writes with send() without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);

	struct daemon d = {.loop = uv_default_loop(), .config_path = config_path};
	static char load_err[16384];
	if (load_all(config_path, &d.cfg, &d.themes, load_err, sizeof(load_err)) != 0) {
		fputs(load_err, stderr);
		if (load_err[0] != '\0' && load_err[strlen(load_err) - 1] != '\n')
			fputc('\n', stderr);
		if (!check_only && !check_connection)
			log_err("event=start reason=\"invalid configuration\" config=%s", config_path);
		return 1;
	}
	if (check_only) {
		printf("%s: OK (%zu %s from %s; %zu areas from %s)\n", config_path,
		       themes_count(d.themes), themes_count(d.themes) == 1 ? "theme" : "themes",
		       d.cfg->themes_path, areas_count(themes_areas(d.themes)),
		       d.cfg->areas_path != NULL ? d.cfg->areas_path : "none");
		themes_free(d.themes);
		config_free(d.cfg);
		return 0;
	}

	if (check_connection) {
		char info[1024];
		int rc = d.cfg->n_imap + d.cfg->n_form > 0 ? 0 : 1;
		if (rc != 0)
			fprintf(stderr, "%s: no [imap] or [form] section: nothing to connect to\n", config_path);
		for (size_t i = 0; i < d.cfg->n_form; i++) {
			if (form_check(&d.cfg->form[i], d.cfg->opens, info, sizeof(info)) == 0) {
				printf("[%s] %s\n", d.cfg->form[i].section, info);
			} else {
				fprintf(stderr, "[%s] failed: %s\n", d.cfg->form[i].section, info);
				rc = 1;
			}
		}
		for (size_t i = 0; i < d.cfg->n_imap; i++) {
			if (imap_check(&d.cfg->imap[i], info, sizeof(info)) == 0) {
				printf("[%s] %s\n", d.cfg->imap[i].section, info);
			} else {
				fprintf(stderr, "[%s] failed\n", d.cfg->imap[i].section);
				rc = 1;
			}
		}
		themes_free(d.themes);
		config_free(d.cfg);
		return rc;
	}

	char err[1024];
	int code = 1;
	mime_init();
	if (storage_open(d.cfg->storage_path, STORAGE_READ_WRITE, &d.store, err, sizeof(err)) != 0) {
		log_err("event=start reason=\"%s\"", err);
		goto out;
	}
	if (setup_sources(&d) != 0 || setup_forms(&d) != 0)
		goto out;
	uv_timer_init(d.loop, &d.window_timer);
	d.window_timer.data = &d;
	uv_timer_init(d.loop, &d.sweep_timer);
	d.sweep_timer.data = &d;
	uv_timer_init(d.loop, &d.watchdog_timer);
	d.watchdog_timer.data = &d;
	uv_timer_init(d.loop, &d.purge_timer);
	d.purge_timer.data = &d;
	uv_timer_start(&d.purge_timer, on_purge_timer, PURGE_CHECK_MS, 0);
	uint64_t every_ms = STUCK_CHECK_MS;
	if (sd_watchdog_enabled(0, &d.watchdog_usec) > 0 && d.watchdog_usec >= 2000) {
		every_ms = d.watchdog_usec / 2000; /* twice per period */
		if (every_ms > STUCK_CHECK_MS)
			every_ms = STUCK_CHECK_MS;
		log_info("event=watchdog every_ms=%llu", (unsigned long long)every_ms);
	} else {
		d.watchdog_usec = 0;
	}
	uv_timer_start(&d.watchdog_timer, on_watchdog, every_ms, every_ms);
	if (update_sender(&d) != 0)
		goto out;
	uv_signal_init(d.loop, &d.sig_term);
	uv_signal_init(d.loop, &d.sig_int);
	uv_signal_init(d.loop, &d.sig_hup);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
	uv_signal_start(&d.sig_term, on_signal, SIGTERM);
	uv_signal_start(&d.sig_int, on_signal, SIGINT);
	uv_signal_start(&d.sig_hup, on_signal, SIGHUP);

	log_info("event=start version=%s consultation=\"%s\" themes=%zu window=%s", CONSULTD_VERSION,
		 d.cfg->name, themes_count(d.themes),
		 window_state_name(window_state_at(d.cfg, now_seconds())));
	on_window_timer(&d.window_timer);
	sd_notify(0, "READY=1");
	uv_run(d.loop, UV_RUN_DEFAULT);
	code = d.exit_code;
	log_info("event=stop stored=%lld duplicates=%lld exit=%d", (long long)d.stored,
		 (long long)d.duplicates, code);
out:
	if (uv_loop_close(d.loop) != 0)
		log_debug("event=stop reason=\"loop still had handles\"");
	storage_close(d.store);
	free_sources(&d);
	free_forms(&d);
	for (size_t i = 0; i < d.n_retired; i++)
		themes_free(d.retired[i]);
	themes_free(d.themes);
	config_free(d.cfg);
	mime_shutdown();
	return code;
}
