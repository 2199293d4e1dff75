/*
 * imap.c — the IMAP intake worker (see imap.h for the thread model).
 *
 * Everything that touches the mailimap session runs on the worker thread.
 * The loop and the worker share only struct imap_worker's queues, guarded
 * by `mu`: finished batches and "sweep done" go to the loop through
 * `to_loop` + uv_async_send (calls coalesce, so the loop drains the whole
 * queue); acknowledgements, sweep requests and stop come back through
 * `acked`, the flags and `cond`.
 */
#include "imap.h"

#include "classify/classify.h"
#include "config/limits.h"
#include "config/log.h"
#include "imap_wire.h"
#include "mime.h"
#include "raw_pack.h"
#include "workq.h"
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MAX_SECONDS 300
/* RFC 2177: servers may drop an IDLE after 29 minutes; re-issue well inside
 * that, and search anyway in case a server forgot to say EXISTS. */
#define IDLE_REISSUE_SECONDS (10 * 60)
/* TCP keepalive finds a silently dead peer while idling. */
#define KEEPALIVE_IDLE_SECONDS 60
#define KEEPALIVE_INTERVAL_SECONDS 15
#define KEEPALIVE_PROBES 4

enum event_kind { EVENT_BATCH, EVENT_PARSED, EVENT_SWEEP_DONE, EVENT_POLLED, EVENT_ERROR, EVENT_RECONCILE };

/* Reconcile at most this often (and on every sweep). */
#define RECONCILE_EVERY_NS (60ull * 1000000000ull)

struct pending;

struct event {
	enum event_kind kind;
	struct pending *pending;    /* EVENT_BATCH (owned); EVENT_PARSED (not owned) */
	char *message;              /* EVENT_ERROR, owned */
	uint32_t *uids;             /* EVENT_RECONCILE, owned */
	size_t n;
	uint32_t uidvalidity, upto;
	struct event *next;
};

/*
 * The pipeline. The worker fetches a batch's raw bytes, hands the batch
 * to the loop (which keeps the order) and queues its parsing and
 * classifying on the parse threads (split into up to PARSE_WAYS_MAX
 * parts), then fetches the next batch. The parts start at once, even
 * while the loop is busy storing the batch before (libuv's threadpool
 * would wait for the loop to queue them); the last part to end tells the
 * loop the batch is parsed. Parsed batches are stored strictly in fetch order (a later
 * batch committed before an earlier one would move the cursor past mail
 * not yet stored). At most MAX_IN_FLIGHT batches, and beyond the first
 * no more than LIMIT_BATCH_BYTES of raw mail, are between fetch and
 * acknowledgement, so memory stays bounded whatever the mailbox holds.
 */
#define MAX_IN_FLIGHT 2
#define PARSE_WAYS_MAX 4

struct raw_item {
	uint32_t uid;
	int64_t internaldate;
	size_t off, len;        /* into pending.bytes */
	uint32_t oversize;      /* full size of a message fetched header-only, else 0 */
	bool spooled;           /* an oversized message's whole source is in spool_fd, */
	int spool_fd;           /* spool_len bytes (owned here until a response takes it) */
	size_t spool_len;
};

struct parse_part {
	struct pending *p;
	size_t from, to;        /* items parsed by this part */
	int rc;
};

struct pending {
	struct imap_worker *w;
	struct imap_batch *b;   /* items[i] is parsed from raw[i] */
	struct raw_item *raw;
	char *bytes;            /* the raw messages, back to back */
	size_t n_raw;
	struct parse_part parts[PARSE_WAYS_MAX];
	unsigned parts_left;    /* under w->mu */
	bool failed;            /* under w->mu until parsed */
	bool parsed;            /* loop thread */
	struct event *parsed_event; /* EVENT_PARSED, made with p; owned by p until posted */
	struct pending *next;
};

struct imap_worker {
	uv_loop_t *loop;
	uv_async_t async;       /* worker -> loop wake-up; w is freed in its close callback */
	uv_thread_t thread;
	uv_mutex_t mu;
	uv_cond_t cond;

	/* Configuration, copied so the loop may reload its own. */
	char *host, *user, *password_file, *mailbox, *ca_file;
	int port;
	enum imap_tls tls;
	int poll_interval;
	bool use_idle;
	int timeout;
	enum imap_auth auth;
	char *processed;        /* processed_mailbox, or NULL */
	bool warned_no_move;
	const struct theme_set *themes; /* under mu: replaced on reload */

	/* Worker-thread state. */
	uint32_t uidvalidity;   /* of the stored cursor */
	uint32_t last_uid;      /* highest UID acknowledged as stored */
	unsigned int seed;      /* for backoff jitter */
	unsigned idle_skips;    /* IDLEs skipped for news in a row that found nothing */

	unsigned generation;    /* of the session; batches carry it */
	size_t in_flight;       /* batches handed over, not yet acknowledged */
	uint64_t in_flight_bytes;

	/* Loop-thread state: batches being parsed or waiting for their turn
	 * to be stored, oldest first. A batch that was not stored poisons the
	 * rest of its session's batches (never stored out of order). */
	struct pending *pipe_head, *pipe_tail;
	struct workq *parse_q;  /* parse threads, fed by the worker thread */
	unsigned poisoned_generation;
	bool poisoned;
	bool stopped, closed;   /* imap_worker_stop has run; async handle closed */

	/* Shared, under mu. */
	struct event *to_loop, *to_loop_tail;
	struct imap_batch *acked, *acked_tail; /* oldest first */
	bool sweep_requested;
	bool stopping;
	int session_fd;         /* socket of the open session, -1 when none */
	bool busy;              /* in a command (not waiting) */
	uint64_t last_progress; /* uv_hrtime() of the last progress mark */
	mailstream *idle_stream; /* set up for IDLE interruption, or NULL */

	struct imap_worker_callbacks cb;
	void *cb_user;
};

char *imap_source_name(const struct imap_config *cfg)
{
	size_t n = strlen(cfg->user) + strlen(cfg->host) + strlen(cfg->mailbox) + 16;
	char *s = malloc(n);
	if (s != NULL)
		snprintf(s, n, "imap:%s@%s/%s", cfg->user, cfg->host, cfg->mailbox);
	return s;
}

/* ---- worker <-> loop hand-off ---------------------------------------- */

static const struct theme_set *current_themes(struct imap_worker *w)
{
	uv_mutex_lock(&w->mu);
	const struct theme_set *ts = w->themes;
	uv_mutex_unlock(&w->mu);
	return ts;
}

void imap_worker_set_themes(struct imap_worker *w, const struct theme_set *ts)
{
	uv_mutex_lock(&w->mu);
	w->themes = ts;
	uv_mutex_unlock(&w->mu);
}

/* Progress marks for the watchdog: `busy` while talking to the server. */
static void mark_progress(struct imap_worker *w, bool busy)
{
	uv_mutex_lock(&w->mu);
	w->busy = busy;
	w->last_progress = uv_hrtime();
	uv_mutex_unlock(&w->mu);
}

bool imap_worker_stuck(struct imap_worker *w, uint64_t limit_ns)
{
	uv_mutex_lock(&w->mu);
	bool stuck = w->busy && uv_hrtime() - w->last_progress > limit_ns;
	uv_mutex_unlock(&w->mu);
	return stuck;
}

static void queue_event(struct imap_worker *w, struct event *e)
{
	uv_mutex_lock(&w->mu);
	if (w->to_loop_tail != NULL)
		w->to_loop_tail->next = e;
	else
		w->to_loop = e;
	w->to_loop_tail = e;
	uv_mutex_unlock(&w->mu);
	uv_async_send(&w->async);
}

static bool post_event(struct imap_worker *w, enum event_kind kind, struct pending *p)
{
	struct event *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		/* Nothing is lost: an unposted batch is never flagged, and is
		 * fetched again. */
		log_err("source=imap reason=out-of-memory posting to the loop");
		return false;
	}
	e->kind = kind;
	e->pending = p;
	queue_event(w, e);
	return true;
}

static void post_error(struct imap_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void post_error(struct imap_worker *w, const char *fmt, ...)
{
	struct event *e = calloc(1, sizeof(*e));
	char *msg = malloc(256);
	if (e == NULL || msg == NULL) {
		free(e);
		free(msg);
		return; /* only status is lost; the log has the error */
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, 256, fmt, ap);
	va_end(ap);
	e->kind = EVENT_ERROR;
	e->message = msg;
	queue_event(w, e);
}

static void event_free(struct event *e)
{
	free(e->message);
	free(e->uids);
	free(e);
}

static void batch_free(struct imap_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		response_clear(&b->items[i].r);
	free(b->items);
	free(b);
}

/* Free raw items, closing the spool files no response took over. */
static void raw_items_free(struct raw_item *raw, size_t n)
{
	for (size_t i = 0; raw != NULL && i < n; i++)
		if (raw[i].spooled)
			close(raw[i].spool_fd);
	free(raw);
}

static void pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	batch_free(p->b);
	raw_items_free(p->raw, p->n_raw);
	free(p->bytes);
	free(p->parsed_event);
	free(p);
}

void imap_worker_ack(struct imap_worker *w, struct imap_batch *b, bool stored)
{
	/* The texts are no longer needed; free them here so memory does not
	 * wait for the worker. */
	for (size_t i = 0; i < b->n; i++)
		response_clear(&b->items[i].r);
	b->stored = stored;
	if (!stored) {
		/* Nothing after it in this session may be stored. */
		w->poisoned = true;
		w->poisoned_generation = b->generation;
	}
	uv_mutex_lock(&w->mu);
	if (w->stopped) {
		/* The worker has gone: nobody flags this batch. */
		uv_mutex_unlock(&w->mu);
		batch_free(b);
		return;
	}
	b->next = NULL;
	if (w->acked_tail != NULL)
		w->acked_tail->next = b;
	else
		w->acked = b;
	w->acked_tail = b;
	uv_cond_signal(&w->cond);
	uv_mutex_unlock(&w->mu);
}

