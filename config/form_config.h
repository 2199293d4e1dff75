/*
 * form_config.h — a [form] or [form NAME] section of the config file.
 *
 * config.c hands every key of such a section here and reports what comes
 * back with the file and line; validation at the end of the file checks
 * what must go together (see README "[form]").
 */
#ifndef CONSULTD_FORM_CONFIG_H
#define CONSULTD_FORM_CONFIG_H

#include "intake/form_map.h"

#include <stdbool.h>
#include <stddef.h>

#define FORM_MAX_QUESTIONS 256

struct form_config {
	char *section;          /* "form" or "form NAME", as written */
	enum form_preset preset;
	bool preset_set;
	char *url;              /* the responses endpoint, without paging parameters */
	char *form_id;          /* for keys: form_id, else taken from url, else section */
	char *token_file;       /* absolute path, or NULL (generic without auth) */
	char *ca_file;          /* extra trust anchors, or NULL */
	int poll_interval;      /* seconds, default 60 */
	int timeout;            /* seconds, whole request; connect gets min(timeout, 10) */
	long max_bytes;         /* cap on one page's body, default 64 MiB */
	int page_size;          /* typeform page_size, 1..1000, default 1000 */
	int rate_ms;            /* least time between two requests (typeform 500) */
	struct form_question questions[FORM_MAX_QUESTIONS];
	size_t n_questions;
	char *name_field, *organisation_field;
	char *p_items, *p_id, *p_submitted, *p_email, *p_name, *p_organisation, *p_next;
	char *cursor_param;     /* generic: query parameter carrying the cursor */
};

/*
 * Apply one key. dir resolves relative paths. Returns 1 when applied, 0
 * when the value is wrong (msg says why), -1 for an unknown key, -2 on out
 * of memory.
 */
int form_config_set(struct form_config *f, const char *dir, const char *name, const char *value,
		    char *msg, size_t msglen);

/* After the file: call report(user, key, message) for each problem.
 * Fills in defaults; -1 on out of memory, else 0. */
int form_config_validate(struct form_config *f, void (*report)(void *user, const char *key,
								const char *msg),
			 void *user);

/* The map configuration the poller hands form_map_page (borrows f). */
void form_config_map(const struct form_config *f, struct form_map_config *mc);

/* True when both describe the same source (a reload may keep it running). */
bool form_config_same(const struct form_config *a, const struct form_config *b);

void form_config_clear(struct form_config *f);

#endif
