/*
 * fuzz_form.c — libFuzzer target for the form page mapping.
 *
 * The first byte picks the preset (and whether questions and the generic
 * preset's pointers are configured); the rest is the page. Every page must
 * either map or be refused with an error, never crash or leak.
 */
#include "intake/form_map.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const struct form_question qs[] = {
		{.id = "views", .label = "Views", .kind = ANSWER_TEXT},
		{.id = "5e2f0a11", .label = "Problem", .kind = ANSWER_TEXT},
		{.id = "31c8d7e2", .label = "Priorities", .kind = ANSWER_CHOICE},
		{.id = "/fields/q1", .label = "Q1", .kind = ANSWER_TEXT},
		{.id = "/fields/q2", .label = "Q2", .kind = ANSWER_CHOICE},
		{.id = "/a~1b/~0c/0", .label = "Odd", .kind = ANSWER_TEXT},
	};
	struct form_map_config mc = {
		.preset = (enum form_preset)(data[0] % 3),
		.form_id = "fuzz",
		.questions = (data[0] & 4) ? qs : NULL,
		.n_questions = (data[0] & 4) ? sizeof(qs) / sizeof(qs[0]) : 0,
		.name_field = "name",
		.organisation_field = "7a3b1c9d",
		.p_items = (data[0] & 8) ? "" : "/data/submissions",
		.p_id = "/id",
		.p_submitted = "/created",
		.p_email = "/contact/email",
		.p_name = "/contact/name",
		.p_organisation = "/contact/org",
		.p_next = "/paging/next",
	};
	struct form_page p;
	char err[256];
	if (form_map_page(&mc, (const char *)data + 1, size - 1, &p, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < p.n; i++) {
			const struct response *r = &p.items[i].r;
			if (r->idem_key == NULL || r->text == NULL || r->raw == NULL ||
			    (r->status == STATUS_QUARANTINED) != (r->status_reason != NULL))
				__builtin_trap();
		}
		form_page_clear(&p);
	} else if (err[0] == '\0') {
		__builtin_trap();
	}
	return 0;
}
