/* The consultation's own text pasted back into a response (classify/pasted.h),
 * and the theme file's `document` key that brings it in. */
#include "classify/campaign.h"
#include "classify/classify.h"
#include "classify/pasted.h"
#include "classify/themes.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PLAN[] =
	"Our plan for a safer city.\n\n"
	"We will put more officers back into neighbourhoods, so that every ward has a named\n"
	"dedicated ward officer and a police community support officer who know the area.\n"
	"We will tackle burglary, robbery and knife crime by targeting the most prolific\n"
	"offenders, and we will work with councils to deal with anti-social behaviour on our\n"
	"estates and high streets. Victims of crime will be kept informed at every stage of\n"
	"their case, and we will commission better support services for those who need them.\n";

static struct pasted_index *plan_index(void)
{
	struct pasted_index *ix = pasted_index_new();
	ck_assert_ptr_nonnull(ix);
	ck_assert_int_gt(pasted_index_add(ix, PLAN, strlen(PLAN)), 0);
	return ix;
}

static void expect_mine(const struct pasted_index *ix, const char *text, const char *want,
			size_t want_aside)
{
	size_t aside = 12345;
	char *mine = pasted_remove(ix, text, &aside);
	ck_assert_ptr_nonnull(mine);
	ck_assert_msg(strcmp(mine, want) == 0, "kept:\n[%s]\nwanted:\n[%s]", mine, want);
	ck_assert_uint_eq(aside, want_aside);
	free(mine);
}

START_TEST(pasted_sentence_set_aside)
{
	struct pasted_index *ix = plan_index();
	const char *passage = "We will tackle burglary, robbery and knife crime by targeting the "
			      "most prolific offenders";
	char text[1024];
	snprintf(text, sizeof(text), "You write: \"%s.\" I don't trust the police any more.",
		 passage);
	expect_mine(ix, text, "You write: \"\n\n.\" I don't trust the police any more.",
		    strlen(passage));
	pasted_index_free(ix);
}
END_TEST

START_TEST(case_punctuation_and_wrapping_do_not_matter)
{
	struct pasted_index *ix = plan_index();
	/* Shouted, wrapped elsewhere, with the comma lost: still the plan. */
	const char *passage = "WE WILL PUT MORE OFFICERS\nBACK INTO NEIGHBOURHOODS so that every "
			      "ward\nhas a named dedicated ward officer";
	char text[1024];
	snprintf(text, sizeof(text), "%s\n\nYes please, we never see anyone.", passage);
	expect_mine(ix, text, "\n\n\n\nYes please, we never see anyone.", strlen(passage));
	pasted_index_free(ix);
}
END_TEST

START_TEST(seven_shared_words_are_not_a_paste)
{
	struct pasted_index *ix = plan_index();
	/* Seven words in the plan's order: ordinary writing can do that. */
	const char *seven = "Knife crime by targeting the most prolific is no answer.";
	expect_mine(ix, seven, seven, 0);
	/* Eight are a paste. */
	expect_mine(ix, "Knife crime by targeting the most prolific offenders is no answer.",
		    "\n\n is no answer.", strlen("Knife crime by targeting the most prolific offenders"));
	pasted_index_free(ix);
}
END_TEST

START_TEST(edited_passage_keeps_the_edit)
{
	struct pasted_index *ix = plan_index();
	/* A word changed in the middle: both unchanged runs of 8 or more go,
	 * the respondent's own word stays. */
	const char *text = "Victims of crime will be kept informed at every stage NEVER of their "
			   "case, and we will commission better support services.";
	char *mine = pasted_remove(ix, text, NULL);
	ck_assert_ptr_nonnull(mine);
	ck_assert_ptr_nonnull(strstr(mine, "NEVER"));
	ck_assert_ptr_null(strstr(mine, "informed"));
	ck_assert_ptr_null(strstr(mine, "commission"));
	free(mine);
	pasted_index_free(ix);
}
END_TEST

