/*
 * test_torture.c — fail every allocation in turn.
 *
 * For each parser of outside input and for storage, the call under test is
 * run with allocation N failing, for N = 1, 2, ... until a run completes
 * without reaching N. Each run that hit its failure must return an error
 * (SQLite alone may recover from a failed allocation by itself: its
 * "benign" failures), and every run, failed or not, must leave nothing
 * allocated once the call has returned and the test has freed what it
 * returned. See alloc_hook.h for what the hook can and cannot reach: GLib
 * and GMime abort on allocation failure by design, so for MIME only our own
 * code's allocations (and the C library's getline/realpath/fopen) fail.
 *
 * Built with -Wl,--wrap=... (tests/torture/CMakeLists.txt). The sanitizer
 * build runs this too, so LeakSanitizer checks what the table cannot see.
 */
#include "alloc_hook.h"

#include "classify/areas.h"
#include "classify/campaign.h"
#include "classify/classify.h"
#include "classify/model.h"
#include "classify/themes.h"
#include "config/config.h"
#include "intake/form_map.h"
#include "intake/mime.h"
#include "storage/storage.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RUNS 1000000L

static char dir[4096];
static char err[16384];

/*
 * Checks made while armed must not go through Check, whose own
 * allocations (libcheck is linked statically) would be counted and failed:
 * they note the first problem here, and the harness asserts on it once
 * disarmed.
 */
