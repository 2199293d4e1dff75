/*
 * report.h — the consultation summary.
 *
 * Built from the store alone (a read-only connection is enough), so the
 * same store gives the same report byte for byte but for the generation
 * time. Theme labels come from the theme set; every theme of the set is
 * listed, including those no response raised.
 */
#ifndef CONSULTD_REPORT_H
#define CONSULTD_REPORT_H

#include "classify/themes.h"
#include "config/config.h"
#include "storage/storage.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The summary's formats (writers.h says what each holds). */
enum report_format { REPORT_MARKDOWN, REPORT_HTML, REPORT_CSV, REPORT_JSON };

/* "md", "html", "csv", "json" to a format; -1 when unknown. */
int report_format_parse(const char *name, enum report_format *out);
/* The file extension (and --format name) of a format. */
const char *report_format_name(enum report_format f);

/*
 * Write the summary in format f to out. `closing` says whether this is the
 * closing summary or an interim one; `now` is the generation time. The
 * configured areas (cfg->areas_path) are read here. Returns 0, or -1 with
 * the reason in err (a storage, areas file or write error).
 */
int report_write(FILE *out, enum report_format f, struct storage *st,
		 const struct config *cfg, const struct theme_set *ts, int64_t now,
		 bool closing, char *err, size_t errlen);

/* report_write in Markdown. */
int report_markdown(FILE *out, struct storage *st, const struct config *cfg,
		    const struct theme_set *ts, int64_t now, bool closing,
		    char *err, size_t errlen);

/*
 * Write the closing summary into cfg->report_folder in every format, as
 * "closing-summary-YYYY-MM-DD.md" (.html, .csv, .json; the date of the
 * close, UTC), each atomically: a temporary file in the same folder,
 * fsync, rename, fsync of the folder. Markdown is written first, so it
 * exists whenever any does. Temporary files left by an earlier run that
 * was killed while writing are removed first. Opens its own read-only connection to the
 * store, so it may run on a worker thread. On success the Markdown path
 * is copied into path_out.
 */
int report_write_closing(const struct config *cfg, const struct theme_set *ts,
			 int64_t now, char *path_out, size_t path_len,
			 char *err, size_t errlen);

#endif
