/*
 * consultctl search: full-text search of the responses (report/search.h).
 */
#include "ctl.h"

#include "report/search.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* YYYY-MM-DD (a UTC day) or an RFC 3339 time. *day says which. */
static int parse_when(const char *s, int64_t *t, bool *day)
{
	bool is_day = strlen(s) == 10;
	for (size_t i = 0; is_day && i < 10; i++)
		is_day = i == 4 || i == 7 ? s[i] == '-' : s[i] >= '0' && s[i] <= '9';
	if (is_day) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		*day = true;
		return config_parse_time(buf, t);
	}
	*day = false;
	return config_parse_time(s, t);
}


static int print_hit(void *user, const struct search_hit *h)
{
	(void)user;
	char when[32];
	time_t t = (time_t)h->received_at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%s  %s  %-6s  %s", h->ref, when, h->channel, h->status);
	if (h->area != NULL)
		printf("  area=%s", h->area);
	if (h->themes[0] != '\0')
		printf("  themes=%s", h->themes);
	printf("\n    %s\n", h->snippet);
	return 0;
}

int ctl_search(struct ctl *c, int argc, char **argv)
{
	struct search_query q = {.limit = 20};
	static const struct option opts[] = {
		{"theme", required_argument, NULL, 't'},
		{"channel", required_argument, NULL, 'C'},
		{"area", required_argument, NULL, 'a'},
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"limit", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	bool day;
	char *end;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:C:a:s:u:n:", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (themes_find(c->themes, optarg) < 0) {
				fprintf(stderr, "consultctl: search: --theme '%s' is not a theme of %s\n",
					optarg, themes_set_id(c->themes));
				return 2;
			}
			q.theme = optarg;
			break;
		case 'C':
			if (strcmp(optarg, "email") != 0 && strcmp(optarg, "form") != 0 &&
			    strcmp(optarg, "import") != 0) {
				fprintf(stderr, "consultctl: search: --channel must be email, form or import\n");
				return 2;
			}
			q.channel = optarg;
			break;
		case 'a':
			q.area = optarg;
			break;
		case 's':
			if (parse_when(optarg, &q.since, &day) != 0) {
				fprintf(stderr, "consultctl: search: --since '%s': expected YYYY-MM-DD "
					"or an RFC 3339 time\n", optarg);
				return 2;
			}
			break;
		case 'u':
			if (parse_when(optarg, &q.until, &day) != 0) {
				fprintf(stderr, "consultctl: search: --until '%s': expected YYYY-MM-DD "
					"or an RFC 3339 time\n", optarg);
				return 2;
			}
			/* a day is included whole; a time is included itself */
			q.until += day ? 86400 : 1;
			break;
		case 'n': {
			long n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 1 || n > 10000) {
				fprintf(stderr, "consultctl: search: --limit must be 1 to 10000\n");
				return 2;
			}
			q.limit = (int)n;
			break;
		}
		default:
			fprintf(stderr, "usage: consultctl -c FILE search QUERY [--theme ID] [--channel C]"
				" [--area A] [--since DATE] [--until DATE] [--limit N]\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "consultctl: search: give one QUERY (quote it when it has spaces)\n");
		return 2;
	}
	q.match = argv[optind];
	if (ctl_open_store(c, false) != 0)
		return 1;
	bool tty = isatty(STDOUT_FILENO);
	char err[1024];
	bool syntax;
	int n = search_run(c->store, &q, tty ? "\x1b[1m" : "**", tty ? "\x1b[0m" : "**", print_hit,
			   NULL, &syntax, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "consultctl: search: %s\n", err);
		return syntax ? 2 : 1;
	}
	if (n == 0)
		fprintf(stderr, "consultctl: search: no response matches\n");
	return fflush(stdout) == 0 ? 0 : 1;
}
