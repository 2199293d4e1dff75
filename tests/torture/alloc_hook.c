/*
 * alloc_hook.c — see alloc_hook.h. The --wrap linker option sends our
 * code's calls to __wrap_X; __real_X is the C library's.
 */
#include "alloc_hook.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t n, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
ssize_t __real_getline(char **line, size_t *cap, FILE *f);
char *__real_realpath(const char *path, char *resolved);
FILE *__real_fopen(const char *path, const char *mode);
void __real_free(void *p);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f);
char *__wrap_realpath(const char *path, char *resolved);
FILE *__wrap_fopen(const char *path, const char *mode);
void __wrap_free(void *p);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool armed;
static bool paused;
static pthread_t armed_thread;
static long fail_at;
static long calls;
static bool injected, injected_sqlite;
static long sqlite_live;

/* Live pointers: open addressing, linear probing, backward-shift delete. */
static void **slots;
static size_t n_slots, n_live;

static size_t slot_of(const void *p, size_t mask)
{
	uintptr_t h = (uintptr_t)p;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & mask;
}

static void table_put(void *p)
{
	if ((n_live + 1) * 2 > n_slots) {
		size_t ns = n_slots ? n_slots * 2 : 4096;
		void **s = __real_calloc(ns, sizeof(*s));
		if (s == NULL)
			abort(); /* the test's own bookkeeping */
		for (size_t i = 0; i < n_slots; i++) {
			if (slots[i] == NULL)
				continue;
			size_t j = slot_of(slots[i], ns - 1);
			while (s[j] != NULL)
				j = (j + 1) & (ns - 1);
			s[j] = slots[i];
		}
		__real_free(slots);
		slots = s;
		n_slots = ns;
	}
	size_t j = slot_of(p, n_slots - 1);
	while (slots[j] != NULL) {
		if (slots[j] == p)
			return;
		j = (j + 1) & (n_slots - 1);
	}
	slots[j] = p;
	n_live++;
}

static void table_del(const void *p)
{
	if (n_live == 0 || p == NULL)
		return;
	size_t mask = n_slots - 1;
	size_t j = slot_of(p, mask);
	while (slots[j] != p) {
		if (slots[j] == NULL)
			return; /* not one of ours */
		j = (j + 1) & mask;
	}
	slots[j] = NULL;
	n_live--;
	/* Shift later entries of the cluster back so probes still find them. */
	for (size_t k = (j + 1) & mask; slots[k] != NULL; k = (k + 1) & mask) {
		size_t home = slot_of(slots[k], mask);
		bool movable = j <= k ? (home <= j || home > k) : (home <= j && home > k);
		if (movable) {
			slots[j] = slots[k];
			slots[k] = NULL;
			j = k;
		}
	}
}

static bool on_armed_thread(void)
{
	return armed && pthread_equal(pthread_self(), armed_thread);
}

/* Count one allocation; true when this one must fail. */
static bool should_fail(bool sqlite)
{
	bool fail = false;
	pthread_mutex_lock(&lock);
	if (on_armed_thread() && !paused) {
		calls++;
		if (calls == fail_at) {
			fail = true;
			injected = true;
			injected_sqlite = sqlite;
		}
	}
	pthread_mutex_unlock(&lock);
	return fail;
}

static void track(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&lock);
	if (on_armed_thread())
		table_put(p);
	pthread_mutex_unlock(&lock);
}

static void untrack(const void *p)
{
	pthread_mutex_lock(&lock);
	table_del(p);
	pthread_mutex_unlock(&lock);
}

void hook_arm(long n)
{
	pthread_mutex_lock(&lock);
	armed = true;
	armed_thread = pthread_self();
	fail_at = n;
	paused = false;
	calls = 0;
	injected = injected_sqlite = false;
	pthread_mutex_unlock(&lock);
}

