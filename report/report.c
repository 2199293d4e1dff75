#include "report.h"

#include "classify/areas.h"

#include "model.h"
#include "writers.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const format_names[] = {"md", "html", "csv", "json"};

int report_format_parse(const char *name, enum report_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

const char *report_format_name(enum report_format f)
{
	return (size_t)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : "?";
}

/* Without [report] areas, the areas the classifier assigns (the
 * [consultation] areas file) are the ones the summary lists. */
static int areas_from_theme_set(const struct theme_set *ts, struct report_areas *out)
{
	const struct area_set *as = themes_areas(ts);
	size_t n = as != NULL ? areas_count(as) : 0;
	if (n == 0)
		return 0;
	if ((out->v = calloc(n, sizeof(*out->v))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct area *a = areas_get(as, i);
		out->v[i].id = strdup(a->id);
		out->v[i].name = strdup(a->name);
		out->n++;
		if (out->v[i].id == NULL || out->v[i].name == NULL) {
			report_areas_free(out);
			return -1;
		}
	}
	return 0;
}

int report_write(FILE *out, enum report_format f, struct storage *st,
		 const struct config *cfg, const struct theme_set *ts, int64_t now,
		 bool closing, char *err, size_t errlen)
{
	if (f == REPORT_CSV)
		return report_write_csv(out, st, ts, err, errlen);
	/* A broken areas file must not cost the lead the summary: it is
	 * written without the list, and says why. */
	struct report_areas areas = {0};
	char areas_err[512] = "";
	bool have_areas = cfg->report_areas_path != NULL &&
		report_areas_load(cfg->report_areas_path, &areas, areas_err, sizeof(areas_err)) == 0;
	if (cfg->report_areas_path == NULL && areas_from_theme_set(ts, &areas) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	have_areas = have_areas || areas.n > 0;
	struct report_model m;
	int rc = report_model_build(&m, st, cfg, ts, have_areas ? &areas : NULL, now, closing, err,
				    errlen);
	report_areas_free(&areas);
	if (rc != 0)
		return -1;
	if (areas_err[0] != '\0' && (m.areas_error = strdup(areas_err)) == NULL) {
		report_model_free(&m);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = f == REPORT_HTML ? report_write_html(out, &m)
		: f == REPORT_JSON ? report_write_json(out, &m) : report_write_markdown(out, &m);
	if (rc != 0)
		snprintf(err, errlen, "writing the summary: %s", strerror(errno));
	report_model_free(&m);
	return rc;
}

int report_markdown(FILE *out, struct storage *st, const struct config *cfg,
		    const struct theme_set *ts, int64_t now, bool closing,
		    char *err, size_t errlen)
{
	return report_write(out, REPORT_MARKDOWN, st, cfg, ts, now, closing, err, errlen);
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

static int write_one(struct storage *st, const struct config *cfg, const struct theme_set *ts,
		     int64_t now, enum report_format f, const char *day, char *path,
		     size_t path_len, char *err, size_t errlen)
{
	char tmp[4096];
	const char *ext = report_format_name(f);
	snprintf(path, path_len, "%s/closing-summary-%s.%s", cfg->report_folder, day, ext);
	snprintf(tmp, sizeof(tmp), "%s/.closing-summary-%s.%s.XXXXXX", cfg->report_folder, day, ext);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	FILE *f_out = fdopen(fd, "w");
	if (f_out == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (report_write(f_out, f, st, cfg, ts, now, true, err, errlen) != 0)
		goto unlink_tmp;
	if (fchmod(fileno(f_out), 0600) != 0 || fsync(fileno(f_out)) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	int rc = fclose(f_out);
	f_out = NULL;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto unlink_tmp;
	}
	if (fsync_dir(cfg->report_folder) != 0) {
		snprintf(err, errlen, "%s: %s", cfg->report_folder, strerror(errno));
		return -1;
	}
	return 0;
unlink_tmp:
	if (f_out != NULL)
		fclose(f_out);
	unlink(tmp);
	return -1;
}

/* A run killed while writing leaves its temporary file behind: part of a
 * summary, personal data included. Only our own names are removed
 * (".closing-summary-DAY.EXT." and mkstemp's six characters). */
static void remove_stale_temporaries(const char *folder, const char *day)
{
	DIR *d = opendir(folder);
	if (d == NULL)
		return;
	char prefix[64];
	int plen = snprintf(prefix, sizeof(prefix), ".closing-summary-%s.", day);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
			continue;
		const char *ext = e->d_name + plen;
		const char *dot = strchr(ext, '.');
		enum report_format f;
		char name[16];
		size_t elen = dot != NULL ? (size_t)(dot - ext) : 0;
		if (dot == NULL || elen == 0 || elen >= sizeof(name) || strlen(dot + 1) != 6)
			continue;
		memcpy(name, ext, elen);
		name[elen] = '\0';
		if (report_format_parse(name, &f) == 0)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

int report_write_closing(const struct config *cfg, const struct theme_set *ts,
			 int64_t now, char *path_out, size_t path_len,
			 char *err, size_t errlen)
{
	struct storage *st = NULL;
	char day[16], path[4096], md_path[4096];
	time_t closes = (time_t)cfg->closes;
	struct tm tm;
	gmtime_r(&closes, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (mkdir(cfg->report_folder, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->report_folder, strerror(errno));
		return -1;
	}
	remove_stale_temporaries(cfg->report_folder, day);
	if (storage_open(cfg->storage_path, STORAGE_READ_ONLY, &st, err, errlen) != 0)
		return -1;
	static const enum report_format order[] = {REPORT_MARKDOWN, REPORT_HTML, REPORT_JSON,
						   REPORT_CSV};
	int ret = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && ret == 0; i++) {
		ret = write_one(st, cfg, ts, now, order[i], day, path, sizeof(path), err, errlen);
		if (i == 0)
			snprintf(md_path, sizeof(md_path), "%s", path);
	}
	storage_close(st);
	if (ret == 0)
		snprintf(path_out, path_len, "%s", md_path);
	return ret;
}