static void on_async_closed(uv_handle_t *handle);

static void worker_destroy(struct imap_worker *w);

/* Free w once its async handle has closed. */
static void release(struct imap_worker *w)
{
	if (w->closed)
		worker_destroy(w);
}

/* Store parsed batches in fetch order (loop thread). */
static void dispatch(struct imap_worker *w)
{
	while (!w->stopped && w->pipe_head != NULL && w->pipe_head->parsed) {
		struct pending *p = w->pipe_head;
		w->pipe_head = p->next;
		if (w->pipe_head == NULL)
			w->pipe_tail = NULL;
		struct imap_batch *b = p->b;
		bool failed = p->failed;
		p->b = NULL;
		pending_free(p);
		if (failed)
			log_err("source=imap reason=\"out of memory parsing a batch\" action=\"leave it unflagged\"");
		if (failed || (w->poisoned && b->generation == w->poisoned_generation))
			imap_worker_ack(w, b, false);
		else
			w->cb.on_batch(w->cb_user, b); /* may stop the worker */
	}
}

static int parse_item(struct imap_worker *w, struct pending *p, size_t i);

/* One part of p has ended (a parse thread); the last one frees the raw
 * bytes, which only the parts read, and tells the loop. */
static void part_done(struct imap_worker *w, struct pending *p, bool ok, bool cancelled)
{
	uv_mutex_lock(&w->mu);
	if (!ok)
		p->failed = true;
	bool last = --p->parts_left == 0;
	uv_mutex_unlock(&w->mu);
	if (!last)
		return;
	/* The raw bytes live on in each response's copy; drop these now. */
	raw_items_free(p->raw, p->n_raw);
	p->raw = NULL;
	free(p->bytes);
	p->bytes = NULL;
	if (cancelled)
		return; /* the worker is stopping: imap_worker_stop frees p */
	/* Made beforehand, so that nothing can stop the batch from reaching
	 * the loop once it is parsed. */
	struct event *e = p->parsed_event;
	p->parsed_event = NULL;
	queue_event(w, e);
}

static void parse_work(void *arg, bool cancelled)
{
	struct parse_part *part = arg;
	struct imap_worker *w = part->p->w;
	if (!cancelled) {
		/* One packer per part: parts of two batches can run at once.
		 * Without one (out of memory) the sources are stored as
		 * received. */
		struct raw_packer *pk = raw_packer_new();
		for (size_t i = part->from; i < part->to && part->rc == 0; i++) {
			part->rc = parse_item(w, part->p, i);
			if (part->rc == 0 && pk != NULL)
				part->rc = raw_pack(pk, &part->p->b->items[i].r);
		}
		raw_packer_free(pk);
	}
	part_done(w, part->p, !cancelled && part->rc == 0, cancelled);
}

static unsigned parse_ways(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > PARSE_WAYS_MAX ? PARSE_WAYS_MAX : (unsigned)n;
}

/* Split a fetched batch into parts of about equal bytes (worker thread). */
static unsigned split_parts(struct pending *p)
{
	uint64_t total = 0;
	for (size_t i = 0; i < p->n_raw; i++)
		total += p->raw[i].len;
	unsigned ways = parse_ways(), nparts = 0;
	size_t i = 0;
	uint64_t done = 0;
	for (unsigned k = 0; k < ways && i < p->n_raw; k++) {
		struct parse_part *part = &p->parts[nparts++];
		part->p = p;
		part->from = i;
		uint64_t goal = total * (k + 1) / ways;
		while (i < p->n_raw && (done < goal || i == part->from || k + 1 == ways))
			done += p->raw[i++].len;
		part->to = i;
	}
	return nparts;
}

/* Append a fetched batch to the pipe (loop thread). */
static void enqueue_pending(struct imap_worker *w, struct pending *p)
{
	if (w->pipe_tail != NULL)
		w->pipe_tail->next = p;
	else
		w->pipe_head = p;
	w->pipe_tail = p;
}

static void on_async(uv_async_t *handle)
{
	struct imap_worker *w = handle->data;
	uv_mutex_lock(&w->mu);
	struct event *e = w->to_loop;
	w->to_loop = w->to_loop_tail = NULL;
	uv_mutex_unlock(&w->mu);
	while (e != NULL) {
		struct event *next = e->next;
		switch (e->kind) {
		case EVENT_BATCH:
			enqueue_pending(w, e->pending);
			e->pending = NULL;
			break;
		case EVENT_PARSED:
			e->pending->parsed = true;
			dispatch(w);
			break;
		case EVENT_SWEEP_DONE:
			w->cb.on_sweep_done(w->cb_user);
			break;
		case EVENT_POLLED:
			w->cb.on_polled(w->cb_user);
			break;
		case EVENT_ERROR:
			w->cb.on_error(w->cb_user, e->message);
			break;
		case EVENT_RECONCILE:
			w->cb.on_reconcile(w->cb_user, e->uidvalidity, e->upto, e->uids, e->n);
			break;
		}
		event_free(e);
		e = next;
		if (w->stopped) {
			/* A callback stopped the worker: it freed the rest. */
			while (e != NULL) {
				next = e->next;
				if (e->kind == EVENT_BATCH)
					pending_free(e->pending);
				event_free(e);
				e = next;
			}
			return;
		}
	}
}

/* Wake the worker from a wait or an IDLE; call with mu held. The IDLE
 * interruption goes through a pipe, so it is not lost when the worker
 * has not started waiting yet. */
static void wake_locked(struct imap_worker *w)
{
	uv_cond_broadcast(&w->cond);
	if (w->idle_stream != NULL)
		mailstream_interrupt_idle(w->idle_stream);
}

void imap_worker_sweep(struct imap_worker *w)
{
	uv_mutex_lock(&w->mu);
	w->sweep_requested = true;
	wake_locked(w);
	uv_mutex_unlock(&w->mu);
}

/* Wait up to `seconds` for a sweep request or stop (worker thread). */
static void wait_for_work(struct imap_worker *w, unsigned int seconds)
{
	uint64_t deadline = uv_hrtime() + (uint64_t)seconds * 1000000000u;
	uv_mutex_lock(&w->mu);
	while (!w->stopping && !w->sweep_requested) {
		uint64_t now = uv_hrtime();
		if (now >= deadline)
			break;
		uv_cond_timedwait(&w->cond, &w->mu, deadline - now);
	}
	uv_mutex_unlock(&w->mu);
}

static bool is_stopping(struct imap_worker *w)
{
	uv_mutex_lock(&w->mu);
	bool s = w->stopping;
	uv_mutex_unlock(&w->mu);
	return s;
}

static bool has_work(struct imap_worker *w)
{
	uv_mutex_lock(&w->mu);
	bool s = w->stopping || w->sweep_requested;
	uv_mutex_unlock(&w->mu);
	return s;
}

/* ---- session --------------------------------------------------------- */

static const char *imap_error_name(int rc)
{
	switch (rc) {
	case MAILIMAP_ERROR_STREAM: return "connection lost or timed out";
	case MAILIMAP_ERROR_PARSE: return "unparsable server response";
	case MAILIMAP_ERROR_CONNECTION_REFUSED: return "connection refused";
	case MAILIMAP_ERROR_LOGIN: return "login refused";
	case MAILIMAP_ERROR_SELECT: return "mailbox cannot be selected";
	case MAILIMAP_ERROR_FETCH: return "FETCH failed";
	case MAILIMAP_ERROR_STORE: return "STORE failed";
	case MAILIMAP_ERROR_SSL: return "TLS failed";
	case MAILIMAP_ERROR_STARTTLS: return "STARTTLS failed";
	case MAILIMAP_ERROR_MEMORY: return "out of memory";
	default: return "IMAP error";
	}
}

static void set_sni(struct mailstream_ssl_context *ctx, void *data)
{
	struct imap_worker *w = data;
	mailstream_ssl_set_server_name(ctx, w->host);
}

/* libetpan checks nothing about the server's certificate: verify the
 * chain and host name ourselves before anything secret is sent. */
static int verify_certificate(struct imap_worker *w, mailimap *imap)
{
	carray *chain = mailstream_get_certificate_chain(imap->imap_stream);
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t *crts = NULL;
	unsigned int ncrt = 0;
	int ret = -1;
	if (chain == NULL || carray_count(chain) == 0) {
		log_err("source=imap host=%s reason=\"server sent no certificate\"", w->host);
		goto out;
	}
	/* An array of gnutls_x509_crt_t handles, which are pointers. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): the element is a handle */
	crts = calloc(carray_count(chain), sizeof(*crts));
	if (crts == NULL)
		goto out;
	for (unsigned int i = 0; i < carray_count(chain); i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = {(unsigned char *)der->str, (unsigned int)der->len};
		if (gnutls_x509_crt_init(&crts[ncrt]) < 0)
			goto out;
		ncrt++;
		if (gnutls_x509_crt_import(crts[ncrt - 1], &d, GNUTLS_X509_FMT_DER) < 0) {
			log_err("source=imap host=%s reason=\"unreadable server certificate\"", w->host);
			goto out;
		}
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		goto out;
	if (w->ca_file != NULL) {
		if (gnutls_x509_trust_list_add_trust_file(tl, w->ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0) <= 0) {
			log_err("source=imap ca_file=%s reason=\"no certificate could be read\"", w->ca_file);
			goto out;
		}
	} else if (gnutls_x509_trust_list_add_system_trust(tl, 0, 0) < 0) {
		log_err("source=imap reason=\"system trust store unavailable\"");
		goto out;
	}
	gnutls_typed_vdata_st vdata[2] = {
		{.type = GNUTLS_DT_DNS_HOSTNAME, .data = (unsigned char *)w->host},
		{.type = GNUTLS_DT_KEY_PURPOSE_OID, .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER},
	};
	unsigned int status = 0;
	if (gnutls_x509_trust_list_verify_crt2(tl, crts, ncrt, vdata, 2, 0, &status, NULL) < 0) {
		log_err("source=imap host=%s reason=\"certificate verification failed\"", w->host);
		goto out;
	}
	if (status != 0) {
		gnutls_datum_t why = {NULL, 0};
		gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
		log_err("source=imap host=%s reason=\"untrusted server certificate: %s\"", w->host,
			why.data != NULL ? (const char *)why.data : "unknown");
		gnutls_free(why.data);
		goto out;
	}
	ret = 0;
out:
	for (unsigned int i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	if (chain != NULL) {
		for (unsigned int i = 0; i < carray_count(chain); i++)
			mmap_string_free(carray_get(chain, i));
		carray_free(chain);
	}
	return ret;
}

static void set_keepalive(struct imap_worker *w, int fd)
{
	int on = 1, idle = KEEPALIVE_IDLE_SECONDS, intvl = KEEPALIVE_INTERVAL_SECONDS,
	    cnt = KEEPALIVE_PROBES;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) != 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) != 0)
		log_warn("source=imap host=%s reason=\"cannot enable TCP keepalive: %s\"", w->host,
			 strerror(errno));
}

