/*
 * storage_db.h — private to storage/: the connection and error slot of a
 * store, for the files that add queries beside storage.c.
 */
#ifndef CONSULTD_STORAGE_DB_H
#define CONSULTD_STORAGE_DB_H

#include "storage.h"

#include <sqlite3.h>

sqlite3 *storage_db(struct storage *st);
/* Record "what: <sqlite's message>" as the store's error. */
void storage_set_errmsg(struct storage *st, const char *what);

#endif
