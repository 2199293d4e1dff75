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
struct imap_seen {
	bool host, port, user, password_file, password_credential, token_file;
};

struct seen {
	bool name, opens, closes, themes, storage_path, report_folder;
	struct imap_seen imap[CONFIG_MAX_MAILBOXES];
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
	} else if (strcmp(name, "token_file") == 0) {
		/* The bearer token for XOAUTH2; another tool refreshes it, and
		 * consultd reads it again at every login. */
		if (seen->password_file || seen->password_credential)
			add_error(ld, line, sec, name, "set either a password or a token_file, not both");
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
		/* systemd puts LoadCredential= files in $CREDENTIALS_DIRECTORY,
		 * for every Exec line of the unit, --check-config included. */
		const char *dir = getenv("CREDENTIALS_DIRECTORY");
		if (seen->password_file)
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
	} else if (strcmp(section, "storage") == 0 && strcmp(name, "path") == 0) {
		set_string(ld, &ld->cfg->storage_path, value, true);
		ld->seen.storage_path = true;
		known = 0;
	} else if (strcmp(section, "report") == 0 && strcmp(name, "folder") == 0) {
		set_string(ld, &ld->cfg->report_folder, value, true);
		ld->seen.report_folder = true;
		known = 0;
	} else if (strcmp(section, "report") == 0 && strcmp(name, "areas") == 0) {
		set_string(ld, &ld->cfg->areas_path, value, true);
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
				add_error(ld, 0, sec, "token_file", "missing (required with auth = xoauth2)");
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
	free(cfg->storage_path);
	free(cfg->report_folder);
	free(cfg->areas_path);
	free(cfg);
}