/* Whether the server offers IDLE (capabilities are asked for again after
 * login, see session_open). */
static bool server_has_idle(mailimap *imap)
{
	return mailimap_has_idle(imap) != 0;
}

/*
 * Every byte from the server passes through guarded_read before libetpan
 * sees it. The session's low-level driver (plain socket or TLS) is swapped
 * for a copy whose read
 *  - turns end of file into an error: libetpan's literal reader would loop
 *    on the 0 forever at full CPU (TECH-NOTES);
 *  - runs the bytes through imap_wire (imap_wire.h), which refuses a
 *    literal announced over LIMIT_IMAP_LITERAL_BYTES (libetpan allocates
 *    it whole up front) and a PERMANENTFLAGS code libetpan would crash on.
 * A refusal fails the read, so the command fails and the session is
 * dropped; the reason is logged here and given as the session's error.
 * One session at a time per thread, so its guard is thread-local; a read
 * on a stream without its guard fails rather than go unchecked.
 */
struct wire_guard {
	struct imap_wire wire;
	mailstream_low *low;    /* the stream it guards (a new one after STARTTLS) */
	const char *host;
};

static _Thread_local struct wire_guard *tl_guard;

/* Exported by libetpan's TLS build, but declared only under its USE_SSL. */
extern mailstream_low_driver *mailstream_ssl_driver;

static struct mailstream_low_driver guarded_socket_driver, guarded_ssl_driver;
static uv_once_t guarded_once = UV_ONCE_INIT;

static ssize_t guarded_read(mailstream_low *low, void *buf, size_t len,
			    ssize_t (*read_fn)(mailstream_low *, void *, size_t))
{
	struct wire_guard *g = tl_guard;
	if (g == NULL || g->low != low || g->wire.refused)
		return -1;
	ssize_t n = read_fn(low, buf, len);
	if (n == 0 && len > 0)
		return -1;
	if (n > 0 && imap_wire_feed(&g->wire, buf, (size_t)n) != 0) {
		log_err("source=imap host=%s reason=\"%s\" action=\"drop the session\"", g->host,
			g->wire.reason);
		return -1;
	}
	return n;
}

static ssize_t guarded_socket_read(mailstream_low *low, void *buf, size_t len)
{
	return guarded_read(low, buf, len, mailstream_socket_driver->mailstream_read);
}

static ssize_t guarded_ssl_read(mailstream_low *low, void *buf, size_t len)
{
	return guarded_read(low, buf, len, mailstream_ssl_driver->mailstream_read);
}

static void guarded_init(void)
{
	guarded_socket_driver = *mailstream_socket_driver;
	guarded_socket_driver.mailstream_read = guarded_socket_read;
	guarded_ssl_driver = *mailstream_ssl_driver;
	guarded_ssl_driver.mailstream_read = guarded_ssl_read;
}

/* Guard a new low-level stream, checked from its first byte on. */
static int guard_stream(struct imap_worker *w, mailstream_low *low)
{
	uv_once(&guarded_once, guarded_init);
	if (tl_guard == NULL && (tl_guard = calloc(1, sizeof(*tl_guard))) == NULL)
		return -1;
	if (low == NULL)
		return -1;
	if (low->driver == mailstream_socket_driver)
		low->driver = &guarded_socket_driver;
	else if (low->driver == mailstream_ssl_driver)
		low->driver = &guarded_ssl_driver;
	else if (low->driver != &guarded_socket_driver && low->driver != &guarded_ssl_driver) {
		log_err("source=imap host=%s reason=\"unknown libetpan stream driver\"", w->host);
		return -1;
	}
	imap_wire_init(&tl_guard->wire);
	tl_guard->low = low;
	tl_guard->host = w->host;
	return 0;
}

/* What went wrong in a failed command: the guard's reason when it
 * refused the server's bytes (libetpan only sees a failed read). */
static const char *session_error(int rc)
{
	if (tl_guard != NULL && tl_guard->wire.refused)
		return tl_guard->wire.reason;
	return imap_error_name(rc);
}

/*
 * libetpan exports mail_tcp_connect_timeout, but Debian does not install
 * its header (connect.h). Connecting here rather than through
 * mailimap_socket_connect lets the guard see the greeting.
 */
int mail_tcp_connect_timeout(const char *server, uint16_t port, time_t timeout);

static int guarded_connect(struct imap_worker *w, mailimap *imap)
{
	int fd = mail_tcp_connect_timeout(w->host, (uint16_t)w->port, (time_t)w->timeout);
	if (fd < 0)
		return MAILIMAP_ERROR_CONNECTION_REFUSED;
	mailstream *stream = w->tls == IMAP_TLS_IMPLICIT
		? mailstream_ssl_open_with_callback_timeout(fd, (time_t)w->timeout, set_sni, w)
		: mailstream_socket_open_timeout(fd, (time_t)w->timeout);
	if (stream == NULL) {
		close(fd);
		return w->tls == IMAP_TLS_IMPLICIT ? MAILIMAP_ERROR_SSL : MAILIMAP_ERROR_MEMORY;
	}
	if (guard_stream(w, mailstream_get_low(stream)) != 0) {
		mailstream_close(stream);
		return MAILIMAP_ERROR_MEMORY;
	}
	/* Owns the stream from here, also when it fails. */
	return mailimap_connect(imap, stream);
}

/*
 * Drop a session without waiting on it: mailimap_free would send LOGOUT
 * and wait a whole timeout for the answer of a server that is gone.
 */
static void session_drop(mailimap *imap)
{
	if (imap->imap_stream != NULL) {
		mailstream_close(imap->imap_stream);
		imap->imap_stream = NULL;
	}
	mailimap_free(imap);
	free(tl_guard);
	tl_guard = NULL;
}

/* Capabilities learnt before STARTTLS or LOGIN are stale (RFC 3501
 * 6.2.1): ask again. */
static int refresh_capabilities(mailimap *imap)
{
	struct mailimap_capability_data *caps = NULL;
	int rc = mailimap_capability(imap, &caps);
	if (rc == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(caps);
	return rc;
}

static mailimap *session_open(struct imap_worker *w, uint32_t *uidvalidity)
{
	mailimap *imap = mailimap_new(0, NULL);
	if (imap == NULL)
		return NULL;
	mailimap_set_timeout(imap, w->timeout);
	int rc = guarded_connect(w, imap);
	if (rc != MAILIMAP_NO_ERROR_AUTHENTICATED && rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		log_warn("source=imap host=%s port=%d reason=\"connect: %s\"", w->host, w->port,
			 session_error(rc));
		goto fail;
	}
	set_keepalive(w, mailstream_low_get_fd(mailstream_get_low(imap->imap_stream)));
	if (w->tls == IMAP_TLS_STARTTLS) {
		rc = mailimap_socket_starttls_with_callback(imap, set_sni, w);
		/* TLS is a new stream: nothing read before it carries over. */
		if (rc == MAILIMAP_NO_ERROR && guard_stream(w, mailstream_get_low(imap->imap_stream)) != 0)
			rc = MAILIMAP_ERROR_MEMORY;
		if (rc != MAILIMAP_NO_ERROR) {
			log_warn("source=imap host=%s reason=\"STARTTLS: %s\"", w->host, session_error(rc));
			goto fail;
		}
	}
	if (w->tls != IMAP_TLS_NONE && verify_certificate(w, imap) != 0)
		goto fail;

	/* Read at every login: a token refreshed by another tool since the
	 * last session is picked up here. */
	char why[512];
	const char *what = w->auth == IMAP_AUTH_XOAUTH2 ? "token" : "password";
	char *secret = secret_read(w->password_file, why, sizeof(why));
	if (secret == NULL) {
		log_err("source=imap reason=\"%s: %s\"", what, why);
		goto fail;
	}
	if (w->auth == IMAP_AUTH_XOAUTH2)
		rc = mailimap_oauth2_authenticate(imap, w->user, secret);
	else
		rc = mailimap_login(imap, w->user, secret);
	secret_free(secret);
	if (rc != MAILIMAP_NO_ERROR) {
		log_warn("source=imap host=%s user=%s auth=%s reason=\"login: %s\"", w->host, w->user,
			 w->auth == IMAP_AUTH_XOAUTH2 ? "xoauth2" : "password", session_error(rc));
		goto fail;
	}
	rc = refresh_capabilities(imap);
	if (rc != MAILIMAP_NO_ERROR) {
		log_warn("source=imap host=%s reason=\"CAPABILITY: %s\"", w->host, session_error(rc));
		goto fail;
	}
	rc = mailimap_select(imap, w->mailbox);
	if (rc != MAILIMAP_NO_ERROR || imap->imap_selection_info == NULL) {
		log_warn("source=imap mailbox=%s reason=\"select: %s\"", w->mailbox, session_error(rc));
		goto fail;
	}
	*uidvalidity = imap->imap_selection_info->sel_uidvalidity;
	log_info("source=imap host=%s mailbox=%s uidvalidity=%u event=connected", w->host,
		 w->mailbox, (unsigned)*uidvalidity);
	return imap;
fail:
	session_drop(imap);
	return NULL;
}

/* ---- fetching -------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Run a UID SEARCH (taking ownership of key); keep UIDs above `after`,
 * ascending. Caller frees *uids. */
static int uid_search(mailimap *imap, struct mailimap_search_key *key, uint32_t after,
		      uint32_t **uids, size_t *n)
{
	*uids = NULL;
	*n = 0;
	if (key == NULL)
		return MAILIMAP_ERROR_MEMORY;
	clist *result = NULL;
	int rc = mailimap_uid_search(imap, NULL, key, &result);
	mailimap_search_key_free(key);
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	size_t count = (size_t)clist_count(result);
	if (count > 0) {
		*uids = malloc(count * sizeof(**uids));
		if (*uids == NULL) {
			mailimap_search_result_free(result);
			return MAILIMAP_ERROR_MEMORY;
		}
	}
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		uint32_t uid = *(uint32_t *)clist_content(it);
		/* "N:*" also matches the highest UID when it is below N. */
		/* The list has count (> 0) entries, so *uids was allocated; the
		 * analyzer cannot tie clist_count to clist_begin. */
		if (uid > after)
			(*uids)[(*n)++] = uid; /* NOLINT(clang-analyzer-core.NullDereference) */
	}
	mailimap_search_result_free(result);
	if (*n > 1)
		qsort(*uids, *n, sizeof(**uids), cmp_u32);
	return MAILIMAP_NO_ERROR;
}

