/*
 * credential.h — where a systemd credential is: LoadCredential= puts each
 * file in $CREDENTIALS_DIRECTORY for every Exec line of the unit
 * (--check-config included), so a config names the credential, never a
 * path under /run, and never the secret itself.
 */
#ifndef CONSULTD_CREDENTIAL_H
#define CONSULTD_CREDENTIAL_H

#include <stddef.h>

/*
 * *path gets a malloc'd "$CREDENTIALS_DIRECTORY/NAME" (the caller owns it).
 * Returns 0; -1 when name is not a credential name or the directory is not
 * set, with the reason in msg; -2 when out of memory.
 */
int credential_path(const char *name, char **path, char *msg, size_t msglen);

#endif