START_TEST(only_pasted_text_kept_whole)
{
	struct pasted_index *ix = plan_index();
	const char *text = "Victims of crime will be kept informed at every stage of their case.";
	expect_mine(ix, text, text, 0);
	pasted_index_free(ix);
}
END_TEST

START_TEST(no_index_or_empty_index)
{
	expect_mine(NULL, "We will tackle burglary, robbery and knife crime by targeting the most",
		    "We will tackle burglary, robbery and knife crime by targeting the most", 0);
	struct pasted_index *ix = pasted_index_new();
	ck_assert_ptr_nonnull(ix);
	ck_assert_int_eq(pasted_index_add(ix, "too short to hold a run", 23), 0);
	ck_assert_uint_eq(pasted_index_size(ix), 0);
	expect_mine(ix, "too short to hold a run", "too short to hold a run", 0);
	/* A second document adds its runs; a repeated one adds nothing new. */
	ck_assert_int_gt(pasted_index_add(ix, PLAN, strlen(PLAN)), 0);
	size_t n = pasted_index_size(ix);
	ck_assert_int_gt(pasted_index_add(ix, PLAN, strlen(PLAN)), 0);
	ck_assert_uint_eq(pasted_index_size(ix), n);
	pasted_index_free(ix);
}
END_TEST

/* The theme file's `document` key, through loading and classification. */

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_pasted.XXXXXX", t != NULL ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static const char *write_in_tmp(const char *name, const char *text)
{
	static char path[2][512];
	static int turn;
	char *p = path[turn++ % 2];
	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

static void remove_in_tmp(const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	unlink(p);
}

#define THEMES_BODY \
	"[theme burglary-robbery]\nlabel = Burglary and robbery\nterm = burglary | 3\n" \
	"term = robbery | 3\n" \
	"[theme trust]\nlabel = Trust\nterm = trust the police | 3\n"

static size_t theme_ids(const struct theme_set *ts, const char *text, char *out, size_t len)
{
	struct response r = {0};
	r.text = strdup(text);
	ck_assert_ptr_nonnull(r.text);
	ck_assert_int_eq(classify_response(ts, &r), 0);
	out[0] = '\0';
	for (size_t i = 0; i < r.n_themes; i++) {
		strncat(out, r.themes[i].theme_id, len - strlen(out) - 1);
		strncat(out, " ", len - strlen(out) - 1);
	}
	size_t n = r.n_themes;
	response_clear(&r);
	return n;
}

START_TEST(document_in_theme_file_keeps_its_words_out)
{
	char err[2048];
	char ids[256];
	make_tmpdir();
	write_in_tmp("plan.txt", PLAN);
	const char *with = write_in_tmp("with.themes",
					"[set]\nid = t\ndocument = plan.txt\n" THEMES_BODY);
	struct theme_set *ts = themes_load(with, err, sizeof(err));
	ck_assert_msg(ts != NULL, "%s", err);
	ck_assert_ptr_nonnull(themes_pasted(ts));
	const char *without_path = write_in_tmp("without.themes", "[set]\nid = t\n" THEMES_BODY);
	struct theme_set *plain = themes_load(without_path, err, sizeof(err));
	ck_assert_msg(plain != NULL, "%s", err);
	ck_assert_ptr_null(themes_pasted(plain));

	const char *text = "You say \"We will tackle burglary, robbery and knife crime by targeting "
			   "the most prolific offenders.\" I no longer trust the police.";
	theme_ids(plain, text, ids, sizeof(ids));
	ck_assert_str_eq(ids, "burglary-robbery trust ");
	theme_ids(ts, text, ids, sizeof(ids));
	ck_assert_str_eq(ids, "trust ");

	/* What `consultctl show` reports. */
	struct own_words_aside aside;
	char *own = classify_own_words(ts, text, &aside);
	ck_assert_ptr_nonnull(own);
	ck_assert_uint_eq(aside.quoted, 0);
	ck_assert_uint_eq(aside.pasted, strlen("We will tackle burglary, robbery and knife crime "
					       "by targeting the most prolific offenders"));
	free(own);

	/* A campaign print is tied to the documents it was made with: after
	 * the theme file's documents change it is computed again. */
	ck_assert_uint_ne(classify_own_words_id(ts), classify_own_words_id(plain));
	ck_assert_uint_eq(classify_own_words_id(plain), classify_own_words_id(NULL));
	unsigned char *print;
	size_t print_len;
	ck_assert_int_eq(campaign_print_make(ts, "some own words", &print, &print_len), 0);
	struct campaign_builder *b = campaign_builder_new();
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(campaign_add_print(b, plain, 1, "a@x", 1, print, print_len), 1);
	ck_assert_int_eq(campaign_add_print(b, NULL, 1, "a@x", 1, print, print_len), 1);
	ck_assert_int_eq(campaign_add_print(b, ts, 1, "a@x", 1, print, print_len), 0);
	campaign_builder_free(b);
	free(print);

	themes_free(ts);
	themes_free(plain);
	remove_in_tmp("with.themes");
	remove_in_tmp("without.themes");
	remove_in_tmp("plan.txt");
	rmdir(tmpdir);
}
END_TEST

static void expect_load_error(const char *themes, const char *want_suffix)
{
	char err[2048];
	const char *path = write_in_tmp("bad.themes", themes);
	ck_assert_ptr_null(themes_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, want_suffix) != NULL && strncmp(err, path, strlen(path)) == 0,
		      "error:\n%s\nwanted it to name %s and contain:\n%s", err, path, want_suffix);
}