struct hook_report hook_disarm(void)
{
	struct hook_report r;
	pthread_mutex_lock(&lock);
	armed = false;
	r.calls = calls;
	r.injected = injected;
	r.injected_sqlite = injected_sqlite;
	r.live = (long)n_live;
	r.sqlite_live = sqlite_live;
	/* Forget what is left so the next run starts clean; the caller
	 * reports it. */
	if (slots != NULL)
		memset(slots, 0, n_slots * sizeof(*slots));
	n_live = 0;
	pthread_mutex_unlock(&lock);
	return r;
}

void hook_pause(void)
{
	pthread_mutex_lock(&lock);
	paused = true;
	pthread_mutex_unlock(&lock);
}

void hook_resume(void)
{
	pthread_mutex_lock(&lock);
	paused = false;
	pthread_mutex_unlock(&lock);
}

long hook_sqlite_live(void)
{
	pthread_mutex_lock(&lock);
	long n = sqlite_live;
	pthread_mutex_unlock(&lock);
	return n;
}

void *__wrap_malloc(size_t n)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = __real_malloc(n);
	track(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = __real_calloc(n, size);
	track(p);
	return p;
}

/* A failed realloc leaves the old block allocated, as the C library does. */
void *__wrap_realloc(void *p, size_t n)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	void *q = __real_realloc(p, n);
	if (q != NULL) {
		untrack(p);
		track(q);
	}
	return q;
}

void *__wrap_reallocarray(void *p, size_t n, size_t size)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	void *q = __real_reallocarray(p, n, size);
	if (q != NULL) {
		untrack(p);
		track(q);
	}
	return q;
}

char *__wrap_strdup(const char *s)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	char *p = __real_strdup(s);
	track(p);
	return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	char *p = __real_strndup(s, n);
	track(p);
	return p;
}

/* getline grows *line with the C library's own realloc: keep the table in
 * step with whatever block it ends up holding. */
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return -1;
	}
	char *before = *line;
	ssize_t n = __real_getline(line, cap, f);
	if (*line != before) {
		untrack(before);
		track(*line);
	}
	return n;
}

char *__wrap_realpath(const char *path, char *resolved)
{
	if (resolved == NULL && should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	char *p = __real_realpath(path, resolved);
	if (resolved == NULL)
		track(p);
	return p;
}

/* The FILE is freed by fclose, which is not wrapped: fail it, don't track. */
FILE *__wrap_fopen(const char *path, const char *mode)
{
	if (should_fail(false)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_fopen(path, mode);
}

void __wrap_free(void *p)
{
	if (p != NULL)
		untrack(p);
	__real_free(p);
}

/* SQLite: a size header in front of each block, as xSize needs. */
#define HDR 16

static void *sq_malloc(int n)
{
	if (should_fail(true))
		return NULL;
	unsigned char *p = __real_malloc((size_t)n + HDR);
	if (p == NULL)
		return NULL;
	memcpy(p, &n, sizeof(n));
	pthread_mutex_lock(&lock);
	sqlite_live++;
	pthread_mutex_unlock(&lock);
	return p + HDR;
}

static void sq_free(void *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&lock);
	sqlite_live--;
	pthread_mutex_unlock(&lock);
	__real_free((unsigned char *)p - HDR);
}

static int sq_size(void *p)
{
	int n;
	memcpy(&n, (unsigned char *)p - HDR, sizeof(n));
	return n;
}

static void *sq_realloc(void *p, int n)
{
	if (should_fail(true))
		return NULL;
	unsigned char *q = __real_realloc((unsigned char *)p - HDR, (size_t)n + HDR);
	if (q == NULL)
		return NULL;
	memcpy(q, &n, sizeof(n));
	return q + HDR;
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *unused)
{
	return SQLITE_OK;
}

static void sq_shutdown(void *unused)
{
}

void hook_install(void)
{
	static const sqlite3_mem_methods methods = {
		sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup, sq_init, sq_shutdown, NULL,
	};
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK ||
	    sqlite3_initialize() != SQLITE_OK) {
		fprintf(stderr, "alloc_hook: cannot hook SQLite's allocator\n");
		abort();
	}
}
