#include "report.h"

#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void format_day_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	/* Seconds only when they matter (a short test or demo window). */
	strftime(buf, len, t % 60 == 0 ? "%d %b %Y %H:%M UTC" : "%d %b %Y %H:%M:%S UTC", &tm);
}

static void format_duration(int64_t secs, char *buf, size_t len)
{
	if (secs % 86400 == 0 && secs > 0)
		snprintf(buf, len, "%lld d", (long long)(secs / 86400));
	else if (secs % 3600 == 0 && secs > 0)
		snprintf(buf, len, "%lld h", (long long)(secs / 3600));
	else if (secs % 60 == 0 && secs > 0)
		snprintf(buf, len, "%lld min", (long long)(secs / 60));
	else
		snprintf(buf, len, "%lld s", (long long)secs);
}

static const char *plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Share as a whole percentage, so rows read quickly. */
static int percent(int64_t part, int64_t whole)
{
	return whole > 0 ? (int)((part * 100 + whole / 2) / whole) : 0;
}

static int64_t theme_count(const struct storage_stats *s, const char *id)
{
	for (size_t i = 0; i < s->n_themes; i++)
		if (strcmp(s->themes[i].theme_id, id) == 0)
			return s->themes[i].responses;
	return 0;
}

struct ranked {
	size_t index;     /* in the theme set */
	int64_t count;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void write_themes(FILE *out, const struct storage_stats *s, const struct theme_set *ts)
{
	size_t n = themes_count(ts);
	struct ranked *r = calloc(n ? n : 1, sizeof(*r));
	if (r == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		r[i].index = i;
		r[i].count = theme_count(s, themes_id(ts, i));
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	fprintf(out, "## Themes\n\n");
	fprintf(out, "Ranked by how many responses raise each theme; a response can raise several.\n\n");
	fprintf(out, "| theme | id | responses | share |\n|---|---|---:|---:|\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "| %s | `%s` | %lld | %d%% |\n", themes_label(ts, r[i].index),
			themes_id(ts, r[i].index), (long long)r[i].count, percent(r[i].count, s->counted));
	fprintf(out, "| *no theme* | | %lld | %d%% |\n\n", (long long)s->no_theme,
		percent(s->no_theme, s->counted));
	/* Themes stored under ids the current set no longer has (a changed
	 * theme file) are shown rather than silently dropped. */
	for (size_t i = 0; i < s->n_themes; i++)
		if (themes_find(ts, s->themes[i].theme_id) < 0)
			fprintf(out, "Also stored under theme id `%s`, not in the current theme file: %lld.\n\n",
				s->themes[i].theme_id, (long long)s->themes[i].responses);
	free(r);
}

static void write_days(FILE *out, const struct storage_stats *s)
{
	int64_t max = 0;
	for (size_t i = 0; i < s->n_days; i++)
		if (s->days[i].responses > max)
			max = s->days[i].responses;
	fprintf(out, "## Responses per day\n\n");
	if (s->n_days == 0) {
		fprintf(out, "No responses yet.\n\n");
		return;
	}
	fprintf(out, "| day (UTC) | responses | of which late | |\n|---|---:|---:|---|\n");
	for (size_t i = 0; i < s->n_days; i++) {
		const struct storage_day_count *d = &s->days[i];
		int width = max > 0 ? (int)((d->responses * 30 + max - 1) / max) : 0;
		fprintf(out, "| %s | %lld | %lld | ", d->day, (long long)d->responses, (long long)d->late);
		for (int j = 0; j < width; j++)
			fputs("\xe2\x96\x88", out); /* U+2588 FULL BLOCK */
		fprintf(out, " |\n");
	}
	fprintf(out, "\n");
}

int report_markdown(FILE *out, struct storage *st, const struct config *cfg,
		    const struct theme_set *ts, int64_t now, bool closing,
		    char *err, size_t errlen)
{
	struct storage_stats s;
	if (storage_stats(st, &s) != 0) {
		snprintf(err, errlen, "%s", storage_errmsg(st));
		return -1;
	}
	char opens[40], closes[40], gen[40], grace[32];
	format_day_time(cfg->opens, opens, sizeof(opens));
	format_day_time(cfg->closes, closes, sizeof(closes));
	format_day_time(now, gen, sizeof(gen));
	format_duration(cfg->grace, grace, sizeof(grace));

	fprintf(out, "# %s — %s summary\n\n", cfg->name, closing ? "closing" : "interim");
	fprintf(out, "Window %s – %s, grace %s.  \n", opens, closes, grace);
	fprintf(out, "%s summary generated %s by consultd %s.\n\n", closing ? "Closing" : "Interim",
		gen, CONSULTD_VERSION);

	fprintf(out, "## At a glance\n\n");
	fprintf(out, "- **%lld %s**: %lld by email, %lld by web form, %lld imported.\n",
		(long long)s.counted, plural(s.counted, "response", "responses"),
		(long long)s.by_channel[CHANNEL_EMAIL], (long long)s.by_channel[CHANNEL_FORM],
		(long long)s.by_channel[CHANNEL_IMPORT]);
	int64_t both = 0;
	if (storage_multi_channel_respondents(st, &both) != 0) {
		snprintf(err, errlen, "%s", storage_errmsg(st));
		storage_stats_clear(&s);
		return -1;
	}
	if (both > 0)
		fprintf(out, "- %lld %s by email and by web form (linked by address; each response counts).\n",
			(long long)both, both == 1 ? "person answered both" : "people answered both");
	fprintf(out, "- %lld late %s (received after the close, within grace) %s included and marked.\n",
		(long long)s.late, plural(s.late, "response", "responses"), plural(s.late, "is", "are"));
	fprintf(out, "- Not counted: %lld %s, %lld %s, %lld mailing-list %s; %lld %s in quarantine.\n",
		(long long)s.auto_replies, plural(s.auto_replies, "auto-reply", "auto-replies"),
		(long long)s.bounces, plural(s.bounces, "bounce", "bounces"),
		(long long)s.lists, plural(s.lists, "message", "messages"),
		(long long)s.quarantined, plural(s.quarantined, "message", "messages"));
	fprintf(out, "- %lld %s no theme of the consultation.\n\n", (long long)s.no_theme,
		s.no_theme == 1 ? "response raises" : "responses raise");

	write_themes(out, &s, ts);
	write_days(out, &s);

	fprintf(out, "## Data quality and method\n\n");
	fprintf(out, "- Stored %lld %s in all: %lld counted, %lld excluded (auto-replies, bounces, list mail, quarantine).\n",
		(long long)s.stored, plural(s.stored, "message", "messages"), (long long)s.counted,
		(long long)(s.stored - s.counted));
	fprintf(out, "- Each message is stored once, keyed by its Message-ID (or a hash of its "
		     "source when it has none); the raw source of every message is kept for audit.\n");
	fprintf(out, "- Themes were assigned automatically by the theme file `%s` (%zu themes): "
		     "each response's words, stemmed, are matched against weighted terms and phrases, "
		     "and every theme passing the threshold is counted.\n",
		themes_set_id(ts), themes_count(ts));
	fprintf(out, "- Days are UTC days of the time the mail server received each message.\n");
	storage_stats_clear(&s);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "writing the summary: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int report_write_closing(const struct config *cfg, const struct theme_set *ts,
			 int64_t now, char *path_out, size_t path_len,
			 char *err, size_t errlen)
{
	struct storage *st = NULL;
	FILE *f = NULL;
	int ret = -1;
	char day[16], path[4096], tmp[4096];
	time_t closes = (time_t)cfg->closes;
	struct tm tm;
	gmtime_r(&closes, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(path, sizeof(path), "%s/closing-summary-%s.md", cfg->report_folder, day);
	snprintf(tmp, sizeof(tmp), "%s/.closing-summary-%s.md.XXXXXX", cfg->report_folder, day);

	if (mkdir(cfg->report_folder, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->report_folder, strerror(errno));
		return -1;
	}
	if (storage_open(cfg->storage_path, STORAGE_READ_ONLY, &st, err, errlen) != 0)
		return -1;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (report_markdown(f, st, cfg, ts, now, true, err, errlen) != 0)
		goto unlink_tmp;
	if (fchmod(fileno(f), 0600) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if (fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto unlink_tmp;
	}
	if (fsync_dir(cfg->report_folder) != 0) {
		snprintf(err, errlen, "%s: %s", cfg->report_folder, strerror(errno));
		goto out;
	}
	snprintf(path_out, path_len, "%s", path);
	ret = 0;
	goto out;
unlink_tmp:
	if (f != NULL)
		fclose(f);
	f = NULL;
	unlink(tmp);
out:
	storage_close(st);
	return ret;
}
