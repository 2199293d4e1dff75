/*
 * wire_fetch — the wire limit for the ingest benchmark: the least an IMAP
 * client can do to receive a whole mailbox. It logs in, selects the
 * mailbox and sends one `UID FETCH 1:* (BODY.PEEK[])`, reading the answer
 * (literals skipped by their announced length, never parsed) and throwing
 * the bytes away.
 *
 *   wire_fetch HOST PORT USER PASSWORD_FILE [MAILBOX]
 *
 * Prints "messages=N bytes=B seconds=S" (S from LOGIN to the tagged OK of
 * the FETCH). Plaintext only: it is meant for a loopback test server.
 */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (1u << 20)

struct conn {
	int fd;
	char *buf;
	size_t start, end;      /* unread bytes are buf[start..end) */
	unsigned long long bytes;
};

static void die(const char *what)
{
	fprintf(stderr, "wire_fetch: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static void send_all(struct conn *c, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t k = send(c->fd, s, n, MSG_NOSIGNAL);
		if (k <= 0)
			die("send");
		s += k;
		n -= (size_t)k;
	}
}

static void fill(struct conn *c)
{
	if (c->start == c->end)
		c->start = c->end = 0;
	if (c->end == BUF_SIZE) {
		if (c->start == 0)
			die("response line too long");
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	ssize_t k = recv(c->fd, c->buf + c->end, BUF_SIZE - c->end, 0);
	if (k <= 0) {
		errno = k < 0 ? errno : 0;
		die("connection closed by the server");
	}
	c->end += (size_t)k;
	c->bytes += (unsigned long long)k;
}

/*
 * Read responses until the tagged one for `tag`; returns whether it was OK.
 * Literals ({N}) are skipped unseen; *literals counts them.
 */
static bool until_tagged(struct conn *c, const char *tag, unsigned long *literals)
{
	size_t taglen = strlen(tag);
	for (;;) {
		char *nl;
		while ((nl = memchr(c->buf + c->start, '\n', c->end - c->start)) == NULL)
			fill(c);
		char *line = c->buf + c->start;
		size_t len = (size_t)(nl - line) + 1;
		c->start += len;
		if (len >= taglen + 1 && memcmp(line, tag, taglen) == 0 && line[taglen] == ' ')
			return len >= taglen + 3 && memcmp(line + taglen + 1, "OK", 2) == 0;
		/* A line ending in {N}: N bytes of literal follow. */
		if (len >= 4 && line[len - 2] == '\r' && line[len - 3] == '}') {
			char *open = line + len - 3;
			while (open > line && *open != '{')
				open--;
			if (*open == '{') {
				unsigned long long skip = strtoull(open + 1, NULL, 10);
				if (literals != NULL)
					(*literals)++;
				while (skip > 0) {
					if (c->start == c->end)
						fill(c);
					size_t have = c->end - c->start;
					size_t take = skip < have ? (size_t)skip : have;
					c->start += take;
					skip -= take;
				}
			}
		}
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: wire_fetch HOST PORT USER PASSWORD_FILE [MAILBOX]\n");
		return 2;
	}
	const char *mailbox = argc == 6 ? argv[5] : "INBOX";
	char password[256];
	FILE *f = fopen(argv[4], "r");
	if (f == NULL || fgets(password, sizeof(password), f) == NULL)
		die("cannot read the password file");
	fclose(f);
	password[strcspn(password, "\r\n")] = '\0';
	if (strpbrk(password, "\"\\") != NULL || strpbrk(argv[3], "\"\\") != NULL ||
	    strpbrk(mailbox, "\"\\\r\n") != NULL)
		die("user, password and mailbox must not contain quotes or backslashes");

	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
		die("cannot resolve the host");
	struct conn c = {.fd = socket(ai->ai_family, SOCK_STREAM, 0), .buf = malloc(BUF_SIZE)};
	if (c.fd < 0 || c.buf == NULL || connect(c.fd, ai->ai_addr, ai->ai_addrlen) != 0)
		die("connect");
	freeaddrinfo(ai);
	while (memchr(c.buf, '\n', c.end) == NULL) /* greeting */
		fill(&c);
	c.start = (size_t)((char *)memchr(c.buf, '\n', c.end) - c.buf) + 1;

	double t0 = now();
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "w1 LOGIN \"%s\" \"%s\"\r\n", argv[3], password);
	send_all(&c, cmd);
	if (!until_tagged(&c, "w1", NULL))
		die("LOGIN refused");
	snprintf(cmd, sizeof(cmd), "w2 SELECT \"%s\"\r\n", mailbox);
	send_all(&c, cmd);
	if (!until_tagged(&c, "w2", NULL))
		die("SELECT refused");
	unsigned long messages = 0;
	unsigned long long before = c.bytes;
	send_all(&c, "w3 UID FETCH 1:* (BODY.PEEK[])\r\n");
	if (!until_tagged(&c, "w3", &messages))
		die("FETCH refused");
	double t1 = now();
	send_all(&c, "w4 LOGOUT\r\n");
	close(c.fd);
	printf("messages=%lu bytes=%llu seconds=%.3f\n", messages, c.bytes - before, t1 - t0);
	free(c.buf);
	return 0;
}
