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
int ctl_search(struct ctl *c, int argc, char **argv);

#endif
