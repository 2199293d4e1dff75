/*
 * log.h — one log line per event, to stderr.
 *
 * Lines are "level=... msg" with key=value fields a person can grep
 * (uid=, ref=, source=, reason=). When stderr is the journal stream
 * (JOURNAL_STREAM names its device and inode, checked once) each line
 * starts with a syslog priority prefix such as "<3>" so journald keeps the
 * level; otherwise with "consultd: LEVEL: ". Safe to call from any thread. Never pass secrets or whole
 * response texts; escape untrusted text with log_escape first.
 */
#ifndef CONSULTD_LOG_H
#define CONSULTD_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_ERR = 3, LOG_LEVEL_WARN = 4, LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };

/* Lines above this level are dropped (default LOG_LEVEL_INFO). */
void log_set_level(enum log_level max);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * Copy untrusted text into buf for logging: control characters, quotes and
 * backslashes escaped, cut to len - 1 bytes (with "..." when cut). Returns
 * buf.
 */
const char *log_escape(const char *text, char *buf, size_t len);

#endif
