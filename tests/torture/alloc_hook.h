/*
 * alloc_hook.h — fail the Nth allocation, and count what is still held.
 *
 * The torture test is linked with -Wl,--wrap for malloc, calloc, realloc,
 * reallocarray, strdup, strndup, getline, realpath and fopen, so every call
 * our own code (libconsult.a and the test) makes to them comes here first.
 * SQLite is hooked through sqlite3_config(SQLITE_CONFIG_MALLOC), which
 * alloc_hook_install() does before SQLite initialises.
 *
 * Outside hook_arm/hook_disarm everything passes straight through. While
 * armed, on the arming thread only, allocations are numbered from 1: number
 * N fails (NULL, errno ENOMEM) and every other succeeds. Each pointer handed
 * out while armed is remembered until it is freed, so hook_disarm can say
 * how many are still held (leaked, when the call under test has freed what
 * it returned).
 *
 * What cannot be reached: GLib and GMime allocate with g_malloc, which
 * aborts on failure by design; libxml2, poppler, libzip and libstemmer
 * allocate inside their own shared objects; libc functions (qsort,
 * iconv_open, the FILE a getline reads) allocate internally. Only our
 * code's allocations (and getline, realpath, fopen) and SQLite's are
 * failed.
 */
#ifndef CONSULTD_ALLOC_HOOK_H
#define CONSULTD_ALLOC_HOOK_H

#include <stdbool.h>

struct hook_report {
	long calls;             /* allocations seen while armed */
	bool injected;          /* the Nth was reached and failed */
	bool injected_sqlite;   /* ... and it was one of SQLite's */
	long live;              /* our allocations made while armed and not freed */
	long sqlite_live;       /* SQLite allocations outstanding (any time) */
};

/* Hook SQLite's allocator. Call once, before anything uses SQLite. */
void hook_install(void);

/* Fail allocation number n (1-based) from now on; 0 fails none. */
void hook_arm(long n);
struct hook_report hook_disarm(void);

/* Stop counting (and failing) for a while, e.g. for checks made between
 * two calls under test; what is allocated meanwhile is still tracked. */
void hook_pause(void);
void hook_resume(void);

/* SQLite allocations outstanding right now (armed or not). */
long hook_sqlite_live(void);

#endif
