#include "sender.h"

#include "config/log.h"
#include "intake/secret.h"
#include "outbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MAX_BACKOFF_S (6 * 3600)

struct receipt_sender {
	uv_loop_t *loop;
	struct storage *st;
	const struct receipts_config *rc;
	struct curl_loop *cl;
	uv_timer_t timer;
	uint64_t next_token_ms;     /* uv_now when the bucket holds a token again */
	/* the submission in flight, if any */
	CURL *easy;
	struct curl_slist *rcpt;
	struct outbox_item item;
	size_t sent_bytes;          /* of item.message, handed to libcurl */
	bool body_done;             /* the read callback reached the end */
	char errbuf[CURL_ERROR_SIZE];
	bool stopping;
};

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static void schedule(struct receipt_sender *s);

static size_t read_cb(char *buf, size_t size, size_t nitems, void *user)
{
	struct receipt_sender *s = user;
	size_t len = strlen(s->item.message);
	size_t room = size * nitems, n = len - s->sent_bytes;
	if (n > room)
		n = room;
	memcpy(buf, s->item.message + s->sent_bytes, n);
	s->sent_bytes += n;
	/* libcurl stops asking once it has INFILESIZE bytes. */
	if (s->sent_bytes == len)
		s->body_done = true;
	return n;
}

static void release_transfer(struct receipt_sender *s)
{
	curl_easy_cleanup(s->easy);
	s->easy = NULL;
	curl_slist_free_all(s->rcpt);
	s->rcpt = NULL;
	outbox_item_clear(&s->item);
}

/* retry_base * 2^(attempt-1), capped, with ±25 % jitter. */
static int64_t backoff(const struct receipts_config *rc, int attempts)
{
	double d = rc->retry_base;
	for (int i = 1; i < attempts && d < MAX_BACKOFF_S; i++)
		d *= 2;
	if (d > MAX_BACKOFF_S)
		d = MAX_BACKOFF_S;
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)uv_hrtime();
	d *= 0.75 + 0.5 * (r / 4294967296.0);
	return d < 1 ? 1 : (int64_t)d;
}

static void note(struct receipt_sender *s, int rc, const char *what)
{
	if (rc != 0)
		log_err("event=receipt reason=\"%s: %s\"", what, storage_errmsg(s->st));
}

static void on_done(CURL *easy, CURLcode result, void *user)
{
	struct receipt_sender *s = user;
	long code = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	char ref[32];
	storage_format_ref(s->item.response_id, ref, sizeof(ref));
	int64_t now = now_s();
	if (result == CURLE_OK) {
		note(s, outbox_mark_sent(s->st, s->item.id, now), "marking sent");
		log_info("event=receipt-sent ref=%s attempt=%d", ref, s->item.attempts);
	} else {
		char why[CURL_ERROR_SIZE + 128];
		snprintf(why, sizeof(why), "%s%s%s (SMTP reply %ld)", curl_easy_strerror(result),
			 s->errbuf[0] != '\0' ? ": " : "", s->errbuf, code);
		/* A refused login is the configuration's fault, not the
		 * receipt's: retried like a temporary failure, so a fixed
		 * password gets the backlog out. */
		bool login = result == CURLE_LOGIN_DENIED;
		if (code >= 500 && code < 600 && !login) {
			note(s, outbox_mark_final(s->st, s->item.id, "failed", why), "marking failed");
			log_warn("event=receipt-failed ref=%s reason=\"%s\" action=\"not sent again\"", ref, why);
		} else if (s->body_done && code < 400) {
			/* The whole message went out and no answer came back: the
			 * server may have taken it. Not sent again (at most one). */
			note(s, outbox_mark_final(s->st, s->item.id, "uncertain", why), "marking uncertain");
			log_warn("event=receipt-uncertain ref=%s reason=\"%s\" action=\"not sent again\"", ref,
				 why);
		} else if (s->item.attempts >= s->rc->max_attempts) {
			note(s, outbox_mark_final(s->st, s->item.id, "failed", why), "marking failed");
			log_warn("event=receipt-failed ref=%s attempts=%d reason=\"%s\"", ref, s->item.attempts,
				 why);
		} else {
			int64_t wait = backoff(s->rc, s->item.attempts);
			/* + 1: the store keeps whole seconds; never retry early. */
			note(s, outbox_mark_retry(s->st, s->item.id, now + wait + 1, why),
			     "scheduling a retry");
			log_info("event=receipt-retry ref=%s attempt=%d retry_in=%lld reason=\"%s\"", ref,
				 s->item.attempts, (long long)wait, why);
		}
	}
	release_transfer(s);
	schedule(s);
}

/* Build and start the transfer of s->item. false when it could not start
 * (the row is then settled here). */
