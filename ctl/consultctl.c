/*
 * consultctl — the leads' and operators' command line.
 *
 * Reads the same config file as consultd and opens the store read-only, so
 * it is safe to run while the daemon works.
 */
#include "ctl.h"

#include "classify/areas.h"
#include "classify/classify.h"
#include "classify/themes.h"
#include "config/config.h"
#include "config/limits.h"
#include "report/report.h"
#include "storage/storage.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
		"usage: consultctl -c FILE COMMAND [ARGS]     (-c FILE or --config=FILE)\n"
		"       consultctl --version | --help\n"
		"\n"
		"commands (the store is opened read-only unless marked *):\n"
		"  summary [--format md|html|csv|json] [-o PATH]\n"
		"                                   the summary so far (closing summary after the close)\n"
		"  search QUERY [--theme ID] [--channel C] [--area A] [--since DATE] [--until DATE]\n"
		"         [--limit N]               full-text search of responses and attachments\n"
		"  export [--format jsonl]          every stored response, one JSON object a line\n"
		"  classify < TEXT                  the themes of a text read from standard input\n"
		"  status                           window, counts, sources' cursors and errors, receipts\n"
		"  show REF                         one response (R-000042): sender, themes, answers, text\n"
		"  quarantine [list]                messages that could not be parsed, with the reason\n"
		"  quarantine show REF              the raw source of a quarantined message\n"
		"  quarantine retry [REF]         * parse and classify quarantined messages again\n"
		"  backup PATH                      a consistent copy of the store, safe while consultd runs\n"
		"  forget EMAIL                   * erase everything from that respondent\n"
		"  export-subject EMAIL             everything stored from that address, as one JSON document\n"
		"  purge                          * apply [storage] retention now, when it is due\n"
		"  retag REF +THEME|-THEME ...    * a lead's correction of a response's themes\n"
		"  reclassify                     * classify every response again (corrections kept)\n"
		"  campaigns                      * find campaigns and resubmissions again, and list them\n"
		"\n"
		"exit status: 0 good, 1 failure, 2 bad command line, 3 status found a difference\n");
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
	if (c->cfg->areas_path != NULL) {
		struct area_set *as = areas_load(c->cfg->areas_path, err, sizeof(err));
		if (as == NULL) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
		themes_set_areas(c->themes, as);
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

struct export_ctx {
	FILE *out;
	struct storage *store;
	struct ctl *c;
};

/* The respondent (the lower-cased address, as respondent_key) and the
 * references of their other responses, e.g. an email and a form answer. */
static int export_respondent(struct export_ctx *x, const char *ref, const struct response *r,
			     json_t *o)
{
	json_t *others = json_array();
	char *refs = NULL;
	if (r->sender_email != NULL &&
	    storage_same_respondent(x->store, storage_parse_ref(ref), &refs) != 0) {
		json_decref(others);
		return -1;
	}
	for (char *p = refs, *save = NULL, *t; refs != NULL && (t = strtok_r(p, ",", &save)) != NULL; p = NULL)
		json_array_append_new(others, json_string(t));
	free(refs);
	json_t *who = json_null();
	if (r->sender_email != NULL) {
		char *k = strdup(r->sender_email);
		if (k == NULL) {
			json_decref(others);
			return -1;
		}
		for (char *p = k; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		who = json_string(k);
		free(k);
	}
	json_object_set_new(o, "respondent", who);
	json_object_set_new(o, "other_responses", others);
	return 0;
}

static json_t *export_answers(const struct response *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->n_answers; i++) {
		json_t *j = json_object();
		json_object_set_new(j, "question_id", str_or_null(r->answers[i].question_id));
		json_object_set_new(j, "question", str_or_null(r->answers[i].question));
		json_object_set_new(j, "kind", json_string(answer_kind_name(r->answers[i].kind)));
		json_object_set_new(j, "value", str_or_null(r->answers[i].value));
		json_array_append_new(a, j);
	}
	return a;
}

json_t *ctl_response_json(const char *ref, const struct response *r)
{
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
	json_object_set_new(o, "respondent_type",
			    str_or_null(respondent_type_name(r->respondent_type)));
	json_object_set_new(o, "organisation", str_or_null(r->organisation));
	json_object_set_new(o, "area", str_or_null(r->area));
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
	json_object_set_new(o, "answers", export_answers(r));
	return o;
}

static int export_one(void *user, const char *ref, const struct response *r)
{
	struct export_ctx *x = user;
	FILE *out = x->out;
	int64_t campaign = 0, dup = 0;
	if (storage_campaign_of(x->store, storage_parse_ref(ref), &campaign, &dup) != 0)
		return -1;
	json_t *o = ctl_response_json(ref, r);
	if (o == NULL || export_respondent(x, ref, r, o) != 0) {
		json_decref(o);
		return -1;
	}
	json_object_set_new(o, "area_name",
			    str_or_null(areas_name(themes_areas(x->c->themes), r->area)));
	/* As of the last `consultctl campaigns` (or the daemon's closing). */
	if (campaign > 0) {
		char cref[32];
		snprintf(cref, sizeof(cref), "C-%lld", (long long)campaign);
		json_object_set_new(o, "campaign", json_string(cref));
	}
	if (dup > 0) {
		char dref[32];
		storage_format_ref(dup, dref, sizeof(dref));
		json_object_set_new(o, "duplicate_of", json_string(dref));
	} else {
		json_object_set_new(o, "duplicate_of", json_null());
	}
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
	struct export_ctx x = {.out = stdout, .store = c->store, .c = c};
	if (storage_foreach_response(c->store, export_one, &x) != 0) {
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
	if (output != NULL) {
		/* A summary quotes respondents: private to its owner, like the store. */
		int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "consultctl: %s: %s\n", output, strerror(errno));
			if (fd >= 0)
				close(fd);
			return 1;
		}
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
					       "quarantine", "backup", "forget", "export-subject",
					       "purge", "retag", "reclassify", "campaigns", "search"};
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
	else if (strcmp(cmd, "purge") == 0)
		rc = sub_argc == 1 ? ctl_purge(&c) : (usage(stderr), 2);
	else if (strcmp(cmd, "forget") == 0 || strcmp(cmd, "export-subject") == 0)
		rc = sub_argc != 2 ? (usage(stderr), 2)
		     : cmd[0] == 'f' ? ctl_forget(&c, sub_argv[1]) : ctl_export_subject(&c, sub_argv[1]);
	else if (strcmp(cmd, "retag") == 0)
		rc = ctl_retag(&c, sub_argc, sub_argv);
	else if (strcmp(cmd, "reclassify") == 0 || strcmp(cmd, "campaigns") == 0) {
		if (sub_argc != 1) {
			usage(stderr);
			rc = 2;
		} else {
			rc = cmd[0] == 'r' ? ctl_reclassify(&c) : ctl_campaigns(&c);
		}
	}
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
