/*
 * ctl.h — what consultctl's command files share: the loaded config, theme
 * set and store, and the commands themselves. Each command returns the
 * process exit status (0 good, 1 failure, 2 usage).
 */
#ifndef CONSULTD_CTL_H
#define CONSULTD_CTL_H

#include "classify/themes.h"
#include "config/config.h"
#include "storage/storage.h"

#include <jansson.h>
#include <stdbool.h>

struct ctl {
	struct config *cfg;
	struct theme_set *themes;
	struct storage *store;      /* opened by the command that needs it */
};

/* Open c->store, read-only unless `write` (a few commands change it). */
int ctl_open_store(struct ctl *c, bool write);

int ctl_status(struct ctl *c);
int ctl_show(struct ctl *c, const char *ref);
int ctl_backup(struct ctl *c, const char *dest);
int ctl_quarantine(struct ctl *c, int argc, char **argv);
/* labels.c */
int ctl_retag(struct ctl *c, int argc, char **argv);
int ctl_reclassify(struct ctl *c);
int ctl_campaigns(struct ctl *c);

/* Personal data (subject.c): erase a respondent, give their data back,
 * apply [storage] retention now. */
int ctl_forget(struct ctl *c, const char *email);
int ctl_export_subject(struct ctl *c, const char *email);
int ctl_purge(struct ctl *c);

/* One response as consultctl export writes it (a new reference). */
json_t *ctl_response_json(const char *ref, const struct response *r);
int ctl_search(struct ctl *c, int argc, char **argv);

#endif
