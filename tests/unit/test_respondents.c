/*
 * test_respondents.c — what is learnt about a response beyond its themes:
 * respondent type and organisation, area (and the areas file), campaigns
 * and resubmissions, the supervised model, and a lead's corrections in the
 * store.
 */
#include "classify/areas.h"
#include "classify/campaign.h"
#include "classify/classify.h"
#include "classify/model.h"
#include "classify/respondent.h"
#include "classify/themes.h"
#include "storage/storage.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHIPPED_THEMES SOURCE_DIR "/config/themes/london-pcp.themes"
#define SHIPPED_AREAS SOURCE_DIR "/config/areas/london-boroughs.areas"

/* ---- respondent type ------------------------------------------------- */

static enum respondent_type who(const char *subject, const char *text, const char *email,
				char **org)
{
	char *o = NULL;
	enum respondent_type t = respondent_classify(subject, text, email, &o);
	if (org != NULL)
		*org = o;
	else
		free(o);
	return t;
}

START_TEST(respondent_individuals)
{
	ck_assert_int_eq(who("police", "nobody ever sees a copper round here anymore", "a@gmail.com", NULL),
			 RESPONDENT_INDIVIDUAL);
	ck_assert_int_eq(who("my bike", "My bike was nicked and I reported it but my case was "
				 "closed the next day. I am fed up.", NULL, NULL),
			 RESPONDENT_INDIVIDUAL);
	/* A person at a webmail address quoting a council is still a person. */
	ck_assert_int_eq(who("Re: consultation", "I wrote to Camden Council twice about the dealing "
				 "on my street and I never heard back from anyone.", "x@btinternet.com", NULL),
			 RESPONDENT_INDIVIDUAL);
}
END_TEST

START_TEST(respondent_organisations)
{
	char *org = NULL;
	ck_assert_int_eq(who("Consultation response", "We submit this response on behalf of the "
				 "Lewisham Safer Neighbourhood Board. Our members met in January.", NULL, &org),
			 RESPONDENT_ORGANISATION);
	ck_assert_str_eq(org, "Lewisham Safer Neighbourhood Board");
	free(org);
	ck_assert_int_eq(who("Hounslow Council - response", "Hounslow Council supports the Mayor's "
				 "priorities. We are concerned about knife crime in the borough and "
				 "ask that the plan funds youth work.", NULL, &org),
			 RESPONDENT_ORGANISATION);
	ck_assert_str_eq(org, "Hounslow Council");
	free(org);
	/* The sender's domain alone is strong evidence. */
	ck_assert_int_eq(who("plan", "Please see our comments on ward policing.",
			     "officer@community.camden.gov.uk", NULL),
			 RESPONDENT_ORGANISATION);
	ck_assert_int_eq(who("plan", "Please see our comments on ward policing.", "ops@nhs.net", NULL),
			 RESPONDENT_ORGANISATION);
	/* A signature naming the body counts. */
	ck_assert_int_eq(who("Safer streets", "We ask that the plan keeps PCSOs in every ward and "
				 "that our data on repeat victims is used by the local team.\n\n-- \n"
				 "Jo Bloggs\nChair, Kilburn Tenants and Residents Association\n", NULL, &org),
			 RESPONDENT_ORGANISATION);
	ck_assert_ptr_nonnull(org);
	free(org);
}
END_TEST

/* ---- areas ------------------------------------------------------------ */

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_respondents.XXXXXX",
		 base != NULL && *base != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/t.areas", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/store.sqlite", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/store.sqlite-wal", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/store.sqlite-shm", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

START_TEST(areas_shipped)
{
	char err[4096] = "";
	struct area_set *as = areas_load(SHIPPED_AREAS, err, sizeof(err));
	ck_assert_msg(as != NULL, "%s", err);
	ck_assert_uint_eq(areas_count(as), 33);
	ck_assert_str_eq(areas_get(as, 0)->id, "barking-dagenham");
	ck_assert_str_eq(areas_name(as, "city-of-london"), "City of London");
	ck_assert_ptr_null(areas_get(as, 33));
	/* Domain first, subdomains included, whatever the text says. */
	ck_assert_str_eq(areas_match(as, "a@camden.gov.uk", "Brixton, Brixton"), "camden");
	ck_assert_str_eq(areas_match(as, "a@housing.lambeth.gov.uk", NULL), "lambeth");
	ck_assert_ptr_null(areas_match(as, "a@notcamden.gov.uk", ""));
	/* Otherwise the most mentioned, as whole words, any case. */
	ck_assert_str_eq(areas_match(as, "a@gmail.com", "I live in PECKHAM; the station in Brixton "
				     "is closed and Peckham has no police."), "southwark");
	ck_assert_str_eq(areas_match(as, NULL, "the Royal Borough of Kensington and Chelsea"),
			 "kensington-chelsea");
	ck_assert_ptr_null(areas_match(as, NULL, "Peckham and Brixton"));  /* a tie */
	ck_assert_ptr_null(areas_match(as, NULL, "Suttonian Croydonx Brixtonia"));
	ck_assert_ptr_null(areas_match(as, NULL, "nothing here"));
	areas_free(as);
}
END_TEST