START_TEST(document_errors_name_line_and_file)
{
	make_tmpdir();
	expect_load_error("[set]\nid = t\ndocument = missing.txt\n" THEMES_BODY,
			  ":3: document: cannot open ");
	expect_load_error("[set]\nid = t\ndocument = missing.txt\n" THEMES_BODY,
			  "missing.txt: No such file or directory");
	write_in_tmp("short.txt", "A plan in five words.");
	expect_load_error("[set]\nid = t\n\ndocument = short.txt\n" THEMES_BODY,
			  ":4: document: ");
	expect_load_error("[set]\nid = t\n\ndocument = short.txt\n" THEMES_BODY,
			  "short.txt has fewer than 8 words");
	expect_load_error("[set]\nid = t\ndocument =\n" THEMES_BODY, ":3: document: empty file name");
	char fifo[512];
	snprintf(fifo, sizeof(fifo), "%s/plan.fifo", tmpdir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	expect_load_error("[set]\nid = t\ndocument = plan.fifo\n" THEMES_BODY,
			  "plan.fifo is not a regular file");
	unlink(fifo);
	expect_load_error("[set]\nid = t\ndocument = .\n" THEMES_BODY, "/. is not a regular file");
	/* NUL bytes: a PDF or a word-processor file given as it is. */
	char p[512];
	snprintf(p, sizeof(p), "%s/binary.txt", tmpdir);
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	static const char bin[] = "%PDF-1.7\n\0\0\0 one two three four five six seven eight nine";
	ck_assert_uint_eq(fwrite(bin, 1, sizeof(bin), f), sizeof(bin));
	ck_assert_int_eq(fclose(f), 0);
	expect_load_error("[set]\nid = t\ndocument = binary.txt\n" THEMES_BODY,
			  "binary.txt is not plain text (it has NUL bytes)");
	remove_in_tmp("binary.txt");
	remove_in_tmp("short.txt");
	remove_in_tmp("bad.themes");
	rmdir(tmpdir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pasted");
	TCase *tc = tcase_create("pasted");
	tcase_add_test(tc, pasted_sentence_set_aside);
	tcase_add_test(tc, case_punctuation_and_wrapping_do_not_matter);
	tcase_add_test(tc, seven_shared_words_are_not_a_paste);
	tcase_add_test(tc, edited_passage_keeps_the_edit);
	tcase_add_test(tc, only_pasted_text_kept_whole);
	tcase_add_test(tc, no_index_or_empty_index);
	tcase_add_test(tc, document_in_theme_file_keeps_its_words_out);
	tcase_add_test(tc, document_errors_name_line_and_file);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
