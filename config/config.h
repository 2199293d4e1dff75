/*
 * config.h — the consultd configuration file.
 *
 * An INI file (see README "Configuration reference") read with inih through
 * ini_lines. Loading is all-or-nothing: a new struct config is built and
 * returned only when every key parsed and validated, so a reload can keep
 * the old one on error. Relative paths in the file are resolved against the
 * directory of the config file.
 */
#ifndef CONSULTD_CONFIG_H
#define CONSULTD_CONFIG_H

#include "config/form_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imap_tls { IMAP_TLS_IMPLICIT, IMAP_TLS_STARTTLS, IMAP_TLS_NONE };
enum imap_auth { IMAP_AUTH_PASSWORD, IMAP_AUTH_XOAUTH2 };
enum on_close { ON_CLOSE_IDLE, ON_CLOSE_EXIT };

#define CONFIG_MAX_MAILBOXES 16
#define CONFIG_MAX_FORMS 8

/* One mailbox: [imap] or [imap NAME] (folders of one account, or accounts). */
struct imap_config {
	char *section;          /* "imap" or "imap NAME", as written */
	char *host;
	int port;               /* default 993 (implicit) or 143 */
	enum imap_tls tls;
	char *ca_file;          /* extra trust anchors, or NULL */
	char *user;
	enum imap_auth auth;    /* LOGIN with a password, or SASL XOAUTH2 */
	char *password_file;    /* absolute path (from password_file, or
				 * $CREDENTIALS_DIRECTORY/password_credential);
				 * with XOAUTH2, the bearer token's file */
	int timeout;            /* seconds: connect, handshake, each read */
	char *mailbox;          /* default "INBOX" */
	char *processed_mailbox; /* move stored mail here, or NULL to leave it */
	int poll_interval;      /* seconds, default 60 */
	bool idle;              /* use IDLE where offered (default), else poll */
};

/* [receipts]: acknowledgements by SMTP (see receipts/outbox.h). */
struct receipts_config {
	bool enabled;           /* the section is present and not enabled = no */
	char *host;
	int port;               /* default 465 (implicit), 587 (starttls), 25 (none) */
	enum imap_tls tls;      /* same three modes as [imap] */
	char *ca_file;
	char *user;             /* NULL: no SMTP AUTH (a local relay) */
	char *password_file;    /* absolute path, as for [imap] */
	int timeout;            /* seconds: connect, and each whole submission */
	char *from_address;
	char *from_name;        /* or NULL */
	char *reply_to;         /* or NULL */
	char *subject;          /* template (receipts/template.h) */
	char *body;             /* template text, from body or body_file */
	char *message_id_domain; /* default receipts.<domain of from_address> */
	int rate;               /* messages per minute */
	int max_attempts;
	int retry_base;         /* seconds before the first retry; doubles */
	bool late;              /* late responses get a receipt too */
	char **no_reply;        /* extra glob patterns of addresses never answered */
	size_t n_no_reply;
};
/* The areas file used when [consultation] gives no "areas". */
#ifndef CONFIG_DEFAULT_AREAS
#ifdef CONSULTD_DATADIR
#define CONFIG_DEFAULT_AREAS CONSULTD_DATADIR "/areas/london-boroughs.areas"
#else
#define CONFIG_DEFAULT_AREAS "/usr/share/consultd/areas/london-boroughs.areas"
#endif
#endif

struct config {
	char *path;             /* the file this was read from */
	char *name;             /* consultation name */
	int64_t opens;          /* Unix seconds */
	int64_t closes;
	int64_t grace;          /* seconds after closes still accepted as late */
	char *themes_path;      /* absolute path of the theme file */
	char *areas_path;       /* absolute path of the areas file, or NULL for
				 * none ("areas = none", or the default file
				 * CONFIG_DEFAULT_AREAS is not installed) */
	bool areas_default;     /* areas_path is the default, not configured */
	enum on_close on_close;
	struct imap_config imap[CONFIG_MAX_MAILBOXES];
	size_t n_imap;          /* mailboxes configured, in file order */
	struct form_config form[CONFIG_MAX_FORMS]; /* [form] / [form NAME] sections */
	size_t n_form;
	char *storage_path;     /* absolute path of the SQLite file */
	int retention_days;     /* raw mail and attachment bytes kept this many
				 * days after closes + grace; -1: for ever */
	char *report_folder;    /* absolute path */
	struct receipts_config receipts;
	char *report_areas_path; /* [report] areas: the configured areas' file, or NULL */
};

/*
 * Read and validate path. On success *out is a new config (caller frees
 * with config_free) and 0 is returned. On failure returns -1, *out is
 * NULL, and err holds every problem found, one per line, each as
 * "FILE:LINE: [section] key: what is wrong" (or "FILE: ..." when the file
 * cannot be read or a required key is missing).
 */
int config_load(const char *path, struct config **out, char *err, size_t errlen);
void config_free(struct config *cfg); /* accepts NULL */

/*
 * Parse an RFC 3339 date-time with a mandatory offset ("Z" or "+01:00"),
 * e.g. "2021-11-16T00:00:00Z". Returns 0 and sets *t, or -1.
 */
int config_parse_time(const char *s, int64_t *t);

/*
 * Parse a duration: a non-negative integer with an optional unit s, m, h or
 * d ("90", "30s", "15m", "24h", "2d"). Returns 0 and sets *secs, or -1.
 */
int config_parse_duration(const char *s, int64_t *secs);

/* Format t as RFC 3339 UTC ("2021-11-16T00:00:00Z") into buf (>= 21 bytes). */
void config_format_time(int64_t t, char *buf, size_t len);

#endif