static bool start_transfer(struct receipt_sender *s)
{
	const struct receipts_config *rc = s->rc;
	char url[600], from[300], to[300];
	const char *host = rc->host;
	bool v6 = strchr(host, ':') != NULL && host[0] != '[';
	/* The path is the name given in EHLO: the From address's domain. */
	snprintf(url, sizeof(url), "%s://%s%s%s:%d/%s", rc->tls == IMAP_TLS_IMPLICIT ? "smtps" : "smtp",
		 v6 ? "[" : "", host, v6 ? "]" : "", rc->port, strchr(rc->from_address, '@') + 1);
	snprintf(from, sizeof(from), "<%s>", rc->from_address);
	snprintf(to, sizeof(to), "<%s>", s->item.recipient);
	s->errbuf[0] = '\0';
	s->sent_bytes = 0;
	s->body_done = false;
	char why[600] = "";
	char *password = NULL;
	if (rc->user != NULL) {
		char err[300];
		password = secret_read(rc->password_file, err, sizeof(err));
		if (password == NULL)
			snprintf(why, sizeof(why), "password: %s", err);
	}
	s->easy = why[0] == '\0' ? curl_easy_init() : NULL;
	s->rcpt = s->easy != NULL ? curl_slist_append(NULL, to) : NULL;
	if (why[0] == '\0' && (s->easy == NULL || s->rcpt == NULL))
		snprintf(why, sizeof(why), "out of memory");
	if (why[0] == '\0') {
		CURL *e = s->easy;
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
		curl_easy_setopt(e, CURLOPT_MAIL_RCPT, s->rcpt);
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, s);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)strlen(s->item.message));
		curl_easy_setopt(e, CURLOPT_USE_SSL,
				 rc->tls == IMAP_TLS_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
		if (rc->ca_file != NULL)
			curl_easy_setopt(e, CURLOPT_CAINFO, rc->ca_file);
		if (rc->user != NULL) {
			curl_easy_setopt(e, CURLOPT_USERNAME, rc->user);
			curl_easy_setopt(e, CURLOPT_PASSWORD, password); /* libcurl copies it */
		}
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)rc->timeout);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)rc->timeout);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		/* One connection per receipt, closed with QUIT: nothing idles
		 * between receipts, and each outcome belongs to one message. */
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		if (curl_loop_add(s->cl, e, on_done, s) != 0)
			snprintf(why, sizeof(why), "cannot start the SMTP transfer");
	}
	secret_free(password);
	if (why[0] == '\0')
		return true;
	/* Nothing went out: a temporary failure like any other. */
	if (s->item.attempts >= rc->max_attempts)
		note(s, outbox_mark_final(s->st, s->item.id, "failed", why), "marking failed");
	else
		note(s, outbox_mark_retry(s->st, s->item.id, now_s() + backoff(rc, s->item.attempts), why),
		     "scheduling a retry");
	log_warn("event=receipt-not-started reason=\"%s\"", why);
	release_transfer(s);
	return false;
}

static void on_timer(uv_timer_t *t)
{
	struct receipt_sender *s = t->data;
	if (s->easy != NULL || s->stopping)
		return;
	uint64_t now_ms = uv_now(s->loop);
	if (now_ms < s->next_token_ms) {
		schedule(s);
		return;
	}
	bool found;
	if (outbox_claim(s->st, now_s(), &s->item, &found) != 0) {
		log_err("event=receipt reason=\"%s\" action=\"try again in 10 s\"", storage_errmsg(s->st));
		uv_timer_start(&s->timer, on_timer, 10000, 0);
		return;
	}
	if (!found) {
		schedule(s);
		return;
	}
	/* The bucket holds one token: the next submission waits 60/rate s. */
	s->next_token_ms = now_ms + 60000u / (unsigned)s->rc->rate;
	if (!start_transfer(s))
		schedule(s);
}

/* Wake when the next pending row is due and the bucket has a token. */
static void schedule(struct receipt_sender *s)
{
	if (s->easy != NULL || s->stopping)
		return;
	int64_t at;
	bool any;
	if (outbox_next_due(s->st, &at, &any) != 0) {
		log_err("event=receipt reason=\"%s\"", storage_errmsg(s->st));
		uv_timer_start(&s->timer, on_timer, 10000, 0);
		return;
	}
	if (!any) {
		uv_timer_stop(&s->timer);
		return;
	}
	uint64_t now_ms = uv_now(s->loop);
	int64_t due_s = at - now_s();
	uint64_t wait = due_s > 0 ? (uint64_t)due_s * 1000 : 0;
	if (s->next_token_ms > now_ms && s->next_token_ms - now_ms > wait)
		wait = s->next_token_ms - now_ms;
	uv_timer_start(&s->timer, on_timer, wait, 0);
}

int receipt_sender_start(uv_loop_t *loop, struct storage *st, const struct receipts_config *rc,
			 struct receipt_sender **out, char *err, size_t errlen)
{
	*out = NULL;
	int64_t n;
	if (outbox_recover(st, now_s(), &n) != 0) {
		snprintf(err, errlen, "%s", storage_errmsg(st));
		return -1;
	}
	if (n > 0)
		log_warn("event=receipts-uncertain count=%lld reason=\"consultd stopped while the SMTP server "
			 "had them\" action=\"marked uncertain, not sent again (consultctl status)\"",
			 (long long)n);
	struct receipt_sender *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->loop = loop;
	s->st = st;
	s->rc = rc;
	if (curl_loop_new(loop, &s->cl) != 0) {
		snprintf(err, errlen, "cannot set up libcurl");
		free(s);
		return -1;
	}
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	schedule(s);
	*out = s;
	return 0;
}

void receipt_sender_kick(struct receipt_sender *s)
{
	if (s != NULL)
		schedule(s);
}

void receipt_sender_set_config(struct receipt_sender *s, const struct receipts_config *rc)
{
	if (s != NULL)
		s->rc = rc;
}

static void on_closed(uv_handle_t *h)
{
	free(h->data);
}

void receipt_sender_stop(struct receipt_sender *s)
{
	if (s == NULL)
		return;
	s->stopping = true;
	if (s->easy != NULL) {
		curl_loop_cancel(s->cl, s->easy);
		if (s->body_done)
			note(s, outbox_mark_final(s->st, s->item.id, "uncertain",
						  "consultd stopped during the submission; it may or may not "
						  "have been delivered (not sent again)"),
			     "marking uncertain");
		else /* the end of the message never went out: the server has nothing */
			note(s, outbox_mark_retry(s->st, s->item.id, now_s(),
						  "consultd stopped before the message was sent"),
			     "putting back");
		release_transfer(s);
	}
	curl_loop_close(s->cl);
	uv_timer_stop(&s->timer);
	uv_close((uv_handle_t *)&s->timer, on_closed);
}
