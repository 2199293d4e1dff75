/*
 * window.h — where a consultation stands in time.
 *
 * Pure functions of the configuration and a caller-given `now`, so tests
 * move the clock instead of sleeping.
 */
#ifndef CONSULTD_WINDOW_H
#define CONSULTD_WINDOW_H

#include "config/config.h"

#include <stdbool.h>
#include <stdint.h>

enum window_state {
	WINDOW_BEFORE,  /* before opens: nothing is polled */
	WINDOW_OPEN,    /* opens <= now < closes */
	WINDOW_GRACE,   /* closes <= now < closes + grace: still polled, marked late */
	WINDOW_CLOSED   /* now >= closes + grace: final sweep, then summary */
};

enum window_state window_state_at(const struct config *cfg, int64_t now);
const char *window_state_name(enum window_state s);

/* Seconds from now to the next change of state, or -1 when none is left. */
int64_t window_next_change(const struct config *cfg, int64_t now);

/* A response received at this time is late. */
bool window_is_late(const struct config *cfg, int64_t received_at);

/*
 * When raw mail and attachment bytes are due to be purged ([storage]
 * retention days after closes + grace), or -1 when retention is not set.
 */
int64_t window_purge_at(const struct config *cfg);

#endif