static char problem[512];
static long current_n; /* the allocation failing in this run, for messages */
#define EXPECT(cond) \
	do { \
		if (!(cond) && problem[0] == '\0') \
			snprintf(problem, sizeof(problem), "line %d: %s", __LINE__, #cond); \
	} while (0)

/* One case: run() is called armed and must free whatever it got. */
struct torture {
	const char *name;
	void *ctx;
	void (*setup)(void *ctx);          /* unarmed, before each run */
	int (*run)(void *ctx);             /* 0 or -1 */
	void (*after_error)(void *ctx, bool injected); /* unarmed, after -1 */
	void (*after_success)(void *ctx);  /* unarmed, after 0 */
	bool may_fail;                     /* -1 is also right with no failure */
	void (*teardown)(void *ctx);       /* unarmed, after each run */
};

static void torture(const struct torture *t)
{
	long benign = 0;
	/* A first run, unarmed, so one-time set-up (GMime, SQLite, the
	 * per-thread stemmer) is not mistaken for a leak; then one armed with
	 * nothing failing, which must succeed and free everything. */
	current_n = 0;
	if (t->setup)
		t->setup(t->ctx);
	problem[0] = '\0';
	int rc_warm = t->run(t->ctx);
	ck_assert_msg(problem[0] == '\0', "%s: %s", t->name, problem);
	ck_assert_msg(rc_warm == 0 || t->may_fail, "%s: fails with no allocation failure", t->name);
	if (t->teardown)
		t->teardown(t->ctx);
	if (t->setup)
		t->setup(t->ctx);
	hook_arm(0);
	int rc0 = t->run(t->ctx);
	struct hook_report r0 = hook_disarm();
	ck_assert_msg(problem[0] == '\0', "%s: %s", t->name, problem);
	ck_assert_msg(rc0 == 0 || t->may_fail, "%s: fails with no allocation failure", t->name);
	ck_assert_msg(r0.live == 0, "%s: %ld allocations leaked with no failure", t->name, r0.live);
	if (t->teardown)
		t->teardown(t->ctx);
	long sqlite_base = hook_sqlite_live();

	long n;
	for (n = 1; n < MAX_RUNS; n++) {
		current_n = n;
		if (t->setup)
			t->setup(t->ctx);
		problem[0] = '\0';
		hook_arm(n);
		int rc = t->run(t->ctx);
		struct hook_report r = hook_disarm();
		ck_assert_msg(problem[0] == '\0', "%s: N=%ld: %s", t->name, n, problem);
		ck_assert_msg(r.live == 0, "%s: N=%ld: %ld allocations leaked (rc %d)",
			      t->name, n, r.live, rc);
		if (rc == 0) {
			ck_assert_msg(!r.injected || r.injected_sqlite,
				      "%s: N=%ld: allocation %ld failed but the call succeeded",
				      t->name, n, n);
			if (r.injected)
				benign++;
			if (t->after_success)
				t->after_success(t->ctx);
		} else {
			ck_assert_msg(rc == -1, "%s: N=%ld: returned %d", t->name, n, rc);
			ck_assert_msg(r.injected || t->may_fail,
				      "%s: N=%ld: failed though no allocation failed", t->name, n);
			if (t->after_error)
				t->after_error(t->ctx, r.injected);
		}
		if (t->teardown)
			t->teardown(t->ctx);
		long sq = hook_sqlite_live();
		ck_assert_msg(sq == sqlite_base,
			      "%s: N=%ld: SQLite holds %ld allocations, %ld before (rc %d)",
			      t->name, n, sq, sqlite_base, rc);
		if (!r.injected)
			break; /* ran to the end without reaching N */
	}
	ck_assert_msg(n < MAX_RUNS, "%s: never completed", t->name);
	printf("torture %-34s %6ld allocations failed in turn, %ld recovered by SQLite\n",
	       t->name, n - 1, benign);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- config ---- */

struct config_ctx {
	char path[4200];
	struct config *cfg;
	bool expect_ok;
};

static int config_run(void *p)
{
	struct config_ctx *c = p;
	c->cfg = (struct config *)&c->cfg; /* must be set to NULL on failure */
	int rc = config_load(c->path, &c->cfg, err, sizeof(err));
	if (rc == 0) {
		config_free(c->cfg);
		c->cfg = NULL;
	}
	return rc;
}

static void config_after_error(void *p, bool injected)
{
	struct config_ctx *c = p;
	ck_assert_ptr_null(c->cfg);
	if (injected)
		ck_assert_msg(strstr(err, "out of memory") != NULL ||
			      strstr(err, "Cannot allocate memory") != NULL,
			      "config: N=%ld: out of memory not reported: %.400s", current_n, err);
	else
		ck_assert_msg(strstr(err, "unknown key") != NULL, "config: %.400s", err);
}

#define CONFIG_BASE \
	"[consultation]\n" \
	"name = Police and Crime Plan\n" \
	"opens = 2021-11-16T00:00:00Z\n" \
	"closes = 2022-01-21T23:59:00+00:00\n" \
	"grace = 24h\n" \
	"themes = themes/london.themes\n" \
	"[imap]\n" \
	"host = imap.example.org\n" \
	"user = consult\n" \
	"password_file = secret\n" \
	"poll_interval = 5m\n" \
	"[storage]\n" \
	"path = data/consultd.sqlite\n" \
	"[report]\n" \
	"folder = reports\n"

START_TEST(config_good)
{
	struct config_ctx c = {.expect_ok = true};
	snprintf(c.path, sizeof(c.path), "%s/good.conf", dir);
	write_file(c.path, CONFIG_BASE
		   "[receipts]\nhost = smtp.example.org\ntls = starttls\nuser = consult\n"
		   "password_file = secret\nfrom_address = consult@example.org\nfrom_name = Team\n"
		   "reply_to = team@example.org\nsubject = Receipt {reference}\n"
		   "body = Dear {name}, thank you. {reference}{late_note}\n"
		   "no_reply = alerts-*, *@donotanswer.example\n");
	struct torture t = {
		.name = "config_load (good)",
		.ctx = &c,
		.run = config_run,
		.after_error = config_after_error,
	};
	torture(&t);
}
END_TEST

START_TEST(config_bad)
{
	struct config_ctx c = {0};
	snprintf(c.path, sizeof(c.path), "%s/bad.conf", dir);
	write_file(c.path, CONFIG_BASE "colour = blue\n[imap]\ntls = none\nport = 0\n"
		   "[nowhere]\nkey = value\n");
	struct torture t = {
		.name = "config_load (errors)",
		.ctx = &c,
		.run = config_run,
		.after_error = config_after_error,
		.may_fail = true,
	};
	torture(&t);
}
END_TEST

START_TEST(config_forms)
{
	struct config_ctx c = {.expect_ok = true};
	snprintf(c.path, sizeof(c.path), "%s/forms.conf", dir);
	write_file(c.path, CONFIG_BASE
		   "[form]\npreset = typeform\nurl = https://api.typeform.com/forms/abc/responses\n"
		   "token_file = tf.token\nquestion.views = Views\nchoice.prio = Priorities\n"
		   "name_field = name\n"
		   "[form council]\npreset = generic\nurl = http://127.0.0.1:8080/subs\n"
		   "items = /data\nid = /id\nsubmitted = /at\nnext = /next\nemail = /e\n"
		   "question./q1 = Q1\n");
	struct torture t = {
		.name = "config_load ([form])",
		.ctx = &c,
		.run = config_run,
		.after_error = config_after_error,
	};
	torture(&t);
}
END_TEST

/* ---- themes ---- */

struct themes_ctx {
	char path[4200];
};

static int themes_run(void *p)
{
	struct themes_ctx *c = p;
	struct theme_set *ts = themes_load(c->path, err, sizeof(err));
	if (ts == NULL)
		return -1;
	themes_free(ts);
	return 0;
}

static void themes_after_error(void *p, bool injected)
{
	if (injected)
		ck_assert_msg(strstr(err, "out of memory") != NULL ||
			      strstr(err, "Cannot allocate memory") != NULL,
			      "themes: N=%ld: out of memory not reported: %.400s", current_n, err);
	else
		ck_assert_msg(strstr(err, "unknown key") != NULL, "themes: %.400s", err);
}

START_TEST(themes_shipped)
{
	struct themes_ctx c;
	snprintf(c.path, sizeof(c.path), "%s/config/themes/london-pcp.themes", SOURCE_DIR);
	struct torture t = {
		.name = "themes_load (shipped)",
		.ctx = &c,
		.run = themes_run,
		.after_error = themes_after_error,
	};
	torture(&t);
}
END_TEST

START_TEST(themes_bad)
{
	struct themes_ctx c;
	snprintf(c.path, sizeof(c.path), "%s/bad.themes", dir);
	write_file(c.path,
		   "[set]\nid = test\nthreshold = 2\n"
		   "[theme a]\nlabel = A\nterm = anti-social behaviour | 2\nterm = bike\n"
		   "against = bicycle lane\ncolour = red\n"
		   "[theme b]\nlabel = B\nterm = the\nterm = x,y\nterm = Bike\n"
		   "[theme a]\n[elsewhere]\nk = v\nno equals here\n");
	struct torture t = {
		.name = "themes_load (errors)",
		.ctx = &c,
		.run = themes_run,
		.after_error = themes_after_error,
		.may_fail = true,
	};
	torture(&t);
}
END_TEST

/* A theme file that brings the consultation's document, then a response
 * with a passage of it pasted back: loading and setting the passage aside. */
static int themes_document_run(void *p)
{
	struct themes_ctx *c = p;
	struct theme_set *ts = themes_load(c->path, err, sizeof(err));
	if (ts == NULL)
		return -1;
	struct own_words_aside aside;
	char *own = classify_own_words(ts, "You say \"we will tackle burglary, robbery and "
				       "knife crime by targeting offenders\". No.", &aside);
	themes_free(ts);
	if (own == NULL) {
		snprintf(err, sizeof(err), "out of memory");
		return -1;
	}
	/* Checked here, but reported unarmed: Check allocates. */
	if (strcmp(own, "You say \"\n\n\". No.") != 0 || aside.pasted != 71)
		snprintf(problem, sizeof(problem), "pasted text not set aside: [%.200s] %zu", own,
			 aside.pasted);
	free(own);
	return 0;
}

START_TEST(themes_document)
{
	struct themes_ctx c;
	char doc[4300];
	snprintf(doc, sizeof(doc), "%s/plan.txt", dir);
	write_file(doc, "Our plan. We will tackle burglary, robbery and knife crime by "
		   "targeting offenders, and support victims.\n");
	snprintf(c.path, sizeof(c.path), "%s/document.themes", dir);
	write_file(c.path, "[set]\nid = test\ndocument = plan.txt\n"
		   "[theme a]\nlabel = A\nterm = burglary | 3\n");
	struct torture t = {
		.name = "themes_load with a document, pasted text set aside",
		.ctx = &c,
		.run = themes_document_run,
		.after_error = themes_after_error,
	};
	torture(&t);
}
END_TEST

/* ---- form pages ---- */

struct form_ctx {
	char *json;
	size_t len;
	struct form_map_config mc;
};

static int form_run(void *p)
{
	struct form_ctx *c = p;
	struct form_page page;
	int rc = form_map_page(&c->mc, c->json, c->len, &page, err, sizeof(err));
	if (rc == 0) {
		EXPECT(page.n == 3 && page.n_bad == 1);
		form_page_clear(&page);
	} else {
		EXPECT(page.n == 0 && page.items == NULL);
	}
	return rc;
}

static void form_after_error(void *p, bool injected)
{
	ck_assert_msg(strstr(err, "out of memory") != NULL, "form: N=%ld: %.400s", current_n, err);
}

START_TEST(form_map)
{
	static const struct form_question qs[] = {
		{.id = "views", .label = "Views", .kind = ANSWER_TEXT},
		{.id = "PNe8ZKBK8G8r", .label = "Priorities", .kind = ANSWER_CHOICE},
	};
	struct form_ctx c = {.mc = {.preset = FORM_TYPEFORM, .form_id = "f", .questions = qs,
				    .n_questions = 2, .name_field = "name"}};
	char path[4200];
	snprintf(path, sizeof(path), "%s/tests/data/forms/typeform-page.json", SOURCE_DIR);
	FILE *f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	static char buf[65536];
	c.len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	c.json = buf;
	struct torture t = {
		.name = "form_map_page (typeform)",
		.ctx = &c,
		.run = form_run,
		.after_error = form_after_error,
	};
	torture(&t);
}
END_TEST

/* ---- classify ---- */

struct classify_ctx {
	struct theme_set *ts;
	const char *text;
	size_t want;
};

static int classify_run(void *p)
{
	struct classify_ctx *c = p;
	struct theme_hit *hits = (struct theme_hit *)&c->ts;
	size_t n = 99;
	int rc = classify_text(c->ts, "Police and crime plan", c->text, &hits, &n);
	if (rc == 0) {
		EXPECT(n == c->want);
		classify_free_hits(hits, n);
	} else {
		EXPECT(hits == NULL);
		EXPECT(n == 0);
	}
	return rc;
}

START_TEST(classify)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/config/themes/london-pcp.themes", SOURCE_DIR);
	struct classify_ctx c;
	c.ts = themes_load(path, err, sizeof(err));
	ck_assert_msg(c.ts != NULL, "%.400s", err);
	c.text = "We never see a copper round here any more. The station was sold and "
		 "the drug dealers on the stairs know it. My neighbour was burgled twice "
		 "and nobody came. Anti-social behaviour, off-road bikes, knife crime: "
		 "victims are not listened to and trust in the police is gone. County "
		 "lines are exploiting children at the school gates.";
	struct theme_hit *hits;
	ck_assert_int_eq(classify_text(c.ts, "Police and crime plan", c.text, &hits, &c.want), 0);
	ck_assert_uint_gt(c.want, 2);
	classify_free_hits(hits, c.want);
	struct torture t = {
		.name = "classify_text",
		.ctx = &c,
		.run = classify_run,
	};
	torture(&t);
	themes_free(c.ts);
}
END_TEST

/* ---- areas, respondent type, the model, campaigns ---- */

struct areas_ctx {
	char path[4200];
	const char *want;   /* in the message of a refusal not caused by us */
};

static int areas_run(void *p)
{
	struct areas_ctx *c = p;
	struct area_set *as = areas_load(c->path, err, sizeof(err));
	if (as == NULL)
		return -1;
	EXPECT(areas_count(as) > 0);
	areas_free(as);
	return 0;
}

static void areas_after_error(void *p, bool injected)
{
	struct areas_ctx *c = p;
	if (injected)
		ck_assert_msg(strstr(err, "out of memory") != NULL ||
			      strstr(err, "Cannot allocate memory") != NULL,
			      "areas: N=%ld: out of memory not reported: %.400s", current_n, err);
	else
		ck_assert_msg(strstr(err, c->want) != NULL, "areas: %.400s", err);
}

START_TEST(areas)
{
	struct areas_ctx c = {.want = "(none)"};
	snprintf(c.path, sizeof(c.path), "%s/config/areas/london-boroughs.areas", SOURCE_DIR);
	struct torture t = {
		.name = "areas_load (shipped)", .ctx = &c, .run = areas_run,
		.after_error = areas_after_error,
	};
	torture(&t);
}
END_TEST

START_TEST(areas_errors)
{
	struct areas_ctx c = {.want = "duplicate area id"};
	snprintf(c.path, sizeof(c.path), "%s/bad.areas", dir);
	write_file(c.path, "[set]\nid = x\n[area a]\nname = A\nalias = Ay\ndomain = a.gov.uk\n"
			   "[area a]\n[area b]\nname = ay\ndomain = A.gov.uk\ncolour = red\n"
			   "junk\n[area c]\n");
	struct torture t = {
		.name = "areas_load (errors)", .ctx = &c, .run = areas_run,
		.after_error = areas_after_error, .may_fail = true,
	};
	torture(&t);
}
END_TEST

struct response_ctx {
	struct theme_set *ts;
	struct model *m;
};

/* Themes (with the model when there is one), respondent type and area. */
static int response_run(void *p)
{
	struct response_ctx *c = p;
	struct response r = {0};
	int rc = -1;
	r.subject = strdup("Croydon Safer Neighbourhood Board response");
	r.text = strdup("Croydon SNB welcomes the consultation on behalf of our members. We "
			"want ward officers back in Thornton Heath; knife crime and dealing "
			"worry residents.\n\n> On Monday MOPAC wrote:\n> Lambeth\n\n"
			"[attachment: a.txt]\nCounty lines in Croydon.\n");
	r.sender_email = strdup("chair@example.org");
	if (r.subject != NULL && r.text != NULL && r.sender_email != NULL)
		rc = c->m != NULL ? model_classify_response(c->m, &r) : classify_response(c->ts, &r);
	if (rc == 0) {
		EXPECT(r.respondent_type == RESPONDENT_ORGANISATION);
		EXPECT(r.organisation != NULL && strcmp(r.organisation, "Croydon Safer Neighbourhood Board") == 0);
		EXPECT(r.area != NULL && strcmp(r.area, "croydon") == 0);
		EXPECT(r.n_themes > 0);
	}
	response_clear(&r);
	return rc;
}

static struct theme_set *load_with_areas(void)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/config/themes/london-pcp.themes", SOURCE_DIR);
	struct theme_set *ts = themes_load(path, err, sizeof(err));
	ck_assert_msg(ts != NULL, "%.400s", err);
	snprintf(path, sizeof(path), "%s/config/areas/london-boroughs.areas", SOURCE_DIR);
	struct area_set *as = areas_load(path, err, sizeof(err));
	ck_assert_msg(as != NULL, "%.400s", err);
	themes_set_areas(ts, as);
	return ts;
}