static struct area_set *parse(const char *text, char *err, size_t errlen)
{
	return areas_parse(text, strlen(text), "t.areas", err, errlen);
}

START_TEST(areas_errors)
{
	char err[4096];
	struct area_set *as = parse("[set]\nid = x\n\n[area a]\nname = Alpha\n[area b]\n"
				    "name = Beta\nalias = alpha\n[area a]\nname = A2\n"
				    "[area c]\ndomain = nodots\nalias = Gamma\n[area Bad]\n"
				    "junk\n[area d]\nname = D\ndomain = d.gov.uk\n[area e]\n"
				    "name = E\ndomain = D.gov.uk\ncolour = red\n[place x]\n",
				    err, sizeof(err));
	ck_assert_ptr_null(as);
	ck_assert_msg(strstr(err, "t.areas:8: name 'alpha' already names area 'a' (line 5)") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:9: duplicate area id 'a' (first on line 4)") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:12: bad domain 'nodots'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:11: area 'c' has no name") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:14: bad area id 'Bad'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:15: expected 'key = value'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:21: domain 'd.gov.uk' already given to area 'd'") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:22: unknown key 'colour' in [area e]") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "t.areas:23: unknown section [place x]") != NULL, "%s", err);
	/* Sorted by line. */
	ck_assert(strstr(err, "t.areas:8:") < strstr(err, "t.areas:11:"));
	ck_assert(strstr(err, "t.areas:11:") < strstr(err, "t.areas:12:"));

	ck_assert_ptr_null(parse("# nothing\n", err, sizeof(err)));
	ck_assert_msg(strstr(err, "t.areas: no [area ID] section") != NULL, "%s", err);
	as = parse("[area a]\r\nname = A\r\n", err, sizeof(err));
	ck_assert_msg(as != NULL, "%s", err);
	areas_free(as);
	const char nul[] = "[area a]\nname = A\0B\n";
	ck_assert_ptr_null(areas_parse(nul, sizeof(nul) - 1, "t.areas", err, sizeof(err)));
	ck_assert_msg(strstr(err, "t.areas:2: NUL byte") != NULL, "%s", err);

	char path[512];
	snprintf(path, sizeof(path), "%s/missing.areas", tmpdir);
	ck_assert_ptr_null(areas_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot open") != NULL, "%s", err);
}
END_TEST

/* ---- campaigns -------------------------------------------------------- */

static const char *const letter =
	"I am writing about the Police and Crime Plan. I want dedicated ward officers and PCSOs "
	"back on every estate, because the closure of the front counter means residents have "
	"nowhere to report crime in person. Please restore neighbourhood policing teams and stop "
	"moving officers away from their wards to cover central London events.";

static char *copy_with(const char *greeting, const char *from, const char *to, const char *sig)
{
	char body[2048];
	const char *at = strstr(letter, from);
	ck_assert_ptr_nonnull(at);
	snprintf(body, sizeof(body), "%s\n\n%.*s%s%s\n\n%s", greeting, (int)(at - letter), letter, to,
		 at + strlen(from), sig);
	return strdup(body);
}

