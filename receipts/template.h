/*
 * template.h — the receipt's subject and body templates.
 *
 * A template is UTF-8 text with placeholders in braces: {consultation},
 * {reference}, {received_date}, {name}, {email}, {subject}, {late_note}.
 * "{{" and "}}" stand for a literal brace. Templates come from the config
 * file (outside input): template_check names the first problem, and
 * template_render never fails on a template that passed the check.
 *
 * Values that come from a respondent (name, subject) are cleaned when they
 * are filled in: control characters, CR and LF included, become spaces and
 * they are cut to TEMPLATE_VALUE_MAX bytes on a UTF-8 boundary, so they can
 * neither add a header line nor run on without end.
 */
#ifndef CONSULTD_TEMPLATE_H
#define CONSULTD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#define TEMPLATE_VALUE_MAX 200 /* bytes of one respondent-supplied value */
#define TEMPLATE_MAX (64u * 1024u) /* bytes of one template */

/* What the placeholders stand for; NULL counts as empty. */
struct template_fields {
	const char *consultation;
	const char *reference;      /* "R-000042" */
	const char *received_date;  /* "2026-11-25 04:30 UTC" */
	const char *name;           /* the respondent's display name, or their address */
	const char *email;
	const char *subject;        /* the subject of their mail, or NULL */
	const char *late_note;      /* a sentence for late responses, or "" */
};

/*
 * 0 when tpl is a usable template; -1 with the reason in err (an unknown
 * placeholder, an unclosed brace, invalid UTF-8, a NUL, or a template
 * longer than TEMPLATE_MAX).
 */
int template_check(const char *tpl, size_t len, char *err, size_t errlen);

/*
 * The template filled in: a new NUL-terminated string (caller frees), or
 * NULL on out of memory or a template that fails template_check. With
 * one_line, the whole result has its control characters replaced by
 * spaces (for a Subject).
 */
char *template_render(const char *tpl, const struct template_fields *f, bool one_line);

/*
 * A respondent-supplied value made safe: a new string with control
 * characters as spaces, invalid UTF-8 as '?', cut to max bytes on a
 * character boundary. NULL in gives "" out; NULL only on out of memory.
 */
char *template_clean_value(const char *v, size_t max);

#endif
