/*
 * storage_db.h — private to storage/: the connection and error slot of a
 * store, for the files that add queries beside storage.c.
 */
#ifndef CONSULTD_STORAGE_DB_H
#define CONSULTD_STORAGE_DB_H

#include "storage.h"

#include <sqlite3.h>

/* storage_db() and storage_set_error() are declared in storage.h. */

/* r's campaign print as response id's, replacing any (none when
 * r->campaign_print is NULL). 0, or -1. */
int storage_put_print(struct storage *st, int64_t id, const struct response *r);

#endif
