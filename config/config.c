#include "config.h"
#include "credential.h"

#include "ini_lines.h"
#include "receipts/message.h"
#include "receipts/template.h"

#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Which keys were seen, so missing required ones can be named. */
struct imap_seen {
	bool host, port, user, password_file, password_credential, token_file;
};

struct receipts_seen {
	bool section, enabled_key, host, port, from_address, password_file, password_credential;
	bool subject, body, body_file;
};

struct seen {
	bool name, opens, closes, themes, storage_path, report_folder, areas;
	struct imap_seen imap[CONFIG_MAX_MAILBOXES];
	struct receipts_seen receipts;
};

struct loader {
	const char *path;
	char *dir;              /* directory of the config file, owned */
	struct config *cfg;
	struct seen seen;
	char *err;
	size_t errlen;
	size_t errused;
	int nerrors;
	int first_error_line;   /* first line a handler error was reported at */
	bool oom;
};

static void add_error(struct loader *ld, int line, const char *section,
		      const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_error(struct loader *ld, int line, const char *section,
		      const char *key, const char *fmt, ...)
{
	ld->nerrors++;
	if (line > 0 && (ld->first_error_line == 0 || line < ld->first_error_line))
		ld->first_error_line = line;
	if (ld->err == NULL || ld->errused + 1 >= ld->errlen)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *p = ld->err + ld->errused;
	size_t room = ld->errlen - ld->errused;
	int n;
	if (line > 0 && key != NULL)
		n = snprintf(p, room, "%s:%d: [%s] %s: %s\n", ld->path, line, section, key, msg);
	else if (line > 0)
		n = snprintf(p, room, "%s:%d: %s\n", ld->path, line, msg);
	else if (key != NULL)
		n = snprintf(p, room, "%s: [%s] %s: %s\n", ld->path, section, key, msg);
	else
		n = snprintf(p, room, "%s: %s\n", ld->path, msg);
	if (n > 0)
		ld->errused += (size_t)n < room ? (size_t)n : room - 1;
}

static char *resolve_path(struct loader *ld, const char *value)
{
	if (value[0] == '/')
		return strdup(value);
	size_t n = strlen(ld->dir) + 1 + strlen(value) + 1;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", ld->dir, value);
	return p;
}

static int set_string(struct loader *ld, char **dst, const char *value, bool is_path)
{
	char *s = is_path ? resolve_path(ld, value) : strdup(value);
	if (s == NULL) {
		ld->oom = true;
		return -1;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static int parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int days_from_civil(int y, int m, int d, int64_t *days)
{
	/* Howard Hinnant's algorithm: proleptic Gregorian days since 1970-01-01. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int config_parse_time(const char *s, int64_t *t)
{
	int y, mo, d, h, mi, sec;
	if (strlen(s) < 20)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return -1;
	const char *p = s + 19;
	if (*p == '.') { /* fractional seconds are accepted and ignored */
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	int64_t offset;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	} else {
		return -1;
	}
	int64_t days;
	days_from_civil(y, mo, d, &days);
	*t = days * 86400 + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec) - offset;
	return 0;
}

int config_parse_duration(const char *s, int64_t *secs)
{
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	int64_t mult;
	if (end[0] == '\0' || (end[0] == 's' && end[1] == '\0'))
		mult = 1;
	else if (end[0] == 'm' && end[1] == '\0')
		mult = 60;
	else if (end[0] == 'h' && end[1] == '\0')
		mult = 3600;
	else if (end[0] == 'd' && end[1] == '\0')
		mult = 86400;
	else
		return -1;
	if (v > INT64_MAX / mult / 2)
		return -1;
	*secs = v * mult;
	return 0;
}

void config_format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int on_consultation(struct loader *ld, int line, const char *name, const char *value)
{
	struct config *c = ld->cfg;
	const char *sec = "consultation";
	if (strcmp(name, "name") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty");
		else
			set_string(ld, &c->name, value, false);
		ld->seen.name = true;
	} else if (strcmp(name, "opens") == 0 || strcmp(name, "closes") == 0) {
		int64_t *dst = name[0] == 'o' ? &c->opens : &c->closes;
		if (config_parse_time(value, dst) != 0)
			add_error(ld, line, sec, name,
				  "'%s' is not an RFC 3339 time with offset, e.g. 2021-11-16T00:00:00Z", value);
		if (name[0] == 'o')
			ld->seen.opens = true;
		else
			ld->seen.closes = true;
	} else if (strcmp(name, "grace") == 0) {
		if (config_parse_duration(value, &c->grace) != 0)
			add_error(ld, line, sec, name, "'%s' is not a duration such as 90, 30s, 15m, 24h or 2d", value);
	} else if (strcmp(name, "themes") == 0) {
		set_string(ld, &c->themes_path, value, true);
		ld->seen.themes = true;
	} else if (strcmp(name, "areas") == 0) {
		/* "none": no areas; otherwise a path (checked when loaded). */
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty (a path, or none)");
		else if (strcmp(value, "none") == 0) {
			free(c->areas_path);
			c->areas_path = NULL;
		} else
			set_string(ld, &c->areas_path, value, true);
		ld->seen.areas = true;
	} else if (strcmp(name, "on_close") == 0) {
		if (strcmp(value, "idle") == 0)
			c->on_close = ON_CLOSE_IDLE;
		else if (strcmp(value, "exit") == 0)
			c->on_close = ON_CLOSE_EXIT;
		else
			add_error(ld, line, sec, name, "'%s' is not one of idle, exit", value);
	} else {
		return -1;
	}
	return 0;
}

/* The mailbox of section `sec`, made on first sight; NULL past the cap
 * (reported) or on out of memory. */
static struct imap_config *mailbox_for(struct loader *ld, int line, const char *sec, size_t *index)
{
	struct config *c = ld->cfg;
	for (size_t i = 0; i < c->n_imap; i++) {
		if (strcmp(c->imap[i].section, sec) == 0) {
			*index = i;
			return &c->imap[i];
		}
	}
	if (c->n_imap == CONFIG_MAX_MAILBOXES) {
		add_error(ld, line, sec, "", "more than %d mailboxes", CONFIG_MAX_MAILBOXES);
		return NULL;
	}
	struct imap_config *m = &c->imap[c->n_imap];
	if ((m->section = strdup(sec)) == NULL) {
		ld->oom = true;
		return NULL;
	}
	m->poll_interval = 60;
	m->idle = true;
	m->timeout = 30;
	m->tls = IMAP_TLS_IMPLICIT;
	*index = c->n_imap++;
	return m;
}

/* The file of a systemd credential (see credential.h) into *dst. */
static void set_credential(struct loader *ld, int line, const char *sec, const char *name,
			   const char *value, char **dst)
{
	char msg[160], *path;
	int rc = credential_path(value, &path, msg, sizeof(msg));
	if (rc == -1) {
		add_error(ld, line, sec, name, "%s", msg);
		return;
	}
	if (rc == -2) {
		ld->oom = true;
		return;
	}
	free(*dst);
	*dst = path;
}

static int on_imap(struct loader *ld, int line, const char *sec, const char *name, const char *value)
{
	size_t index;
	struct imap_config *m = mailbox_for(ld, line, sec, &index);
	if (m == NULL)
		return 0;
	struct imap_seen *seen = &ld->seen.imap[index];
	if (strcmp(name, "host") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty");
		else
			set_string(ld, &m->host, value, false);
		seen->host = true;
	} else if (strcmp(name, "port") == 0) {
		if (parse_int(value, 1, 65535, &m->port) != 0)
			add_error(ld, line, sec, name, "'%s' is not a port number (1-65535)", value);
		seen->port = true;
	} else if (strcmp(name, "tls") == 0) {
		if (strcmp(value, "implicit") == 0)
			m->tls = IMAP_TLS_IMPLICIT;
		else if (strcmp(value, "starttls") == 0)
			m->tls = IMAP_TLS_STARTTLS;
		else if (strcmp(value, "none") == 0)
			m->tls = IMAP_TLS_NONE;
		else
			add_error(ld, line, sec, name, "'%s' is not one of implicit, starttls, none", value);
	} else if (strcmp(name, "ca_file") == 0) {
		set_string(ld, &m->ca_file, value, true);
	} else if (strcmp(name, "user") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty");
		else
			set_string(ld, &m->user, value, false);
		seen->user = true;
	} else if (strcmp(name, "password") == 0) {
		add_error(ld, line, sec, name,
			  "passwords are never kept in the config file; use password_file");
	} else if (strcmp(name, "password_file") == 0) {
		if (seen->password_credential)
			add_error(ld, line, sec, name, "set either password_file or password_credential, not both");
		else
			set_string(ld, &m->password_file, value, true);
		seen->password_file = true;
	} else if (strcmp(name, "auth") == 0) {
		if (strcmp(value, "password") == 0)
			m->auth = IMAP_AUTH_PASSWORD;
		else if (strcmp(value, "xoauth2") == 0)
			m->auth = IMAP_AUTH_XOAUTH2;
		else
			add_error(ld, line, sec, name, "'%s' is not one of password, xoauth2", value);
	} else if (strcmp(name, "token_file") == 0 || strcmp(name, "token_credential") == 0) {
		/* The bearer token for XOAUTH2; another tool refreshes it, and
		 * consultd reads it again at every login. */
		if (seen->password_file || seen->password_credential || seen->token_file)
			add_error(ld, line, sec, name,
				  "set one of password_file, password_credential, token_file, token_credential");
		else if (strcmp(name, "token_credential") == 0)
			set_credential(ld, line, sec, name, value, &m->password_file);
		else
			set_string(ld, &m->password_file, value, true);
		seen->token_file = true;
	} else if (strcmp(name, "timeout") == 0) {
		int64_t secs;
		if (config_parse_duration(value, &secs) != 0 || secs < 1 || secs > 600)
			add_error(ld, line, sec, name, "'%s' is not a duration between 1s and 10m", value);
		else
			m->timeout = (int)secs;
	} else if (strcmp(name, "password_credential") == 0) {
		if (seen->password_file)
			add_error(ld, line, sec, name, "set either password_file or password_credential, not both");
		else
			set_credential(ld, line, sec, name, value, &m->password_file);
		seen->password_credential = true;
	} else if (strcmp(name, "mailbox") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty");
		else
			set_string(ld, &m->mailbox, value, false);
	} else if (strcmp(name, "processed_mailbox") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty (leave the key out to keep mail in place)");
		else
			set_string(ld, &m->processed_mailbox, value, false);
	} else if (strcmp(name, "idle") == 0) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
			m->idle = true;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
			m->idle = false;
		else
			add_error(ld, line, sec, name, "'%s' is not yes or no", value);
	} else if (strcmp(name, "poll_interval") == 0) {
		int64_t secs;
		if (config_parse_duration(value, &secs) != 0 || secs < 1 || secs > 86400)
			add_error(ld, line, sec, name, "'%s' is not a duration between 1s and 24h", value);
		else
			m->poll_interval = (int)secs;
	} else {
		return -1;
	}
	return 0;
}