/* UID first:last (last 0 meaning "*"). */
static struct mailimap_search_key *key_uid_range(uint32_t first, uint32_t last)
{
	struct mailimap_set *set = mailimap_set_new_interval(first, last);
	if (set == NULL)
		return NULL;
	struct mailimap_search_key *key = mailimap_search_key_new_uid(set);
	if (key == NULL)
		mailimap_set_free(set);
	return key;
}

/* UID 1:last UNSEEN */
static struct mailimap_search_key *key_unseen_upto(uint32_t last)
{
	struct mailimap_search_key *all = mailimap_search_key_new_multiple_empty();
	struct mailimap_search_key *range = key_uid_range(1, last);
	struct mailimap_search_key *unseen = mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL);
	if (all == NULL || range == NULL || unseen == NULL)
		goto fail;
	if (mailimap_search_key_multiple_add(all, range) != MAILIMAP_NO_ERROR)
		goto fail;
	range = NULL;
	if (mailimap_search_key_multiple_add(all, unseen) != MAILIMAP_NO_ERROR)
		goto fail;
	return all;
fail:
	if (all != NULL)
		mailimap_search_key_free(all);
	if (range != NULL)
		mailimap_search_key_free(range);
	if (unseen != NULL)
		mailimap_search_key_free(unseen);
	return NULL;
}

struct fetched_att {
	uint32_t uid;
	uint32_t size;
	int64_t internaldate;
	const char *body;
	size_t body_len;
	const void *section;    /* the body's, to find its streamed bytes */
};

static int64_t date_time_to_unix(const struct mailimap_date_time *dt)
{
	struct tm tm = {
		.tm_year = (int)((int64_t)dt->dt_year - 1900), .tm_mon = dt->dt_month - 1,
		.tm_mday = dt->dt_day,
		.tm_hour = dt->dt_hour, .tm_min = dt->dt_min, .tm_sec = dt->dt_sec,
	};
	/* e.g. -0130 is -130. libetpan's lenient parser takes any number
	 * here, so a server can send one that would overflow an int: a zone
	 * beyond +-99:59 is nonsense and taken as UTC. */
	int64_t zone = dt->dt_zone;
	int64_t abs_zone = zone < 0 ? -zone : zone;
	if (abs_zone > 9959)
		abs_zone = 0;
	int64_t offset = (zone < 0 ? -1 : 1) * ((abs_zone / 100) * 3600 + (abs_zone % 100) * 60);
	return (int64_t)timegm(&tm) - offset;
}

static void read_att(struct mailimap_msg_att *att, struct fetched_att *out)
{
	memset(out, 0, sizeof(*out));
	for (clistiter *it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		struct mailimap_msg_att_static *s = item->att_data.att_static;
		switch (s->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			out->uid = s->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			out->size = s->att_data.att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE:
			out->internaldate = date_time_to_unix(s->att_data.att_internal_date);
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			out->body = s->att_data.att_body_section->sec_body_part;
			out->body_len = s->att_data.att_body_section->sec_length;
			out->section = s->att_data.att_body_section;
			break;
		default:
			break;
		}
	}
}

static struct mailimap_set *set_of(const uint32_t *uids, size_t n)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	if (set == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (mailimap_set_add_single(set, uids[i]) != MAILIMAP_NO_ERROR) {
			mailimap_set_free(set);
			return NULL;
		}
	}
	return set;
}

/* UID FETCH uids with the given attributes; the result list is the caller's. */
static int fetch(mailimap *imap, const uint32_t *uids, size_t n, bool sizes_only,
		 bool header_only, clist **result)
{
	*result = NULL;
	struct mailimap_set *set = set_of(uids, n);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (set == NULL || ft == NULL)
		goto oom;
	if (mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) != 0)
		goto oom;
	if (sizes_only) {
		if (mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size()) != 0)
			goto oom;
	} else {
		struct mailimap_section *sec =
			header_only ? mailimap_section_new_header() : mailimap_section_new(NULL);
		if (mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_internaldate()) != 0 ||
		    sec == NULL ||
		    mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_body_peek_section(sec)) != 0)
			goto oom;
	}
	int rc = mailimap_uid_fetch(imap, set, ft, result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	return rc;
oom:
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (set != NULL)
		mailimap_set_free(set);
	return MAILIMAP_ERROR_MEMORY;
}

/* Parse and classify one fetched message into f (a parse thread). */
static int add_item(struct imap_worker *w, struct imap_fetched *f, uint32_t uidvalidity,
		    const struct fetched_att *a, const char *oversize_reason)
{
	memset(f, 0, sizeof(*f));
	f->uid = a->uid;
	if (mime_normalise((const unsigned char *)a->body, a->body_len, &f->r) != 0)
		return -1;
	if (oversize_reason != NULL) {
		/* Only the header was fetched: keep it, and say why. */
		f->r.status = STATUS_QUARANTINED;
		free(f->r.status_reason);
		f->r.status_reason = strdup(oversize_reason);
		free(f->r.text);
		f->r.text = strdup("");
		if (f->r.status_reason == NULL || f->r.text == NULL) {
			response_clear(&f->r);
			return -1;
		}
	}
	char source[512];
	snprintf(source, sizeof(source), "imap:%s:%u:%u", w->mailbox, (unsigned)uidvalidity,
		 (unsigned)a->uid);
	for (size_t i = 0; i < f->r.n_attachments; i++) {
		const struct attachment *att = &f->r.attachments[i];
		if (att->text_error != NULL) {
			char name[128];
			log_warn("source=imap uid=%u attachment=\"%s\" reason=\"no text: %s\" "
				 "action=\"stored; counted by its email text\"", (unsigned)a->uid,
				 log_escape(att->filename, name, sizeof(name)), att->text_error);
		}
	}
	f->r.channel = CHANNEL_EMAIL;
	f->r.source_id = strdup(source);
	f->r.received_at = a->internaldate;
	if (f->r.source_id == NULL ||
	    (f->r.status == STATUS_RESPONSE && classify_response(current_themes(w), &f->r) != 0)) {
		response_clear(&f->r);
		return -1;
	}
	return 0;
}

static int parse_item(struct imap_worker *w, struct pending *p, size_t i)
{
	struct raw_item *ri = &p->raw[i];
	struct fetched_att a = {
		.uid = ri->uid, .internaldate = ri->internaldate,
		.body = p->bytes + ri->off, .body_len = ri->len,
	};
	char reason[160];
	if (ri->oversize > 0) {
		int n = snprintf(reason, sizeof(reason), "message of %u bytes is over the cap of %u bytes",
				 (unsigned)ri->oversize, LIMIT_MESSAGE_BYTES);
		if (!ri->spooled && n > 0 && (size_t)n < sizeof(reason))
			snprintf(reason + n, sizeof(reason) - (size_t)n, "; only its header is kept");
		log_warn("source=imap uid=%u reason=\"%s\" action=quarantine", (unsigned)ri->uid, reason);
	}
	int rc = add_item(w, &p->b->items[i], p->b->uidvalidity, &a, ri->oversize > 0 ? reason : NULL);
	if (rc == 0 && ri->spooled) {
		/* The source as received is the spooled file, not the header. */
		struct response *r = &p->b->items[i].r;
		free(r->raw);
		r->raw = NULL;
		r->raw_len = ri->spool_len;
		r->raw_in_file = true;
		r->raw_file = ri->spool_fd;
		ri->spooled = false;
	}
	return rc;
}

