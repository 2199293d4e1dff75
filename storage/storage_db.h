/*
 * storage_db.h — private to storage/: the connection and error slot of a
 * store, for the files that add queries beside storage.c.
 */
#ifndef CONSULTD_STORAGE_DB_H
#define CONSULTD_STORAGE_DB_H

#include "storage.h"

#include <sqlite3.h>

/* storage_db() and storage_set_error() are declared in storage.h. */

#endif
