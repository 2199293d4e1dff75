/* The summary: every section's figures on a store this test builds, the
 * same bytes from the same store, escaping of hostile text in Markdown and
 * HTML, CSV formula guarding, the closing files, configured areas, the
 * measured-accuracy file, and full-text search kept in step with inserts,
 * edits and deletes. */
#include "classify/themes.h"
#include "config/config.h"
#include "report/model.h"
#include "report/report.h"
#include "report/search.h"
#include "report/writers.h"
#include "storage/storage.h"

#include <check.h>
#include <jansson.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY 86400
#define OPENS 1640995200 /* 2022-01-01T00:00:00Z */

static char dir[128];
static char err[1024];
static struct config *cfg;
static struct theme_set *ts;
static struct storage *st;

static void write_text(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void copy_themes(void)
{
	FILE *in = fopen(SOURCE_DIR "/config/themes/london-pcp.themes", "r");
	ck_assert_ptr_nonnull(in);
	char p[256];
	snprintf(p, sizeof(p), "%s/t.themes", dir);
	FILE *out = fopen(p, "w");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

static void load_config(bool with_areas)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "[consultation]\nname = Plan <b>&</b> \"test\"\nopens = 2022-01-01T00:00:00Z\n"
		 "closes = 2022-01-10T23:59:00Z\ngrace = 24h\nthemes = t.themes\n"
		 "[imap]\nhost = 127.0.0.1\ntls = none\nuser = u\npassword_file = pw\n"
		 "[storage]\npath = store.sqlite\n[report]\nfolder = reports\n%s",
		 with_areas ? "areas = areas.txt\n" : "");
	write_text("c.conf", text);
	char p[256];
	snprintf(p, sizeof(p), "%s/c.conf", dir);
	config_free(cfg);
	cfg = NULL;
	ck_assert_msg(config_load(p, &cfg, err, sizeof(err)) == 0, "%s", err);
}

/* Store one response; returns its id. */
static int64_t add(enum response_channel ch, enum response_status status, int64_t when,
		   enum respondent_type type, const char *org, const char *area, const char *text,
		   const char *theme1, double score1, const char *theme2, double score2)
{
	static int seq;
	struct response r = {0};
	char key[64];
	snprintf(key, sizeof(key), "mid:%d@test", ++seq);
	r.channel = ch;
	r.status = status;
	r.source_id = strdup("imap:INBOX:1:1");
	r.idem_key = strdup(key);
	r.received_at = when;
	r.late = when > OPENS + 10 * DAY;
	r.sender_email = strdup("someone@example.org");
	r.subject = strdup("Consultation response");
	r.text = strdup(text);
	r.status_reason = status == STATUS_QUARANTINED ? strdup("message over 25 MB") : NULL;
	r.respondent_type = type;
	r.organisation = org != NULL ? strdup(org) : NULL;
	r.area = area != NULL ? strdup(area) : NULL;
	r.raw = (unsigned char *)strdup("raw");
	r.raw_len = 3;
	const char *ids[2] = {theme1, theme2};
	double sc[2] = {score1, score2};
	r.themes = calloc(2, sizeof(*r.themes));
	for (int i = 0; i < 2; i++)
		if (ids[i] != NULL) {
			r.themes[r.n_themes].theme_id = strdup(ids[i]);
			r.themes[r.n_themes].score = sc[i];
			r.themes[r.n_themes++].terms = strdup("t");
		}
	bool inserted;
	int64_t id;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_msg(storage_insert_response(st, &r, when, &inserted, &id) == 0, "%s",
		      storage_errmsg(st));
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert(inserted);
	response_clear(&r);
	return id;
}

static void sql(const char *q)
{
	char *e = NULL;
	ck_assert_msg(sqlite3_exec(storage_db(st), q, NULL, NULL, &e) == SQLITE_OK, "%s: %s", q, e);
}

static int64_t id_phone, id_script, id_form1, id_import, id_camp[4], id_eq, id_img;

