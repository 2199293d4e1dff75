/*
 * curl_loop.h — libcurl transfers driven by the daemon's libuv loop.
 *
 * libcurl's multi-socket interface tells us which sockets to watch and
 * when to wake; this module turns that into one uv_poll_t per socket and
 * one uv_timer_t, so HTTP polls and SMTP submissions never block the loop.
 * Everything here runs on the loop thread.
 *
 * A transfer is an easy handle the caller sets up and owns. When it ends,
 * however it ends, `done` is called once on the loop thread with libcurl's
 * result; by then the handle is no longer part of the loop, so `done` may
 * clean it up or add it again.
 */
#ifndef CONSULTD_CURL_LOOP_H
#define CONSULTD_CURL_LOOP_H

#include <curl/curl.h>
#include <uv.h>

struct curl_loop;

typedef void (*curl_loop_done_fn)(CURL *easy, CURLcode result, void *user);

/* 0, or -1 when libcurl or libuv could not be set up. */
int curl_loop_new(uv_loop_t *loop, struct curl_loop **out);

/* Start easy. 0, or -1 (nothing started, done will not be called). */
int curl_loop_add(struct curl_loop *cl, CURL *easy, curl_loop_done_fn done, void *user);

/* Stop easy without calling its done; it stays the caller's. No-op when
 * easy is not running. */
void curl_loop_cancel(struct curl_loop *cl, CURL *easy);

/* How many transfers are running. */
unsigned curl_loop_running(const struct curl_loop *cl);

/*
 * Cancel every transfer (no done calls) and release everything; the libuv
 * handles close asynchronously, so the loop must run on for the memory
 * to be freed. Accepts NULL.
 */
void curl_loop_close(struct curl_loop *cl);

#endif
