#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *secret_read(const char *path, char *err, size_t errlen)
{
	char *buf = calloc(1, SECRET_MAX);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		secret_free(buf);
		return NULL;
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, SECRET_MAX - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			secret_free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL || len == SECRET_MAX - 1)
			break;
	}
	close(fd);
	char *nl = memchr(buf, '\n', len);
	if (nl == NULL && len == SECRET_MAX - 1) {
		snprintf(err, errlen, "%s: first line longer than %d bytes", path, SECRET_MAX - 1);
		secret_free(buf);
		return NULL;
	}
	size_t line = nl != NULL ? (size_t)(nl - buf) : len;
	if (line > 0 && buf[line - 1] == '\r')
		line--;
	/* Keep only the first line; wipe whatever followed it. */
	explicit_bzero(buf + line, SECRET_MAX - line);
	if (line == 0) {
		snprintf(err, errlen, "%s: empty", path);
		secret_free(buf);
		return NULL;
	}
	return buf;
}

void secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, SECRET_MAX);
	free(secret);
}
