/* Form pages mapped to responses (each preset), and [form] config errors. */
#include "classify/classify.h"
#include "config/config.h"
#include "intake/form_map.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/data/forms/%s", SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int map_file(const struct form_map_config *mc, const char *name, struct form_page *p,
		    char *err, size_t errlen)
{
	size_t len;
	char *json = slurp(name, &len);
	int rc = form_map_page(mc, json, len, p, err, errlen);
	free(json);
	return rc;
}

START_TEST(typeform_page)
{
	struct form_question qs[] = {
		{.id = "views", .label = "What should the plan change?", .kind = ANSWER_TEXT},
		{.id = "PNe8ZKBK8G8r", .label = "Which priorities matter most to you?", .kind = ANSWER_CHOICE},
	};
	struct form_map_config mc = {.preset = FORM_TYPEFORM, .form_id = "lT4Z3j", .questions = qs,
				     .n_questions = 2, .name_field = "name"};
	struct form_page p;
	char err[256];
	ck_assert_int_eq(map_file(&mc, "typeform-page.json", &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_uint_eq(p.n_bad, 1);
	ck_assert_int_eq(p.total, 3);
	ck_assert_ptr_null(p.next);
	ck_assert_str_eq(p.last_token, "b0f5a5c9d4e3");

	struct response *r = &p.items[0].r;
	ck_assert_int_eq(r->channel, CHANNEL_FORM);
	ck_assert_int_eq(r->status, STATUS_RESPONSE);
	ck_assert_str_eq(r->idem_key, "form:lT4Z3j:21085286190ffad1248d17c4135ee56f");
	ck_assert_int_eq(r->received_at, 1637402533); /* 2021-11-20T10:02:13Z */
	ck_assert_str_eq(r->sender_email, "Amira.Haddad@example.org");
	ck_assert_str_eq(r->sender_name, "Amira Haddad");
	/* the choices are classified too, one block with a line per option */
	ck_assert_str_eq(r->text, "What should the plan change?\nKnife crime near the station has got "
				  "worse; we need more officers on foot patrol in the evenings.\n\n"
				  "Which priorities matter most to you?\nNeighbourhood policing\n"
				  "Violence against women and girls");
	ck_assert_uint_eq(r->n_answers, 7);
	ck_assert_int_eq(r->answers[3].kind, ANSWER_CHOICE);
	ck_assert_str_eq(r->answers[3].question, "Which priorities matter most to you?");
	ck_assert_str_eq(r->answers[3].value, "Neighbourhood policing");
	ck_assert_str_eq(r->answers[4].value, "Violence against women and girls");
	ck_assert_int_eq(r->answers[5].kind, ANSWER_OTHER);
	ck_assert_str_eq(r->answers[5].value, "4");
	ck_assert_str_eq(r->answers[6].value, "no");
	ck_assert_ptr_nonnull(strstr((const char *)r->raw, "\"response_id\":\"21085286190ffad1248d17c4135ee56f\""));

	r = &p.items[1].r;
	ck_assert_str_eq(r->answers[1].question, "area"); /* no label configured: the ref */
	ck_assert_int_eq(r->answers[1].kind, ANSWER_CHOICE);
	ck_assert_str_eq(r->answers[1].value, "Hackney");
	ck_assert_ptr_null(r->sender_email);

	r = &p.items[2].r;
	ck_assert_int_eq(r->status, STATUS_QUARANTINED);
	ck_assert_str_eq(r->status_reason, "item 2: submitted_at missing or not an RFC 3339 time");
	ck_assert_str_eq(r->idem_key, "form:lT4Z3j:b0f5a5c9d4e3");
	ck_assert_ptr_nonnull(strstr((const char *)r->raw, "yesterday"));
	form_page_clear(&p);
}
END_TEST

/* A response that only ticks choices still says which themes matter to the
 * respondent: the choice labels reach the classifier. */
START_TEST(choices_are_classified)
{
	static const char page[] =
		"{\"total_items\":1,\"page_count\":1,\"items\":[{\"response_id\":\"c1\","
		"\"submitted_at\":\"2021-11-21T14:15:42Z\",\"answers\":["
		"{\"field\":{\"id\":\"PNe8ZKBK8G8r\",\"type\":\"multiple_choice\"},"
		"\"type\":\"choices\",\"choices\":{\"labels\":[\"Tackling drug dealing\"]}}]}]}";
	struct form_question qs[] = {
		{.id = "PNe8ZKBK8G8r", .label = "Which priorities matter most to you?", .kind = ANSWER_CHOICE},
	};
	struct form_map_config mc = {.preset = FORM_TYPEFORM, .form_id = "lT4Z3j", .questions = qs,
				     .n_questions = 1};
	struct form_page p;
	char err[4096] = "";
	ck_assert_int_eq(form_map_page(&mc, page, sizeof(page) - 1, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n, 1);
	struct theme_set *ts = themes_load(SOURCE_DIR "/config/themes/london-pcp.themes", err, sizeof(err));
	ck_assert_msg(ts != NULL, "%s", err);
	struct response *r = &p.items[0].r;
	ck_assert_int_eq(classify_response(ts, r), 0);
	ck_assert_uint_ge(r->n_themes, 1);
	bool drugs = false;
	for (size_t i = 0; i < r->n_themes; i++)
		drugs = drugs || strcmp(r->themes[i].theme_id, "drugs") == 0;
	ck_assert_msg(drugs, "a ticked drugs priority gave no drugs theme");
	themes_free(ts);
	form_page_clear(&p);
}
END_TEST

START_TEST(google_page)
{
	struct form_question qs[] = {
		{.id = "5e2f0a11", .label = "What is the biggest problem where you live?", .kind = ANSWER_TEXT},
		{.id = "31c8d7e2", .label = "Priorities", .kind = ANSWER_CHOICE},
		{.id = "7a3b1c9d", .label = "Your name", .kind = ANSWER_TEXT},
	};
	struct form_map_config mc = {.preset = FORM_GOOGLE, .form_id = "1FAIpQL", .questions = qs,
				     .n_questions = 3, .name_field = "7a3b1c9d"};
	struct form_page p;
	char err[256];
	ck_assert_int_eq(map_file(&mc, "google-page.json", &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_uint_eq(p.n_bad, 1);
	ck_assert_str_eq(p.next, "ChQKEgoQQUNZREJOZ0JhZEl0ZW0");
	ck_assert_int_eq(p.max_submitted, 1637658000); /* 2021-11-23T09:00:00Z */

	struct form_item *it = &p.items[0];
	ck_assert_str_eq(it->r.idem_key, "form:1FAIpQL:ACYDBNj5sN8kQ9Zc2vH3uIc1Xf0");
	ck_assert_str_eq(it->version, "2021-11-20T10:02:13.345678Z");
	ck_assert_int_eq(it->r.received_at, 1637402533);
	ck_assert_str_eq(it->r.sender_email, "Sam.Okafor@example.net");
	ck_assert_str_eq(it->r.sender_name, "Sam Okafor");
	ck_assert_str_eq(it->r.text, "What is the biggest problem where you live?\nBurglaries on our "
				     "estate are not investigated; nobody comes round.\n\n"
				     "Priorities\nNeighbourhood policing\nBurglary");
	/* configured order: problem, priorities x2, name */
	ck_assert_uint_eq(it->r.n_answers, 4);
	ck_assert_str_eq(it->r.answers[1].value, "Neighbourhood policing");
	ck_assert_int_eq(it->r.answers[1].kind, ANSWER_CHOICE);
	ck_assert_str_eq(it->r.answers[2].value, "Burglary");
	ck_assert_str_eq(it->r.answers[3].question_id, "7a3b1c9d");

	it = &p.items[1];
	ck_assert_uint_eq(it->r.n_answers, 2);
	ck_assert_str_eq(it->r.answers[1].question, "9f00aa01");
	ck_assert_str_eq(it->r.answers[1].value, "letter.pdf");
	ck_assert_int_eq(it->r.answers[1].kind, ANSWER_OTHER);

	ck_assert_int_eq(p.items[2].r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(p.items[2].r.status_reason, "item 2: createTime missing or not an RFC 3339 time");
	form_page_clear(&p);

	/* No responses at all: Google leaves the list out. */
	ck_assert_int_eq(form_map_page(&mc, "{}", 2, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(p.next);
	form_page_clear(&p);
}
END_TEST

START_TEST(generic_page)
{
	struct form_question qs[] = {
		{.id = "/fields/q1", .label = "Your views", .kind = ANSWER_TEXT},
		{.id = "/fields/q2", .label = "Priorities", .kind = ANSWER_CHOICE},
	};
	struct form_map_config mc = {.preset = FORM_GENERIC, .form_id = "council", .questions = qs,
				     .n_questions = 2, .p_items = "/data/submissions", .p_id = "/id",
				     .p_submitted = "/created", .p_email = "/contact/email",
				     .p_name = "/contact/name", .p_organisation = "/contact/org",
				     .p_next = "/paging/next"};
	struct form_page p;
	char err[256];
	ck_assert_int_eq(map_file(&mc, "generic-page.json", &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.next, "c2");
	struct response *r = &p.items[0].r;
	ck_assert_str_eq(r->idem_key, "form:council:101");
	ck_assert_str_eq(r->sender_email, "jo@example.com");
	ck_assert_str_eq(r->sender_name, "Jo Bloggs");
	ck_assert_str_eq(r->organisation, "Hackney Residents Association");
	ck_assert_uint_eq(r->n_answers, 3);
	ck_assert_str_eq(r->answers[2].value, "Youth services");
	ck_assert_int_eq(r->answers[2].kind, ANSWER_CHOICE);
	r = &p.items[1].r;
	ck_assert_int_eq(r->status, STATUS_RESPONSE);
	ck_assert_int_eq(r->received_at, 1637406000);
	ck_assert_ptr_null(r->sender_email); /* "not an email" */
	r = &p.items[2].r;
	ck_assert_int_eq(r->status, STATUS_QUARANTINED);
	ck_assert_str_eq(r->status_reason, "item 2: /fields/q1 is not text");
	form_page_clear(&p);
}
END_TEST

START_TEST(malformed_pages)
{
	struct form_map_config mc = {.preset = FORM_TYPEFORM, .form_id = "f"};
	struct form_page p;
	char err[256];
	ck_assert_int_eq(form_map_page(&mc, "{\"items\": [", 11, &p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "malformed JSON at line 1 column"));
	/* A respondent's words where jansson wanted a token: it would quote
	 * them ("near 'Bloggs'"); the error gives only where. */
	const char *cut = "{\"items\": [{\"answers\": [{\"text\": my neighbour Bloggs}]}]}";
	ck_assert_int_eq(form_map_page(&mc, cut, strlen(cut), &p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "malformed JSON at line 1 column") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "Bloggs") == NULL && strstr(err, "near") == NULL, "%s", err);
	ck_assert_int_eq(form_map_page(&mc, "[]", 2, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the page is not a JSON object");
	ck_assert_int_eq(form_map_page(&mc, "{\"items\": 3}", 12, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "items is of another type, not a list");
	ck_assert_int_eq(form_map_page(&mc, "{\"total_items\": 0}", 18, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "items is missing, not a list");
	/* an item that is not an object is quarantined with a content key */
	ck_assert_int_eq(form_map_page(&mc, "{\"items\": [7]}", 14, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n_bad, 1);
	ck_assert_str_eq(p.items[0].r.status_reason, "item 0: not an object");
	ck_assert_int_eq(strncmp(p.items[0].r.idem_key, "sha256:", 7), 0);
	form_page_clear(&p);
	struct form_map_config g = {.preset = FORM_GOOGLE, .form_id = "f"};
	ck_assert_int_eq(form_map_page(&g, "{\"nextPageToken\": 5}", 20, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "nextPageToken is not a string");
	struct form_map_config x = {.preset = FORM_GENERIC, .form_id = "f", .p_items = "/a~1b/0"};
	ck_assert_int_eq(form_map_page(&x, "{\"a/b\": [[]]}", 13, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.n, 0);
	form_page_clear(&p);
}
END_TEST

/* ---- config ---- */

static char dir[] = "/tmp/consultd-form-XXXXXX";
static char path[512];
static char err[8192];

static void setup(void)
{
	strcpy(dir, "/tmp/consultd-form-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/consultd.conf", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

#define BASE \
	"[consultation]\nname = N\nopens = 2021-11-16T00:00:00Z\n" \
	"closes = 2022-01-21T23:59:00Z\nthemes = t.themes\n" \
	"[storage]\npath = s.sqlite\n[report]\nfolder = r\n"

static int load(const char *text, struct config **cfg)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return config_load(path, cfg, err, sizeof(err));
}

static void fails_with(const char *text, const char *want)
{
	struct config *cfg;
	ck_assert_int_eq(load(text, &cfg), -1);
	char w[1024];
	/* want starts with "%s" for the path */
	snprintf(w, sizeof(w), "%s%s", strncmp(want, "%s", 2) == 0 ? path : "",
		 strncmp(want, "%s", 2) == 0 ? want + 2 : want);
	ck_assert_msg(strstr(err, w) != NULL, "wanted '%s' in:\n%s", w, err);
}

START_TEST(config_good)
{
	struct config *cfg;
	int rc = load(BASE "[form]\npreset = typeform\n"
			   "url = https://api.typeform.com/forms/lT4Z3j/responses\n"
			   "token_file = typeform.token\npoll_interval = 2m\ntimeout = 20s\n"
			   "question.views = What should change?\nchoice.priorities = Priorities\n"
			   "name_field = name\n"
			   "[form council]\npreset = generic\nurl = http://127.0.0.1:8080/api/subs\n"
			   "items = /data\nid = /id\nsubmitted = /created\nquestion./fields/q1 = Views\n",
		      &cfg);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(cfg->n_form, 2);
	struct form_config *f = &cfg->form[0];
	ck_assert_int_eq(f->preset, FORM_TYPEFORM);
	ck_assert_str_eq(f->form_id, "lT4Z3j");
	ck_assert_int_eq(f->poll_interval, 120);
	ck_assert_int_eq(f->timeout, 20);
	ck_assert_int_eq(f->page_size, 1000);
	ck_assert_int_eq(f->rate_ms, 500);
	ck_assert_uint_eq(f->n_questions, 2);
	ck_assert_int_eq(f->questions[1].kind, ANSWER_CHOICE);
	char want[600];
	snprintf(want, sizeof(want), "%s/typeform.token", dir);
	ck_assert_str_eq(f->token_file, want);
	f = &cfg->form[1];
	ck_assert_str_eq(f->form_id, "council");
	ck_assert_str_eq(f->cursor_param, "cursor");
	ck_assert_ptr_null(f->token_file);
	config_free(cfg);
	/* The token as a systemd credential (LoadCredential=). */
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/consultd.service", 1);
	rc = load(BASE "[form]\npreset = typeform\n"
		       "url = https://api.typeform.com/forms/lT4Z3j/responses\n"
		       "token_credential = typeform-token\n", &cfg);
	unsetenv("CREDENTIALS_DIRECTORY");
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(cfg->form[0].token_file, "/run/credentials/consultd.service/typeform-token");
	config_free(cfg);
}
END_TEST

START_TEST(config_errors)
{
	fails_with(BASE "[form]\npreset = surveymonkey\n", "%s:11: [form] preset: 'surveymonkey' is not one of");
	fails_with(BASE "[form]\npreset = typeform\nurl = http://api.typeform.com/forms/x/responses\n"
			"token_file = t\n",
		   "%s: [form] url: 'http://api.typeform.com/forms/x/responses': https is required");
	fails_with(BASE "[form]\npreset = typeform\nurl = https://api.typeform.com/forms/x/responses\n",
		   "%s: [form] token_file: missing (required by this preset)");
	fails_with(BASE "[form]\npreset = google-forms\ntoken = abc\n",
		   "%s:12: [form] token: tokens are never kept in the config file");
	unsetenv("CREDENTIALS_DIRECTORY");
	fails_with(BASE "[form]\npreset = typeform\ntoken_credential = typeform-token\n",
		   "%s:12: [form] token_credential: $CREDENTIALS_DIRECTORY is not set");
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/consultd.service", 1);
	fails_with(BASE "[form]\npreset = typeform\ntoken_credential = ..\n",
		   "%s:12: [form] token_credential: '..' is not a credential name");
	fails_with(BASE "[form]\npreset = typeform\ntoken_file = t\ntoken_credential = typeform-token\n",
		   "%s:13: [form] token_credential: token_file or token_credential given twice");
	unsetenv("CREDENTIALS_DIRECTORY");
	fails_with(BASE "[form]\npreset = generic\nurl = https://x.example/r\nitems = data\n",
		   "%s:13: [form] items: 'data' is not a JSON Pointer");
	fails_with(BASE "[form]\npreset = generic\nurl = https://x.example/r\nitems = /data\n",
		   "%s: [form] id: missing (required by preset generic)");
	fails_with(BASE "[form]\npreset = typeform\npage_size = 5000\n",
		   "%s:12: [form] page_size: '5000' is not a number from 1 to 1000");
	fails_with(BASE "[form]\npoll_interval = soon\n", "%s:11: [form] poll_interval: 'soon' is not a duration");
	fails_with(BASE "[form]\nurl = not a url\n", "%s: [form] url: 'not a url' is not an absolute http(s) URL");
	fails_with(BASE "[form]\npreset = google-forms\nquestion.a = One\nquestion.a = Two\n",
		   "%s:13: [form] question.a: question 'a' given twice");
	fails_with(BASE "[form]\nwhatever = 1\n", "%s:11: [form] whatever: unknown key");
	fails_with(BASE "[form]\npreset = typeform\nurl = https://a.example/forms/x/responses\ntoken_file = t\n"
			"[form b]\npreset = typeform\nurl = https://b.example/forms/x/responses\ntoken_file = t\n",
		   "%s: [form b] form_id: 'x' is already the form of [form]");
	fails_with(BASE "[form]\npreset = google-forms\nurl = https://forms.googleapis.com/v1/forms/x/responses\n"
			"token_file = t\nnext = /n\n",
		   "are only for preset generic");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("form");
	TCase *tc = tcase_create("map");
	tcase_add_test(tc, typeform_page);
	tcase_add_test(tc, google_page);
	tcase_add_test(tc, choices_are_classified);
	tcase_add_test(tc, generic_page);
	tcase_add_test(tc, malformed_pages);
	suite_add_tcase(s, tc);
	TCase *cc = tcase_create("config");
	tcase_add_checked_fixture(cc, setup, teardown);
	tcase_add_test(cc, config_good);
	tcase_add_test(cc, config_errors);
	suite_add_tcase(s, cc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
