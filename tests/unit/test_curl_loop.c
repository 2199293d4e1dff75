/* curl_loop: transfers driven by a libuv loop against a real HTTP server
 * on 127.0.0.1 (a small one on the same loop): concurrent transfers finish
 * with their bodies, a stalled server times out, cancel and close leave
 * nothing behind for the loop. */
#include "net/curl_loop.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The server: "/stall" never answers; anything else gets its path back. */
struct conn {
	uv_tcp_t tcp;
	char req[2048];
	size_t len;
	bool answered;
};

static uv_tcp_t listener;
static int port;
static unsigned accepted;

static void conn_closed(uv_handle_t *h)
{
	free(h->data);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct conn *c = h->data;
	buf->base = c->req + c->len;
	buf->len = sizeof(c->req) - 1 - c->len;
}

static void on_written(uv_write_t *wr, int status)
{
	free(wr->data);
	free(wr);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	if (n < 0) {
		uv_close((uv_handle_t *)s, conn_closed);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = 0;
	if (c->answered || strstr(c->req, "\r\n\r\n") == NULL)
		return;
	char path[256] = "";
	if (sscanf(c->req, "GET %255s", path) != 1 || strcmp(path, "/stall") == 0)
		return;
	c->answered = true;
	char *resp = malloc(512);
	int len = snprintf(resp, 512, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
			   strlen(path), path);
	uv_write_t *wr = malloc(sizeof(*wr));
	wr->data = resp;
	uv_buf_t b = uv_buf_init(resp, (unsigned)len);
	uv_write(wr, s, &b, 1, on_written);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct conn *c = calloc(1, sizeof(*c));
	uv_tcp_init(server->loop, &c->tcp);
	c->tcp.data = c;
	ck_assert_int_eq(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
	accepted++;
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void start_server(uv_loop_t *loop)
{
	struct sockaddr_in addr;
	uv_ip4_addr("127.0.0.1", 0, &addr);
	ck_assert_int_eq(uv_tcp_init(loop, &listener), 0);
	ck_assert_int_eq(uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0), 0);
	ck_assert_int_eq(uv_listen((uv_stream_t *)&listener, 16, on_connection), 0);
	struct sockaddr_in bound;
	int blen = sizeof(bound);
	uv_tcp_getsockname(&listener, (struct sockaddr *)&bound, &blen);
	port = ntohs(bound.sin_port);
}

static void close_all(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, h == (uv_handle_t *)&listener ? NULL : conn_closed);
}

struct fetch {
	CURL *easy;
	char body[256];
	size_t len;
	CURLcode result;
	int done_calls;
};

static struct curl_loop *cl;
static unsigned finished;

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
	struct fetch *f = user;
	size_t len = size * n;
	if (f->len + len >= sizeof(f->body))
		return 0;
	memcpy(f->body + f->len, p, len);
	f->len += len;
	return len;
}

static void on_done(CURL *easy, CURLcode result, void *user)
{
	struct fetch *f = user;
	ck_assert_ptr_eq(easy, f->easy);
	f->result = result;
	f->done_calls++;
	if (++finished == 4) /* every transfer but the cancelled one */
		curl_loop_close(cl), cl = NULL, uv_walk(listener.loop, close_all, NULL);
}

static void setup_fetch(struct fetch *f, const char *path, long timeout_ms)
{
	char url[128];
	memset(f, 0, sizeof(*f));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	f->easy = curl_easy_init();
	curl_easy_setopt(f->easy, CURLOPT_URL, url);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
}

START_TEST(transfers_finish_on_the_loop)
{
	uv_loop_t loop;
	struct fetch f[5];
	ck_assert_int_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	start_server(&loop);
	ck_assert_int_eq(curl_loop_new(&loop, &cl), 0);
	setup_fetch(&f[0], "/one", 10000);
	setup_fetch(&f[1], "/two", 10000);
	setup_fetch(&f[2], "/three", 10000);
	setup_fetch(&f[3], "/stall", 300);
	setup_fetch(&f[4], "/stall", 300);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(curl_loop_add(cl, f[i].easy, on_done, &f[i]), 0);
	ck_assert_uint_eq(curl_loop_running(cl), 5);
	curl_loop_cancel(cl, f[4].easy);
	ck_assert_uint_eq(curl_loop_running(cl), 4);
	/* Returns only once every handle (server, polls, timer) has closed:
	 * a leaked poll or timer would keep it running until the test's
	 * timeout. */
	ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
	ck_assert_int_eq(f[0].result, CURLE_OK);
	ck_assert_str_eq(f[0].body, "/one");
	ck_assert_str_eq(f[1].body, "/two");
	ck_assert_str_eq(f[2].body, "/three");
	ck_assert_int_eq(f[3].result, CURLE_OPERATION_TIMEDOUT);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(f[i].done_calls, 1);
	ck_assert_int_eq(f[4].done_calls, 0);
	ck_assert_uint_ge(accepted, 4);
	for (int i = 0; i < 5; i++)
		curl_easy_cleanup(f[i].easy);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	curl_global_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("curl_loop");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, transfers_finish_on_the_loop);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