START_TEST(campaigns_found)
{
	struct campaign_builder *b = campaign_builder_new();
	ck_assert_ptr_nonnull(b);
	char *t[4] = {copy_with("Dear Mayor,", "every estate", "my estate", "Ann"),
		      copy_with("Hello,", "central London", "football", "Regards, Bob Jones"),
		      copy_with("Hi", "in person", "face to face", "Chen"),
		      copy_with("Hi", "in person", "face to face", "Chen")};
	ck_assert_int_eq(campaign_add(b, 1, "ann@x.net", 100, t[0]), 0);
	ck_assert_int_eq(campaign_add(b, 2, "carl@x.net", 50, "The police never come when we call "
				      "them about the dealing in the stairwell of our block, and "
				      "nobody answers 101 at night either."), 0);
	ck_assert_int_eq(campaign_add(b, 3, "bob@x.net", 200, t[1]), 0);
	ck_assert_int_eq(campaign_add(b, 4, "chen@x.net", 300, t[2]), 0);
	ck_assert_int_eq(campaign_add(b, 5, "CHEN@x.net", 400, t[3]), 0); /* case of key: as given */
	ck_assert_int_eq(campaign_add(b, 6, "chen@x.net", 500, t[3]), 0); /* a resubmission */
	ck_assert_int_eq(campaign_add(b, 7, "dan@x.net", 600, "more police please"), 0);
	ck_assert_int_eq(campaign_add(b, 8, "eve@x.net", 700, "more police please"), 0);
	ck_assert_int_eq(campaign_add(b, 9, "fay@x.net", 800, "more police please"), 0);
	struct storage_campaign_member *m;
	struct storage_campaign *c;
	size_t nm, nc;
	ck_assert_int_eq(campaign_build(b, &m, &nm, &c, &nc), 0);
	ck_assert_uint_eq(nm, 9);
	ck_assert_uint_eq(nc, 1); /* short agreement is not a campaign */
	ck_assert_int_eq(c[0].size, 4);    /* ids 1, 3, 4, 5; 6 is a copy of 4 */
	ck_assert_int_eq(c[0].first_at, 100);
	ck_assert_int_eq(c[0].last_at, 400);
	ck_assert_int_eq(c[0].representative_id, 1);
	long want[9] = {0, -1, 0, 0, 0, 0, -1, -1, -1};
	for (size_t i = 0; i < 9; i++)
		ck_assert_int_eq(m[i].campaign, want[i]);
	ck_assert_int_eq(m[5].duplicate_of, 4);
	ck_assert_int_eq(m[4].duplicate_of, 0);
	ck_assert_int_eq(m[0].duplicate_of, 0);
	free(m);
	free(c);
	campaign_builder_free(b);
	for (size_t i = 0; i < 4; i++)
		free(t[i]);
}
END_TEST

/* The same responses added through their prints: the same campaigns. A
 * damaged or foreign print is refused, for the text to be used instead. */
START_TEST(campaigns_from_prints)
{
	char *t[4] = {copy_with("Dear Mayor,", "every estate", "my estate", "Ann"),
		      copy_with("Hello,", "central London", "football", "Regards, Bob Jones"),
		      copy_with("Hi", "in person", "face to face", "Chen"),
		      copy_with("Hi", "in person", "face to face", "Chen")};
	const char *text[6] = {t[0], t[1], t[2], t[3], t[3], "more police please"};
	const char *key[6] = {"ann@x", "bob@x", "chen@x", "dee@x", "dee@x", "eve@x"};
	struct campaign_builder *a = campaign_builder_new(), *b = campaign_builder_new();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (int i = 0; i < 6; i++) {
		unsigned char *p;
		size_t n;
		ck_assert_int_eq(campaign_print_make(NULL, text[i], &p, &n), 0);
		ck_assert_uint_le(n, 17 + 4 * CAMPAIGN_HASHES);
		ck_assert_int_eq(campaign_add(a, i + 1, key[i], 10 * i, text[i]), 0);
		ck_assert_int_eq(campaign_add_print(b, NULL, i + 1, key[i], 10 * i, p, n), 0);
		ck_assert_int_eq(campaign_add_print(b, NULL, 99, key[i], 0, p, n - 1), 1);
		ck_assert_int_eq(campaign_add_print(b, NULL, 99, key[i], 0, NULL, 0), 1);
		p[0] ^= 0xff; /* another format */
		ck_assert_int_eq(campaign_add_print(b, NULL, 99, key[i], 0, p, n), 1);
		free(p);
	}
	struct storage_campaign_member *ma, *mb;
	struct storage_campaign *ca, *cb;
	size_t nma, nca, nmb, ncb;
	ck_assert_int_eq(campaign_build(a, &ma, &nma, &ca, &nca), 0);
	ck_assert_int_eq(campaign_build(b, &mb, &nmb, &cb, &ncb), 0);
	ck_assert_uint_eq(nca, 1);
	ck_assert_uint_eq(ncb, nca);
	ck_assert_uint_eq(nmb, nma);
	ck_assert_int_eq(cb[0].size, ca[0].size);
	for (size_t i = 0; i < nma; i++) {
		ck_assert_int_eq(mb[i].id, ma[i].id);
		ck_assert_int_eq(mb[i].campaign, ma[i].campaign);
		ck_assert_int_eq(mb[i].duplicate_of, ma[i].duplicate_of);
	}
	ck_assert_int_eq(mb[4].duplicate_of, 4);
	free(ma);
	free(mb);
	free(ca);
	free(cb);
	campaign_builder_free(a);
	campaign_builder_free(b);
	for (size_t i = 0; i < 4; i++)
		free(t[i]);
}
END_TEST

