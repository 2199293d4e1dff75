/*
 * writers.h — one report model (model.h) as Markdown, HTML or JSON, and
 * the per-response CSV.
 *
 * Every writer is a pure function of its input: the same model gives the
 * same bytes, and the generation time appears on one line only (so two
 * summaries of one store differ by that line alone).
 *
 * Escaping: Markdown escapes the characters that would make response text
 * markup (and '|' in tables); HTML escapes & < > " ' in all text and
 * attributes and carries a Content-Security-Policy that forbids scripts
 * and any fetch, so even a missed escape could not run or load anything;
 * JSON is written by jansson; CSV quotes every cell (RFC 4180) and
 * neutralises cells a spreadsheet would read as a formula (see
 * report_csv_cell).
 *
 * Each returns 0, or -1 on a write error (errno set) or out of memory.
 */
#ifndef CONSULTD_REPORT_WRITERS_H
#define CONSULTD_REPORT_WRITERS_H

#include "model.h"

#include <stdio.h>

int report_write_markdown(FILE *out, const struct report_model *m);
int report_write_html(FILE *out, const struct report_model *m);
int report_write_json(FILE *out, const struct report_model *m);

/*
 * One row per stored response, in id order: reference, channel, received
 * (UTC, ISO 8601), status, late, resubmission_of, respondent_type,
 * organisation, area, campaign, then one 0/1 column per theme of ts in the
 * theme file's order. Streams: one row in memory at a time.
 */
int report_write_csv(FILE *out, struct storage *st, const struct theme_set *ts,
		     char *err, size_t errlen);

/*
 * One CSV cell: control and bidirectional characters removed (redact.h),
 * then, when the cell would start (after spaces) with = + - @ or their
 * full-width forms, or started with a tab or carriage return, a leading
 * apostrophe so spreadsheets show it as text; quoted, with quotes doubled.
 * Returns a new string (caller frees) or NULL when out of memory.
 */
char *report_csv_cell(const char *value);

#endif