/*
 * Bodies fetched by one or two UID FETCHes into one pending batch. The
 * literals are not kept by libetpan: while a FETCH is read, its body
 * handler appends each literal's bytes to `bytes` as they arrive (libetpan
 * keeps an empty string in its place), noting which body section they
 * belong to; once the answer is read, each message in libetpan's result
 * list finds its bytes by that section. So a batch is held once, not
 * twice (libetpan would keep every literal until the whole answer is
 * read, and the batch would then be copied).
 */
struct streamed {
	const void *section;    /* libetpan's, live until the result list is freed */
	size_t off, len;        /* into gather.bytes */
};

struct gather {
	struct raw_item *raw;
	size_t n, cap;
	char *bytes;
	size_t len, bytes_cap;
	struct streamed *runs;  /* the literals of the FETCH being read, in order */
	size_t nruns, runs_cap;
	bool failed;            /* out of memory or over the cap */
};

static bool gather_reserve(struct gather *g, size_t more)
{
	size_t need = g->len + more + 1;
	if (need <= g->bytes_cap)
		return true;
	if (g->len + more > (size_t)LIMIT_IMAP_LITERAL_BYTES)
		return false; /* imap_wire refuses such an answer first */
	/* The first reservation is the batch's size, exactly. */
	size_t cap = g->bytes_cap ? g->bytes_cap : need > 65536 ? need : 65536;
	while (cap < need)
		cap *= 2;
	char *b = realloc(g->bytes, cap);
	if (b == NULL)
		return false;
	g->bytes = b;
	g->bytes_cap = cap;
	return true;
}

static bool on_body(int msg_att_type, struct mailimap_msg_att_body_section *section,
		    const char *bytes, size_t length, void *context)
{
	(void)msg_att_type;
	struct gather *g = context;
	if (g->failed || !gather_reserve(g, length))
		goto fail;
	if (g->nruns == 0 || g->runs[g->nruns - 1].section != section) {
		if (g->nruns == g->runs_cap) {
			size_t cap = g->runs_cap ? g->runs_cap * 2 : 64;
			struct streamed *r = realloc(g->runs, cap * sizeof(*r));
			if (r == NULL)
				goto fail;
			g->runs = r;
			g->runs_cap = cap;
		}
		g->runs[g->nruns++] = (struct streamed){.section = section, .off = g->len};
	}
	memcpy(g->bytes + g->len, bytes, length);
	g->len += length;
	g->runs[g->nruns - 1].len += length;
	return true;
fail:
	g->failed = true;
	return false; /* aborts the FETCH; the session is dropped */
}

static int gather_add(struct gather *g, clist *result, const uint32_t *uids,
		      const uint32_t *sizes, size_t n, bool header_only)
{
	size_t next_run = 0;
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct fetched_att a;
		read_att(clist_content(it), &a);
		if (a.uid == 0 || a.body == NULL)
			continue; /* an unsolicited FETCH (flag change) */
		size_t off = g->len, len = 0;
		if (a.body_len > 0) {
			/* Sent as a quoted string, not a literal: not streamed. */
			if (!gather_reserve(g, a.body_len))
				return -1;
			memcpy(g->bytes + g->len, a.body, a.body_len);
			g->len += a.body_len;
			len = a.body_len;
		} else {
			/* Literals come in the order of the list; an empty one
			 * has no run. */
			for (size_t k = next_run; k < g->nruns; k++)
				if (g->runs[k].section == a.section) {
					off = g->runs[k].off;
					len = g->runs[k].len;
					next_run = k + 1;
					break;
				}
		}
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 64;
			struct raw_item *r = realloc(g->raw, cap * sizeof(*r));
			if (r == NULL)
				return -1;
			g->raw = r;
			g->cap = cap;
		}
		struct raw_item *ri = &g->raw[g->n++];
		ri->uid = a.uid;
		ri->internaldate = a.internaldate;
		ri->off = off;
		ri->len = len;
		ri->oversize = 0;
		ri->spooled = false;
		ri->spool_fd = -1;
		ri->spool_len = 0;
		if (header_only) {
			for (size_t i = 0; i < n; i++)
				if (uids[i] == a.uid)
					ri->oversize = sizes[i] > 0 ? sizes[i] : 1;
			if (ri->oversize == 0)
				ri->oversize = LIMIT_MESSAGE_BYTES + 1u;
		}
	}
	return 0;
}

/* An unlinked temporary file for one large message, in $TMPDIR or else
 * /var/tmp (the place for large temporary files; private to the service
 * under PrivateTmp=). */
static int spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/var/tmp";
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/consultd-raw-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path);
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* UID FETCH uid (UID BODY.PEEK[]<offset.size>); the result is the caller's. */
static int fetch_partial(mailimap *imap, uint32_t uid, uint32_t offset, uint32_t size,
			 clist **result)
{
	*result = NULL;
	struct mailimap_set *set = set_of(&uid, 1);
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_section *sec = mailimap_section_new(NULL);
	struct mailimap_fetch_att *att =
		sec != NULL ? mailimap_fetch_att_new_body_peek_section_partial(sec, offset, size) : NULL;
	int rc = MAILIMAP_ERROR_MEMORY;
	if (att == NULL && sec != NULL)
		mailimap_section_free(sec);
	if (set != NULL && ft != NULL && att != NULL &&
	    mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid()) == 0) {
		if (mailimap_fetch_type_new_fetch_att_list_add(ft, att) == 0) {
			att = NULL;
			rc = mailimap_uid_fetch(imap, set, ft, result);
		}
	}
	if (att != NULL)
		mailimap_fetch_att_free(att);
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (set != NULL)
		mailimap_set_free(set);
	return rc;
}

/*
 * The whole source of one oversized message into a temporary file, by
 * partial FETCHes of LIMIT_FETCH_CHUNK_BYTES, so memory stays bounded.
 * Returns a libetpan code: a failed FETCH is a session error like any
 * other. A local failure (no room for the file) is not: *fd is then -1
 * and the message is kept with its header only, as it is when the server
 * no longer has it.
 */
static int spool_message(struct imap_worker *w, mailimap *imap, uint32_t uid, int *fd,
			 size_t *len)
{
	*fd = -1;
	*len = 0;
	int file = spool_open();
	if (file < 0) {
		log_warn("source=imap uid=%u reason=\"no temporary file for a large message: %s\" "
			 "action=\"keep its header only\"", (unsigned)uid, strerror(errno));
		return MAILIMAP_NO_ERROR;
	}
	size_t have = 0;
	int rc = MAILIMAP_NO_ERROR;
	bool more = true, written = true;
	while (more && written && rc == MAILIMAP_NO_ERROR) {
		mark_progress(w, true);
		if (is_stopping(w)) {
			rc = MAILIMAP_ERROR_STREAM;
			break;
		}
		clist *result;
		rc = fetch_partial(imap, uid, (uint32_t)have, LIMIT_FETCH_CHUNK_BYTES, &result);
		if (rc != MAILIMAP_NO_ERROR)
			break;
		size_t got = 0;
		for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
			struct fetched_att a;
			read_att(clist_content(it), &a);
			if (a.uid != uid || a.body == NULL || got > 0)
				continue; /* another message's flag change */
			got = a.body_len;
			written = write_all(file, a.body, a.body_len) == 0;
		}
		mailimap_fetch_list_free(result);
		have += got;
		more = got == LIMIT_FETCH_CHUNK_BYTES && have < LIMIT_KEPT_RAW_BYTES;
	}
	if (!written)
		log_warn("source=imap uid=%u reason=\"cannot write a large message to its temporary "
			 "file: %s\" action=\"keep its header only\"", (unsigned)uid, strerror(errno));
	if (rc != MAILIMAP_NO_ERROR || !written || have == 0) {
		close(file);
		return rc;
	}
	*fd = file;
	*len = have;
	return rc;
}

/* Fetch bodies (or only headers) for uids into g, streamed (above). */
static int fetch_into(mailimap *imap, const uint32_t *uids, size_t n, bool header_only,
		      struct gather *g, const uint32_t *sizes)
{
	if (n == 0)
		return MAILIMAP_NO_ERROR;
	g->nruns = 0;
	mailimap_set_msg_body_handler(imap, on_body, g);
	clist *result;
	int rc = fetch(imap, uids, n, false, header_only, &result);
	mailimap_set_msg_body_handler(imap, NULL, NULL);
	if (rc != MAILIMAP_NO_ERROR)
		return g->failed ? MAILIMAP_ERROR_MEMORY : rc;
	if (gather_add(g, result, uids, sizes, n, header_only) != 0)
		rc = MAILIMAP_ERROR_MEMORY;
	mailimap_fetch_list_free(result);
	return rc;
}

/* UID STORE +FLAGS.SILENT (flag); takes ownership of flag. */
static int add_flag(mailimap *imap, const uint32_t *uids, size_t n, struct mailimap_flag *flag)
{
	struct mailimap_set *set = set_of(uids, n);
	struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
	int rc = MAILIMAP_ERROR_MEMORY;
	if (set == NULL || flags == NULL || flag == NULL)
		goto out;
	if (mailimap_flag_list_add(flags, flag) != 0)
		goto out;
	flag = NULL;
	struct mailimap_store_att_flags *att = mailimap_store_att_flags_new_add_flags_silent(flags);
	if (att == NULL)
		goto out;
	flags = NULL;
	rc = mailimap_uid_store(imap, set, att);
	mailimap_store_att_flags_free(att);
out:
	if (flag != NULL)
		mailimap_flag_free(flag);
	if (flags != NULL)
		mailimap_flag_list_free(flags);
	if (set != NULL)
		mailimap_set_free(set);
	return rc;
}

/*
 * Move stored messages to the processed mailbox: MOVE where offered, else
 * COPY, \Deleted and UID EXPUNGE of exactly those UIDs (UIDPLUS). Without
 * either, a plain EXPUNGE could remove mail that is not ours to remove, so
 * the messages stay where they are.
 */
