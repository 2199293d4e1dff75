#include "form.h"

#include "config/config.h"
#include "intake/secret.h"
#include "version.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS (5 * 60 * 1000)
#define RETRY_AFTER_MAX_S 3600

struct form_poller {
	uv_loop_t *loop;
	struct curl_loop *cl;
	const struct form_config *cfg;
	int64_t opens;
	struct form_poller_callbacks cb;
	void *user;
	struct storage_form_state st;   /* as last committed */
	uv_timer_t timer;

	bool polling;                   /* a poll is under way (between pages too) */
	bool first_request;             /* the next request opens the poll */
	char *page_token;               /* google: the next page within this poll */
	int64_t poll_max;               /* google: latest submission seen in this poll */
	char *token;                    /* bearer token for this poll, wiped after */
	unsigned attempts;              /* failures in a row */
	unsigned int seed;              /* for backoff jitter */
	struct rate_share *rate;        /* when its account last sent a request */
	bool sweep_requested, sweep_running;
	bool stopped;

	CURL *easy;                     /* the request under way, or NULL */
	struct curl_slist *headers;
	char *url;
	char *body;
	size_t body_len, body_cap;
	bool too_big;
	char etag[512];
	long retry_after;               /* seconds, -1 when none was given */
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * A provider's request budget is per account, not per form (Typeform: 2
 * requests a second), so pollers of one preset using the same token file
 * share one clock; without a token, those of one URL. Loop thread only.
 */
struct rate_share {
	char *key;
	uint64_t last_ms;       /* 0: none sent yet */
	unsigned refs;
	struct rate_share *next;
};
static struct rate_share *rate_shares;

static struct rate_share *rate_share_get(const char *key)
{
	for (struct rate_share *s = rate_shares; s != NULL; s = s->next) {
		if (strcmp(s->key, key) == 0) {
			s->refs++;
			return s;
		}
	}
	struct rate_share *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->key = strdup(key)) == NULL) {
		free(s);
		return NULL;
	}
	s->refs = 1;
	s->next = rate_shares;
	rate_shares = s;
	return s;
}

static void rate_share_put(struct rate_share *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	for (struct rate_share **pp = &rate_shares; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s->key);
	free(s);
}

static void on_timer(uv_timer_t *t);
static char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void schedule(struct form_poller *fp, uint64_t ms)
{
	if (!fp->stopped)
		uv_timer_start(&fp->timer, on_timer, ms, 0);
}

static void report(struct form_poller *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct form_poller *fp, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fp->cb.on_error != NULL)
		fp->cb.on_error(fp->user, msg);
}

