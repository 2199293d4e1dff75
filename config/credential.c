#include "credential.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int credential_path(const char *name, char **path, char *msg, size_t msglen)
{
	*path = NULL;
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		snprintf(msg, msglen, "'%s' is not a credential name", name);
		return -1;
	}
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	if (dir == NULL || dir[0] != '/') {
		snprintf(msg, msglen, "$CREDENTIALS_DIRECTORY is not set (systemd sets it for LoadCredential=)");
		return -1;
	}
	size_t n = strlen(dir) + strlen(name) + 2;
	*path = malloc(n);
	if (*path == NULL)
		return -2;
	snprintf(*path, n, "%s/%s", dir, name);
	return 0;
}