START_TEST(classify_response_all)
{
	struct response_ctx c = {.ts = load_with_areas()};
	struct torture t = {.name = "classify_response", .ctx = &c, .run = response_run};
	torture(&t);
	/* The same with a model trained from labels. */
	static const char *const texts[] = {
		"the feds treat us like dirt", "feds treat young lads like dirt",
		"they treat us like dirt, the feds", "the bins were not collected",
		"unsubscribe me please", "street lights are broken on our road",
	};
	bool labels[6][64] = {{false}};
	struct model_doc docs[6];
	long tr = themes_find(c.ts, "trust");
	for (size_t i = 0; i < 6; i++) {
		labels[i][tr] = i < 3;
		docs[i] = (struct model_doc){NULL, texts[i], labels[i]};
	}
	c.m = model_train(c.ts, docs, 6);
	ck_assert_ptr_nonnull(c.m);
	t.name = "model_classify_response";
	torture(&t);
	model_free(c.m);
	themes_free(c.ts);
}
END_TEST

struct train_ctx {
	struct theme_set *ts;
	struct model_doc docs[8];
	bool labels[8][64];
};

static int train_run(void *p)
{
	struct train_ctx *c = p;
	struct model *m = model_train(c->ts, c->docs, 8);
	if (m == NULL)
		return -1;
	model_free(m);
	return 0;
}