static void wipe_headers(struct form_poller *fp)
{
	/* The Authorization line holds the token: wiped before it is freed. */
	for (struct curl_slist *h = fp->headers; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(fp->headers);
	fp->headers = NULL;
}

static void end_request(struct form_poller *fp)
{
	if (fp->easy != NULL) {
		curl_loop_cancel(fp->cl, fp->easy);
		curl_easy_cleanup(fp->easy);
		fp->easy = NULL;
	}
	wipe_headers(fp);
	free(fp->body);
	fp->body = NULL;
	fp->body_len = fp->body_cap = 0;
}

/* Try the same request again later: Retry-After when the server gave one
 * (429, 503), else exponential backoff with jitter. */
static void retry_later(struct form_poller *fp, long retry_after)
{
	uint64_t ms;
	if (retry_after >= 0) {
		ms = (uint64_t)(retry_after > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : retry_after) * 1000;
	} else {
		unsigned shift = fp->attempts < 20 ? fp->attempts : 20;
		uint64_t base = (uint64_t)BACKOFF_FIRST_MS << shift;
		if (base > BACKOFF_MAX_MS)
			base = BACKOFF_MAX_MS;
		/* Jitter: between half and all of the step, so many consultd
		 * instances behind one provider outage do not retry in step. */
		/* rand_r: a seed per poller, nothing shared. */
		ms = base / 2 + (uint64_t)rand_r(&fp->seed) % (base / 2 + 1);
	}
	fp->attempts++;
	schedule(fp, ms);
}

static void end_poll(struct form_poller *fp)
{
	fp->polling = false;
	fp->attempts = 0;
	free(fp->page_token);
	fp->page_token = NULL;
	secret_free(fp->token);
	fp->token = NULL;
	if (fp->cb.on_polled != NULL)
		fp->cb.on_polled(fp->user);
	if (fp->stopped)
		return;
	if (fp->sweep_running) {
		fp->sweep_running = false;
		if (fp->cb.on_sweep_done != NULL)
			fp->cb.on_sweep_done(fp->user);
		if (fp->stopped)
			return;
	}
	schedule(fp, fp->sweep_requested ? 0 : (uint64_t)fp->cfg->poll_interval * 1000);
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct form_poller *fp = user;
	size_t len = size * n;
	if (fp->body_len + len > (size_t)fp->cfg->max_bytes) {
		fp->too_big = true;
		return 0; /* libcurl stops the transfer */
	}
	if (fp->body_len + len + 1 > fp->body_cap) {
		size_t cap = fp->body_cap ? fp->body_cap : 16384;
		while (cap < fp->body_len + len + 1)
			cap *= 2;
		char *p = realloc(fp->body, cap);
		if (p == NULL)
			return 0;
		fp->body = p;
		fp->body_cap = cap;
	}
	memcpy(fp->body + fp->body_len, data, len);
	fp->body_len += len;
	fp->body[fp->body_len] = '\0';
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct form_poller *fp = user;
	size_t len = size * n;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		fp->etag[0] = '\0'; /* a new response: forget the last one's */
		fp->retry_after = -1;
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (colon == NULL)
		return len;
	size_t klen = (size_t)(colon - data);
	const char *v = colon + 1;
	const char *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	size_t vlen = (size_t)(end - v);
	if (klen == 4 && strncasecmp(data, "etag", 4) == 0 && vlen < sizeof(fp->etag)) {
		memcpy(fp->etag, v, vlen);
		fp->etag[vlen] = '\0';
	} else if (klen == 11 && strncasecmp(data, "retry-after", 11) == 0) {
		char buf[64];
		size_t bl = vlen < sizeof(buf) ? vlen : sizeof(buf) - 1;
		memcpy(buf, v, bl);
		buf[bl] = '\0';
		char *e;
		long s = strtol(buf, &e, 10);
		if (e != buf && *e == '\0' && s >= 0) {
			fp->retry_after = s;
		} else {
			time_t t = curl_getdate(buf, NULL);
			time_t now = time(NULL);
			if (t != (time_t)-1)
				fp->retry_after = t > now ? (long)(t - now) : 0;
		}
	}
	return len;
}

static char *escape(const char *s)
{
	return curl_easy_escape(NULL, s, 0);
}

/* The URL of the next request. */
static char *build_url(struct form_poller *fp)
{
	const struct form_config *c = fp->cfg;
	char sep = strchr(c->url, '?') != NULL ? '&' : '?';
	char when[32];
	char *q1 = NULL, *q2 = NULL, *url = NULL;
	switch (c->preset) {
	case FORM_TYPEFORM:
		config_format_time(fp->opens, when, sizeof(when));
		q1 = escape(when);
		q2 = fp->st.cursor != NULL ? escape(fp->st.cursor) : NULL;
		if (q1 != NULL && (fp->st.cursor == NULL || q2 != NULL))
			url = strfmt("%s%cpage_size=%d&completed=true&since=%s%s%s", c->url, sep,
				     c->page_size, q1, q2 != NULL ? "&after=" : "", q2 != NULL ? q2 : "");
		break;
	case FORM_GOOGLE: {
		char filter[64];
		config_format_time(fp->st.since > fp->opens ? fp->st.since : fp->opens, when, sizeof(when));
		snprintf(filter, sizeof(filter), "timestamp >= %s", when);
		q1 = escape(filter);
		q2 = fp->page_token != NULL ? escape(fp->page_token) : NULL;
		if (q1 != NULL && (fp->page_token == NULL || q2 != NULL))
			url = strfmt("%s%cfilter=%s%s%s", c->url, sep, q1,
				     q2 != NULL ? "&pageToken=" : "", q2 != NULL ? q2 : "");
		break;
	}
	case FORM_GENERIC:
		q1 = fp->st.cursor != NULL ? escape(fp->st.cursor) : NULL;
		if (fp->st.cursor == NULL)
			url = strfmt("%s", c->url);
		else if (q1 != NULL)
			url = strfmt("%s%c%s=%s", c->url, sep, c->cursor_param, q1);
		break;
	}
	curl_free(q1);
	curl_free(q2);
	return url;
}

static void on_done(CURL *easy, CURLcode result, void *user);

static bool add_header(struct form_poller *fp, const char *line)
{
	struct curl_slist *h = curl_slist_append(fp->headers, line);
	if (h == NULL)
		return false;
	fp->headers = h;
	return true;
}

/* A new string formatted like printf, or NULL. */
static char *strfmt(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = malloc((size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* The options of every request: protocols, TLS, timeouts, caps. */
static void setup_easy(struct form_poller *fp)
{
	const struct form_config *c = fp->cfg;
	bool plain = strncmp(fp->url, "http://", 7) == 0; /* loopback only: config checked */
	CURL *e = fp->easy;
	fp->too_big = false;
	fp->etag[0] = '\0';
	fp->retry_after = -1;
	fp->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, fp->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, fp->headers);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, plain ? "http" : "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)(c->timeout < 10 ? c->timeout : 10));
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)c->timeout);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_bytes);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "consultd/" CONSULTD_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, fp);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, fp);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, fp->errbuf);
}