/* campaigns_recompute reads a response's stored print, and its text only
 * when it has none. */
/* A new store NAME holding texts t[0..n) (idempotency keys k0.., senders
 * p0@x.net.. taken in turn from `senders`), each with its campaign print
 * when `prints`. */
static struct storage *store_texts(const char *name, char **t, int n, int senders, bool prints)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	struct storage *st;
	ck_assert_int_eq(storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(storage_begin(st), 0);
	for (int i = 0; i < n; i++) {
		char idem[32], email[32];
		snprintf(idem, sizeof(idem), "k%d", i);
		snprintf(email, sizeof(email), "p%d@x.net", i % senders);
		struct response r = {.idem_key = idem, .text = t[i], .sender_email = email,
				     .received_at = i};
		if (prints)
			ck_assert_int_eq(campaign_print_make(NULL, t[i], &r.campaign_print,
							     &r.campaign_print_len), 0);
		bool ins;
		int64_t id;
		ck_assert_int_eq(storage_insert_response(st, &r, 1, &ins, &id), 0);
		free(r.campaign_print);
	}
	ck_assert_int_eq(storage_commit(st), 0);
	return st;
}

START_TEST(campaigns_recompute_reads_prints)
{
	char *t[3] = {copy_with("Dear Mayor,", "every estate", "my estate", "Ann"),
		      copy_with("Hello,", "central London", "football", "Bob"),
		      copy_with("Hi", "in person", "face to face", "Chen")};
	struct storage *st = store_texts("store.sqlite", t, 3, 3, true);
	size_t nc, nd;
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_uint_eq(nc, 1);
	/* The texts changed behind the prints: the prints still decide. */
	sqlite3_exec(storage_db(st), "UPDATE responses SET text = 'three different words'", NULL,
		     NULL, NULL);
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_uint_eq(nc, 1);
	/* Without prints (a store from before them), the texts do. */
	sqlite3_exec(storage_db(st), "DELETE FROM campaign_prints", NULL, NULL,
		     NULL);
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_uint_eq(nc, 0);
	/* A damaged print is read past too. */
	sqlite3_exec(storage_db(st), "INSERT INTO campaign_prints SELECT id, x'01' FROM responses", NULL, NULL,
		     NULL);
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_uint_eq(nc, 0);
	storage_close(st);
	for (int i = 0; i < 3; i++)
		free(t[i]);
}
END_TEST