static int move_processed(struct imap_worker *w, mailimap *imap, const uint32_t *uids, size_t n)
{
	struct mailimap_set *set = set_of(uids, n);
	if (set == NULL)
		return MAILIMAP_ERROR_MEMORY;
	int rc;
	if (mailimap_has_extension(imap, "MOVE")) {
		log_debug("source=imap event=move count=%zu to=%s method=move", n, w->processed);
		rc = mailimap_uid_move(imap, set, w->processed);
	} else if (mailimap_has_uidplus(imap)) {
		log_debug("source=imap event=move count=%zu to=%s method=copy-expunge", n, w->processed);
		rc = mailimap_uid_copy(imap, set, w->processed);
		if (rc == MAILIMAP_NO_ERROR)
			rc = add_flag(imap, uids, n, mailimap_flag_new_deleted());
		if (rc == MAILIMAP_NO_ERROR)
			rc = mailimap_uid_expunge(imap, set);
	} else {
		if (!w->warned_no_move)
			log_warn("source=imap mailbox=%s reason=\"server has neither MOVE nor UIDPLUS\" "
				 "action=\"leave stored mail in place, flagged \\Seen\"", w->mailbox);
		w->warned_no_move = true;
		rc = MAILIMAP_NO_ERROR;
	}
	mailimap_set_free(set);
	return rc;
}

/* What happens on the server once messages are stored: \Seen, and a move
 * to processed_mailbox when one is configured. */
static int after_store(struct imap_worker *w, mailimap *imap, const uint32_t *uids, size_t n)
{
	if (n == 0)
		return MAILIMAP_NO_ERROR;
	int rc = add_flag(imap, uids, n, mailimap_flag_new_seen());
	if (rc == MAILIMAP_NO_ERROR && w->processed != NULL)
		rc = move_processed(w, imap, uids, n);
	return rc;
}

/*
 * A crash between a commit and what follows it on the server leaves stored
 * mail unflagged (or unmoved); the cursor has moved past it, so finish the
 * job once per session: every UID up to the cursor is stored. (Which mail
 * is fetched never depends on \Seen.)
 */
static int finish_stored(struct imap_worker *w, mailimap *imap)
{
	uint32_t *uids;
	size_t n;
	struct mailimap_search_key *key = w->processed != NULL ? key_uid_range(1, w->last_uid)
							       : key_unseen_upto(w->last_uid);
	int rc = uid_search(imap, key, 0, &uids, &n);
	/* "1:N" matches the highest UID even when it is above N. */
	while (n > 0 && uids[n - 1] > w->last_uid)
		n--;
	if (rc == MAILIMAP_NO_ERROR && n > 0) {
		log_info("source=imap mailbox=%s event=finish-stored count=%zu reason=\"stored, not yet %s\"",
			 w->mailbox, n, w->processed != NULL ? "moved" : "\\Seen");
		rc = after_store(w, imap, uids, n);
	}
	free(uids);
	return rc;
}

/* Whether a batch of `bytes` more may be fetched now. */
static bool has_room(const struct imap_worker *w, uint64_t bytes)
{
	return w->in_flight == 0 ||
	       (w->in_flight < MAX_IN_FLIGHT &&
		w->in_flight_bytes + bytes <= (uint64_t)MAX_IN_FLIGHT * LIMIT_BATCH_BYTES);
}

/*
 * Take the loop's verdicts (they come in fetch order) and set \Seen (and
 * move) on what was stored, in one command for all of them. Then, when
 * `all`, wait until nothing is in flight, else until a batch of
 * next_bytes fits. imap NULL: the session is broken, flag nothing (the
 * next session finishes the job, see finish_stored). Returns the first
 * error; a batch not stored is one.
 */
static int settle(struct imap_worker *w, mailimap *imap, uint64_t next_bytes, bool all)
{
	int rc = MAILIMAP_NO_ERROR;
	for (;;) {
		uv_mutex_lock(&w->mu);
		struct imap_batch *acked = w->acked;
		w->acked = w->acked_tail = NULL;
		bool stopping = w->stopping;
		uv_mutex_unlock(&w->mu);
		if (acked != NULL) {
			size_t n = 0, cap = 0;
			for (struct imap_batch *b = acked; b != NULL; b = b->next)
				cap += b->n;
			uint32_t *uids = malloc((cap ? cap : 1) * sizeof(*uids));
			bool failed = false;
			while (acked != NULL) {
				struct imap_batch *b = acked;
				acked = b->next;
				w->in_flight--;
				w->in_flight_bytes -= b->raw_bytes;
				if (!b->stored) {
					if (!failed)
						log_err("source=imap reason=\"batch not stored; leaving it unflagged\"");
					failed = true;
				} else {
					if (b->highest_uid > w->last_uid)
						w->last_uid = b->highest_uid;
					/* Flag only on the session that fetched it. */
					for (size_t i = 0; uids != NULL && b->generation == w->generation && i < b->n; i++)
						uids[n++] = b->items[i].uid;
					log_debug("source=imap event=batch-stored count=%zu highest_uid=%u", b->n,
						  (unsigned)b->highest_uid);
				}
				batch_free(b);
			}
			if (imap != NULL && rc == MAILIMAP_NO_ERROR) {
				int r = uids != NULL ? after_store(w, imap, uids, n) : MAILIMAP_ERROR_MEMORY;
				if (r != MAILIMAP_NO_ERROR) {
					log_warn("source=imap reason=\"after storing (\\Seen%s): %s\" (stored all the same)",
						 w->processed != NULL ? ", move" : "", session_error(r));
					rc = r;
				}
			}
			free(uids);
			if (failed && rc == MAILIMAP_NO_ERROR)
				rc = MAILIMAP_ERROR_STREAM;
			continue;
		}
		if (all ? w->in_flight == 0 : (rc != MAILIMAP_NO_ERROR || has_room(w, next_bytes)))
			return rc;
		if (stopping)
			return rc != MAILIMAP_NO_ERROR ? rc : MAILIMAP_ERROR_STREAM;
		mark_progress(w, false); /* waiting on the loop, not the server */
		uv_mutex_lock(&w->mu);
		while (w->acked == NULL && !w->stopping)
			uv_cond_wait(&w->cond, &w->mu);
		uv_mutex_unlock(&w->mu);
		mark_progress(w, true);
	}
}

/* Fetch one batch (small messages whole, oversized ones header only) and
 * hand it to the loop. */
static int fetch_batch(struct imap_worker *w, mailimap *imap, uint32_t uidvalidity,
		       const uint32_t *small, size_t nsmall, const uint32_t *big,
		       const uint32_t *big_sizes, size_t nbig, uint64_t bytes)
{
	struct gather g = {0};
	/* RFC822.SIZE is the body's size: room for all of it at once (more
	 * is made if a server's sizes are off). */
	int rc = gather_reserve(&g, bytes) ? MAILIMAP_NO_ERROR : MAILIMAP_ERROR_MEMORY;
	if (rc == MAILIMAP_NO_ERROR)
		rc = fetch_into(imap, small, nsmall, false, &g, NULL);
	if (rc == MAILIMAP_NO_ERROR)
		rc = fetch_into(imap, big, nbig, true, &g, big_sizes);
	free(g.runs);
	g.runs = NULL;
	struct pending *p = NULL;
	struct imap_batch *b = NULL;
	if (rc == MAILIMAP_NO_ERROR &&
	    ((p = calloc(1, sizeof(*p))) == NULL || (b = calloc(1, sizeof(*b))) == NULL ||
	     (b->items = calloc(g.n ? g.n : 1, sizeof(*b->items))) == NULL ||
	     (p->parsed_event = calloc(1, sizeof(*p->parsed_event))) == NULL))
		rc = MAILIMAP_ERROR_MEMORY;
	for (size_t i = 0; i < g.n && rc == MAILIMAP_NO_ERROR; i++) {
		struct raw_item *ri = &g.raw[i];
		if (ri->oversize > 0 && ri->oversize <= LIMIT_KEPT_RAW_BYTES) {
			rc = spool_message(w, imap, ri->uid, &ri->spool_fd, &ri->spool_len);
			ri->spooled = ri->spool_fd >= 0;
		}
	}
	if (rc != MAILIMAP_NO_ERROR) {
		raw_items_free(g.raw, g.n);
		free(g.bytes);
		if (b != NULL)
			free(b->items);
		free(b);
		if (p != NULL)
			free(p->parsed_event);
		free(p);
		return rc;
	}
	b->uidvalidity = uidvalidity;
	b->generation = w->generation;
	b->raw_bytes = bytes;
	b->n = g.n;
	for (size_t i = 0; i < g.n; i++)
		if (g.raw[i].uid > b->highest_uid)
			b->highest_uid = g.raw[i].uid;
	p->w = w;
	p->b = b;
	p->raw = g.raw;
	p->n_raw = g.n;
	p->bytes = g.bytes;
	p->parsed_event->kind = EVENT_PARSED;
	p->parsed_event->pending = p;
	unsigned nparts = split_parts(p);
	p->parts_left = nparts + 1; /* +1 held while queueing (and for an empty batch) */
	/* The loop learns of the batch (and its place in the order) before
	 * any part can end. */
	if (!post_event(w, EVENT_BATCH, p)) {
		pending_free(p);
		return MAILIMAP_ERROR_MEMORY;
	}
	for (unsigned k = 0; k < nparts; k++)
		if (workq_submit(w->parse_q, parse_work, &p->parts[k]) != 0)
			part_done(w, p, false, false);
	part_done(w, p, true, false);
	w->in_flight++;
	w->in_flight_bytes += bytes;
	return MAILIMAP_NO_ERROR;
}