/* [storage] retention: whole days, "90" or "90d". */
static int parse_retention(const char *value, int *days)
{
	char *end;
	if (!isdigit((unsigned char)value[0]))
		return -1;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (*end == 'd')
		end++;
	if (errno != 0 || *end != '\0' || v > 36500)
		return -1;
	*days = (int)v;
	return 0;
}

static bool is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

/* ---- [receipts] ------------------------------------------------------- */

static int yes_no(const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* A template from the file at line: checked here, so that a bad one is
 * refused with its place rather than found when a receipt is written. */
static void set_template(struct loader *ld, int line, const char *key, char **dst,
			 const char *text, size_t len, const char *from_file)
{
	char why[300];
	if (template_check(text, len, why, sizeof(why)) != 0) {
		if (from_file != NULL)
			add_error(ld, line, "receipts", key, "%s: %s", from_file, why);
		else
			add_error(ld, line, "receipts", key, "%s", why);
		return;
	}
	char *t = strndup(text, len);
	if (t == NULL) {
		ld->oom = true;
		return;
	}
	free(*dst);
	*dst = t;
}

/* The body template's file, read whole (at most TEMPLATE_MAX bytes). */
static void read_template_file(struct loader *ld, int line, const char *value)
{
	char *path = resolve_path(ld, value);
	if (path == NULL) {
		ld->oom = true;
		return;
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		add_error(ld, line, "receipts", "body_file", "%s: %s", path, strerror(errno));
		free(path);
		return;
	}
	char *text = malloc(TEMPLATE_MAX + 2);
	if (text == NULL) {
		ld->oom = true;
	} else {
		size_t n = fread(text, 1, TEMPLATE_MAX + 1, f);
		if (ferror(f))
			add_error(ld, line, "receipts", "body_file", "%s: read error", path);
		else
			set_template(ld, line, "body_file", &ld->cfg->receipts.body, text, n, path);
	}
	free(text);
	fclose(f);
	free(path);
}

static int on_receipts(struct loader *ld, int line, const char *name, const char *value)
{
	struct receipts_config *rc = &ld->cfg->receipts;
	struct receipts_seen *seen = &ld->seen.receipts;
	const char *sec = "receipts";
	if (!seen->section) {
		seen->section = true;
		rc->enabled = true;
		rc->tls = IMAP_TLS_IMPLICIT;
		rc->timeout = 60;
		rc->rate = 30;
		rc->max_attempts = 8;
		rc->retry_base = 60;
		rc->late = true;
	}
	if (strcmp(name, "enabled") == 0) {
		if (yes_no(value, &rc->enabled) != 0)
			add_error(ld, line, sec, name, "'%s' is not yes or no", value);
		seen->enabled_key = true;
	} else if (strcmp(name, "host") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty");
		else
			set_string(ld, &rc->host, value, false);
		seen->host = true;
	} else if (strcmp(name, "port") == 0) {
		if (parse_int(value, 1, 65535, &rc->port) != 0)
			add_error(ld, line, sec, name, "'%s' is not a port number (1-65535)", value);
		seen->port = true;
	} else if (strcmp(name, "tls") == 0) {
		if (strcmp(value, "implicit") == 0)
			rc->tls = IMAP_TLS_IMPLICIT;
		else if (strcmp(value, "starttls") == 0)
			rc->tls = IMAP_TLS_STARTTLS;
		else if (strcmp(value, "none") == 0)
			rc->tls = IMAP_TLS_NONE;
		else
			add_error(ld, line, sec, name, "'%s' is not one of implicit, starttls, none", value);
	} else if (strcmp(name, "ca_file") == 0) {
		set_string(ld, &rc->ca_file, value, true);
	} else if (strcmp(name, "user") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty (leave the key out for no login)");
		else
			set_string(ld, &rc->user, value, false);
	} else if (strcmp(name, "password") == 0) {
		add_error(ld, line, sec, name,
			  "passwords are never kept in the config file; use password_file");
	} else if (strcmp(name, "password_file") == 0) {
		if (seen->password_credential)
			add_error(ld, line, sec, name, "set either password_file or password_credential, not both");
		else
			set_string(ld, &rc->password_file, value, true);
		seen->password_file = true;
	} else if (strcmp(name, "password_credential") == 0) {
		if (seen->password_file)
			add_error(ld, line, sec, name, "set either password_file or password_credential, not both");
		else
			set_credential(ld, line, sec, name, value, &rc->password_file);
		seen->password_credential = true;
	} else if (strcmp(name, "timeout") == 0) {
		int64_t secs;
		if (config_parse_duration(value, &secs) != 0 || secs < 1 || secs > 600)
			add_error(ld, line, sec, name, "'%s' is not a duration between 1s and 10m", value);
		else
			rc->timeout = (int)secs;
	} else if (strcmp(name, "from_address") == 0 || strcmp(name, "reply_to") == 0) {
		/* The rule the message builder applies to every address. */
		if (!receipt_address_ok(value))
			add_error(ld, line, sec, name, "'%s' is not a plain address such as consult@example.org",
				  value);
		else
			set_string(ld, name[0] == 'f' ? &rc->from_address : &rc->reply_to, value, false);
		if (name[0] == 'f')
			seen->from_address = true;
	} else if (strcmp(name, "from_name") == 0) {
		/* Valid UTF-8 without control characters: what cleaning keeps. */
		char *clean = template_clean_value(value, TEMPLATE_VALUE_MAX);
		if (clean == NULL)
			ld->oom = true;
		else if (strcmp(clean, value) != 0)
			add_error(ld, line, sec, name, "must be one line of UTF-8 text, at most %u bytes",
				  TEMPLATE_VALUE_MAX);
		else
			set_string(ld, &rc->from_name, value, false);
		free(clean);
	} else if (strcmp(name, "subject") == 0) {
		set_template(ld, line, name, &rc->subject, value, strlen(value), NULL);
		seen->subject = true;
	} else if (strcmp(name, "body") == 0 || strcmp(name, "body_file") == 0) {
		if (seen->body || seen->body_file)
			add_error(ld, line, sec, name, "set either body or body_file, once");
		else if (name[4] == '\0')
			set_template(ld, line, name, &rc->body, value, strlen(value), NULL);
		else
			read_template_file(ld, line, value);
		if (name[4] == '\0')
			seen->body = true;
		else
			seen->body_file = true;
	} else if (strcmp(name, "message_id_domain") == 0) {
		bool ok = value[0] != '\0' && strlen(value) <= 200 && value[0] != '.' && value[0] != '-';
		for (const char *p = value; ok && *p != '\0'; p++)
			ok = isalnum((unsigned char)*p) || *p == '.' || *p == '-';
		if (!ok)
			add_error(ld, line, sec, name, "'%s' is not a domain name", value);
		else
			set_string(ld, &rc->message_id_domain, value, false);
	} else if (strcmp(name, "rate") == 0) {
		if (parse_int(value, 1, 6000, &rc->rate) != 0)
			add_error(ld, line, sec, name, "'%s' is not a number of messages a minute (1-6000)", value);
	} else if (strcmp(name, "max_attempts") == 0) {
		if (parse_int(value, 1, 100, &rc->max_attempts) != 0)
			add_error(ld, line, sec, name, "'%s' is not a number between 1 and 100", value);
	} else if (strcmp(name, "retry_base") == 0) {
		int64_t secs;
		if (config_parse_duration(value, &secs) != 0 || secs < 1 || secs > 86400)
			add_error(ld, line, sec, name, "'%s' is not a duration between 1s and 24h", value);
		else
			rc->retry_base = (int)secs;
	} else if (strcmp(name, "late") == 0) {
		if (yes_no(value, &rc->late) != 0)
			add_error(ld, line, sec, name, "'%s' is not yes or no", value);
	} else if (strcmp(name, "no_reply") == 0) {
		/* Comma separated glob patterns; the key may be given again. */
		const char *p = value;
		while (*p != '\0') {
			while (*p == ',' || *p == ' ' || *p == '\t')
				p++;
			size_t n = strcspn(p, ",");
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			if (n == 0)
				break;
			if (rc->n_no_reply >= 64) {
				add_error(ld, line, sec, name, "more than 64 patterns");
				break;
			}
			char **v = realloc(rc->no_reply, (rc->n_no_reply + 1) * sizeof(*v));
			char *pat = v != NULL ? strndup(p, n) : NULL;
			if (v != NULL)
				rc->no_reply = v;
			if (pat == NULL) {
				ld->oom = true;
				break;
			}
			rc->no_reply[rc->n_no_reply++] = pat;
			p += n;
			while (*p != '\0' && *p != ',')
				p++;
		}
	} else {
		return -1;
	}
	return 0;
}

static void validate_receipts(struct loader *ld)
{
	struct receipts_config *rc = &ld->cfg->receipts;
	const struct receipts_seen *s = &ld->seen.receipts;
	const char *sec = "receipts";
	if (!s->section || !rc->enabled)
		return;
	if (!s->host)
		add_error(ld, 0, sec, "host", "missing (required)");
	if (!s->from_address)
		add_error(ld, 0, sec, "from_address", "missing (required)");
	if (rc->user != NULL && !s->password_file && !s->password_credential)
		add_error(ld, 0, sec, "password_file", "missing (required with user, or password_credential)");
	if (rc->user == NULL && (s->password_file || s->password_credential))
		add_error(ld, 0, sec, "user", "missing (a password is set)");
	if (rc->host != NULL && rc->tls == IMAP_TLS_NONE && !is_loopback(rc->host))
		add_error(ld, 0, sec, "tls", "'none' is allowed only for a loopback host, not '%s'", rc->host);
	if (!s->port)
		rc->port = rc->tls == IMAP_TLS_IMPLICIT ? 465 : rc->tls == IMAP_TLS_STARTTLS ? 587 : 25;
	if (rc->subject == NULL && !s->subject &&
	    set_string(ld, &rc->subject, "Your response to {consultation}: {reference}", false) != 0)
		return;
	if (rc->body == NULL && !s->body && !s->body_file &&
	    set_string(ld, &rc->body,
		       "Thank you for your response to {consultation}.\n\n"
		       "We received it on {received_date}. Its reference is {reference}; please quote it "
		       "if you write to us about your response.{late_note}\n\n"
		       "This is an automatic acknowledgement.\n", false) != 0)
		return;
	if (rc->message_id_domain == NULL && rc->from_address != NULL) {
		/* A domain of their own: a receipt coming back is then known by
		 * its Message-ID even where a relay drops Auto-Submitted. */
		char dom[300];
		snprintf(dom, sizeof(dom), "receipts.%s", strchr(rc->from_address, '@') + 1);
		set_string(ld, &rc->message_id_domain, dom, false);
	}
}

/* [form] and [form NAME]: the keys are form_config's; errors get the line. */
static int on_form(struct loader *ld, int line, const char *sec, const char *name, const char *value)
{
	struct config *c = ld->cfg;
	struct form_config *f = NULL;
	for (size_t i = 0; i < c->n_form && f == NULL; i++)
		if (strcmp(c->form[i].section, sec) == 0)
			f = &c->form[i];
	if (f == NULL) {
		if (c->n_form == CONFIG_MAX_FORMS) {
			add_error(ld, line, sec, name, "more than %d forms", CONFIG_MAX_FORMS);
			return 0;
		}
		f = &c->form[c->n_form];
		if ((f->section = strdup(sec)) == NULL) {
			ld->oom = true;
			return 0;
		}
		f->poll_interval = 60;
		f->timeout = 30;
		f->max_bytes = 64L * 1024 * 1024;
		f->page_size = 1000;
		c->n_form++;
	}
	char msg[400];
	int rc = form_config_set(f, ld->dir, name, value, msg, sizeof(msg));
	if (rc == -2)
		ld->oom = true;
	else if (rc == 0)
		add_error(ld, line, sec, name, "%s", msg);
	return rc == -1 ? -1 : 0;
}

struct form_report {
	struct loader *ld;
	const char *section;
};

static void form_report_cb(void *user, const char *key, const char *msg)
{
	struct form_report *fr = user;
	add_error(fr->ld, 0, fr->section, key, "%s", msg);
}

static int handler(void *user, int line, const char *section, const char *name,
		   const char *value)
{
	struct loader *ld = user;
	int known;
	if (strcmp(section, "consultation") == 0) {
		known = on_consultation(ld, line, name, value);
	} else if (strcmp(section, "imap") == 0 ||
		   (strncmp(section, "imap ", 5) == 0 && section[5] != '\0')) {
		known = on_imap(ld, line, section, name, value);
	} else if (strcmp(section, "receipts") == 0) {
		known = on_receipts(ld, line, name, value);
	} else if (strcmp(section, "form") == 0 ||
		   (strncmp(section, "form ", 5) == 0 && section[5] != '\0')) {
		known = on_form(ld, line, section, name, value);
	} else if (strcmp(section, "storage") == 0 && strcmp(name, "path") == 0) {
		set_string(ld, &ld->cfg->storage_path, value, true);
		ld->seen.storage_path = true;
		known = 0;
	} else if (strcmp(section, "storage") == 0 && strcmp(name, "retention") == 0) {
		if (parse_retention(value, &ld->cfg->retention_days) != 0)
			add_error(ld, line, section, name,
				  "'%s' is not a number of days from 0 to 36500 (e.g. 90 or 90d)", value);
		known = 0;
	} else if (strcmp(section, "report") == 0 && strcmp(name, "folder") == 0) {
		set_string(ld, &ld->cfg->report_folder, value, true);
		ld->seen.report_folder = true;
		known = 0;
	} else if (strcmp(section, "report") == 0 && strcmp(name, "areas") == 0) {
		set_string(ld, &ld->cfg->report_areas_path, value, true);
		known = 0;
	} else if (strcmp(section, "storage") != 0 && strcmp(section, "report") != 0) {
		if (section[0] == '\0')
			add_error(ld, line, "", name, "key outside any section");
		else
			add_error(ld, line, section, name, "unknown section [%s]", section);
		return 0;
	} else {
		known = -1;
	}
	if (known < 0) {
		add_error(ld, line, section, name, "unknown key");
		return 0;
	}
	return 1;
}

static void validate(struct loader *ld)
{
	struct config *c = ld->cfg;
	const struct seen *s = &ld->seen;
	if (!s->name)
		add_error(ld, 0, "consultation", "name", "missing (required)");
	if (!s->opens)
		add_error(ld, 0, "consultation", "opens", "missing (required)");
	if (!s->closes)
		add_error(ld, 0, "consultation", "closes", "missing (required)");
	if (s->opens && s->closes && c->closes <= c->opens)
		add_error(ld, 0, "consultation", "closes", "must be later than opens");
	if (!s->themes)
		add_error(ld, 0, "consultation", "themes", "missing (required): path of the theme file");
	if (!s->areas && access(CONFIG_DEFAULT_AREAS, R_OK) == 0) {
		set_string(ld, &c->areas_path, CONFIG_DEFAULT_AREAS, true);
		c->areas_default = true;
	}
	if (!s->storage_path)
		add_error(ld, 0, "storage", "path", "missing (required)");
	if (!s->report_folder)
		add_error(ld, 0, "report", "folder", "missing (required)");
	for (size_t i = 0; i < c->n_imap; i++) {
		struct imap_config *m = &c->imap[i];
		const struct imap_seen *is = &s->imap[i];
		const char *sec = m->section;
		if (!is->host)
			add_error(ld, 0, sec, "host", "missing (required)");
		if (!is->user)
			add_error(ld, 0, sec, "user", "missing (required)");
		if (m->auth == IMAP_AUTH_XOAUTH2) {
			if (!is->token_file)
				add_error(ld, 0, sec, "token_file", "missing (required with auth = xoauth2, or token_credential)");
			else if (is->password_file || is->password_credential)
				add_error(ld, 0, sec, "password_file", "not used with auth = xoauth2 (token_file is)");
		} else if (is->token_file) {
			add_error(ld, 0, sec, "token_file", "only used with auth = xoauth2");
		} else if (!is->password_file && !is->password_credential) {
			add_error(ld, 0, sec, "password_file",
				  "missing (required, or password_credential)");
		}
		if (m->host != NULL && m->tls == IMAP_TLS_NONE && !is_loopback(m->host))
			add_error(ld, 0, sec, "tls",
				  "'none' is allowed only for a loopback host, not '%s'", m->host);
		if (!is->port)
			m->port = m->tls == IMAP_TLS_IMPLICIT ? 993 : 143;
		if (m->mailbox == NULL && set_string(ld, &m->mailbox, "INBOX", false) != 0)
			return;
		if (m->processed_mailbox != NULL && strcmp(m->processed_mailbox, m->mailbox) == 0)
			add_error(ld, 0, sec, "processed_mailbox", "must differ from mailbox");
		/* Two sections reading one mailbox would store everything twice
		 * over (harmless, thanks to the keys) and race on its flags. */
		for (size_t j = 0; j < i; j++) {
			const struct imap_config *o = &c->imap[j];
			if (m->host != NULL && o->host != NULL && m->user != NULL && o->user != NULL &&
			    strcmp(m->host, o->host) == 0 && strcmp(m->user, o->user) == 0 &&
			    m->port == o->port && strcmp(m->mailbox, o->mailbox) == 0)
				add_error(ld, 0, sec, "mailbox", "'%s' is already read by [%s]", m->mailbox,
					  o->section);
		}
	}
	validate_receipts(ld);
}

static void validate_forms(struct loader *ld)
{
	struct config *c = ld->cfg;
	for (size_t i = 0; i < c->n_form; i++) {
		struct form_report fr = {.ld = ld, .section = c->form[i].section};
		if (form_config_validate(&c->form[i], form_report_cb, &fr) != 0)
			ld->oom = true;
		for (size_t j = 0; j < i; j++)
			if (c->form[i].form_id != NULL && c->form[j].form_id != NULL &&
			    strcmp(c->form[i].form_id, c->form[j].form_id) == 0)
				add_error(ld, 0, c->form[i].section, "form_id",
					  "'%s' is already the form of [%s]", c->form[i].form_id,
					  c->form[j].section);
	}
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	struct loader ld = {.path = path, .err = err, .errlen = errlen};
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	/* Relative paths in the file are taken from the file's own folder,
	 * made absolute so they survive a change of working directory. */
	const char *slash = strrchr(path, '/');
	char *folder = slash == NULL ? strdup(".") : strndup(path, (size_t)(slash - path) + (slash == path));
	ld.dir = folder != NULL ? realpath(folder, NULL) : NULL;
	if (folder != NULL && ld.dir == NULL && errno != ENOMEM)
		ld.dir = strdup(folder); /* reported as unreadable below */
	free(folder);
	if (ld.cfg == NULL || ld.dir == NULL || (ld.cfg->path = strdup(path)) == NULL) {
		ld.oom = true;
		goto fail;
	}
	ld.cfg->retention_days = -1;
	int rc = ini_lines_parse(path, handler, &ld);
	if (rc == -1) {
		add_error(&ld, 0, NULL, NULL, "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (rc == -2)
		ld.oom = true;
	if (ld.oom)
		goto fail;
	/* ini_lines_parse returns the first bad line; when no key error was
	 * reported there, inih itself found a line it could not read. */
	if (rc > 0 && rc != ld.first_error_line)
		add_error(&ld, rc, NULL, NULL, "syntax error: expected [section] or key = value");
	validate(&ld);
	validate_forms(&ld);
	if (ld.nerrors > 0 || ld.oom)
		goto fail;
	free(ld.dir);
	*out = ld.cfg;
	return 0;
fail:
	if (ld.oom) /* also when other errors were found: say why they may be incomplete */
		add_error(&ld, 0, NULL, NULL, "out of memory");
	free(ld.dir);
	config_free(ld.cfg);
	return -1;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->name);
	free(cfg->themes_path);
	free(cfg->areas_path);
	for (size_t i = 0; i < cfg->n_imap; i++) {
		struct imap_config *m = &cfg->imap[i];
		free(m->section);
		free(m->host);
		free(m->ca_file);
		free(m->user);
		free(m->password_file);
		free(m->mailbox);
		free(m->processed_mailbox);
	}
	for (size_t i = 0; i < cfg->n_form; i++)
		form_config_clear(&cfg->form[i]);
	free(cfg->storage_path);
	free(cfg->report_folder);
	struct receipts_config *rc = &cfg->receipts;
	free(rc->host);
	free(rc->ca_file);
	free(rc->user);
	free(rc->password_file);
	free(rc->from_address);
	free(rc->from_name);
	free(rc->reply_to);
	free(rc->subject);
	free(rc->body);
	free(rc->message_id_domain);
	for (size_t i = 0; i < rc->n_no_reply; i++)
		free(rc->no_reply[i]);
	free(rc->no_reply);
	free(cfg->report_areas_path);
	free(cfg);
}