static int campaign_run(void *p)
{
	(void)p;
	static const char *const letter =
		"I am writing about the Police and Crime Plan. I want dedicated ward officers and "
		"PCSOs back on every estate, because the closure of the front counter means "
		"residents have nowhere to report crime in person.";
	struct campaign_builder *b = campaign_builder_new();
	int rc = -1;
	if (b == NULL)
		return -1;
	for (int i = 0; i < 5; i++) {
		char key[32];
		snprintf(key, sizeof(key), "p%d@x.net", i % 4);
		if (campaign_add(b, i + 1, key, i, letter) != 0)
			goto out;
	}
	struct storage_campaign_member *m;
	struct storage_campaign *cs;
	size_t nm, nc;
	if (campaign_build(b, &m, &nm, &cs, &nc) != 0)
		goto out;
	EXPECT(nc == 1 && nm == 5 && m[4].duplicate_of == 1);
	free(m);
	free(cs);
	rc = 0;
out:
	campaign_builder_free(b);
	return rc;
}

START_TEST(model_and_campaigns)
{
	struct train_ctx c = {0};
	char path[4200];
	snprintf(path, sizeof(path), "%s/config/themes/london-pcp.themes", SOURCE_DIR);
	c.ts = themes_load(path, err, sizeof(err));
	ck_assert_msg(c.ts != NULL, "%.400s", err);
	static const char *const texts[] = {
		"the feds treat us like dirt", "feds treat young lads like dirt",
		"they treat us like dirt, the feds", "feds are liars", "the bins were not collected",
		"unsubscribe me please", "street lights are broken on our road", "tennis nets",
	};
	long tr = themes_find(c.ts, "trust");
	for (size_t i = 0; i < 8; i++) {
		c.labels[i][tr] = i < 4;
		c.docs[i] = (struct model_doc){NULL, texts[i], c.labels[i]};
	}
	struct torture t = {.name = "model_train", .ctx = &c, .run = train_run};
	torture(&t);
	themes_free(c.ts);
	struct torture t2 = {.name = "campaigns", .ctx = NULL, .run = campaign_run};
	torture(&t2);
}
END_TEST