/* Fetch one chunk of at most LIMIT_BATCH_MESSAGES UIDs, split by bytes. */
static int process_chunk(struct imap_worker *w, mailimap *imap, uint32_t uidvalidity,
			 const uint32_t *uids, size_t n)
{
	mark_progress(w, true);
	clist *result;
	int rc = fetch(imap, uids, n, true, false, &result);
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	uint32_t *sizes = calloc(n, sizeof(*sizes));
	uint32_t *big = calloc(n, sizeof(*big));
	uint32_t *big_sizes = calloc(n, sizeof(*big_sizes));
	uint32_t *small = calloc(n, sizeof(*small));
	if (sizes == NULL || big == NULL || big_sizes == NULL || small == NULL) {
		rc = MAILIMAP_ERROR_MEMORY;
		goto out;
	}
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct fetched_att a;
		read_att(clist_content(it), &a);
		for (size_t i = 0; i < n; i++)
			if (uids[i] == a.uid)
				sizes[i] = a.size;
	}
	size_t start = 0;
	while (start < n && rc == MAILIMAP_NO_ERROR) {
		/* One batch: as many messages as fit under the byte cap. */
		size_t end = start, nbig = 0, nsmall = 0;
		uint64_t bytes = 0;
		while (end < n) {
			if (sizes[end] > LIMIT_MESSAGE_BYTES) {
				big_sizes[nbig] = sizes[end];
				big[nbig++] = uids[end++];
				continue;
			}
			if (end > start && bytes + sizes[end] > LIMIT_BATCH_BYTES)
				break;
			bytes += sizes[end];
			small[nsmall++] = uids[end++];
		}
		/* Flag what the loop has stored meanwhile; wait if too much is
		 * in flight for this batch. */
		rc = settle(w, imap, bytes, false);
		if (rc == MAILIMAP_NO_ERROR && is_stopping(w))
			rc = MAILIMAP_ERROR_STREAM;
		if (rc == MAILIMAP_NO_ERROR)
			rc = fetch_batch(w, imap, uidvalidity, small, nsmall, big, big_sizes, nbig, bytes);
		start = end;
	}
out:
	free(sizes);
	free(big);
	free(big_sizes);
	free(small);
	mailimap_fetch_list_free(result);
	return rc;
}

/* One pass: everything above the stored cursor, in bounded batches. */
static int poll_once(struct imap_worker *w, mailimap *imap, uint32_t uidvalidity)
{
	uint32_t after = w->last_uid;
	if (uidvalidity != w->uidvalidity) {
		if (w->uidvalidity != 0)
			log_warn("source=imap mailbox=%s old_uidvalidity=%u new_uidvalidity=%u "
				 "event=uidvalidity-changed action=rescan", w->mailbox,
				 (unsigned)w->uidvalidity, (unsigned)uidvalidity);
		after = 0;
		w->last_uid = 0;
		w->uidvalidity = uidvalidity;
	}
	uint32_t *uids;
	size_t n;
	/* From here on, an EXISTS in the answer to any command (this search,
	 * the fetches, the flagging or moving) may be for mail this search
	 * does not see; idle_wait looks at the flag before it waits. */
	if (imap->imap_selection_info != NULL)
		imap->imap_selection_info->sel_has_exists = 0;
	int rc = uid_search(imap, key_uid_range(after + 1, 0), after, &uids, &n);
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	if (n > 0) {
		log_info("source=imap mailbox=%s new=%zu event=poll", w->mailbox, n);
		w->idle_skips = 0;
	}
	for (size_t i = 0; i < n && rc == MAILIMAP_NO_ERROR; i += LIMIT_BATCH_MESSAGES) {
		size_t len = n - i < LIMIT_BATCH_MESSAGES ? n - i : LIMIT_BATCH_MESSAGES;
		if (is_stopping(w))
			break;
		rc = process_chunk(w, imap, uidvalidity, uids + i, len);
	}
	free(uids);
	/* Everything handed over is answered before the pass ends (a sweep
	 * is done only then); after an error nothing more is sent on this
	 * session, but the cursor still learns what was stored. */
	int r = settle(w, rc == MAILIMAP_NO_ERROR ? imap : NULL, 0, true);
	return rc != MAILIMAP_NO_ERROR ? rc : r;
}

/* Tell the loop which UIDs the server holds up to the stored cursor. */
static int post_reconcile(struct imap_worker *w, mailimap *imap, uint32_t uidvalidity)
{
	if (w->last_uid == 0 || uidvalidity != w->uidvalidity)
		return MAILIMAP_NO_ERROR;
	uint32_t *uids;
	size_t n;
	int rc = uid_search(imap, key_uid_range(1, w->last_uid), 0, &uids, &n);
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	struct event *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		free(uids);
		return MAILIMAP_NO_ERROR; /* a skipped reconciliation loses nothing */
	}
	e->kind = EVENT_RECONCILE;
	e->uids = uids;
	e->n = n;
	e->uidvalidity = uidvalidity;
	e->upto = w->last_uid;
	queue_event(w, e);
	return MAILIMAP_NO_ERROR;
}

/* IDLEs skipped in a row for news that a search then did not find. */
#define IDLE_SKIPS_MAX 3

/* Untagged lines a server may send before confirming IDLE. */
#define IDLE_START_LINES_MAX 10000

/*
 * Send IDLE and read up to its "+" continuation, setting *news when the
 * server reported anything first. libetpan's mailimap_idle is not used:
 * in 1.9.4, an untagged response before the continuation (an EXISTS for
 * mail that came since the last command, which a server may well report
 * there) sends it looking for a tagged answer that never comes during
 * IDLE, so it blocks until the command timeout drops the session.
 * mailimap_idle_done then ends the IDLE as usual.
 */
static int idle_start(mailimap *imap, bool *news)
{
	static const char cmd[] = "IDLE\r\n";
	*news = false;
	if (mailimap_send_current_tag(imap) != MAILIMAP_NO_ERROR ||
	    mailstream_write(imap->imap_stream, cmd, sizeof(cmd) - 1) != (ssize_t)(sizeof(cmd) - 1) ||
	    mailstream_flush(imap->imap_stream) == -1)
		return MAILIMAP_ERROR_STREAM;
	for (int i = 0; i < IDLE_START_LINES_MAX; i++) {
		const char *line = mailimap_read_line(imap);
		if (line == NULL)
			return MAILIMAP_ERROR_STREAM;
		if (line[0] == '+')
			return MAILIMAP_NO_ERROR;
		if (line[0] != '*')
			return MAILIMAP_ERROR_EXTENSION; /* IDLE refused (a tagged NO or BAD) */
		size_t n = strlen(line);
		if (n >= 3 && line[n - 3] == '}')
			return MAILIMAP_ERROR_PARSE; /* a literal: nothing sent here has one */
		*news = true;
	}
	return MAILIMAP_ERROR_PARSE;
}

/*
 * Wait for news in IDLE until the server says something, the loop wakes us
 * (sweep, stop) or IDLE_REISSUE_SECONDS pass; then leave IDLE so the caller
 * searches. News the server has already given is handled without waiting,
 * since it will not be given again: an EXISTS in the answer to a command
 * since the last search began (libetpan records it and carries on; mail
 * delivered during a FETCH or a MOVE is announced there), untagged
 * responses before the continuation, and bytes still buffered after it
 * (both in one TLS record).
 */
static int idle_wait(struct imap_worker *w, mailimap *imap)
{
	/* A server that says EXISTS whatever happens would otherwise have us
	 * search without pause. */
	bool may_skip = w->idle_skips < IDLE_SKIPS_MAX;
	if (may_skip && imap->imap_selection_info != NULL &&
	    imap->imap_selection_info->sel_has_exists) {
		w->idle_skips++;
		log_debug("source=imap host=%s event=idle-skipped reason=\"EXISTS since the last search\"",
			  w->host);
		return MAILIMAP_NO_ERROR;
	}
	bool news;
	int rc = idle_start(imap, &news);
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	if (news && may_skip) {
		w->idle_skips++;
		log_debug("source=imap host=%s event=idle-skipped reason=\"untagged before the continuation\"",
			  w->host);
	} else {
		news = false;
		w->idle_skips = 0;
	}
	if (!news && imap->imap_stream->read_buffer_len == 0 && !has_work(w)) {
		mark_progress(w, false);
		int r = mailstream_wait_idle(imap->imap_stream, IDLE_REISSUE_SECONDS);
		mark_progress(w, true);
		if (r == MAILSTREAM_IDLE_ERROR || r == MAILSTREAM_IDLE_CANCELLED)
			return MAILIMAP_ERROR_STREAM;
	}
	return mailimap_idle_done(imap);
}

/* Wait before the next attempt, exponentially longer with jitter. */
static void back_off(struct imap_worker *w, unsigned int *backoff)
{
	unsigned int jitter = (unsigned int)rand_r(&w->seed) % (*backoff / 2 + 1);
	log_warn("source=imap host=%s event=retry in_seconds=%u", w->host, *backoff + jitter);
	wait_for_work(w, *backoff + jitter);
	*backoff = *backoff * 2 > BACKOFF_MAX_SECONDS ? BACKOFF_MAX_SECONDS : *backoff * 2;
}

