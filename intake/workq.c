#include "workq.h"

#include <stdlib.h>
#include <uv.h>

struct job {
	workq_fn *fn;
	void *arg;
	struct job *next;
};

struct workq {
	uv_mutex_t mu;
	uv_cond_t cond;
	struct job *head, *tail; /* under mu */
	bool closing;            /* under mu */
	unsigned nthreads;
	uv_thread_t *threads;
};

static void run_jobs(void *arg)
{
	struct workq *q = arg;
	uv_mutex_lock(&q->mu);
	for (;;) {
		while (q->head == NULL && !q->closing)
			uv_cond_wait(&q->cond, &q->mu);
		struct job *j = q->head;
		if (j == NULL)
			break; /* closing, and nothing left */
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		bool cancelled = q->closing;
		uv_mutex_unlock(&q->mu);
		j->fn(j->arg, cancelled);
		free(j);
		uv_mutex_lock(&q->mu);
	}
	uv_mutex_unlock(&q->mu);
}

struct workq *workq_new(unsigned nthreads)
{
	if (nthreads == 0)
		nthreads = 1;
	struct workq *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->threads = calloc(nthreads, sizeof(*q->threads));
	if (q->threads == NULL || uv_mutex_init(&q->mu) != 0) {
		free(q->threads);
		free(q);
		return NULL;
	}
	if (uv_cond_init(&q->cond) != 0) {
		uv_mutex_destroy(&q->mu);
		free(q->threads);
		free(q);
		return NULL;
	}
	for (unsigned i = 0; i < nthreads; i++) {
		if (uv_thread_create(&q->threads[i], run_jobs, q) != 0)
			break;
		q->nthreads++;
	}
	if (q->nthreads == 0) {
		workq_free(q);
		return NULL;
	}
	return q;
}

int workq_submit(struct workq *q, workq_fn *fn, void *arg)
{
	struct job *j = malloc(sizeof(*j));
	if (j == NULL)
		return -1;
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	uv_mutex_lock(&q->mu);
	if (q->closing) {
		uv_mutex_unlock(&q->mu);
		free(j);
		return -1;
	}
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	uv_cond_signal(&q->cond);
	uv_mutex_unlock(&q->mu);
	return 0;
}

void workq_free(struct workq *q)
{
	if (q == NULL)
		return;
	uv_mutex_lock(&q->mu);
	q->closing = true;
	uv_cond_broadcast(&q->cond);
	uv_mutex_unlock(&q->mu);
	/* The threads run what is queued with cancelled = true, then end. */
	for (unsigned i = 0; i < q->nthreads; i++)
		uv_thread_join(&q->threads[i]);
	/* Jobs left only when no thread ever started. */
	for (struct job *j = q->head, *next; j != NULL; j = next) {
		next = j->next;
		j->fn(j->arg, true);
		free(j);
	}
	uv_cond_destroy(&q->cond);
	uv_mutex_destroy(&q->mu);
	free(q->threads);
	free(q);
}