/* ---- storage ---- */

struct storage_ctx {
	char path[4200];
	struct storage *st;     /* kept open between runs by some cases */
	struct response r;
};

static void remove_db(const char *path)
{
	char p[4300];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (unlink(p) != 0)
			ck_assert_int_eq(errno, ENOENT);
	}
}

static void fill(struct response *r, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->channel = CHANNEL_EMAIL;
	r->status = STATUS_RESPONSE;
	r->source_id = strdup("imap:INBOX:1:1");
	r->idem_key = strdup(key);
	r->message_id = strdup(key + 4);
	r->received_at = 1637020800;
	r->sender_name = strdup("A Resident");
	r->sender_email = strdup("resident@example.org");
	r->subject = strdup("Police plan");
	r->text = strdup("We never see a copper round here.");
	r->raw = (unsigned char *)strdup("Subject: Police plan\n\nWe never see a copper.\n");
	r->raw_len = strlen((char *)r->raw);
	r->n_themes = 2;
	r->themes = calloc(2, sizeof(*r->themes));
	ck_assert_ptr_nonnull(r->themes);
	r->themes[0].theme_id = strdup("neighbourhood-policing");
	r->themes[0].score = 3.5;
	r->themes[0].terms = strdup("copper");
	r->themes[1].theme_id = strdup("trust");
	r->themes[1].score = 2.0;
	r->themes[1].terms = strdup("never see");
	r->n_attachments = 1;
	r->attachments = calloc(1, sizeof(*r->attachments));
	ck_assert_ptr_nonnull(r->attachments);
	r->attachments[0].filename = strdup("letter.pdf");
	r->attachments[0].content_type = strdup("application/pdf");
	r->attachments[0].size = 1234;
	memset(r->attachments[0].sha256, 'a', 64);
}

