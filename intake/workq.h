/*
 * workq.h — a small fixed pool of threads that any thread may hand work to.
 *
 * libuv's threadpool takes work only from the loop thread, so while the
 * loop is busy storing one batch, the next batch the IMAP thread has
 * fetched cannot start parsing: fetch, parse and store then run one after
 * another instead of side by side. A workq is fed by the IMAP thread
 * directly; what the work produces goes back to the loop through the
 * worker's own queue and uv_async, as before.
 *
 * Jobs run in the order submitted, each on one of the pool's threads. A
 * job is a function and its argument; whoever submits keeps owning the
 * argument, and the function must not assume anything about which thread
 * runs it.
 */
#ifndef CONSULTD_WORKQ_H
#define CONSULTD_WORKQ_H

#include <stdbool.h>

/* Runs the job; cancelled is true when workq_free dropped it unstarted
 * (the function is still called once, to release what it holds). */
typedef void workq_fn(void *arg, bool cancelled);

struct workq;

/* Start nthreads threads (at least one). NULL when out of memory or when
 * no thread could be started. */
struct workq *workq_new(unsigned nthreads);

/* Queue a job; callable from any thread. Returns 0, or -1 when out of
 * memory or once workq_free has begun (while it still waits for running
 * jobs): the job is then not queued and fn is not called. */
int workq_submit(struct workq *q, workq_fn *fn, void *arg);

/* Stop taking jobs, call every job not yet started with cancelled = true,
 * wait for the running ones to end, join the threads and free q. Once it
 * has returned, q is gone: nothing may submit to it any more. NULL is
 * accepted. */
void workq_free(struct workq *q);

#endif