static void request(struct form_poller *fp)
{
	const struct form_config *c = fp->cfg;
	uint64_t now = uv_now(fp->loop);
	uint64_t last = fp->rate->last_ms;
	if (last != 0 && now - last < (uint64_t)c->rate_ms) {
		schedule(fp, (uint64_t)c->rate_ms - (now - last));
		return;
	}
	free(fp->url);
	fp->url = build_url(fp);
	fp->easy = curl_easy_init();
	bool ok = fp->url != NULL && fp->easy != NULL && add_header(fp, "Accept: application/json");
	if (ok && fp->token != NULL) {
		char auth[SECRET_MAX + 32];
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", fp->token);
		ok = add_header(fp, auth);
		explicit_bzero(auth, sizeof(auth));
	}
	if (ok && fp->first_request && fp->st.etag != NULL && fp->st.etag_url != NULL &&
	    strcmp(fp->st.etag_url, fp->url) == 0) {
		char inm[600];
		snprintf(inm, sizeof(inm), "If-None-Match: %s", fp->st.etag);
		ok = add_header(fp, inm);
	}
	if (!ok) {
		end_request(fp);
		report(fp, "out of memory preparing a request");
		retry_later(fp, -1);
		return;
	}
	setup_easy(fp);
	fp->rate->last_ms = now;
	if (curl_loop_add(fp->cl, fp->easy, on_done, fp) != 0) {
		end_request(fp);
		report(fp, "cannot start a request to %s", c->url);
		retry_later(fp, -1);
	}
}

static void begin_poll(struct form_poller *fp)
{
	fp->polling = true;
	fp->first_request = true;
	fp->poll_max = 0;
	free(fp->page_token);
	fp->page_token = NULL;
	if (fp->sweep_requested) {
		fp->sweep_requested = false;
		fp->sweep_running = true;
	}
	secret_free(fp->token);
	fp->token = NULL;
	if (fp->cfg->token_file != NULL) {
		char err[512];
		fp->token = secret_read(fp->cfg->token_file, err, sizeof(err));
		if (fp->token == NULL) {
			report(fp, "token_file: %s", err);
			fp->polling = false;
			if (fp->sweep_running) { /* tried again by the next poll */
				fp->sweep_running = false;
				fp->sweep_requested = true;
			}
			retry_later(fp, -1);
			return;
		}
	}
	request(fp);
}

static void on_timer(uv_timer_t *t)
{
	struct form_poller *fp = t->data;
	if (fp->easy != NULL)
		return;
	if (fp->polling)
		request(fp);
	else
		begin_poll(fp);
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return -1;
	return 0;
}