static int64_t scalar(struct storage *st, const char *sql)
{
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(storage_db(st), sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Campaigns saved again write only the responses whose campaign or
 * resubmission link changed: a changed column makes SQLite write the
 * whole row again, text and all. */
START_TEST(campaigns_saved_again_write_only_changes)
{
	char *t[4] = {copy_with("Dear Mayor,", "every estate", "my estate", "Ann"),
		      copy_with("Hello,", "central London", "football", "Bob"),
		      copy_with("Hi", "in person", "face to face", "Chen"), NULL};
	t[3] = strdup(t[0]); /* Ann sends hers twice */
	struct storage *st = store_texts("changes.sqlite", t, 4, 3, false);
	size_t nc, nd;
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_uint_eq(nc, 1);
	ck_assert_uint_eq(nd, 1);
	const char *state = "SELECT group_concat(id || ':' || coalesce(campaign_id, '-') || ':' ||"
			    " coalesce(duplicate_of, '-'), ' ') FROM (SELECT * FROM responses ORDER BY id)";
	sqlite3_stmt *q;
	ck_assert_int_eq(sqlite3_prepare_v2(storage_db(st), state, -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	char *first = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	ck_assert_ptr_nonnull(strstr(first, "4:1:1"));

	/* The same again: the campaign's own row, no response. */
	int before = sqlite3_total_changes(storage_db(st));
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_int_eq(sqlite3_total_changes(storage_db(st)) - before, 1);

	/* Drift (a member lost, a link that should not be, a campaign too
	 * many) is put right, and only there. */
	sqlite3_exec(storage_db(st),
		     "UPDATE responses SET campaign_id = NULL WHERE id = 2;"
		     "UPDATE responses SET duplicate_of = 1 WHERE id = 3;"
		     "INSERT INTO campaigns(id, size, first_at, last_at) VALUES(2, 9, 0, 0);",
		     NULL, NULL, NULL);
	before = sqlite3_total_changes(storage_db(st));
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_int_eq(sqlite3_total_changes(storage_db(st)) - before, 1 + 1 + 2);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), first);
	sqlite3_reset(q);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM campaigns"), 1);

	/* No campaign any more: every member cleared, the campaign gone. */
	sqlite3_exec(storage_db(st), "UPDATE responses SET text = 'words ' || id", NULL, NULL, NULL);
	ck_assert_int_eq(campaigns_recompute(st, NULL, &nc, &nd), 0);
	ck_assert_uint_eq(nc, 0);
	ck_assert_uint_eq(nd, 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM campaigns"), 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM responses"
				    " WHERE campaign_id IS NOT NULL OR duplicate_of IS NOT NULL"), 0);
	sqlite3_finalize(q);
	free(first);
	storage_close(st);
	for (int i = 0; i < 4; i++)
		free(t[i]);
}
END_TEST

START_TEST(campaigns_pairs_are_not)
{
	struct campaign_builder *b = campaign_builder_new();
	char *t0 = copy_with("Dear Mayor,", "every estate", "my estate", "Ann");
	char *t1 = copy_with("Hello,", "central London", "football", "Bob");
	ck_assert_int_eq(campaign_add(b, 1, "a@x", 1, t0), 0);
	ck_assert_int_eq(campaign_add(b, 2, "b@x", 2, t1), 0);
	struct storage_campaign_member *m;
	struct storage_campaign *c;
	size_t nm, nc;
	ck_assert_int_eq(campaign_build(b, &m, &nm, &c, &nc), 0);
	ck_assert_uint_eq(nc, 0);
	ck_assert_int_eq(m[0].campaign, -1);
	free(m);
	free(c);
	free(t0);
	free(t1);
	campaign_builder_free(b);
}
END_TEST

/* ---- the model -------------------------------------------------------- */

START_TEST(model_learns_from_labels)
{
	char err[4096];
	struct theme_set *ts = themes_load(SHIPPED_THEMES, err, sizeof(err));
	ck_assert_msg(ts != NULL, "%s", err);
	size_t nt = themes_count(ts);
	long tr = themes_find(ts, "trust");
	ck_assert_int_ge(tr, 0);
	/* A lead keeps tagging "the feds" complaints as trust, which the
	 * lexicon does not know as such. */
	static const char *const pos[] = {
		"the feds round here are a joke, they treat us like dirt every single time",
		"feds pulled my cousin out the car for nothing again, treat us like dirt",
		"feds treat every young lad on the estate like dirt, nobody believes them",
		"they treat us like dirt, the feds, and then wonder why nobody talks to them",
		"the feds lie and treat people like dirt on this estate",
		"no respect for the feds, they treat us like dirt",
	};
	static const char *const neg[] = {
		"the bins have not been collected for three weeks",
		"please unsubscribe me from this list",
		"the tennis courts in the park need new nets",
		"can you tell me how to register to vote",
		"my nan needs her prescriptions delivered",
		"the road layout on the high street is confusing",
		"thank you for sending this, nothing to add",
		"street lights on our road are broken",
	};
	size_t n = 0;
	struct model_doc docs[16];
	bool labels[16][64] = {{false}};
	ck_assert_uint_le(nt, 64);
	for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++, n++) {
		labels[n][tr] = true;
		docs[n] = (struct model_doc){NULL, pos[i], labels[n]};
	}
	for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++, n++)
		docs[n] = (struct model_doc){NULL, neg[i], labels[n]};

	struct theme_hit *h;
	size_t nh;
	const char *probe = "the feds treat us like dirt";
	ck_assert_int_eq(classify_text(ts, NULL, probe, &h, &nh), 0);
	bool lex_trust = false;
	for (size_t i = 0; i < nh; i++)
		lex_trust = lex_trust || strcmp(h[i].theme_id, "trust") == 0;
	classify_free_hits(h, nh);
	ck_assert(!lex_trust); /* otherwise this test shows nothing */

	struct model *m = model_train(ts, docs, n);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_ge(model_themes_used(m), 1);
	double a, b;
	model_theme_params(m, (size_t)tr, &a, &b);
	ck_assert(a > 0.0);
	ck_assert_int_eq(model_classify_text(m, NULL, probe, &h, &nh), 0);
	bool trust = false;
	for (size_t i = 0; i < nh; i++)
		if (strcmp(h[i].theme_id, "trust") == 0) {
			trust = true;
			ck_assert_str_eq(h[i].terms, "(model)");
			ck_assert(h[i].score >= themes_threshold(ts, (size_t)tr));
		}
	classify_free_hits(h, nh);
	ck_assert(trust);
	/* Unrelated text stays without a theme. */
	ck_assert_int_eq(model_classify_text(m, NULL, "the bins were not collected", &h, &nh), 0);
	ck_assert_uint_eq(nh, 0);
	model_free(m);

	/* No labels: the lexicon alone, hit for hit. */
	m = model_train(ts, NULL, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(model_themes_used(m), 0);
	struct theme_hit *h2;
	size_t nh2;
	const char *text = "knife crime and county lines are ruining our estate, bring back ward officers";
	ck_assert_int_eq(model_classify_text(m, NULL, text, &h, &nh), 0);
	ck_assert_int_eq(classify_text(ts, NULL, text, &h2, &nh2), 0);
	ck_assert_uint_eq(nh, nh2);
	for (size_t i = 0; i < nh; i++)
		ck_assert_str_eq(h[i].theme_id, h2[i].theme_id);
	classify_free_hits(h, nh);
	classify_free_hits(h2, nh2);
	model_free(m);
	themes_free(ts);
}
END_TEST

