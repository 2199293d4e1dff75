/*
 * storage_db.h — private to storage/: the connection and error slot of a
 * store, for the files that add queries beside storage.c.
 */
#ifndef CONSULTD_STORAGE_DB_H
#define CONSULTD_STORAGE_DB_H

#include "storage.h"

#include <sqlite3.h>

/* storage_db() and storage_set_error() are declared in storage.h. */

/* Make storage_errmsg say msg as it is (for errors SQLite did not see). */
void storage_set_message(struct storage *st, const char *msg);

/* r's campaign print as response id's, replacing any (none when
 * r->campaign_print is NULL). 0, or -1. */
int storage_put_print(struct storage *st, int64_t id, const struct response *r);

#endif