static void open_setup(void *p)
{
	remove_db(((struct storage_ctx *)p)->path);
}

static int open_run(void *p)
{
	struct storage_ctx *c = p;
	struct storage *st = (struct storage *)c;
	int rc = storage_open(c->path, STORAGE_READ_WRITE, &st, err, sizeof(err));
	if (rc == 0) {
		hook_pause(); /* a check, not part of the call under test */
		EXPECT(storage_schema_version(st) == STORAGE_SCHEMA_VERSION);
		hook_resume();
		storage_close(st);
	} else {
		EXPECT(st == NULL);
		EXPECT(err[0] != '\0');
	}
	return rc;
}

START_TEST(storage_open_rw)
{
	struct storage_ctx c = {0};
	snprintf(c.path, sizeof(c.path), "%s/open.sqlite", dir);
	struct torture t = {
		.name = "storage_open",
		.ctx = &c,
		.setup = open_setup,
		.run = open_run,
	};
	torture(&t);
	remove_db(c.path);
}
END_TEST

static int64_t stored_count(struct storage *st)
{
	struct storage_stats s;
	ck_assert_int_eq(storage_stats(st, &s), 0);
	int64_t n = s.stored;
	storage_stats_clear(&s);
	return n;
}

static void insert_teardown(void *p)
{
	struct storage_ctx *c = p;
	storage_close(c->st);
	c->st = NULL;
}

static void insert_setup(void *p)
{
	struct storage_ctx *c = p;
	remove_db(c->path);
	ck_assert_int_eq(storage_open(c->path, STORAGE_READ_WRITE, &c->st, err, sizeof(err)), 0);
}

static int insert_run(void *p)
{
	struct storage_ctx *c = p;
	bool inserted = false;
	uint32_t v, last;
	if (storage_begin(c->st) != 0)
		return -1;
	if (storage_get_imap_state(c->st, "imap:u@h/INBOX", &v, &last) != 0 ||
	    storage_insert_response(c->st, &c->r, 1637020900, &inserted, NULL) != 0 ||
	    storage_set_imap_state(c->st, "imap:u@h/INBOX", 7, 42, 1637020900) != 0 ||
	    storage_commit(c->st) != 0) {
		EXPECT(storage_errmsg(c->st)[0] != '\0');
		storage_rollback(c->st);
		return -1;
	}
	EXPECT(inserted);
	return 0;
}