/* ---- corrections in the store ----------------------------------------- */

/* Sorted theme ids of a visited response, comma-terminated. */
static int collect(void *u, const char *ref, const struct response *rr)
{
	(void)ref;
	char *out = u;
	const char *ids[16];
	size_t n = rr->n_themes < 16 ? rr->n_themes : 16;
	for (size_t i = 0; i < n; i++)
		ids[i] = rr->themes[i].theme_id;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(out, ids[i]);
		strcat(out, ",");
	}
	return 0;
}


START_TEST(store_corrections)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/store.sqlite", tmpdir);
	struct storage *st;
	ck_assert_int_eq(storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err)), 0);
	struct theme_hit hits[2] = {{"violence", 3.0, "knife"}, {"drugs", 2.5, "dealing"}};
	struct response r = {.idem_key = "k1", .text = "knife crime and dealing",
			     .sender_email = "A@Example.net", .themes = hits, .n_themes = 2};
	bool ins;
	int64_t id;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_insert_response(st, &r, 1, &ins, &id), 0);
	ck_assert_int_eq(storage_commit(st), 0);

	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_retag(st, id, "drugs", false, 10), 0);
	ck_assert_int_eq(storage_retag(st, id, "justice", true, 10), 0);
	ck_assert_int_eq(storage_retag(st, id, "violence", true, 10), 0); /* auto row becomes manual */
	ck_assert_int_ne(storage_retag(st, id + 1, "trust", true, 10), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	char *summary;
	ck_assert_int_eq(storage_manual_summary(st, id, &summary), 0);
	ck_assert_str_eq(summary, "-drugs +justice +violence");
	free(summary);
	ck_assert_int_eq(storage_manual_summary(st, id + 1, &summary), 0);
	ck_assert_ptr_null(summary);

	/* Automatic classification again: drugs found once more, asb new. */
	struct theme_hit again[3] = {{"drugs", 2.5, "dealing"}, {"asb", 2.0, "noise"},
				     {"violence", 3.0, "knife"}};
	struct response r2 = {.themes = again, .n_themes = 3,
			      .respondent_type = RESPONDENT_ORGANISATION, .organisation = "X Board",
			      .area = "camden"};
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_set_classified(st, id, &r2), 0);
	ck_assert_int_eq(storage_commit(st), 0);
	/* Re-inserting through the ordinary path respects the removal too. */
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_int_eq(storage_replace_parsed(st, id, &(struct response){
		.text = "x", .themes = again, .n_themes = 3}), 0);
	ck_assert_int_eq(storage_commit(st), 0);

	struct storage_filter f = {.id = id};
	char seen[256] = "";
	ck_assert_int_eq(storage_visit(st, &f, collect, seen), 0);
	ck_assert_str_eq(seen, "asb,justice,violence,");

	int64_t *ids;
	size_t n;
	ck_assert_int_eq(storage_labelled_ids(st, &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ids[0], id);
	free(ids);

	/* Campaign bookkeeping round trip. */
	struct storage_campaign c = {2, 1, 5, id};
	struct storage_campaign_member mem = {id, 0, 0};
	ck_assert_int_eq(storage_save_campaigns(st, &c, 1, &mem, 1), 0);
	int64_t cid, dup;
	ck_assert_int_eq(storage_campaign_of(st, id, &cid, &dup), 0);
	ck_assert_int_eq(cid, 1);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(storage_save_campaigns(st, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(storage_campaign_of(st, id, &cid, &dup), 0);
	ck_assert_int_eq(cid, 0);

	/* The save runs with foreign keys off, so it checks the links itself:
	 * one to a row that is not stored refuses the whole save, and foreign
	 * keys are on again afterwards. */
	struct storage_campaign_member no_copy = {id, 0, id + 1000};
	ck_assert_int_eq(storage_save_campaigns(st, &c, 1, &no_copy, 1), -1);
	ck_assert_ptr_nonnull(strstr(storage_errmsg(st), "resubmission links"));
	struct storage_campaign_member no_campaign = {id, 4, 0};
	ck_assert_int_eq(storage_save_campaigns(st, &c, 1, &no_campaign, 1), -1);
	ck_assert_ptr_nonnull(strstr(storage_errmsg(st), "campaign members"));
	struct storage_campaign no_representative = {1, 1, 5, id + 1000};
	ck_assert_int_eq(storage_save_campaigns(st, &no_representative, 1, &mem, 1), -1);
	ck_assert_ptr_nonnull(strstr(storage_errmsg(st), "representatives"));
	ck_assert_int_eq(storage_campaign_of(st, id, &cid, &dup), 0);
	ck_assert_int_eq(cid, 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM campaigns"), 0);
	ck_assert_int_eq(scalar(st, "PRAGMA foreign_keys"), 1);
	storage_close(st);
}
END_TEST

START_TEST(classify_response_sets_all)
{
	char err[4096];
	struct theme_set *ts = themes_load(SHIPPED_THEMES, err, sizeof(err));
	ck_assert_msg(ts != NULL, "%s", err);
	struct area_set *as = areas_load(SHIPPED_AREAS, err, sizeof(err));
	ck_assert_msg(as != NULL, "%s", err);
	themes_set_areas(ts, as);
	struct response r = {0};
	r.subject = strdup("Croydon Safer Neighbourhood Board response");
	r.text = strdup("Croydon SNB welcomes the consultation. Our members want ward officers "
			"back in Thornton Heath and across Croydon.\n\n> On Monday MOPAC wrote:\n"
			"> Lambeth Lambeth Lambeth Lambeth\n");
	r.sender_email = strdup("chair@example.org");
	ck_assert_int_eq(classify_response(ts, &r), 0);
	ck_assert_int_eq(r.respondent_type, RESPONDENT_ORGANISATION);
	ck_assert_str_eq(r.organisation, "Croydon Safer Neighbourhood Board");
	ck_assert_str_eq(r.area, "croydon"); /* quoted text does not count */
	ck_assert_uint_ge(r.n_themes, 1);
	response_clear(&r);
	themes_free(ts); /* frees the areas too */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("respondents");
	TCase *tc = tcase_create("respondent");
	tcase_add_test(tc, respondent_individuals);
	tcase_add_test(tc, respondent_organisations);
	suite_add_tcase(s, tc);
	tc = tcase_create("areas");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, areas_shipped);
	tcase_add_test(tc, areas_errors);
	tcase_add_test(tc, classify_response_sets_all);
	suite_add_tcase(s, tc);
	tc = tcase_create("campaigns");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, campaigns_found);
	tcase_add_test(tc, campaigns_pairs_are_not);
	tcase_add_test(tc, campaigns_from_prints);
	tcase_add_test(tc, campaigns_recompute_reads_prints);
	tcase_add_test(tc, campaigns_saved_again_write_only_changes);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_test(tc, model_learns_from_labels);
	suite_add_tcase(s, tc);
	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, store_corrections);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