static void build_store(void)
{
	id_phone = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3600, RESPONDENT_INDIVIDUAL, NULL,
		       "camden", "Anti-social behaviour on our estate is awful. Call me on "
		       "020 7946 0000 or jo@example.org.", "asb", 5.0, NULL, 0);
	id_script = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + DAY + 60, RESPONDENT_ORGANISATION,
			"Camden Residents' Association", "camden",
			"<script>alert(1)</script> The Association asks for more patrols at "
			"12 Acacia Avenue | and more.", "asb", 6.0, "violence", 3.0);
	id_form1 = add(CHANNEL_FORM, STATUS_RESPONSE, OPENS + 8 * DAY + 60, RESPONDENT_INDIVIDUAL,
		       NULL, "hackney", "Knife crime frightens my children.", "violence", 4.0, NULL, 0);
	int64_t form2 = add(CHANNEL_FORM, STATUS_RESPONSE, OPENS + 8 * DAY + 120,
			    RESPONDENT_INDIVIDUAL, NULL, "hackney", "Nothing to add.", NULL, 0, NULL, 0);
	id_import = add(CHANNEL_IMPORT, STATUS_RESPONSE, OPENS + 10 * DAY + 3600, RESPONDENT_UNKNOWN,
			NULL, NULL, "A posted letter about rowdy youths at night.", "asb", 2.5, NULL, 0);
	for (int i = 0; i < 4; i++)
		id_camp[i] = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + (4 + i) * DAY + 60,
				 RESPONDENT_INDIVIDUAL, NULL, "islington",
				 "Keep Fernhill station open: anti-social behaviour will soar.",
				 "asb", 7.0 + i / 10.0, NULL, 0);
	int64_t dup = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3700, RESPONDENT_INDIVIDUAL, NULL,
			  "camden", "Anti-social behaviour on our estate is awful.", "asb", 9.0,
			  NULL, 0);
	add(CHANNEL_EMAIL, STATUS_AUTO_REPLY, OPENS + 7200, RESPONDENT_UNKNOWN, NULL, NULL,
	    "Out of office", NULL, 0, NULL, 0);
	add(CHANNEL_EMAIL, STATUS_BOUNCE, OPENS + 7300, RESPONDENT_UNKNOWN, NULL, NULL,
	    "Undeliverable", NULL, 0, NULL, 0);
	add(CHANNEL_EMAIL, STATUS_QUARANTINED, OPENS + 7400, RESPONDENT_UNKNOWN, NULL, NULL, "",
	    NULL, 0, NULL, 0);
	add(CHANNEL_EMAIL, STATUS_LIST, OPENS + 7500, RESPONDENT_UNKNOWN, NULL, NULL, "digest",
	    NULL, 0, NULL, 0);
	id_eq = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 2 * DAY + 60, RESPONDENT_ORGANISATION,
		    "=HYPERLINK(\"http://x\",\"y\")", "\xe2\x80\xae=cmd", "We trust the police.",
		    "trust", 3.0, NULL, 0);
	id_img = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 2 * DAY + 120, RESPONDENT_ORGANISATION,
		     "<img src=x onerror=alert(1)>", NULL,
		     "Trust \xe2\x80\xae" "evil\xe2\x80\xac is low; see <a href=\"javascript:x\">this</a>.",
		     "trust", 3.5, NULL, 0);
	char q[1024];
	snprintf(q, sizeof(q),
		 "INSERT INTO campaigns(id, size, first_at, last_at, representative_id)"
		 " VALUES(1, 4, %lld, %lld, %lld);"
		 "UPDATE responses SET campaign_id = 1 WHERE id IN (%lld,%lld,%lld,%lld);"
		 "UPDATE responses SET duplicate_of = %lld WHERE id = %lld;"
		 "INSERT INTO form_answers VALUES(%lld, 0, 'priority', 'Which priority?', 'choice', 'Knife crime');"
		 "INSERT INTO form_answers VALUES(%lld, 1, 'comments', 'Anything else?', 'text', 'Knife crime frightens my children.');"
		 "INSERT INTO form_answers VALUES(%lld, 0, 'priority', 'Which priority?', 'choice', 'Burglary');"
		 "INSERT INTO form_answers VALUES(%lld, 0, 'priority', 'Which priority?', 'choice', 'Burglary');"
		 "INSERT INTO manual_labels VALUES(%lld, 'asb', 1, %lld);"
		 "INSERT INTO intake_state(source, uidvalidity, last_uid, updated_at, reconciled_at,"
		 " server_count, missing_count) VALUES('imap:u@127.0.0.1/INBOX', 1, 14, 1, %lld, 14, 0);",
		 (long long)(OPENS + 4 * DAY + 60), (long long)(OPENS + 7 * DAY + 60),
		 (long long)id_camp[0], (long long)id_camp[0], (long long)id_camp[1],
		 (long long)id_camp[2], (long long)id_camp[3], (long long)id_phone, (long long)dup,
		 (long long)id_form1, (long long)id_form1, (long long)form2, (long long)dup,
		 (long long)id_phone, (long long)OPENS, (long long)(OPENS + 11 * DAY));
	sql(q);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/test_report.XXXXXX", BINARY_DIR);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	copy_themes();
	write_text("pw", "x\n");
	write_text("areas.txt", "# areas\ncamden = Camden\nhackney = Hackney\n"
				"islington = Islington\nbexley = Bexley  # none\n\n");
	write_text("t.accuracy", "[accuracy]\ntheme_set = london-pcp-2021\nmacro_f1 = 0.820\n"
				 "micro_f1 = 0.815\ndevset = the held-out split\nmeasured = by classify_eval\n");
	load_config(true);
	ts = themes_load(cfg->themes_path, err, sizeof(err));
	ck_assert_msg(ts != NULL, "%s", err);
	ck_assert_msg(storage_open(cfg->storage_path, STORAGE_READ_WRITE, &st, err, sizeof(err)) == 0,
		      "%s", err);
	build_store();
}

