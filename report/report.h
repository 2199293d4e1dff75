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

/*
 * Write the Markdown summary to out. `closing` says whether this is the
 * closing summary or an interim one; `now` is the generation time.
 * Returns 0, or -1 with the reason in err (a storage or write error).
 */
int report_markdown(FILE *out, struct storage *st, const struct config *cfg,
		    const struct theme_set *ts, int64_t now, bool closing,
		    char *err, size_t errlen);

/*
 * Write the closing summary into cfg->report_folder as
 * "closing-summary-YYYY-MM-DD.md" (the date of the close, UTC), atomically:
 * a temporary file in the same folder, fsync, rename, fsync of the folder.
 * Opens its own read-only connection to the store, so it may run on a
 * worker thread. On success the path written is copied into path_out.
 */
int report_write_closing(const struct config *cfg, const struct theme_set *ts,
			 int64_t now, char *path_out, size_t path_len,
			 char *err, size_t errlen);

#endif
