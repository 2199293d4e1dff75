/*
 * test_devset.c — the integrity of the labelled development set
 * tests/data/devset/responses.jsonl (see its README.md).
 *
 * Only the data's shape is asserted here: size, unique ids, valid fields
 * and theme ids, both splits covering every theme. How well a theme file
 * classifies the set is a measurement, printed by `make bench`
 * (bench/classify_eval), never a threshold in a test.
 */
#include "classify/themes.h"

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVSET SOURCE_DIR "/tests/data/devset/responses.jsonl"
#define SHIPPED SOURCE_DIR "/config/themes/london-pcp.themes"
#define MIN_RESPONSES 250
#define MAX_THEMES 64

struct row {
	char id[32];
	bool heldout;
	bool themes[MAX_THEMES];
};

static struct row *rows;
static size_t n_rows;
static struct theme_set *shipped;

/* Load every line; each must be a JSON object (asserted here). */
static void load(void)
{
	char err[4096] = "";
	FILE *f;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	unsigned long lineno = 0;

	shipped = themes_load(SHIPPED, err, sizeof(err));
	ck_assert_msg(shipped != NULL, "%s", err);
	ck_assert_uint_le(themes_count(shipped), MAX_THEMES);
	f = fopen(DEVSET, "r");
	ck_assert_msg(f != NULL, "cannot open %s", DEVSET);
	while (getline(&line, &cap, f) >= 0) {
		json_error_t jerr;
		json_t *o, *themes, *v;
		const char *id, *kind, *split, *subject, *text;
		size_t k;

		lineno++;
		o = json_loads(line, 0, &jerr);
		ck_assert_msg(json_is_object(o), "line %lu: not a JSON object: %s",
			      lineno, o == NULL ? jerr.text : "");
		if (n_rows == alloc) {
			struct row *more;
			alloc = alloc ? alloc * 2 : 512;
			more = realloc(rows, alloc * sizeof(*rows));
			ck_assert_ptr_nonnull(more);
			rows = more;
		}
		struct row *r = &rows[n_rows++];
		memset(r, 0, sizeof(*r));

		id = json_string_value(json_object_get(o, "id"));
		kind = json_string_value(json_object_get(o, "kind"));
		split = json_string_value(json_object_get(o, "split"));
		subject = json_string_value(json_object_get(o, "subject"));
		text = json_string_value(json_object_get(o, "text"));
		themes = json_object_get(o, "themes");
		ck_assert_msg(id != NULL && strlen(id) > 0 && strlen(id) < sizeof(r->id),
			      "line %lu: bad id", lineno);
		memcpy(r->id, id, strlen(id) + 1);
		ck_assert_msg(kind != NULL && (strcmp(kind, "organisation") == 0 ||
					       strcmp(kind, "individual") == 0),
			      "%s: kind must be organisation or individual", id);
		const char *rtype = json_string_value(json_object_get(o, "respondent_type"));
		ck_assert_msg(rtype != NULL && (strcmp(rtype, "organisation") == 0 ||
						strcmp(rtype, "individual") == 0),
			      "%s: respondent_type must be organisation or individual", id);
		ck_assert_msg(split != NULL && (strcmp(split, "tune") == 0 ||
						strcmp(split, "heldout") == 0),
			      "%s: split must be tune or heldout", id);
		r->heldout = strcmp(split, "heldout") == 0;
		ck_assert_msg(subject != NULL, "%s: no subject", id);
		ck_assert_msg(text != NULL && text[strspn(text, " \t\r\n")] != '\0',
			      "%s: empty text", id);
		ck_assert_msg(json_is_array(themes), "%s: themes is not an array", id);
		json_array_foreach(themes, k, v) {
			const char *t = json_string_value(v);
			long i = t != NULL ? themes_find(shipped, t) : -1;
			ck_assert_msg(i >= 0, "%s: unknown theme id '%s'", id,
				      t != NULL ? t : "(not a string)");
			ck_assert_msg(!r->themes[i], "%s: theme '%s' listed twice", id, t);
			r->themes[i] = true;
		}
		json_decref(o);
	}
	ck_assert_msg(!ferror(f), "cannot read %s", DEVSET);
	free(line);
	fclose(f);
}

static void unload(void)
{
	free(rows);
	rows = NULL;
	n_rows = 0;
	themes_free(shipped);
	shipped = NULL;
}

START_TEST(enough_responses)
{
	ck_assert_uint_ge(n_rows, MIN_RESPONSES);
}
END_TEST

static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->id, ((const struct row *)b)->id);
}

START_TEST(unique_ids)
{
	qsort(rows, n_rows, sizeof(*rows), id_cmp);
	for (size_t i = 1; i < n_rows; i++)
		ck_assert_msg(strcmp(rows[i - 1].id, rows[i].id) != 0,
			      "duplicate id %s", rows[i].id);
}
END_TEST

START_TEST(every_theme_in_both_splits)
{
	size_t nt = themes_count(shipped);
	size_t none[2] = {0, 0};

	for (size_t t = 0; t < nt; t++) {
		size_t in[2] = {0, 0};
		for (size_t i = 0; i < n_rows; i++)
			in[rows[i].heldout] += rows[i].themes[t];
		ck_assert_msg(in[0] > 0 && in[1] > 0,
			      "theme %s: %zu tuning and %zu held-out examples",
			      themes_id(shipped, t), in[0], in[1]);
	}
	/* Responses with no theme are in both splits too. */
	for (size_t i = 0; i < n_rows; i++) {
		bool any = false;
		for (size_t t = 0; t < nt; t++)
			any = any || rows[i].themes[t];
		none[rows[i].heldout] += !any;
	}
	ck_assert_msg(none[0] > 0 && none[1] > 0,
		      "no-theme responses: %zu tuning, %zu held-out", none[0], none[1]);
}
END_TEST

static Suite *devset_suite(void)
{
	Suite *s = suite_create("devset");
	TCase *tc = tcase_create("integrity");
	tcase_add_checked_fixture(tc, load, unload);
	tcase_add_test(tc, enough_responses);
	tcase_add_test(tc, unique_ids);
	tcase_add_test(tc, every_theme_in_both_splits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(devset_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