static void teardown(void)
{
	storage_close(st);
	themes_free(ts);
	config_free(cfg);
	st = NULL, ts = NULL, cfg = NULL;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *render(enum report_format f, int64_t now);

static struct report_theme *theme(struct report_model *m, const char *id)
{
	for (size_t i = 0; i < m->n_themes; i++)
		if (strcmp(m->themes[i].id, id) == 0)
			return &m->themes[i];
	ck_abort_msg("no theme %s", id);
	return NULL;
}

static void build_model(struct report_model *m, bool areas)
{
	struct report_areas a = {0};
	if (areas)
		ck_assert_msg(report_areas_load(cfg->report_areas_path, &a, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(report_model_build(m, st, cfg, ts, areas ? &a : NULL, OPENS + 12 * DAY, true,
					 err, sizeof(err)) == 0, "%s", err);
	report_areas_free(&a);
}

START_TEST(headline)
{
	struct report_model m;
	build_model(&m, true);
	ck_assert_int_eq(m.stored, 16);
	ck_assert_int_eq(m.counted, 11);
	ck_assert_int_eq(m.resubmissions, 1);
	ck_assert_int_eq(m.by_channel[0], 8);
	ck_assert_int_eq(m.by_channel[1], 2);
	ck_assert_int_eq(m.by_channel[2], 1);
	ck_assert_int_eq(m.late, 1);
	ck_assert_int_eq(m.auto_replies, 1);
	ck_assert_int_eq(m.bounces, 1);
	ck_assert_int_eq(m.quarantined, 1);
	ck_assert_int_eq(m.lists, 1);
	ck_assert_int_eq(m.organisation_responses, 3);
	ck_assert_int_eq(m.individual_responses, 7);
	ck_assert_int_eq(m.unknown_type_responses, 1);
	ck_assert_int_eq(m.n_organisations, 3);
	ck_assert_int_eq(m.n_campaigns, 1);
	ck_assert_int_eq(m.campaign_responses, 4);
	ck_assert_int_eq(m.counted_as_one, 8);
	ck_assert_int_eq(m.no_theme, 1);
	/* days: Jan 1, 2, 3, 5, 6, 7, 8, 9 and the late Jan 11 */
	ck_assert_uint_eq(m.n_days, 9);
	ck_assert_str_eq(m.days[0].day, "2022-01-01");
	ck_assert_int_eq(m.days[0].responses, 1);
	ck_assert_str_eq(m.days[2].day, "2022-01-03");
	ck_assert_int_eq(m.days[2].responses, 2);
	ck_assert_str_eq(m.days[7].day, "2022-01-09");
	ck_assert_int_eq(m.days[7].responses, 2);
	ck_assert_str_eq(m.days[8].day, "2022-01-11");
	ck_assert_int_eq(m.days[8].late, 1);
	int64_t sum = 0;
	for (size_t i = 0; i < m.n_days; i++)
		sum += m.days[i].responses;
	ck_assert_int_eq(sum, m.counted);
	report_model_free(&m);
}
END_TEST

START_TEST(themes_and_excerpts)
{
	struct report_model m;
	build_model(&m, true);
	ck_assert_uint_eq(m.n_themes, themes_count(ts));
	/* ranked: asb 7, then violence 2 and trust 2 in theme-file order */
	ck_assert_str_eq(m.themes[0].id, "asb");
	ck_assert_str_eq(m.themes[1].id, "violence");
	ck_assert_str_eq(m.themes[2].id, "trust");
	ck_assert_int_eq(m.themes[3].responses, 0);
	struct report_theme *asb = theme(&m, "asb");
	ck_assert_int_eq(asb->responses, 7);
	ck_assert_int_eq(asb->organisations, 1);
	ck_assert_int_eq(asb->individuals, 5);
	ck_assert_int_eq(asb->unknown_type, 1);
	ck_assert_int_eq(asb->as_one, 4);
	ck_assert_str_eq(asb->label, "Anti-social behaviour");
	/* excerpts: the best campaign response only once, the organisation,
	 * the unknown-type letter, then the best remaining; score order */
	ck_assert_uint_eq(asb->n_excerpts, 4);
	char want[4][32];
	storage_format_ref(id_camp[3], want[0], 32);
	storage_format_ref(id_script, want[1], 32);
	storage_format_ref(id_phone, want[2], 32);
	storage_format_ref(id_import, want[3], 32);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(asb->excerpts[i].ref, want[i]);
	ck_assert_str_eq(asb->excerpts[1].who, "Camden Residents' Association");
	ck_assert_str_eq(asb->excerpts[1].area, "Camden");
	ck_assert_ptr_nonnull(strstr(asb->excerpts[1].text, "[address]"));
	ck_assert_ptr_null(strstr(asb->excerpts[1].text, "Acacia"));
	ck_assert_ptr_nonnull(strstr(asb->excerpts[2].text, "[phone]"));
	ck_assert_ptr_nonnull(strstr(asb->excerpts[2].text, "[email]"));
	ck_assert_ptr_null(strstr(asb->excerpts[2].text, "7946"));
	ck_assert_str_eq(asb->excerpts[3].who, "respondent");
	struct report_theme *trust = theme(&m, "trust");
	for (size_t i = 0; i < trust->n_excerpts; i++)
		ck_assert_ptr_null(strstr(trust->excerpts[i].text, "\xe2\x80\xae"));
	report_model_free(&m);
}
END_TEST

/* Near-duplicates that are not marked as a campaign (three people pasting
 * the same sentence) give one excerpt; the others still fill the set up
 * to five, one of each kind of respondent first; a theme with only three
 * responses, all different, shows all three. */
START_TEST(excerpts_near_duplicates_and_minimum)
{
	const char *same = "Drug dealing outside the school gates happens every afternoon "
			   "and nobody ever stops it.";
	int64_t a1 = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3 * DAY, RESPONDENT_INDIVIDUAL, NULL,
			 "camden", same, "drugs", 9.0, NULL, 0);
	add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3 * DAY + 10, RESPONDENT_INDIVIDUAL, NULL,
	    "camden", "Drug dealing outside the school gates happens every afternoon and "
	    "nobody ever stops it!", "drugs", 8.9, NULL, 0);
	add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3 * DAY + 20, RESPONDENT_INDIVIDUAL, NULL,
	    "hackney", "drug dealing outside the school gates happens every afternoon, and "
	    "nobody ever stops it at all", "drugs", 8.8, NULL, 0);
	int64_t b = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3 * DAY + 30, RESPONDENT_ORGANISATION,
			"Hackney Youth Trust", "hackney",
			"Young people are groomed into county lines; fund outreach workers.",
			"drugs", 5.0, NULL, 0);
	int64_t c = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3 * DAY + 40, RESPONDENT_INDIVIDUAL,
			NULL, "islington", "Cannabis smoke fills our stairwell every single night.",
			"drugs", 4.0, NULL, 0);
	int64_t d = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 3 * DAY + 50, RESPONDENT_UNKNOWN,
			NULL, NULL, "Needles are left in the park right next to the playground.",
			"drugs", 3.0, NULL, 0);
	int64_t v[3];
	const char *vt[3] = {"Victims wait months for any update on their case.",
			     "Witness care in court was excellent, please keep funding it.",
			     "After the burglary nobody from victim support ever called me."};
	for (int i = 0; i < 3; i++)
		v[i] = add(CHANNEL_EMAIL, STATUS_RESPONSE, OPENS + 4 * DAY + i, RESPONDENT_INDIVIDUAL,
			   NULL, NULL, vt[i], "victims", 3.0 - i / 10.0, NULL, 0);

	struct report_model m;
	build_model(&m, true);
	struct report_theme *drugs = theme(&m, "drugs");
	ck_assert_int_eq(drugs->responses, 6);
	/* the near-copies of a1 are left out; score order */
	int64_t want[4] = {a1, b, c, d};
	ck_assert_uint_eq(drugs->n_excerpts, 4);
	for (size_t i = 0; i < 4; i++) {
		char ref[32];
		storage_format_ref(want[i], ref, sizeof(ref));
		ck_assert_str_eq(drugs->excerpts[i].ref, ref);
	}
	struct report_theme *victims = theme(&m, "victims");
	ck_assert_uint_eq(victims->n_excerpts, 3);
	for (size_t i = 0; i < 3; i++) {
		char ref[32];
		storage_format_ref(v[i], ref, sizeof(ref));
		ck_assert_str_eq(victims->excerpts[i].ref, ref);
	}
	report_model_free(&m);
}
END_TEST

