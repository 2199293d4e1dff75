/*
 * secret.h — passwords and tokens read from files, kept briefly, wiped.
 *
 * A secret is read with open/read (no stdio buffer keeps a copy), into a
 * buffer of fixed size that secret_free wipes whole before freeing. Only
 * the first line counts; a trailing CR/LF is dropped. Secrets never reach
 * a log line: error messages name the file, never its content.
 */
#ifndef CONSULTD_SECRET_H
#define CONSULTD_SECRET_H

#include <stddef.h>

#define SECRET_MAX 8192 /* bytes; an OAuth2 access token is well under this */

/*
 * Read the first line of path. Returns a NUL-terminated secret (caller
 * frees with secret_free), or NULL with the reason in err: the file cannot
 * be read, is empty, or its first line is longer than SECRET_MAX - 1.
 */
char *secret_read(const char *path, char *err, size_t errlen);

/* Wipe and free a secret from secret_read. Accepts NULL. */
void secret_free(char *secret);

#endif
