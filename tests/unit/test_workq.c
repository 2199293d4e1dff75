/*
 * test_workq.c — the parse threads' queue: every job runs once, in the
 * order given when one thread runs them, whichever threads submit; jobs
 * not started when the queue is freed are called once as cancelled, and
 * nothing is accepted once freeing has begun.
 */
#include "intake/workq.h"

#include <check.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <uv.h>

struct tally {
	atomic_int ran, cancelled;
	int order[64];
	atomic_int next;
};

static void count(void *arg, bool cancelled)
{
	struct tally *t = arg;
	if (cancelled)
		atomic_fetch_add(&t->cancelled, 1);
	else
		atomic_fetch_add(&t->ran, 1);
}

/* Bounded wait for a counter to reach n (10 s at most). */
static void wait_for(atomic_int *v, int n)
{
	for (int i = 0; i < 10000 && atomic_load(v) < n; i++)
		uv_sleep(1);
	int got = atomic_load(v);
	ck_assert_int_eq(got, n);
}

START_TEST(every_job_runs_once)
{
	struct tally t = {0};
	struct workq *q = workq_new(3);
	ck_assert_ptr_nonnull(q);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(workq_submit(q, count, &t), 0);
	wait_for(&t.ran, 1000);
	workq_free(q);
	ck_assert_int_eq(atomic_load(&t.ran), 1000);
	ck_assert_int_eq(atomic_load(&t.cancelled), 0);
}
END_TEST

struct ordered {
	struct tally *t;
	int id;
};

static void record(void *arg, bool cancelled)
{
	struct ordered *o = arg;
	ck_assert(!cancelled);
	int at = atomic_fetch_add(&o->t->next, 1);
	if (at < 64)
		o->t->order[at] = o->id;
}

START_TEST(one_thread_keeps_the_order)
{
	struct tally t = {0};
	struct ordered o[64];
	struct workq *q = workq_new(1);
	ck_assert_ptr_nonnull(q);
	for (int i = 0; i < 64; i++) {
		o[i] = (struct ordered){ .t = &t, .id = i };
		ck_assert_int_eq(workq_submit(q, record, &o[i]), 0);
	}
	wait_for(&t.next, 64);
	workq_free(q);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(t.order[i], i);
}
END_TEST

struct submitter {
	struct workq *q;
	struct tally *t;
	int failed;
};

static void submit_many(void *arg)
{
	struct submitter *s = arg;
	for (int i = 0; i < 500; i++)
		if (workq_submit(s->q, count, s->t) != 0)
			s->failed++;
}

START_TEST(any_thread_may_submit)
{
	struct tally t = {0};
	struct workq *q = workq_new(2);
	ck_assert_ptr_nonnull(q);
	uv_thread_t th[4];
	struct submitter s[4];
	for (int i = 0; i < 4; i++) {
		s[i] = (struct submitter){ .q = q, .t = &t };
		ck_assert_int_eq(uv_thread_create(&th[i], submit_many, &s[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		uv_thread_join(&th[i]);
		ck_assert_int_eq(s[i].failed, 0);
	}
	wait_for(&t.ran, 2000);
	workq_free(q);
	ck_assert_int_eq(atomic_load(&t.cancelled), 0);
}
END_TEST

/* A job that holds its thread until told to go. */
struct gate {
	atomic_int started, open;
	bool was_cancelled;
};

static void hold(void *arg, bool cancelled)
{
	struct gate *g = arg;
	g->was_cancelled = cancelled;
	atomic_store(&g->started, 1);
	for (int i = 0; i < 10000 && !atomic_load(&g->open); i++)
		uv_sleep(1);
}

struct freeing {
	struct workq *q;
	atomic_int done;
};

static void free_it(void *arg)
{
	struct freeing *f = arg;
	workq_free(f->q);
	atomic_store(&f->done, 1);
}

START_TEST(unstarted_jobs_are_cancelled_once)
{
	struct tally t = {0};
	struct gate g = {0};
	struct workq *q = workq_new(1);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(workq_submit(q, hold, &g), 0);
	wait_for(&g.started, 1);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(workq_submit(q, count, &t), 0);

	struct freeing f = { .q = q };
	uv_thread_t th;
	ck_assert_int_eq(uv_thread_create(&th, free_it, &f), 0);
	/* The running job keeps q alive; once freeing has begun, nothing
	 * more is taken (bounded: 10 s). */
	int refused = 0, accepted = 0;
	for (int i = 0; i < 10000 && !refused; i++) {
		if (workq_submit(q, count, &t) != 0)
			refused = 1;
		else {
			accepted++;
			uv_sleep(1);
		}
	}
	ck_assert_int_eq(refused, 1);
	ck_assert_int_eq(atomic_load(&f.done), 0); /* still waiting for hold */
	atomic_store(&g.open, 1);
	uv_thread_join(&th);
	ck_assert_int_eq(atomic_load(&f.done), 1);
	ck_assert(!g.was_cancelled);
	/* The ten queued before freeing, plus any accepted while the freeing
	 * thread was starting, were each called exactly once, as cancelled. */
	int ran = atomic_load(&t.ran), cancelled = atomic_load(&t.cancelled);
	ck_assert_int_eq(ran, 0);
	ck_assert_int_eq(cancelled, 10 + accepted);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workq");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_job_runs_once);
	tcase_add_test(tc, one_thread_keeps_the_order);
	tcase_add_test(tc, any_thread_may_submit);
	tcase_add_test(tc, unstarted_jobs_are_cancelled_once);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