START_TEST(respondents_campaigns_questions_quality)
{
	struct report_model m;
	build_model(&m, true);
	ck_assert_uint_eq(m.n_organisations_listed, 3);
	ck_assert_str_eq(m.organisations[0].name, "<img src=x onerror=alert(1)>");
	ck_assert_str_eq(m.organisations[1].name, "=HYPERLINK(\"http://x\",\"y\")");
	ck_assert_str_eq(m.organisations[2].name, "Camden Residents' Association");
	/* areas: islington 4, camden 3, hackney 2, the hostile one 1 */
	ck_assert_uint_eq(m.n_areas, 4);
	ck_assert_str_eq(m.areas[0].name, "islington");
	ck_assert_str_eq(m.areas[0].label, "Islington");
	ck_assert_int_eq(m.areas[0].count, 4);
	ck_assert_str_eq(m.areas[1].name, "camden");
	ck_assert_int_eq(m.areas[1].count, 2); /* the resubmission is not counted */
	ck_assert_str_eq(m.areas[2].name, "hackney");
	ck_assert_str_eq(m.areas[3].name, "=cmd"); /* bidi override removed */
	ck_assert(m.areas_configured);
	ck_assert_uint_eq(m.n_silent_areas, 1);
	ck_assert_str_eq(m.silent_areas[0].label, "Bexley");
	/* campaigns */
	ck_assert_uint_eq(m.n_campaigns_listed, 1);
	ck_assert_int_eq(m.campaigns[0].size, 4);
	ck_assert_int_eq(m.campaigns[0].counted, 4);
	ck_assert_ptr_nonnull(strstr(m.campaigns[0].text, "Keep Fernhill station open"));
	/* form questions: the resubmission's answer is not counted */
	ck_assert_uint_eq(m.n_questions, 2);
	ck_assert_str_eq(m.questions[0].id, "priority");
	ck_assert(m.questions[0].choice);
	ck_assert_int_eq(m.questions[0].answered, 2);
	ck_assert_uint_eq(m.questions[0].n_items, 2);
	ck_assert_str_eq(m.questions[0].items[0].name, "Burglary");
	ck_assert_int_eq(m.questions[0].items[0].count, 1);
	ck_assert_str_eq(m.questions[0].items[1].name, "Knife crime");
	ck_assert(!m.questions[1].choice);
	ck_assert_uint_eq(m.questions[1].n_items, 1);
	ck_assert_str_eq(m.questions[1].items[0].name, "violence");
	ck_assert_str_eq(m.questions[1].items[0].label, "Preventing and reducing violence");
	/* data quality */
	ck_assert_uint_eq(m.n_quarantine_reasons, 1);
	ck_assert_str_eq(m.quarantine_reasons[0].name, "message over 25 MB");
	ck_assert_uint_eq(m.n_sources, 1);
	ck_assert_int_eq(m.sources[0].server_count, 14);
	ck_assert_int_eq(m.manual_labels, 1);
	ck_assert(m.accuracy.present);
	ck_assert(m.accuracy.macro_f1 > 0.819 && m.accuracy.macro_f1 < 0.821);
	report_model_free(&m);

	/* without an area list, nobody is named as silent */
	build_model(&m, false);
	ck_assert(!m.areas_configured);
	ck_assert_uint_eq(m.n_silent_areas, 0);
	ck_assert_ptr_null(m.areas[0].label);
	report_model_free(&m);
}
END_TEST