/* The page came back whole: map it, hand it over, go on. */
static void take_page(struct form_poller *fp)
{
	const struct form_config *c = fp->cfg;
	struct form_map_config mc;
	form_config_map(c, &mc);
	struct form_page page;
	char err[300];
	if (form_map_page(&mc, fp->body != NULL ? fp->body : "", fp->body_len, &page, err,
			  sizeof(err)) != 0) {
		report(fp, "GET %s: %s", fp->url, err);
		retry_later(fp, -1);
		return;
	}
	struct storage_form_state next = {.since = fp->st.since};
	bool more = false, oom = false;
	switch (c->preset) {
	case FORM_TYPEFORM:
		/* total_items counts what is left from this page on; without
		 * it, a full page means there may be more. */
		more = page.n > 0 && (page.total >= 0 ? page.total > (int64_t)page.n
						      : page.n >= (size_t)c->page_size);
		oom = dup_opt(&next.cursor, page.last_token != NULL ? page.last_token : fp->st.cursor);
		break;
	case FORM_GOOGLE:
		more = page.next != NULL;
		if (page.max_submitted > fp->poll_max)
			fp->poll_max = page.max_submitted;
		if (!more && fp->poll_max > next.since)
			next.since = fp->poll_max;
		if (more && fp->page_token != NULL && strcmp(page.next, fp->page_token) == 0) {
			report(fp, "GET %s: nextPageToken repeats the page; poll ended there", fp->url);
			more = false;
		}
		break;
	case FORM_GENERIC:
		more = page.next != NULL;
		if (more && fp->st.cursor != NULL && strcmp(page.next, fp->st.cursor) == 0) {
			report(fp, "GET %s: the next cursor repeats the page; poll ended there", fp->url);
			more = false;
		}
		oom = dup_opt(&next.cursor, more ? page.next : fp->st.cursor);
		break;
	}
	if (fp->first_request && fp->etag[0] != '\0') {
		oom = oom || dup_opt(&next.etag, fp->etag) || dup_opt(&next.etag_url, fp->url);
	} else {
		oom = oom || dup_opt(&next.etag, fp->st.etag) || dup_opt(&next.etag_url, fp->st.etag_url);
	}
	char *page_token = NULL;
	if (c->preset == FORM_GOOGLE && more)
		oom = oom || dup_opt(&page_token, page.next);
	if (oom) {
		storage_form_state_clear(&next);
		form_page_clear(&page);
		report(fp, "out of memory");
		retry_later(fp, -1);
		return;
	}
	int rc = fp->cb.on_page(fp->user, &page, &next);
	form_page_clear(&page);
	if (rc != 0 || fp->stopped) {
		storage_form_state_clear(&next);
		free(page_token);
		fp->polling = false;
		return; /* not committed: the owner stops us */
	}
	storage_form_state_clear(&fp->st);
	fp->st = next;
	free(fp->page_token);
	fp->page_token = page_token;
	fp->first_request = false;
	fp->attempts = 0;
	if (more)
		request(fp);
	else
		end_poll(fp);
}

static void on_done(CURL *easy, CURLcode result, void *user)
{
	struct form_poller *fp = user;
	long status = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	/* The transfer is over; its handle goes, the body stays until used. */
	curl_easy_cleanup(easy);
	fp->easy = NULL;
	wipe_headers(fp);
	if (result != CURLE_OK) {
		const char *what = curl_easy_strerror(result);
		bool detail = fp->errbuf[0] != '\0' && strcmp(fp->errbuf, what) != 0;
		if (fp->too_big || result == CURLE_FILESIZE_EXCEEDED)
			report(fp, "GET %s: response body larger than max_bytes (%ld)", fp->url,
			       fp->cfg->max_bytes);
		else
			report(fp, "GET %s: %s%s%s", fp->url, what, detail ? ": " : "",
			       detail ? fp->errbuf : "");
		end_request(fp);
		retry_later(fp, -1);
		return;
	}
	if (status == 304 && fp->first_request) {
		end_request(fp);
		end_poll(fp);
		return;
	}
	if (status == 429 || status == 503) {
		long ra = fp->retry_after >= 0 ? fp->retry_after : -1;
		report(fp, "GET %s: HTTP %ld%s", fp->url, status, ra >= 0 ? ", waiting for Retry-After" : "");
		end_request(fp);
		retry_later(fp, ra);
		return;
	}
	if (status != 200) {
		char snippet[120] = "";
		if (fp->body != NULL) {
			size_t k = 0;
			for (size_t i = 0; i < fp->body_len && k < sizeof(snippet) - 1; i++)
				snippet[k++] = isprint((unsigned char)fp->body[i]) ? fp->body[i] : ' ';
			snippet[k] = '\0';
		}
		report(fp, "GET %s: HTTP %ld%s%s", fp->url, status, snippet[0] ? ": " : "", snippet);
		end_request(fp);
		retry_later(fp, -1);
		return;
	}
	take_page(fp);
	if (!fp->stopped) {
		free(fp->body);
		fp->body = NULL;
		fp->body_len = fp->body_cap = 0;
	}
}

