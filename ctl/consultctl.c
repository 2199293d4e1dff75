/*
 * consultctl — the leads' and operators' command line.
 *
 * Reads the same config file as consultd and opens the store read-only, so
 * it is safe to run while the daemon works.
 */
#include "ctl.h"

#include "classify/classify.h"
#include "classify/themes.h"
#include "config/config.h"
#include "config/limits.h"
#include "report/report.h"
#include "storage/storage.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: consultctl -c FILE summary [--format md|html|csv|json] [-o PATH]\n"
		"       consultctl -c FILE search QUERY [--theme ID] [--channel C] [--area A]\n"
		"                  [--since DATE] [--until DATE] [--limit N]\n"
		"       consultctl -c FILE export [--format jsonl]\n"
		"       consultctl -c FILE classify   < text\n"
		"       consultctl -c FILE status\n"
		"       consultctl -c FILE show REF\n"
		"       consultctl -c FILE quarantine [list | show REF | retry [REF]]\n"
		"       consultctl -c FILE backup PATH\n"
		"       consultctl --version\n");
}


static int open_config(struct ctl *c, const char *path)
{
	static char err[16384];
	if (config_load(path, &c->cfg, err, sizeof(err)) != 0) {
		fputs(err, stderr);
		return -1;
	}
	c->themes = themes_load(c->cfg->themes_path, err, sizeof(err));
	if (c->themes == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

int ctl_open_store(struct ctl *c, bool write)
{
	char err[1024];
	if (storage_open(c->cfg->storage_path, write ? STORAGE_READ_WRITE : STORAGE_READ_ONLY,
			 &c->store, err, sizeof(err)) != 0) {
		fprintf(stderr, "consultctl: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- export ---------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static int export_one(void *user, const char *ref, const struct response *r)
{
	FILE *out = user;
	char when[32];
	config_format_time(r->received_at, when, sizeof(when));
	json_t *o = json_object();
	json_t *sender = json_object();
	json_t *themes = json_array();
	json_t *atts = json_array();
	json_object_set_new(o, "ref", json_string(ref));
	json_object_set_new(o, "channel", json_string(response_channel_name(r->channel)));
	json_object_set_new(o, "source_id", str_or_null(r->source_id));
	json_object_set_new(o, "message_id", str_or_null(r->message_id));
	json_object_set_new(o, "received_at", json_string(when));
	json_object_set_new(o, "late", json_boolean(r->late));
	json_object_set_new(o, "status", json_string(response_status_name(r->status)));
	if (r->status_reason != NULL)
		json_object_set_new(o, "status_reason", json_string(r->status_reason));
	json_object_set_new(sender, "name", str_or_null(r->sender_name));
	json_object_set_new(sender, "email", str_or_null(r->sender_email));
	json_object_set_new(o, "sender", sender);
	/* Respondent type and area are assigned by a later stage of the
	 * classifier; until then every respondent counts as an individual. */
	json_object_set_new(o, "respondent_type", json_string("individual"));
	json_object_set_new(o, "area", json_null());
	json_object_set_new(o, "subject", str_or_null(r->subject));
	json_object_set_new(o, "text", str_or_null(r->text));
	for (size_t i = 0; i < r->n_themes; i++) {
		json_t *t = json_object();
		json_t *terms = json_array();
		json_object_set_new(t, "id", json_string(r->themes[i].theme_id));
		json_object_set_new(t, "score", json_real(r->themes[i].score));
		/* Stored comma-separated; exported as a list. */
		const char *p = r->themes[i].terms != NULL ? r->themes[i].terms : "";
		while (*p != '\0') {
			const char *comma = strchr(p, ',');
			size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
			while (len > 0 && *p == ' ') {
				p++;
				len--;
			}
			if (len > 0)
				json_array_append_new(terms, json_stringn(p, len));
			p += len;
			if (*p == ',')
				p++;
		}
		json_object_set_new(t, "terms", terms);
		json_array_append_new(themes, t);
	}
	json_object_set_new(o, "themes", themes);
	for (size_t i = 0; i < r->n_attachments; i++) {
		const struct attachment *a = &r->attachments[i];
		json_t *j = json_object();
		json_object_set_new(j, "filename", str_or_null(a->filename));
		json_object_set_new(j, "content_type", str_or_null(a->content_type));
		json_object_set_new(j, "size", json_integer((json_int_t)a->size));
		json_object_set_new(j, "sha256", json_string(a->sha256));
		json_array_append_new(atts, j);
	}
	json_object_set_new(o, "attachments", atts);
	json_object_set_new(o, "campaign", json_null());
	int rc = json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc != 0 || fputc('\n', out) == EOF)
		return -1;
	return 0;
}

static int cmd_export(struct ctl *c, int argc, char **argv)
{
	const char *format = "jsonl";
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (opt != 'f') {
			usage(stderr);
			return 2;
		}
		format = optarg;
	}
	if (strcmp(format, "jsonl") != 0) {
		fprintf(stderr, "consultctl: export: format '%s' is not supported (jsonl)\n", format);
		return 2;
	}
	if (ctl_open_store(c, false) != 0)
		return 1;
	if (storage_foreach_response(c->store, export_one, stdout) != 0) {
		fprintf(stderr, "consultctl: export: %s\n", storage_errmsg(c->store));
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- summary --------------------------------------------------------- */

static int cmd_summary(struct ctl *c, int argc, char **argv)
{
	const char *format = "md", *output = NULL;
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		if (opt == 'f')
			format = optarg;
		else if (opt == 'o')
			output = optarg;
		else {
			usage(stderr);
			return 2;
		}
	}
	enum report_format fmt;
	if (report_format_parse(format, &fmt) != 0) {
		fprintf(stderr, "consultctl: summary: unknown format '%s' (md, html, csv or json)\n",
			format);
		return 2;
	}
	if (ctl_open_store(c, false) != 0)
		return 1;
	FILE *out = stdout;
	if (output != NULL && (out = fopen(output, "we")) == NULL) {
		fprintf(stderr, "consultctl: %s: %s\n", output, strerror(errno));
		return 1;
	}
	int64_t now = (int64_t)time(NULL);
	bool closing = now >= c->cfg->closes + c->cfg->grace;
	char err[512];
	int rc = report_write(out, fmt, c->store, c->cfg, c->themes, now, closing, err, sizeof(err));
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s: %s", output, strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "consultctl: summary: %s\n", err);
		if (output != NULL)
			unlink(output); /* no half-written summary left to be mistaken for one */
		return 1;
	}
	return 0;
}

/* ---- classify -------------------------------------------------------- */

static int cmd_classify(struct ctl *c)
{
	size_t cap = 8192, len = 0;
	char *text = malloc(cap);
	if (text == NULL)
		return 1;
	size_t n;
	while ((n = fread(text + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (len > LIMIT_TEXT_BYTES) {
			fprintf(stderr, "consultctl: classify: input over %u bytes\n", LIMIT_TEXT_BYTES);
			free(text);
			return 1;
		}
		if (cap - len - 1 == 0) {
			char *p = realloc(text, cap * 2);
			if (p == NULL) {
				free(text);
				return 1;
			}
			text = p;
			cap *= 2;
		}
	}
	text[len] = '\0';
	struct theme_hit *hits;
	size_t nhits;
	if (classify_text(c->themes, NULL, text, &hits, &nhits) != 0) {
		free(text);
		fprintf(stderr, "consultctl: classify: out of memory\n");
		return 1;
	}
	if (nhits == 0)
		printf("no theme\n");
	for (size_t i = 0; i < nhits; i++) {
		printf("%-24s %6.2f  %s\n", hits[i].theme_id, hits[i].score,
		       hits[i].terms != NULL ? hits[i].terms : "");
	}
	classify_free_hits(hits, nhits);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			config_path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config_path = argv[i] + 9;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("consultctl %s\n", CONSULTD_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			break;
		}
	}
	if (i >= argc || config_path == NULL) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[i];
	int sub_argc = argc - i;
	char **sub_argv = argv + i;
	struct ctl c = {0};
	int rc;
	static const char *const commands[] = {"summary", "export", "classify", "status", "show",
					       "quarantine", "backup", "search"};
	bool known = false;
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		known = known || strcmp(cmd, commands[k]) == 0;
	if (!known) {
		fprintf(stderr, "consultctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (open_config(&c, config_path) != 0) {
		rc = 1;
		goto out;
	}
	if (strcmp(cmd, "summary") == 0)
		rc = cmd_summary(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_export(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "status") == 0)
		rc = ctl_status(&c);
	else if (strcmp(cmd, "quarantine") == 0)
		rc = ctl_quarantine(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "search") == 0)
		rc = ctl_search(&c, sub_argc, sub_argv);
	else if ((strcmp(cmd, "show") == 0 || strcmp(cmd, "backup") == 0) && sub_argc != 2) {
		usage(stderr);
		rc = 2;
	} else if (strcmp(cmd, "show") == 0)
		rc = ctl_show(&c, sub_argv[1]);
	else if (strcmp(cmd, "backup") == 0)
		rc = ctl_backup(&c, sub_argv[1]);
	else
		rc = cmd_classify(&c);
out:
	storage_close(c.store);
	themes_free(c.themes);
	config_free(c.cfg);
	return rc;
}