START_TEST(odd_store_rows)
{
	char q[512];
	snprintf(q, sizeof(q),
		 "INSERT INTO response_themes VALUES(%lld, 'retired-theme', 3.0, 't', 'auto');"
		 "INSERT INTO form_answers VALUES(%lld, 5, 'zeta', 'Zeta?', 'choice', 'Yes');"
		 "INSERT INTO form_answers VALUES(%lld, 2, 'alpha', 'Alpha?', 'choice', 'No');"
		 "INSERT INTO form_answers VALUES(%lld, 3, 'comments', 'Anything else?', 'choice', 'x');",
		 (long long)id_phone, (long long)id_form1, (long long)id_form1, (long long)id_form1 + 1);
	sql(q);
	struct report_model m;
	build_model(&m, true);
	/* a theme id the theme file no longer has is shown, not dropped */
	struct report_theme *t = theme(&m, "retired-theme");
	ck_assert(!t->configured);
	ck_assert_int_eq(t->responses, 1);
	ck_assert_uint_eq(m.n_themes, themes_count(ts) + 1);
	/* questions in form order, whichever response answered them first */
	ck_assert_uint_eq(m.n_questions, 4);
	ck_assert_str_eq(m.questions[0].id, "priority");
	ck_assert_str_eq(m.questions[1].id, "comments");
	ck_assert_str_eq(m.questions[2].id, "alpha");
	ck_assert_str_eq(m.questions[3].id, "zeta");
	/* an answer of the other kind counts as answering, adds no item */
	ck_assert_int_eq(m.questions[1].answered, 2);
	ck_assert_uint_eq(m.questions[1].n_items, 1);
	report_model_free(&m);
	char *md = render(REPORT_MARKDOWN, OPENS);
	ck_assert_ptr_nonnull(strstr(md, "| retired-theme (not in the theme file) | 1 |"));
	free(md);
}
END_TEST

START_TEST(accuracy_file)
{
	struct report_accuracy a;
	char p[256];
	snprintf(p, sizeof(p), "%s/t.themes", dir);
	write_text("t.accuracy", "[accuracy]\ntheme_set = other-set\nmacro_f1 = 0.9\n");
	report_accuracy_load(p, "london-pcp-2021", &a);
	ck_assert(!a.present);
	ck_assert_ptr_nonnull(strstr(a.note, "another theme set"));
	report_accuracy_free(&a);
	write_text("t.accuracy", "[accuracy]\ntheme_set = london-pcp-2021\nmacro_f1 = 7\n");
	report_accuracy_load(p, "london-pcp-2021", &a);
	ck_assert(!a.present);
	report_accuracy_free(&a);
	unlink(strcat(strcpy(p, dir), "/t.accuracy"));
	snprintf(p, sizeof(p), "%s/t.themes", dir);
	report_accuracy_load(p, "london-pcp-2021", &a);
	ck_assert(!a.present);
	ck_assert_ptr_nonnull(strstr(a.note, "no measured accuracy"));
	report_accuracy_free(&a);
}
END_TEST

START_TEST(bad_areas_file_keeps_the_summary)
{
	write_text("areas.txt", "camden\ncamden\n");
	char *md = render(REPORT_MARKDOWN, OPENS);
	ck_assert_ptr_nonnull(strstr(md, "The list of areas could not be read ("));
	ck_assert_ptr_nonnull(strstr(md, "areas.txt:2: area id listed twice"));
	ck_assert_ptr_nonnull(strstr(md, "**11 responses**"));
	free(md);
}
END_TEST

