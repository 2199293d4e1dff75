#include "config.h"

#include "ini_lines.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Which keys were seen, so missing required ones can be named. */
struct seen {
	bool name, opens, closes, themes, storage_path, report_folder;
	bool imap_host, imap_port, imap_user, imap_password_file, imap_password_credential;
	bool imap_token_file;
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

static int on_imap(struct loader *ld, int line, const char *name, const char *value)
{
	struct imap_config *m = &ld->cfg->imap;
	const char *sec = "imap";
	m->enabled = true;
	if (strcmp(name, "host") == 0) {
		if (value[0] == '\0')
			add_error(ld, line, sec, name, "must not be empty");
		else
			set_string(ld, &m->host, value, false);
		ld->seen.imap_host = true;
	} else if (strcmp(name, "port") == 0) {
		if (parse_int(value, 1, 65535, &m->port) != 0)
			add_error(ld, line, sec, name, "'%s' is not a port number (1-65535)", value);
		ld->seen.imap_port = true;
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
		ld->seen.imap_user = true;
	} else if (strcmp(name, "password") == 0) {
		add_error(ld, line, sec, name,
			  "passwords are never kept in the config file; use password_file");
	} else if (strcmp(name, "password_file") == 0) {
		if (ld->seen.imap_password_credential)
			add_error(ld, line, sec, name, "set either password_file or password_credential, not both");
		else
			set_string(ld, &m->password_file, value, true);
		ld->seen.imap_password_file = true;
	} else if (strcmp(name, "auth") == 0) {
		if (strcmp(value, "password") == 0)
			m->auth = IMAP_AUTH_PASSWORD;
		else if (strcmp(value, "xoauth2") == 0)
			m->auth = IMAP_AUTH_XOAUTH2;
		else
			add_error(ld, line, sec, name, "'%s' is not one of password, xoauth2", value);
	} else if (strcmp(name, "token_file") == 0) {
		/* The bearer token for XOAUTH2; another tool refreshes it, and
		 * consultd reads it again at every login. */
		if (ld->seen.imap_password_file || ld->seen.imap_password_credential)
			add_error(ld, line, sec, name, "set either a password or a token_file, not both");
		else
			set_string(ld, &m->password_file, value, true);
		ld->seen.imap_token_file = true;
	} else if (strcmp(name, "timeout") == 0) {
		int64_t secs;
		if (config_parse_duration(value, &secs) != 0 || secs < 1 || secs > 600)
			add_error(ld, line, sec, name, "'%s' is not a duration between 1s and 10m", value);
		else
			m->timeout = (int)secs;
	} else if (strcmp(name, "password_credential") == 0) {
		/* systemd puts LoadCredential= files in $CREDENTIALS_DIRECTORY,
		 * for every Exec line of the unit, --check-config included. */
		const char *dir = getenv("CREDENTIALS_DIRECTORY");
		if (ld->seen.imap_password_file)
			add_error(ld, line, sec, name, "set either password_file or password_credential, not both");
		else if (value[0] == '\0' || strchr(value, '/') != NULL || strcmp(value, ".") == 0 ||
			 strcmp(value, "..") == 0)
			add_error(ld, line, sec, name, "'%s' is not a credential name", value);
		else if (dir == NULL || dir[0] != '/')
			add_error(ld, line, sec, name,
				  "$CREDENTIALS_DIRECTORY is not set (systemd sets it for LoadCredential=)");
		else {
			size_t n = strlen(dir) + strlen(value) + 2;
			char *p = malloc(n);
			if (p == NULL) {
				ld->oom = true;
			} else {
				snprintf(p, n, "%s/%s", dir, value);
				free(m->password_file);
				m->password_file = p;
			}
		}
		ld->seen.imap_password_credential = true;
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

static int handler(void *user, int line, const char *section, const char *name,
		   const char *value)
{
	struct loader *ld = user;
	int known;
	if (strcmp(section, "consultation") == 0) {
		known = on_consultation(ld, line, name, value);
	} else if (strcmp(section, "imap") == 0) {
		known = on_imap(ld, line, name, value);
	} else if (strcmp(section, "storage") == 0 && strcmp(name, "path") == 0) {
		set_string(ld, &ld->cfg->storage_path, value, true);
		ld->seen.storage_path = true;
		known = 0;
	} else if (strcmp(section, "report") == 0 && strcmp(name, "folder") == 0) {
		set_string(ld, &ld->cfg->report_folder, value, true);
		ld->seen.report_folder = true;
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

static bool is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
	       strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
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
	if (!s->storage_path)
		add_error(ld, 0, "storage", "path", "missing (required)");
	if (!s->report_folder)
		add_error(ld, 0, "report", "folder", "missing (required)");
	if (c->imap.enabled) {
		if (!s->imap_host)
			add_error(ld, 0, "imap", "host", "missing (required)");
		if (!s->imap_user)
			add_error(ld, 0, "imap", "user", "missing (required)");
		if (c->imap.auth == IMAP_AUTH_XOAUTH2) {
			if (!s->imap_token_file)
				add_error(ld, 0, "imap", "token_file", "missing (required with auth = xoauth2)");
			else if (s->imap_password_file || s->imap_password_credential)
				add_error(ld, 0, "imap", "password_file", "not used with auth = xoauth2 (token_file is)");
		} else if (s->imap_token_file) {
			add_error(ld, 0, "imap", "token_file", "only used with auth = xoauth2");
		} else if (!s->imap_password_file && !s->imap_password_credential) {
			add_error(ld, 0, "imap", "password_file",
				  "missing (required, or password_credential)");
		}
		if (c->imap.host != NULL && c->imap.tls == IMAP_TLS_NONE && !is_loopback(c->imap.host))
			add_error(ld, 0, "imap", "tls",
				  "'none' is allowed only for a loopback host, not '%s'", c->imap.host);
		if (!s->imap_port)
			c->imap.port = c->imap.tls == IMAP_TLS_IMPLICIT ? 993 : 143;
		if (c->imap.mailbox == NULL && set_string(ld, &c->imap.mailbox, "INBOX", false) != 0)
			return;
		if (c->imap.processed_mailbox != NULL &&
		    strcmp(c->imap.processed_mailbox, c->imap.mailbox) == 0)
			add_error(ld, 0, "imap", "processed_mailbox", "must differ from mailbox");
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
	ld.cfg->imap.poll_interval = 60;
	ld.cfg->imap.idle = true;
	ld.cfg->imap.timeout = 30;
	ld.cfg->imap.tls = IMAP_TLS_IMPLICIT;
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
	free(cfg->imap.host);
	free(cfg->imap.ca_file);
	free(cfg->imap.user);
	free(cfg->imap.password_file);
	free(cfg->imap.mailbox);
	free(cfg->imap.processed_mailbox);
	free(cfg->storage_path);
	free(cfg->report_folder);
	free(cfg);
}
