#include "curl_loop.h"

#include <stdbool.h>
#include <stdlib.h>

struct transfer {
	CURL *easy;
	curl_loop_done_fn done;
	void *user;
	struct transfer *next;
};

struct curl_loop {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;
	struct transfer *transfers;
	unsigned running;
	unsigned open_handles; /* the timer and socket polls not yet closed */
	bool closing;
};

/* One watched socket; freed when its poll handle has closed. */
struct watched {
	uv_poll_t poll;
	curl_socket_t fd;
	struct curl_loop *cl;
};

static void maybe_free(struct curl_loop *cl)
{
	if (cl->closing && cl->open_handles == 0)
		free(cl);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct curl_loop *cl;
	if (h->type == UV_POLL) {
		struct watched *w = h->data;
		cl = w->cl;
		free(w);
	} else {
		cl = h->data;
	}
	cl->open_handles--;
	maybe_free(cl);
}

static struct transfer *unlink_transfer(struct curl_loop *cl, const CURL *easy)
{
	for (struct transfer **p = &cl->transfers; *p != NULL; p = &(*p)->next) {
		if ((*p)->easy == easy) {
			struct transfer *t = *p;
			*p = t->next;
			return t;
		}
	}
	return NULL;
}

/* Hand every finished transfer back to its owner. */
static void collect_done(struct curl_loop *cl)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(cl->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *easy = m->easy_handle;
		CURLcode result = m->data.result; /* m is invalid after remove */
		curl_multi_remove_handle(cl->multi, easy);
		struct transfer *t = unlink_transfer(cl, easy);
		if (t == NULL)
			continue;
		cl->running--;
		curl_loop_done_fn done = t->done;
		void *user = t->user;
		free(t);
		done(easy, result, user);
	}
}

static void on_timer(uv_timer_t *timer)
{
	struct curl_loop *cl = timer->data;
	int still;
	curl_multi_socket_action(cl->multi, CURL_SOCKET_TIMEOUT, 0, &still);
	collect_done(cl);
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
	struct watched *w = poll->data;
	struct curl_loop *cl = w->cl;
	int flags = 0, still;
	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(cl->multi, w->fd, flags, &still);
	collect_done(cl);
}

/* CURLMOPT_SOCKETFUNCTION: which events libcurl wants on fd. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct curl_loop *cl = userp;
	struct watched *w = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (w != NULL) {
			uv_poll_stop(&w->poll);
			uv_close((uv_handle_t *)&w->poll, on_handle_closed);
			curl_multi_assign(cl->multi, fd, NULL);
		}
		return 0;
	}
	if (w == NULL) {
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return -1;
		if (uv_poll_init_socket(cl->loop, &w->poll, fd) != 0) {
			free(w);
			return -1;
		}
		w->fd = fd;
		w->cl = cl;
		w->poll.data = w;
		cl->open_handles++;
		curl_multi_assign(cl->multi, fd, w);
	}
	int events = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= UV_WRITABLE;
	return uv_poll_start(&w->poll, events, on_poll) == 0 ? 0 : -1;
}

/* CURLMOPT_TIMERFUNCTION: when libcurl next wants to be called. It must not
 * call back into libcurl from here, so a zero timeout goes through the
 * timer too. */
static int on_timeout(CURLM *multi, long timeout_ms, void *userp)
{
	struct curl_loop *cl = userp;
	if (timeout_ms < 0)
		uv_timer_stop(&cl->timer);
	else
		uv_timer_start(&cl->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

int curl_loop_new(uv_loop_t *loop, struct curl_loop **out)
{
	*out = NULL;
	struct curl_loop *cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		return -1;
	cl->loop = loop;
	cl->multi = curl_multi_init();
	if (cl->multi == NULL || uv_timer_init(loop, &cl->timer) != 0) {
		if (cl->multi != NULL)
			curl_multi_cleanup(cl->multi);
		free(cl);
		return -1;
	}
	cl->timer.data = cl;
	cl->open_handles = 1;
	curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
	curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, on_timeout);
	curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
	*out = cl;
	return 0;
}

int curl_loop_add(struct curl_loop *cl, CURL *easy, curl_loop_done_fn done, void *user)
{
	if (cl->closing)
		return -1;
	struct transfer *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	t->easy = easy;
	t->done = done;
	t->user = user;
	if (curl_multi_add_handle(cl->multi, easy) != CURLM_OK) {
		free(t);
		return -1;
	}
	t->next = cl->transfers;
	cl->transfers = t;
	cl->running++;
	return 0;
}

void curl_loop_cancel(struct curl_loop *cl, CURL *easy)
{
	struct transfer *t = unlink_transfer(cl, easy);
	if (t == NULL)
		return;
	curl_multi_remove_handle(cl->multi, easy);
	cl->running--;
	free(t);
}

unsigned curl_loop_running(const struct curl_loop *cl)
{
	return cl->running;
}

void curl_loop_close(struct curl_loop *cl)
{
	if (cl == NULL)
		return;
	while (cl->transfers != NULL)
		curl_loop_cancel(cl, cl->transfers->easy);
	/* Cleanup closes any cached connections, which removes their polls
	 * through on_socket. */
	curl_multi_cleanup(cl->multi);
	cl->multi = NULL;
	cl->closing = true;
	uv_timer_stop(&cl->timer);
	uv_close((uv_handle_t *)&cl->timer, on_handle_closed);
}