START_TEST(areas_file)
{
	struct report_areas a;
	ck_assert_int_eq(report_areas_parse("x = X\ny\n", 8, "f", &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_str_eq(a.v[1].name, "y");
	report_areas_free(&a);
	ck_assert_int_eq(report_areas_parse("x\nx = X\n", 8, "f", &a, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "f:2: area id listed twice");
	ck_assert_int_eq(report_areas_parse("= X\n", 4, "f", &a, err, sizeof(err)), -1);
	ck_assert_int_eq(report_areas_parse("a\0b\n", 4, "f", &a, err, sizeof(err)), -1);
	ck_assert_int_eq(report_areas_parse("a\x1b" "b\n", 4, "f", &a, err, sizeof(err)), -1);
	ck_assert_int_eq(report_areas_parse("a =\n", 4, "f", &a, err, sizeof(err)), -1);
	ck_assert_int_eq(report_areas_load("/nonexistent/areas", &a, err, sizeof(err)), -1);
}
END_TEST

/* Render f into a string. */
static char *render(enum report_format f, int64_t now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	ck_assert_msg(report_write(out, f, st, cfg, ts, now, true, err, sizeof(err)) == 0, "%s", err);
	fclose(out);
	return buf;
}

/* The text without its "generated" line. */
static char *without_generated(const char *s)
{
	char *out = strdup(s);
	char *o = out;
	int dropped = 0;
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t n = nl != NULL ? (size_t)(nl - s) + 1 : strlen(s);
		char line[4096];
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), s);
		if (strstr(line, "generated") != NULL)
			dropped++;
		else {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	*o = '\0';
	ck_assert_int_le(dropped, 1);
	return out;
}

START_TEST(same_store_same_bytes)
{
	for (int f = REPORT_MARKDOWN; f <= REPORT_JSON; f++) {
		char *a = render((enum report_format)f, OPENS + 12 * DAY);
		char *b = render((enum report_format)f, OPENS + 13 * DAY + 17);
		if (f != REPORT_CSV)
			ck_assert_msg(strcmp(a, b) != 0, "format %d: the time line must differ", f);
		char *x = without_generated(a), *y = without_generated(b);
		ck_assert_msg(strcmp(x, y) == 0, "format %d differs beyond the generation line", f);
		free(a), free(b), free(x), free(y);
	}
}
END_TEST

START_TEST(markdown_escapes)
{
	char *md = render(REPORT_MARKDOWN, OPENS);
	/* every '<' of the text is escaped, so no tag can form */
	for (const char *p = md; (p = strchr(p, '<')) != NULL; p++)
		ck_assert_msg(p > md && p[-1] == '\\', "unescaped '<' at %.20s", p);
	ck_assert_ptr_nonnull(strstr(md, "\\<script\\>"));
	ck_assert_ptr_nonnull(strstr(md, "# Plan \\<b\\>\\&\\</b\\> \"test\" — closing summary"));
	ck_assert_ptr_nonnull(strstr(md, "| Anti-social behaviour | 7 | 64% | 1 | 5 | 4 |"));
	ck_assert_ptr_nonnull(strstr(md, "**11 responses**: 8 by email, 2 by web form, 1 imported."));
	ck_assert_ptr_nonnull(strstr(md, "**Configured areas with no response** (1): Bexley."));
	ck_assert_ptr_nonnull(strstr(md, "macro-F1 0.820"));
	ck_assert_ptr_null(strstr(md, "\xe2\x80\xae"));
	ck_assert_ptr_null(strstr(md, "jo@example.org"));
	free(md);
}
END_TEST

START_TEST(html_escapes)
{
	char *html = render(REPORT_HTML, OPENS);
	/* the only tags are the writer's own */
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "<a "));
	ck_assert_ptr_null(strstr(html, "<b>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "<title>Plan &lt;b&gt;&amp;&lt;/b&gt; &quot;test&quot; — closing summary</title>"));
	ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy"));
	ck_assert_ptr_null(strstr(html, "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(html, "=HYPERLINK(&quot;"));
	/* charts with text alternatives, real tables, A4 print rules */
	ck_assert_ptr_nonnull(strstr(html, "<svg id=\"chart-themes\" role=\"img\""));
	ck_assert_ptr_nonnull(strstr(html, "<svg id=\"chart-areas\" role=\"img\""));
	ck_assert_ptr_nonnull(strstr(html, "<svg id=\"chart-days\" role=\"img\""));
	ck_assert_ptr_nonnull(strstr(html, "<desc id=\"chart-themes-d\">"));
	ck_assert_ptr_nonnull(strstr(html, "<th scope=\"col\">theme</th>"));
	ck_assert_ptr_nonnull(strstr(html, "@page{size:A4"));
	ck_assert_ptr_null(strstr(html, "src=\"http"));
	ck_assert_ptr_null(strstr(html, "href=\"http"));
	free(html);
}
END_TEST

START_TEST(json_figures)
{
	char *js = render(REPORT_JSON, OPENS);
	json_error_t je;
	json_t *root = json_loads(js, 0, &je);
	ck_assert_msg(root != NULL, "%s", je.text);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(root, "headline"), "counted")), 11);
	json_t *t0 = json_array_get(json_object_get(root, "themes"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(t0, "id")), "asb");
	ck_assert_int_eq(json_integer_value(json_object_get(t0, "campaigns_as_one")), 4);
	ck_assert_uint_eq(json_array_size(json_object_get(t0, "excerpts")), 4);
	json_t *acc = json_object_get(json_object_get(root, "data_quality"), "accuracy");
	ck_assert(json_real_value(json_object_get(acc, "macro_f1")) > 0.8);
	json_decref(root);
	free(js);
}
END_TEST

START_TEST(csv_guarded)
{
	char *csv = render(REPORT_CSV, OPENS);
	/* header + one row per stored response, CRLF line ends */
	int rows = 0;
	for (const char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2)
		rows++;
	ck_assert_int_eq(rows, 17);
	ck_assert_ptr_nonnull(strstr(csv, "\"reference\",\"channel\",\"received\",\"status\""));
	ck_assert_ptr_nonnull(strstr(csv, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
	ck_assert_ptr_nonnull(strstr(csv, ",\"'=cmd\","));
	ck_assert_ptr_null(strstr(csv, "\xe2\x80\xae"));
	char ref[32], line[256];
	storage_format_ref(id_script, ref, sizeof(ref));
	snprintf(line, sizeof(line), "\"%s\",\"email\",\"2022-01-02T00:01:00Z\",\"response\",\"0\",\"\","
		 "\"organisation\",\"Camden Residents' Association\",\"camden\",\"\",\"1\",\"0\",\"0\","
		 "\"0\",\"1\",", ref);
	ck_assert_msg(strstr(csv, line) != NULL, "no row %s", line);
	free(csv);

	static const char *const bad[][2] = {
		{"=1+1", "\"'=1+1\""}, {"+1", "\"'+1\""}, {"-1", "\"'-1\""}, {"@SUM(A1)", "\"'@SUM(A1)\""},
		{"\t=1", "\"' =1\""}, {"\r=1", "\"' =1\""}, {"  =1", "\"'  =1\""},
		{"\xe2\x80\xae=1", "\"'=1\""}, {"\xef\xbc\x9d" "1", "\"'\xef\xbc\x9d" "1\""},
		{"a\"b", "\"a\"\"b\""}, {"line\nbreak", "\"line break\""}, {"plain", "\"plain\""},
		{"", "\"\""}, {"1-2", "\"1-2\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *c = report_csv_cell(bad[i][0]);
		ck_assert_msg(strcmp(c, bad[i][1]) == 0, "cell(%s) = %s, want %s", bad[i][0], c, bad[i][1]);
		free(c);
	}
}
END_TEST

static int count_dir(const char *d, const char *prefix)
{
	DIR *dp = opendir(d);
	ck_assert_ptr_nonnull(dp);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(dp);
	return n;
}

START_TEST(closing_files)
{
	char path[4096];
	ck_assert_msg(report_write_closing(cfg, ts, OPENS + 12 * DAY, path, sizeof(path), err,
					   sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(strstr(path, "/reports/closing-summary-2022-01-10.md"));
	const char *ext[] = {"md", "html", "csv", "json"};
	for (int i = 0; i < 4; i++) {
		char p[4200];
		struct stat sb;
		snprintf(p, sizeof(p), "%s/closing-summary-2022-01-10.%s", cfg->report_folder, ext[i]);
		ck_assert_msg(stat(p, &sb) == 0 && sb.st_size > 100, "%s", p);
		ck_assert_int_eq(sb.st_mode & 0777, 0600); /* personal data: owner only */
	}
	ck_assert_int_eq(count_dir(cfg->report_folder, "."), 2); /* . and .. only: no temporaries */
}
END_TEST

struct hits {
	int n;
	char refs[8][32];
	char snippet[512];
};

static int collect(void *user, const struct search_hit *h)
{
	struct hits *x = user;
	if (x->n < 8)
		snprintf(x->refs[x->n], 32, "%s", h->ref);
	if (x->n == 0)
		snprintf(x->snippet, sizeof(x->snippet), "%s", h->snippet);
	x->n++;
	return 0;
}

static int search(const char *match, const char *theme, const char *channel, struct hits *h,
		  bool *syntax)
{
	memset(h, 0, sizeof(*h));
	struct search_query q = {.match = match, .theme = theme, .channel = channel, .limit = 20};
	return search_run(st, &q, "[", "]", collect, h, syntax, err, sizeof(err));
}

START_TEST(search_fts)
{
	struct hits h;
	bool syntax;
	/* stemmed: "frighten" finds "frightens" */
	ck_assert_int_eq(search("frighten", NULL, NULL, &h, &syntax), 1);
	char ref[32];
	storage_format_ref(id_form1, ref, sizeof(ref));
	ck_assert_str_eq(h.refs[0], ref);
	ck_assert_ptr_nonnull(strstr(h.snippet, "[frightens]"));
	/* filters */
	ck_assert_int_eq(search("\"anti social\"", NULL, NULL, &h, &syntax), 6);
	ck_assert_int_eq(search("\"anti social\"", NULL, "form", &h, &syntax), 0);
	ck_assert_int_eq(search("trust", "trust", NULL, &h, &syntax), 2);
	ck_assert_int_eq(search("trust", "asb", NULL, &h, &syntax), 0);
	/* by area: the 6 "anti social" are 2 in Camden and the 4 campaign
	 * copies in Islington */
	struct search_query q_area = {.match = "\"anti social\"", .area = "camden", .limit = 20};
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(search_run(st, &q_area, "[", "]", collect, &h, &syntax, err, sizeof(err)), 2);
	q_area.area = "islington";
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(search_run(st, &q_area, "[", "]", collect, &h, &syntax, err, sizeof(err)), 4);
	q_area.area = "hackney";
	ck_assert_int_eq(search_run(st, &q_area, "[", "]", collect, &h, &syntax, err, sizeof(err)), 0);
	/* by date: since is inclusive, until exclusive; the campaign copies
	 * came on days 4 to 7, so [day 4, day 6) holds the first two */
	struct search_query q_date = {.match = "\"anti social\"", .since = OPENS + 4 * DAY,
				      .until = OPENS + 6 * DAY, .limit = 20};
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(search_run(st, &q_date, "[", "]", collect, &h, &syntax, err, sizeof(err)), 2);
	char c0[32], c1[32];
	storage_format_ref(id_camp[0], c0, sizeof(c0));
	storage_format_ref(id_camp[1], c1, sizeof(c1));
	ck_assert(strcmp(h.refs[0], c0) == 0 || strcmp(h.refs[1], c0) == 0);
	ck_assert(strcmp(h.refs[0], c1) == 0 || strcmp(h.refs[1], c1) == 0);
	q_date.since = OPENS + 4 * DAY + 61; /* just after the first copy */
	ck_assert_int_eq(search_run(st, &q_date, "[", "]", collect, &h, &syntax, err, sizeof(err)), 1);
	/* snippets are cleaned of bidi controls */
	ck_assert_int_eq(search("evil", NULL, NULL, &h, &syntax), 1);
	ck_assert_ptr_null(strstr(h.snippet, "\xe2\x80\xae"));
	/* bad syntax: a clear error, flagged as the query's fault */
	ck_assert_int_eq(search("\"unbalanced", NULL, NULL, &h, &syntax), -1);
	ck_assert(syntax);
	ck_assert_ptr_nonnull(strstr(err, "not valid search syntax"));
	ck_assert_int_eq(search("AND OR", NULL, NULL, &h, &syntax), -1);
	ck_assert(syntax);
	ck_assert_int_eq(search("nosuchcol:word", NULL, NULL, &h, &syntax), -1);
	ck_assert(syntax);
	ck_assert_int_eq(search("", NULL, NULL, &h, &syntax), -1);
	ck_assert(syntax);
	/* deleting a response takes it out of the index */
	char q[128];
	snprintf(q, sizeof(q), "DELETE FROM responses WHERE id = %lld", (long long)id_form1);
	sql(q);
	ck_assert_int_eq(search("frighten", NULL, NULL, &h, &syntax), 0);
	/* re-parsing replaces the indexed text */
	struct response r = {0};
	r.status = STATUS_RESPONSE;
	r.text = strdup("Now about shoplifting only.");
	r.subject = strdup("Replaced");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_replace_parsed(st, id_eq, &r), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	response_clear(&r);
	ck_assert_int_eq(search("shoplifting", NULL, NULL, &h, &syntax), 1);
	ck_assert_int_eq(search("police", NULL, NULL, &h, &syntax), 0);
	/* stored and edited in one transaction (a form response edited on the
	 * page that brings it): indexed once, with the edited text */
	struct response n = {0};
	n.channel = CHANNEL_FORM;
	n.status = STATUS_RESPONSE;
	n.source_id = strdup("form:test");
	n.idem_key = strdup("form:test:edited-1");
	n.received_at = OPENS;
	n.subject = strdup("First");
	n.text = strdup("Streetlights broken along the towpath.");
	n.raw = (unsigned char *)strdup("{}");
	n.raw_len = 2;
	bool inserted;
	int64_t nid;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &n, OPENS, &inserted, &nid), 0);
	free(n.text);
	n.text = strdup("Edited: the towpath needs a gondola watch.");
	ck_assert_int_eq(storage_replace_parsed(st, nid, &n), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(search("towpath", NULL, NULL, &h, &syntax), 1);
	ck_assert_int_eq(search("streetlights", NULL, NULL, &h, &syntax), 0);
	ck_assert_int_eq(search("gondola", NULL, NULL, &h, &syntax), 1);
	/* stored outside a transaction: indexed at once */
	free(n.idem_key);
	n.idem_key = strdup("form:test:autocommit-1");
	free(n.text);
	n.text = strdup("Nobody answers the non-emergency number.");
	ck_assert_int_eq(storage_insert_response(st, &n, OPENS, &inserted, &nid), 0);
	ck_assert(inserted);
	ck_assert_int_eq(search("emergency", NULL, NULL, &h, &syntax), 1);
	/* a rolled-back insert leaves nothing to index at the next commit */
	free(n.idem_key);
	n.idem_key = strdup("form:test:rolled-back-1");
	free(n.text);
	n.text = strdup("Kayaks stolen from the boathouse.");
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &n, OPENS, &inserted, &nid), 0);
	storage_rollback(st);
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert_int_eq(search("kayaks", NULL, NULL, &h, &syntax), 0);
	response_clear(&n);
	/* the index agrees with its content table */
	sql("INSERT INTO response_fts(response_fts, rank) VALUES('integrity-check', 1)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, headline);
	tcase_add_test(tc, themes_and_excerpts);
	tcase_add_test(tc, excerpts_near_duplicates_and_minimum);
	tcase_add_test(tc, respondents_campaigns_questions_quality);
	tcase_add_test(tc, odd_store_rows);
	tcase_add_test(tc, accuracy_file);
	tcase_add_test(tc, areas_file);
	tcase_add_test(tc, bad_areas_file_keeps_the_summary);
	tcase_add_test(tc, same_store_same_bytes);
	tcase_add_test(tc, markdown_escapes);
	tcase_add_test(tc, html_escapes);
	tcase_add_test(tc, json_figures);
	tcase_add_test(tc, csv_guarded);
	tcase_add_test(tc, closing_files);
	tcase_add_test(tc, search_fts);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
