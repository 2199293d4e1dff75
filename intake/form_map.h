/*
 * form_map.h — one page of a form provider's JSON as responses.
 *
 * Pure: no I/O, no clock. A page (the body of one HTTP response from the
 * provider's responses endpoint) is mapped, according to the preset, into
 * a list of form items, each a struct response of channel "form", plus the
 * cursor for the next page. The page is hostile input: a page that is not
 * the documented shape is refused as a whole with an error naming what and
 * where; a single bad item becomes a quarantined response (its reason and
 * the item's JSON kept as raw), never dropped, so the cursor can move on.
 *
 * Mapping, every preset:
 *  - idem_key "form:<form id>:<response id>" (provider ids are unique per
 *    form only); source_id "form:<form id>:<response id>" too;
 *  - received_at: the submission time (typeform submitted_at, google
 *    createTime, generic `submitted` pointer);
 *  - sender_email from the email answer (typeform answer of type email,
 *    google respondentEmail, generic `email` pointer), lower-cased;
 *  - text: every free-text and choice answer under its question label,
 *    one "label\nanswer" block each, blank-line separated, the options of
 *    one multiple choice a line each in one block: what is classified;
 *  - answers[]: every answer in order with its question id and label, a
 *    multiple choice as one ANSWER_CHOICE answer per chosen option.
 */
#ifndef CONSULTD_FORM_MAP_H
#define CONSULTD_FORM_MAP_H

#include "intake/response.h"

#include <stddef.h>
#include <stdint.h>

enum form_preset { FORM_TYPEFORM, FORM_GOOGLE, FORM_GENERIC };

/* A question of the form: its provider id (typeform field id or ref,
 * google questionId; generic: a JSON Pointer into the item) and label. */
struct form_question {
	char *id;
	char *label;
	enum answer_kind kind;  /* google/generic: text or choice as configured */
};

struct form_map_config {
	enum form_preset preset;
	const char *form_id;    /* for keys: the provider's form id or the source name */
	const struct form_question *questions; /* labels (typeform, google) or the
						* generic preset's fields */
	size_t n_questions;
	const char *name_field;         /* question id/ref (typeform, google) whose
					 * answer is the respondent's name, or NULL */
	const char *organisation_field; /* likewise for the organisation */
	/* generic: JSON Pointers; items into the page, the others into an item
	 * (next into the page). NULL when not configured. */
	const char *p_items, *p_id, *p_submitted, *p_email, *p_name, *p_organisation, *p_next;
};

/* One mapped item. */
struct form_item {
	struct response r;      /* status RESPONSE, or QUARANTINED with the reason */
	char *response_id;      /* the provider's id, or NULL when the item had none */
	char *version;          /* google: lastSubmittedTime (changes on edit); else NULL */
	char *token;            /* typeform: the item's paging token; else NULL */
	int64_t submitted;      /* last submission (google: lastSubmittedTime), Unix s */
};

struct form_page {
	struct form_item *items;
	size_t n;
	size_t n_bad;           /* of items, quarantined */
	char *next;             /* next-page cursor (google nextPageToken, generic
				 * `next`), or NULL when this is the last page */
	char *last_token;       /* typeform: token of the last item, or NULL */
	int64_t max_submitted;  /* greatest `submitted` of the good items, or 0 */
	int64_t total;          /* typeform total_items, else -1 */
};

/* Bytes of an item's JSON kept as raw at most (a bigger item is cut and
 * quarantined). */
#define FORM_ITEM_MAX (1024 * 1024)

/*
 * Map json (len bytes, not NUL-terminated) to *page (zeroed first; free
 * with form_page_clear). Returns 0, or -1 with err naming what is wrong
 * and where ("items[3]: ..." / "line 1 column 7: ...") when the page as a
 * whole cannot be read, or out of memory; *page is then empty.
 */
int form_map_page(const struct form_map_config *mc, const char *json, size_t len,
		  struct form_page *page, char *err, size_t errlen);
void form_page_clear(struct form_page *page);

/* "typeform", "google-forms", "generic". */
const char *form_preset_name(enum form_preset p);

/*
 * RFC 6901 JSON Pointer ("" is the whole document, "/a/0/b~1c") syntax
 * check: 0 when ptr is "" or starts with '/' and every '~' is followed by
 * 0 or 1; else -1.
 */
int form_pointer_check(const char *ptr);

#endif