/* One transaction: all of it or none of it. */
static void insert_after_error(void *p, bool injected)
{
	struct storage_ctx *c = p;
	ck_assert_int_eq(stored_count(c->st), 0);
}

static void insert_after_success(void *p)
{
	struct storage_ctx *c = p;
	uint32_t v, last;
	ck_assert_int_eq(stored_count(c->st), 1);
	ck_assert_int_eq(storage_get_imap_state(c->st, "imap:u@h/INBOX", &v, &last), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_uint_eq(last, 42);
}

START_TEST(storage_insert)
{
	struct storage_ctx c = {0};
	snprintf(c.path, sizeof(c.path), "%s/insert.sqlite", dir);
	fill(&c.r, "mid:torture-1@example.org");
	struct torture t = {
		.name = "storage_insert_response",
		.ctx = &c,
		.setup = insert_setup,
		.run = insert_run,
		.after_error = insert_after_error,
		.after_success = insert_after_success,
		.teardown = insert_teardown,
	};
	torture(&t);
	response_clear(&c.r);
	remove_db(c.path);
}
END_TEST

static int count_one(void *user, const char *ref, const struct response *r)
{
	EXPECT(r->text != NULL);
	EXPECT(r->idem_key != NULL);
	EXPECT(r->source_id != NULL);
	EXPECT(r->sender_email != NULL);
	EXPECT(r->n_themes == 2 && r->themes[0].theme_id != NULL && r->themes[0].terms != NULL);
	EXPECT(r->n_attachments == 1 && r->attachments[0].filename != NULL);
	(*(int *)user)++;
	return 0;
}

static int read_run(void *p)
{
	struct storage_ctx *c = p;
	struct storage *st;
	struct storage_stats s;
	int n = 0, rc = -1;
	if (storage_open(c->path, STORAGE_READ_ONLY, &st, err, sizeof(err)) != 0)
		return -1;
	if (storage_stats(st, &s) != 0)
		goto out;
	EXPECT(s.stored == 3);
	EXPECT(s.n_themes == 2);
	EXPECT(s.n_days == 1);
	for (size_t i = 0; i < s.n_themes; i++)
		EXPECT(s.themes[i].theme_id != NULL);
	storage_stats_clear(&s);
	if (storage_foreach_response(st, count_one, &n) != 0)
		goto out;
	EXPECT(n == 3);
	rc = 0;
out:
	storage_close(st);
	return rc;
}

START_TEST(storage_read)
{
	struct storage_ctx c = {0};
	struct storage *st;
	bool inserted;
	snprintf(c.path, sizeof(c.path), "%s/read.sqlite", dir);
	remove_db(c.path);
	ck_assert_int_eq(storage_open(c.path, STORAGE_READ_WRITE, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(storage_begin(st), 0);
	for (int i = 0; i < 3; i++) {
		char key[64];
		snprintf(key, sizeof(key), "mid:torture-%d@example.org", i);
		fill(&c.r, key);
		ck_assert_int_eq(storage_insert_response(st, &c.r, 1637020900 + i, &inserted, NULL), 0);
		response_clear(&c.r);
	}
	ck_assert_int_eq(storage_commit(st), 0);
	storage_close(st);
	struct torture t = {
		.name = "storage read (stats, export)",
		.ctx = &c,
		.run = read_run,
	};
	torture(&t);
	remove_db(c.path);
}
END_TEST

/* ---- MIME ---- */

struct mime_ctx {
	unsigned char *raw;
	size_t len;
	struct response want;   /* from an unarmed run */
};

static int mime_run(void *p)
{
	struct mime_ctx *c = p;
	struct response r;
	memset(&r, 0, sizeof(r));
	int rc = mime_normalise(c->raw, c->len, &r);
	if (rc == 0) {
		EXPECT(r.status == c->want.status);
		EXPECT(r.text != NULL && strcmp(r.text, c->want.text) == 0);
		EXPECT(r.idem_key != NULL && strcmp(r.idem_key, c->want.idem_key) == 0);
		EXPECT((r.subject == NULL) == (c->want.subject == NULL));
		EXPECT((r.sender_email == NULL) == (c->want.sender_email == NULL));
		EXPECT(r.n_attachments == c->want.n_attachments);
	} else {
		EXPECT(r.text == NULL);
		EXPECT(r.raw == NULL);
		EXPECT(r.idem_key == NULL);
	}
	response_clear(&r);
	return rc;
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	if (f == NULL)
		return -1;
	size_t cap = 65536, n = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*out = buf;
	*len = n;
	return buf != NULL ? 0 : -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_eml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && strcmp(d->d_name + n - 4, ".eml") == 0;
}

/* Every message in dir (relative to the source tree), each in turn. */
static void torture_mime_dir(const char *rel)
{
	char folder[4200], path[4500];
	struct dirent **names;
	snprintf(folder, sizeof(folder), "%s/%s", SOURCE_DIR, rel);
	int n = scandir(folder, &names, is_eml, by_name);
	ck_assert_msg(n > 0, "no messages in %s", folder);
	mime_init();
	for (int i = 0; i < n; i++) {
		struct mime_ctx c;
		snprintf(path, sizeof(path), "%s/%s", folder, names[i]->d_name);
		ck_assert_int_eq(read_all(path, &c.raw, &c.len), 0);
		memset(&c.want, 0, sizeof(c.want));
		ck_assert_int_eq(mime_normalise(c.raw, c.len, &c.want), 0);
		struct torture t = {
			.name = names[i]->d_name,
			.ctx = &c,
			.run = mime_run,
		};
		torture(&t);
		response_clear(&c.want);
		free(c.raw);
		free(names[i]);
	}
	free(names);
}

START_TEST(mime)
{
	torture_mime_dir("tests/data/samples");
}
END_TEST

/* Broken and hostile mail: the error paths of the normaliser. */
START_TEST(mime_hostile)
{
	torture_mime_dir("tests/data/hostile");
}
END_TEST

struct case_def {
	const char *name;
	const TTest *test;
};

static Suite *torture_suite(const struct case_def *cases, size_t n)
{
	Suite *s = suite_create("torture");
	for (size_t i = 0; i < n; i++) {
		TCase *tc = tcase_create(cases[i].name);
		/* Thousands of runs each; slower still under the sanitizers. */
		tcase_set_timeout(tc, 600);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

static bool known_case(const struct case_def *cases, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cases[i].name, name) == 0)
			return true;
	return false;
}

/*
 * test_torture              every case
 * test_torture CASE         one case (ctest runs them side by side)
 * test_torture --expect CASE...
 *                           succeed only when the cases are exactly these,
 *                           so the CMake list cannot miss one
 */
int main(int argc, char **argv)
{
	const struct case_def cases[] = {
		{"config", config_good}, {"config_errors", config_bad}, {"config_forms", config_forms},
		{"form_map", form_map},
		{"themes", themes_shipped}, {"themes_errors", themes_bad},
		{"themes_document", themes_document},
		{"classify", classify}, {"storage_open", storage_open_rw},
		{"storage_insert", storage_insert}, {"storage_read", storage_read},
		{"mime", mime}, {"mime_hostile", mime_hostile},
		{"areas", areas}, {"areas_errors", areas_errors},
		{"classify_response", classify_response_all},
		{"model_campaigns", model_and_campaigns},
	};
	const size_t n_cases = sizeof(cases) / sizeof(cases[0]);
	if (argc >= 2 && strcmp(argv[1], "--expect") == 0) {
		bool same = (size_t)(argc - 2) == n_cases;
		for (int i = 2; i < argc; i++)
			same = same && known_case(cases, n_cases, argv[i]);
		if (!same)
			fprintf(stderr, "test_torture: the ctest list of cases differs from the program's\n");
		return same ? 0 : 1;
	}
	const char *only = argc >= 2 ? argv[1] : NULL;
	if (only != NULL && !known_case(cases, n_cases, only)) {
		fprintf(stderr, "test_torture: no case %s\n", only);
		return 1;
	}
	hook_install();
	/* Thousands of databases are created, each with fsyncs: a tmpfs makes
	 * that fast where there is one. */
	const char *tmp = getenv("TORTURE_TMPDIR");
	if (tmp == NULL || tmp[0] == '\0')
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/consultd-torture-XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	SRunner *sr = srunner_create(torture_suite(cases, n_cases));
	srunner_run(sr, NULL, only, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	const char *made[] = {"good.conf", "bad.conf", "forms.conf", "bad.themes", "bad.areas",
			      "open.sqlite",
			      "insert.sqlite", "read.sqlite"};
	const char *suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		for (size_t j = 0; j < 3; j++) {
			char p[4200];
			snprintf(p, sizeof(p), "%s/%s%s", dir, made[i], suffix[j]);
			unlink(p);
		}
	}
	if (rmdir(dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir, strerror(errno));
	return failed == 0 ? 0 : 1;
}
