/*
 * model.h — every figure of a summary, computed from the store.
 *
 * report_model_build runs aggregate queries (GROUP BY over narrow
 * indexes) and reads the text of only the few responses it quotes, so its
 * time and memory grow with the number of themes, days, areas,
 * organisations and campaigns, never with the size of the texts. The
 * writers (writers.h) turn one model into Markdown, HTML or JSON; the CSV
 * streams one row per response instead.
 *
 * What is counted: a response counts when its status is "response" and it
 * is not an identical resubmission (duplicate_of set); resubmissions are
 * shown apart. Auto-replies, bounces, mailing-list mail and quarantined
 * messages are kept and reported, never counted. Every list is in a fixed
 * order (counts, then ids or names), so the same store gives the same
 * model.
 *
 * Ownership: the model owns every string and array in it;
 * report_model_free releases them.
 */
#ifndef CONSULTD_REPORT_MODEL_H
#define CONSULTD_REPORT_MODEL_H

#include "classify/themes.h"
#include "config/config.h"
#include "storage/storage.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The configured areas (id and name), which say which ones did not
 * respond; see report_areas_load. */
struct report_area_def {
	char *id;
	char *name;
};
struct report_areas {
	struct report_area_def *v;
	size_t n;
};

/* The classifier's measured accuracy, from the file beside the theme file. */
struct report_accuracy {
	bool present;
	char *path;            /* the file it was read from */
	double macro_f1, micro_f1; /* negative when the file does not say */
	char *devset;          /* which data, e.g. "tests/data/devset, held-out split" */
	char *measured;        /* when and how */
	char *note;            /* why there is no figure, when !present */
};

struct report_day {
	char day[11];          /* YYYY-MM-DD, UTC */
	int64_t responses, late;
};

struct report_excerpt {
	char *ref;             /* R-000042 */
	char *text;            /* redacted, shortened */
	char *who;             /* "individual", an organisation's name, ... (cleaned) */
	char *area;            /* area name or id, or NULL */
	double score;
	int64_t campaign_id;   /* 0: none */
};

struct report_theme {
	char *id, *label;
	bool configured;       /* false: stored under an id the theme file lacks */
	int64_t responses, organisations, individuals, unknown_type;
	int64_t as_one;        /* campaigns counted once each */
	int64_t manual;        /* responses whose row was set by a lead */
	struct report_excerpt *excerpts;
	size_t n_excerpts;
};

struct report_named_count {
	char *name;            /* organisation, area id, reason, choice ... */
	char *label;           /* area name, or NULL */
	int64_t count;
};

struct report_campaign {
	int64_t id, size, counted, first_at, last_at;
	char *ref;             /* of the representative response, or NULL */
	char *text;            /* redacted excerpt of it, or NULL */
};

struct report_question {
	char *id, *text;       /* either may be NULL */
	bool choice;           /* true: counts per choice; false: themes */
	int64_t answered;      /* responses answering it */
	struct report_named_count *items; /* choice or theme id, with counts */
	size_t n_items;
};

struct report_source {
	char *name;
	int64_t stored, server_count, missing;
	int64_t reconciled_at; /* 0: never */
	char *last_error;
};

struct report_model {
	/* the consultation */
	char *name;
	int64_t opens, closes, grace, generated;
	bool closing;
	char *theme_set_id, *theme_set_label;
	size_t n_configured_themes;

	/* headline */
	int64_t stored, counted, resubmissions;
	int64_t by_channel[3];              /* counted, by enum response_channel */
	int64_t late;
	int64_t both_channels;              /* people who answered by email and by form */
	int64_t auto_replies, bounces, quarantined, lists;
	int64_t organisation_responses, individual_responses, unknown_type_responses;
	int64_t n_organisations;            /* distinct names */
	int64_t n_campaigns, campaign_responses;
	int64_t counted_as_one;             /* counted with each campaign as one */
	int64_t no_theme;

	struct report_day *days;
	size_t n_days;

	struct report_theme *themes;        /* ranked: most responses first */
	size_t n_themes;

	struct report_named_count *organisations; /* name order; count = responses */
	size_t n_organisations_listed;
	struct report_named_count *areas;   /* responding areas, count order */
	size_t n_areas;
	struct report_named_count *silent_areas; /* configured, no response */
	size_t n_silent_areas;
	bool areas_configured;
	char *areas_error;                  /* the areas file could not be read: why */

	struct report_campaign *campaigns;  /* largest first */
	size_t n_campaigns_listed;

	struct report_question *questions;
	size_t n_questions;

	struct report_named_count *quarantine_reasons;
	size_t n_quarantine_reasons;
	struct report_source *sources;
	size_t n_sources;
	int64_t manual_labels;              /* lead corrections recorded */
	double default_threshold;
	struct report_accuracy accuracy;
};

/* Organisations and campaigns listed at most; the counts cover all. */
#define REPORT_MAX_LISTED 500
#define REPORT_MAX_EXCERPTS 5

/*
 * Fill *m from st. areas may be NULL (no configured list: the report then
 * cannot say which areas did not respond, and says so). Returns 0, or -1
 * with the reason in err; *m is then empty (safe to free).
 */
int report_model_build(struct report_model *m, struct storage *st, const struct config *cfg,
		       const struct theme_set *ts, const struct report_areas *areas,
		       int64_t now, bool closing, char *err, size_t errlen);
void report_model_free(struct report_model *m);

/*
 * Read a list of configured areas: one per line, "ID = Name" (or just
 * "ID"); '#' starts a comment. IDs are what responses store in their area.
 * Returns 0, or -1 with the file, line and reason in err.
 */
int report_areas_load(const char *path, struct report_areas *out, char *err, size_t errlen);
int report_areas_parse(const char *text, size_t len, const char *name,
		       struct report_areas *out, char *err, size_t errlen);
void report_areas_free(struct report_areas *a);

/*
 * The measured accuracy of the theme file at themes_path, read from the
 * file beside it with the extension ".accuracy" (an INI [accuracy]
 * section: theme_set, macro_f1, micro_f1, devset, measured). Used only
 * when its theme_set is set_id; otherwise acc->present is false and
 * acc->note says why.
 */
void report_accuracy_load(const char *themes_path, const char *set_id,
			  struct report_accuracy *acc);
void report_accuracy_free(struct report_accuracy *acc);

#endif