int form_poller_start(uv_loop_t *loop, struct curl_loop *cl, const struct form_config *cfg,
		      const struct storage_form_state *initial, int64_t opens,
		      const struct form_poller_callbacks *cb, void *user, struct form_poller **out)
{
	*out = NULL;
	struct form_poller *fp = calloc(1, sizeof(*fp));
	if (fp == NULL)
		return -1;
	fp->loop = loop;
	fp->cl = cl;
	fp->cfg = cfg;
	fp->opens = opens;
	fp->cb = *cb;
	fp->user = user;
	fp->seed = (unsigned int)(uv_hrtime() ^ (uintptr_t)fp);
	fp->st.since = initial->since;
	char *key = strfmt("%d %s", (int)cfg->preset,
			   cfg->token_file != NULL ? cfg->token_file : cfg->url);
	fp->rate = key != NULL ? rate_share_get(key) : NULL;
	free(key);
	if (fp->rate == NULL || dup_opt(&fp->st.cursor, initial->cursor) ||
	    dup_opt(&fp->st.etag, initial->etag) || dup_opt(&fp->st.etag_url, initial->etag_url)) {
		rate_share_put(fp->rate);
		storage_form_state_clear(&fp->st);
		free(fp);
		return -1;
	}
	uv_timer_init(loop, &fp->timer);
	fp->timer.data = fp;
	schedule(fp, 0);
	*out = fp;
	return 0;
}

void form_poller_set_config(struct form_poller *fp, const struct form_config *cfg)
{
	fp->cfg = cfg;
}

void form_poller_sweep(struct form_poller *fp)
{
	if (fp == NULL)
		return;
	fp->sweep_requested = true;
	if (!fp->polling && fp->easy == NULL)
		schedule(fp, 0);
}

static void free_poller(uv_handle_t *h)
{
	struct form_poller *fp = h->data;
	rate_share_put(fp->rate);
	storage_form_state_clear(&fp->st);
	free(fp->page_token);
	free(fp->url);
	free(fp);
}

void form_poller_stop(struct form_poller *fp)
{
	if (fp == NULL || fp->stopped)
		return;
	fp->stopped = true;
	end_request(fp);
	secret_free(fp->token);
	fp->token = NULL;
	uv_timer_stop(&fp->timer);
	uv_close((uv_handle_t *)&fp->timer, free_poller);
}

int form_check(const struct form_config *cfg, int64_t opens, char *info, size_t len)
{
	struct form_poller *fp = calloc(1, sizeof(*fp));
	if (fp == NULL) {
		snprintf(info, len, "out of memory");
		return -1;
	}
	fp->cfg = cfg;
	fp->opens = opens;
	fp->first_request = true;
	int ret = -1;
	char err[512];
	if (cfg->token_file != NULL && (fp->token = secret_read(cfg->token_file, err, sizeof(err))) == NULL) {
		snprintf(info, len, "token_file: %s", err);
		goto out;
	}
	fp->url = build_url(fp);
	fp->easy = curl_easy_init();
	bool ok = fp->url != NULL && fp->easy != NULL && add_header(fp, "Accept: application/json");
	if (ok && fp->token != NULL) {
		char auth[SECRET_MAX + 32];
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", fp->token);
		ok = add_header(fp, auth);
		explicit_bzero(auth, sizeof(auth));
	}
	if (!ok) {
		snprintf(info, len, "out of memory");
		goto out;
	}
	setup_easy(fp);
	CURLcode rc = curl_easy_perform(fp->easy);
	long status = 0;
	curl_easy_getinfo(fp->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		snprintf(info, len, "GET %s: %s%s%s", fp->url, curl_easy_strerror(rc),
			 fp->errbuf[0] ? ": " : "", fp->errbuf);
		goto out;
	}
	if (status != 200) {
		snprintf(info, len, "GET %s: HTTP %ld", fp->url, status);
		goto out;
	}
	struct form_map_config mc;
	form_config_map(cfg, &mc);
	struct form_page page;
	if (form_map_page(&mc, fp->body != NULL ? fp->body : "", fp->body_len, &page, err, sizeof(err)) != 0) {
		snprintf(info, len, "GET %s: %s", fp->url, err);
		goto out;
	}
	snprintf(info, len, "GET %s: HTTP 200, %zu responses on the first page (%zu would be quarantined)%s",
		 fp->url, page.n, page.n_bad, page.next != NULL || page.total > (int64_t)page.n ? ", more pages" : "");
	form_page_clear(&page);
	ret = 0;
out:
	if (fp->easy != NULL)
		curl_easy_cleanup(fp->easy);
	wipe_headers(fp);
	free(fp->body);
	free(fp->url);
	secret_free(fp->token);
	free(fp);
	return ret;
}
