#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level max)
{
	max_level = max;
}

static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static bool journal;

/* systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connected to
 * stderr. A child whose stderr was redirected (a test harness, a pipe into
 * a file) inherits the variable but not the stream, so only a match counts. */
static void detect_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	struct stat st;
	char *end;
	journal = false;
	if (v == NULL || *v < '0' || *v > '9')
		return;
	errno = 0;
	uintmax_t dev = strtoumax(v, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return;
	uintmax_t ino = strtoumax(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return;
	journal = fstat(fileno(stderr), &st) == 0 && (uintmax_t)st.st_dev == dev &&
		  (uintmax_t)st.st_ino == ino;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERR: return "error";
	case LOG_LEVEL_WARN: return "warning";
	case LOG_LEVEL_INFO: return "info";
	case LOG_LEVEL_DEBUG: return "debug";
	}
	return "info";
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > max_level)
		return;
	/* journald reads the priority prefix; a terminal reader wants words. */
	pthread_once(&journal_once, detect_journal);
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	flockfile(stderr);
	if (journal)
		fprintf(stderr, "<%d>%s\n", (int)level, line);
	else
		fprintf(stderr, "consultd: %s: %s\n", level_name(level), line);
	funlockfile(stderr);
}

const char *log_escape(const char *text, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return buf;
	if (text == NULL)
		text = "";
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		char esc[5];
		size_t n;
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\') {
			n = (size_t)snprintf(esc, sizeof(esc), *p == '"' || *p == '\\' ? "\\%c" : "\\x%02x", *p);
		} else {
			esc[0] = (char)*p;
			n = 1;
		}
		if (o + n + 4 > len) {
			if (len >= 4) {
				memcpy(buf + (o <= len - 4 ? o : len - 4), "...", 4);
				return buf;
			}
			break;
		}
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o < len ? o : len - 1] = '\0';
	return buf;
}