static void worker_main(void *arg)
{
	struct imap_worker *w = arg;
	unsigned int backoff = 1;
	uint64_t last_reconcile = 0;
	mime_init();
	while (!is_stopping(w)) {
		uint32_t uidvalidity = 0;
		mark_progress(w, true);
		mailimap *imap = session_open(w, &uidvalidity);
		if (imap == NULL) {
			mark_progress(w, false);
			post_error(w, "cannot connect, log in or select (see the log)");
			/* A sweep waits for the next good pass; it is not a reason to hammer. */
			back_off(w, &backoff);
			continue;
		}
		w->generation++;
		bool failed = false;
		bool idle = w->use_idle && server_has_idle(imap) &&
			    mailstream_setup_idle(imap->imap_stream) == 0;
		if (w->use_idle && !idle)
			log_info("source=imap host=%s event=no-idle action=poll every_seconds=%d",
				 w->host, w->poll_interval);
		uv_mutex_lock(&w->mu);
		w->session_fd = mailstream_low_get_fd(mailstream_get_low(imap->imap_stream));
		w->idle_stream = idle ? imap->imap_stream : NULL;
		uv_mutex_unlock(&w->mu);
		/* Create the processed mailbox if it is missing; "already
		 * exists" is the usual answer and not an error. */
		if (w->processed != NULL && mailimap_create(imap, w->processed) == MAILIMAP_NO_ERROR)
			log_info("source=imap mailbox=%s event=created", w->processed);
		if (uidvalidity == w->uidvalidity && w->last_uid > 0 &&
		    finish_stored(w, imap) != MAILIMAP_NO_ERROR)
			log_warn("source=imap reason=\"could not finish flagging or moving stored mail\" (stored all the same)");
		for (;;) {
			uv_mutex_lock(&w->mu);
			bool sweeping = w->sweep_requested;
			w->sweep_requested = false;
			uv_mutex_unlock(&w->mu);
			int rc = poll_once(w, imap, uidvalidity);
			if (rc == MAILIMAP_NO_ERROR)
				backoff = 1; /* only a session that got somewhere resets it */
			if (rc != MAILIMAP_NO_ERROR) {
				failed = true;
				if (!is_stopping(w)) {
					log_warn("source=imap host=%s reason=\"%s\" action=reconnect", w->host,
						 session_error(rc));
					post_error(w, "%s", session_error(rc));
				}
				if (sweeping) {
					uv_mutex_lock(&w->mu);
					w->sweep_requested = true; /* redo it on the next session */
					uv_mutex_unlock(&w->mu);
				}
				break;
			}
			post_event(w, EVENT_POLLED, NULL);
			if (sweeping || uv_hrtime() - last_reconcile >= RECONCILE_EVERY_NS) {
				rc = post_reconcile(w, imap, uidvalidity);
				if (rc != MAILIMAP_NO_ERROR) {
					log_warn("source=imap host=%s reason=\"reconcile: %s\" action=reconnect",
						 w->host, session_error(rc));
					post_error(w, "reconcile: %s", session_error(rc));
					failed = true;
					break;
				}
				last_reconcile = uv_hrtime();
			}
			if (sweeping)
				post_event(w, EVENT_SWEEP_DONE, NULL);
			if (idle) {
				rc = idle_wait(w, imap);
			} else {
				mark_progress(w, false);
				wait_for_work(w, (unsigned int)w->poll_interval);
				mark_progress(w, true);
				rc = is_stopping(w) ? MAILIMAP_NO_ERROR : mailimap_noop(imap);
			}
			if (is_stopping(w)) {
				if (rc == MAILIMAP_NO_ERROR)
					mailimap_logout(imap);
				break;
			}
			if (rc != MAILIMAP_NO_ERROR) {
				log_warn("source=imap host=%s reason=\"%s: %s\" action=reconnect", w->host,
					 idle ? "IDLE" : "NOOP", session_error(rc));
				post_error(w, "%s: %s", idle ? "IDLE" : "NOOP", session_error(rc));
				failed = true;
				break;
			}
		}
		/* Unpublish before the descriptor is closed and its number reused. */
		uv_mutex_lock(&w->mu);
		w->session_fd = -1;
		w->idle_stream = NULL;
		uv_mutex_unlock(&w->mu);
		if (idle)
			mailstream_unsetup_idle(imap->imap_stream);
		session_drop(imap);
		if (failed && !is_stopping(w))
			back_off(w, &backoff);
	}
}

int imap_check(const struct imap_config *cfg, char *info, size_t len)
{
	/* A worker that never starts its thread: the session code is shared,
	 * so the check cannot pass where the daemon would fail. */
	struct imap_worker w = {
		.host = cfg->host, .user = cfg->user, .password_file = cfg->password_file,
		.mailbox = cfg->mailbox, .ca_file = cfg->ca_file, .port = cfg->port,
		.tls = cfg->tls, .session_fd = -1, .timeout = cfg->timeout, .auth = cfg->auth,
	};
	uint32_t uidvalidity;
	mailimap *imap = session_open(&w, &uidvalidity);
	if (imap == NULL)
		return -1;
	struct mailimap_selection_info *sel = imap->imap_selection_info;
	snprintf(info, len, "%s:%d %s: mailbox %s holds %u messages (UIDVALIDITY %u, next UID %u)",
		 cfg->host, cfg->port,
		 cfg->tls == IMAP_TLS_IMPLICIT ? "TLS, certificate verified"
		 : cfg->tls == IMAP_TLS_STARTTLS ? "STARTTLS, certificate verified"
						 : "plaintext (loopback)",
		 cfg->mailbox, (unsigned)sel->sel_exists, (unsigned)uidvalidity,
		 (unsigned)sel->sel_uidnext);
	mailimap_logout(imap);
	session_drop(imap);
	return 0;
}

/* ---- start and stop -------------------------------------------------- */

static void on_async_closed(uv_handle_t *handle);

static void worker_free(struct imap_worker *w)
{
	free(w->host);
	free(w->user);
	free(w->password_file);
	free(w->mailbox);
	free(w->ca_file);
	free(w->processed);
	workq_free(w->parse_q);
	free(w);
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int imap_worker_start(uv_loop_t *loop, const struct imap_config *cfg,
		      const struct theme_set *ts, uint32_t uidvalidity, uint32_t last_uid,
		      const struct imap_worker_callbacks *cb, void *user,
		      struct imap_worker **out)
{
	*out = NULL;
	struct imap_worker *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->loop = loop;
	w->host = dup_or_null(cfg->host);
	w->user = dup_or_null(cfg->user);
	w->password_file = dup_or_null(cfg->password_file);
	w->mailbox = dup_or_null(cfg->mailbox);
	w->ca_file = dup_or_null(cfg->ca_file);
	w->processed = dup_or_null(cfg->processed_mailbox);
	if ((cfg->processed_mailbox != NULL && w->processed == NULL) || w->host == NULL || w->user == NULL || w->password_file == NULL || w->mailbox == NULL ||
	    (cfg->ca_file != NULL && w->ca_file == NULL)) {
		worker_free(w);
		return -1;
	}
	w->port = cfg->port;
	w->tls = cfg->tls;
	w->poll_interval = cfg->poll_interval;
	w->use_idle = cfg->idle;
	w->timeout = cfg->timeout;
	w->auth = cfg->auth;
	w->themes = ts;
	w->uidvalidity = uidvalidity;
	w->last_uid = last_uid;
	w->seed = (unsigned int)uv_hrtime();
	w->session_fd = -1;
	w->cb = *cb;
	w->cb_user = user;
	if (uv_mutex_init(&w->mu) != 0) {
		worker_free(w);
		return -1;
	}
	if (uv_cond_init(&w->cond) != 0) {
		uv_mutex_destroy(&w->mu);
		worker_free(w);
		return -1;
	}
	uv_async_init(loop, &w->async, on_async);
	w->async.data = w;
	w->parse_q = workq_new(parse_ways());
	if (w->parse_q == NULL) {
		log_err("source=imap reason=\"cannot start the parse threads\"");
		uv_close((uv_handle_t *)&w->async, on_async_closed);
		return -1;
	}
	if (uv_thread_create(&w->thread, worker_main, w) != 0) {
		log_err("source=imap reason=\"cannot start the IMAP thread\"");
		uv_close((uv_handle_t *)&w->async, on_async_closed);
		return -1;
	}
	*out = w;
	return 0;
}

static void worker_destroy(struct imap_worker *w)
{
	uv_cond_destroy(&w->cond);
	uv_mutex_destroy(&w->mu);
	worker_free(w);
}

static void on_async_closed(uv_handle_t *handle)
{
	struct imap_worker *w = handle->data;
	w->closed = true;
	release(w);
}

void imap_worker_stop(struct imap_worker *w)
{
	if (w == NULL)
		return;
	uv_mutex_lock(&w->mu);
	w->stopping = true;
	uv_cond_broadcast(&w->cond);
	/* Wake a worker blocked in a read: shutdown() is safe from another
	 * thread, and what it interrupts is either not stored (fetched again
	 * next time) or stored and flagged at the next session. */
	if (w->session_fd >= 0)
		shutdown(w->session_fd, SHUT_RDWR);
	wake_locked(w);
	uv_mutex_unlock(&w->mu);
	uv_thread_join(&w->thread);
	/* Parts not started are dropped; those running end first (a part is
	 * a bounded slice of one batch). */
	workq_free(w->parse_q);
	w->parse_q = NULL;
	/* Batches still queued for the loop, being parsed or parsed and
	 * waiting their turn were never stored: drop them unflagged (they are
	 * fetched again on the next start). */
	struct event *e = w->to_loop;
	while (e != NULL) {
		struct event *next = e->next;
		if (e->kind == EVENT_BATCH)
			pending_free(e->pending);
		event_free(e);
		e = next;
	}
	w->to_loop = w->to_loop_tail = NULL;
	struct imap_batch *b = w->acked;
	while (b != NULL) {
		struct imap_batch *next = b->next;
		batch_free(b);
		b = next;
	}
	w->acked = w->acked_tail = NULL;
	uv_mutex_lock(&w->mu);
	w->stopped = true;
	uv_mutex_unlock(&w->mu);
	while (w->pipe_head != NULL) {
		struct pending *p = w->pipe_head;
		w->pipe_head = p->next;
		pending_free(p);
	}
	w->pipe_tail = NULL;
	uv_close((uv_handle_t *)&w->async, on_async_closed);
}
