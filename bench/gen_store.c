/*
 * gen_store.c — a synthetic store for summary benchmarks and tests.
 *
 *   gen_store --themes FILE --out STORE [--responses N] [--seed S]
 *             [--opens UNIX] [--days D]
 *
 * Creates STORE (which must not exist) with the current schema, then
 * inserts N responses in one transaction with plain SQL: about 1 KB of
 * English text each, built around the themes they carry, with a surge in
 * the last days, 70% email / 27% form / 3% import, some auto-replies,
 * bounces, list mail, quarantine and identical resubmissions, 3% of
 * responses from some 300 organisations, areas from 33 London boroughs
 * (four never respond), 20 campaigns covering about 15% of responses, and
 * two form questions (a choice and a free text) on form responses. Some
 * texts carry an e-mail address, phone number or postcode, so excerpts
 * exercise redaction. Deterministic for a given seed.
 */
#include "classify/themes.h"
#include "storage/storage.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static double unif(void)
{
	return rnd() / 4294967296.0;
}

static const char *const boroughs[] = {
	"barking", "barnet", "bexley", "brent", "bromley", "camden", "city", "croydon", "ealing",
	"enfield", "greenwich", "hackney", "hammersmith", "haringey", "harrow", "havering",
	"hillingdon", "hounslow", "islington", "kensington", "kingston", "lambeth", "lewisham",
	"merton", "newham", "redbridge", "richmond", "southwark", "sutton", "tower-hamlets",
	"waltham-forest", "wandsworth", "westminster",
};
#define N_BOROUGHS 33
#define N_SILENT 4 /* the last four never respond */

static const char *const filler[] = {
	"I have lived in this part of London for many years and I want to set out my views.",
	"Thank you for the chance to respond to this consultation on the plan.",
	"My family and my neighbours feel the same way about what is happening here.",
	"I would like the plan to say clearly what will change and by when.",
	"We need to see the results in our streets and not only in reports.",
	"Please take these comments into account when the final plan is written.",
	"It is important that residents are listened to and kept informed.",
	"I hope the Mayor's office reads every response carefully.",
	"The money should be spent where it makes the biggest difference to people.",
	"Over the last two years things have got noticeably worse on the estate.",
	"Young people need somewhere to go in the evenings and at weekends.",
	"Older residents are afraid to go out after dark on our road.",
};
#define N_FILLER (sizeof(filler) / sizeof(filler[0]))

static const char *const org_kinds[] = {"Residents' Association", "Neighbourhood Watch",
					"Tenants' Forum", "Youth Trust", "Business Improvement District",
					"Safer Neighbourhood Board", "Community Church", "Cycling Club"};

static const char *const streets[] = {"Acacia Avenue", "Fernhill Road", "Mill Lane",
				      "Station Road", "Church Street", "Park Close"};

struct theme_words {
	const char *id;
	const char *label;
};

/* Theme-specific sentences from the theme's label, so a reader can tell
 * which theme an excerpt stands for. */
static void theme_sentence(char *buf, size_t len, const char *label, int variant)
{
	static const char *const frames[][2] = {
		{"My main concern is ", ", which affects everyone around here."},
		{"The plan must do much more about ", " in our borough."},
		{"I want to see real progress on ", " within the next year."},
		{"Nothing has been done about ", " despite many complaints."},
		{"Please make ", " a priority, because it is getting worse."},
		{"Our area suffers badly from problems with ", " every week."},
	};
	snprintf(buf, len, "%s%s%s", frames[variant % 6][0], label, frames[variant % 6][1]);
}

/* A whole number option, or exit with a usage error. */
static long long number(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "gen_store: %s: '%s' is not a whole number\n", opt, s);
		exit(2);
	}
	return v;
}

static int check(int rc, sqlite3 *db, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "gen_store: %s: %s\n", what, sqlite3_errmsg(db));
		exit(1);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *themes_path = NULL, *out = NULL;
	long long n = 10000, opens = 1637020800; /* 16 Nov 2021 */
	int days = 67;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--themes") == 0)
			themes_path = argv[i + 1];
		else if (strcmp(argv[i], "--out") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--responses") == 0)
			n = number(argv[i], argv[i + 1]);
		else if (strcmp(argv[i], "--seed") == 0)
			rng_state ^= (uint64_t)number(argv[i], argv[i + 1]) * 0x100000001b3ULL;
		else if (strcmp(argv[i], "--opens") == 0)
			opens = number(argv[i], argv[i + 1]);
		else if (strcmp(argv[i], "--days") == 0)
			days = (int)number(argv[i], argv[i + 1]);
		else {
			fprintf(stderr, "gen_store: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (themes_path == NULL || out == NULL || n < 1 || days < 1 || days > 3650) {
		fprintf(stderr, "usage: gen_store --themes FILE --out STORE [--responses N] [--seed S]"
			" [--opens UNIX] [--days D]\n");
		return 2;
	}
	char err[1024];
	struct theme_set *ts = themes_load(themes_path, err, sizeof(err));
	if (ts == NULL) {
		fprintf(stderr, "gen_store: %s\n", err);
		return 1;
	}
	FILE *probe = fopen(out, "r");
	if (probe != NULL) {
		fclose(probe);
		fprintf(stderr, "gen_store: %s exists\n", out);
		return 1;
	}
	struct storage *st;
	if (storage_open(out, STORAGE_READ_WRITE, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "gen_store: %s\n", err);
		return 1;
	}
	sqlite3 *db = storage_db(st);
	size_t nt = themes_count(ts);
	long long closes = opens + (long long)days * 86400 - 60;
	/* A throw-away file: no journal, no syncs, a large cache for the FTS
	 * index; the schema (and its triggers) is the real one. */
	check(sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
			   " PRAGMA cache_size=-262144; BEGIN", NULL, NULL, NULL), db, "begin");

	/* 20 campaigns: sizes from a few thousand down, as a share of n. */
	enum { N_CAMPAIGNS = 20 };
	long long camp_first[N_CAMPAIGNS], camp_last[N_CAMPAIGNS], camp_size[N_CAMPAIGNS],
		camp_rep[N_CAMPAIGNS];
	int camp_theme[N_CAMPAIGNS];
	for (int k = 0; k < N_CAMPAIGNS; k++) {
		camp_first[k] = camp_last[k] = camp_size[k] = camp_rep[k] = 0;
		camp_theme[k] = nt > 0 ? (int)(rnd() % nt) : 0;
	}
	sqlite3_stmt *ins_r, *ins_t, *ins_f, *ins_c;
	check(sqlite3_prepare_v2(db,
		"INSERT INTO responses(channel, status, status_reason, source_id, message_id, idem_key,"
		" received_at, late, sender_name, sender_email, subject, text, stored_at,"
		" respondent_type, organisation, area, respondent_key, campaign_id, duplicate_of)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &ins_r, NULL), db, "prepare");
	check(sqlite3_prepare_v2(db,
		"INSERT INTO response_themes(response_id, theme_id, score, terms) VALUES(?,?,?,?)",
		-1, &ins_t, NULL), db, "prepare");
	check(sqlite3_prepare_v2(db,
		"INSERT INTO form_answers(response_id, idx, question_id, question, kind, value)"
		" VALUES(?,?,?,?,?,?)", -1, &ins_f, NULL), db, "prepare");
	check(sqlite3_prepare_v2(db,
		"INSERT INTO campaigns(id, size, first_at, last_at, representative_id) VALUES(?,?,?,?,?)",
		-1, &ins_c, NULL), db, "prepare");
	/* campaigns first (ids 1..20), sizes fixed up at the end */
	for (int k = 0; k < N_CAMPAIGNS; k++) {
		sqlite3_bind_int(ins_c, 1, k + 1);
		sqlite3_bind_int(ins_c, 2, 0);
		sqlite3_bind_int64(ins_c, 3, 0);
		sqlite3_bind_int64(ins_c, 4, 0);
		sqlite3_bind_null(ins_c, 5);
		check(sqlite3_step(ins_c), db, "campaign");
		sqlite3_reset(ins_c);
	}
	static const char *const choices[] = {"Neighbourhood policing", "Violence against women and girls",
					      "Knife crime", "Burglary", "Anti-social behaviour"};
	char text[2048], sentence[256], subject[128], idem[64], email[96], org[128], name[64];
	long long prev_counted = 0;
	for (long long i = 1; i <= n; i++) {
		/* time: uniform with a surge over the last three days */
		double u = unif();
		long long t;
		if (u < 0.35)
			t = closes - (long long)(unif() * 3 * 86400);
		else
			t = opens + (long long)(unif() * (double)(closes - opens));
		int late = 0;
		if (unif() < 0.008) {
			t = closes + 60 + (long long)(unif() * 86000);
			late = 1;
		}
		double s = unif();
		const char *status = s < 0.04 ? "auto-reply" : s < 0.05 ? "bounce" : s < 0.052 ? "quarantined"
			: s < 0.057 ? "list" : "response";
		bool counted = strcmp(status, "response") == 0;
		double c = unif();
		const char *channel = c < 0.70 ? "email" : c < 0.97 ? "form" : "import";
		if (!counted)
			channel = "email";
		double ty = unif();
		const char *type = ty < 0.03 ? "organisation" : ty < 0.93 ? "individual" : NULL;
		int borough = (int)(rnd() % (N_BOROUGHS - N_SILENT));
		int camp = counted && unif() < 0.15 ? (int)((rnd() % 100) * (rnd() % 100) / 500) : -1;
		if (camp >= N_CAMPAIGNS)
			camp = -1;
		/* themes: 0-3, skewed to the first ones */
		int themes[4], nth = 0;
		if (camp >= 0) {
			themes[nth++] = camp_theme[camp];
		} else if (unif() > 0.12) {
			int want = 1 + (int)(unif() * unif() * 3);
			for (int k = 0; k < want && nt > 0; k++) {
				int th = (int)(unif() * unif() * (double)nt);
				bool seen = false;
				for (int j = 0; j < nth; j++)
					seen = seen || themes[j] == th;
				if (!seen)
					themes[nth++] = th;
			}
		}
		size_t o = 0;
		text[0] = '\0';
		if (!counted) {
			o += (size_t)snprintf(text, sizeof(text), "%s",
				strcmp(status, "auto-reply") == 0 ? "I am out of the office until Monday."
				: strcmp(status, "bounce") == 0 ? "Delivery has failed to these recipients."
				: "Automatic digest of the list.");
		} else if (camp >= 0) {
			o += (size_t)snprintf(text, sizeof(text),
				"Campaign %d letter. I am writing to object in the strongest terms to the "
				"proposal and to ask the Mayor to act. ", camp + 1);
			theme_sentence(sentence, sizeof(sentence), themes_label(ts, (size_t)themes[0]), camp);
			o += (size_t)snprintf(text + o, sizeof(text) - o, "%s ", sentence);
		}
		while (counted && o < 900) {
			if (nth > 0 && unif() < 0.5) {
				int th = themes[rnd() % (unsigned)nth];
				theme_sentence(sentence, sizeof(sentence), themes_label(ts, (size_t)th),
					       (int)(rnd() % 6));
				o += (size_t)snprintf(text + o, sizeof(text) - o, "%s ", sentence);
			} else {
				o += (size_t)snprintf(text + o, sizeof(text) - o, "%s ",
						      filler[rnd() % N_FILLER]);
			}
		}
		if (counted && unif() < 0.05)
			o += (size_t)snprintf(text + o, sizeof(text) - o,
				"You can reach me at resident%lld@example.org or on 020 7946 %04u, "
				"%u %s, SE%u %uAB.", i, rnd() % 10000, 1 + rnd() % 200,
				streets[rnd() % 6], 1 + rnd() % 28, 1 + rnd() % 9);
		snprintf(subject, sizeof(subject), "Response to the Police and Crime Plan (%lld)", i);
		snprintf(idem, sizeof(idem), "sha256:%016llx%08x", i, rnd());
		snprintf(email, sizeof(email), "resident%lld@example.org", i);
		snprintf(name, sizeof(name), "Resident %lld", i);
		org[0] = '\0';
		if (type != NULL && strcmp(type, "organisation") == 0)
			snprintf(org, sizeof(org), "%s %s", boroughs[rnd() % N_BOROUGHS],
				 org_kinds[rnd() % 8]);
		if (org[0] >= 'a' && org[0] <= 'z')
			org[0] = (char)(org[0] - 32);
		bool dup = counted && prev_counted > 0 && unif() < 0.01;
		int col = 1;
		sqlite3_bind_text(ins_r, col++, channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_r, col++, status, -1, SQLITE_STATIC);
		if (strcmp(status, "quarantined") == 0)
			sqlite3_bind_text(ins_r, col++, i % 2 ? "message over 25 MB" : "undecodable MIME structure",
					  -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins_r, col++);
		sqlite3_bind_text(ins_r, col++, "imap:consultation@example.org/INBOX", -1, SQLITE_STATIC);
		sqlite3_bind_null(ins_r, col++);
		sqlite3_bind_text(ins_r, col++, idem, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_r, col++, t);
		sqlite3_bind_int(ins_r, col++, late);
		sqlite3_bind_text(ins_r, col++, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_r, col++, email, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_r, col++, subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_r, col++, text, (int)o, SQLITE_STATIC);
		sqlite3_bind_int64(ins_r, col++, t + 5);
		if (type != NULL && counted)
			sqlite3_bind_text(ins_r, col++, type, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins_r, col++);
		if (org[0] != '\0' && counted)
			sqlite3_bind_text(ins_r, col++, org, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins_r, col++);
		if (counted)
			sqlite3_bind_text(ins_r, col++, boroughs[borough], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins_r, col++);
		sqlite3_bind_text(ins_r, col++, email, -1, SQLITE_STATIC);
		if (camp >= 0)
			sqlite3_bind_int(ins_r, col++, camp + 1);
		else
			sqlite3_bind_null(ins_r, col++);
		if (dup)
			sqlite3_bind_int64(ins_r, col++, prev_counted);
		else
			sqlite3_bind_null(ins_r, col++);
		check(sqlite3_step(ins_r), db, "response");
		sqlite3_reset(ins_r);
		long long id = sqlite3_last_insert_rowid(db);
		if (counted && !dup)
			prev_counted = id;
		if (camp >= 0) {
			if (camp_size[camp]++ == 0)
				camp_first[camp] = camp_rep[camp] = id;
			if (t < camp_first[camp] || camp_size[camp] == 1)
				camp_first[camp] = t;
			if (t > camp_last[camp])
				camp_last[camp] = t;
		}
		for (int k = 0; counted && k < nth; k++) {
			sqlite3_bind_int64(ins_t, 1, id);
			sqlite3_bind_text(ins_t, 2, themes_id(ts, (size_t)themes[k]), -1, SQLITE_STATIC);
			sqlite3_bind_double(ins_t, 3, 2.0 + (double)(rnd() % 800) / 100.0);
			sqlite3_bind_text(ins_t, 4, "synthetic", -1, SQLITE_STATIC);
			check(sqlite3_step(ins_t), db, "theme");
			sqlite3_reset(ins_t);
		}
		if (counted && strcmp(channel, "form") == 0) {
			sqlite3_bind_int64(ins_f, 1, id);
			sqlite3_bind_int(ins_f, 2, 0);
			sqlite3_bind_text(ins_f, 3, "priority", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins_f, 4, "Which priority matters most to you?", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins_f, 5, "choice", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins_f, 6, choices[(unsigned)(unif() * unif() * 5)], -1,
					  SQLITE_STATIC);
			check(sqlite3_step(ins_f), db, "form answer");
			sqlite3_reset(ins_f);
			sqlite3_bind_int64(ins_f, 1, id);
			sqlite3_bind_int(ins_f, 2, 1);
			sqlite3_bind_text(ins_f, 3, "comments", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins_f, 4, "What else should the plan do?", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins_f, 5, "text", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins_f, 6, text, (int)(o < 300 ? o : 300), SQLITE_STATIC);
			check(sqlite3_step(ins_f), db, "form answer");
			sqlite3_reset(ins_f);
		}
	}
	sqlite3_stmt *up;
	check(sqlite3_prepare_v2(db, "UPDATE campaigns SET size = ?, first_at = ?, last_at = ?,"
				 " representative_id = ? WHERE id = ?", -1, &up, NULL), db, "prepare");
	for (int k = 0; k < N_CAMPAIGNS; k++) {
		sqlite3_bind_int64(up, 1, camp_size[k]);
		sqlite3_bind_int64(up, 2, camp_first[k]);
		sqlite3_bind_int64(up, 3, camp_last[k]);
		if (camp_rep[k] > 0)
			sqlite3_bind_int64(up, 4, camp_rep[k]);
		else
			sqlite3_bind_null(up, 4);
		sqlite3_bind_int(up, 5, k + 1);
		check(sqlite3_step(up), db, "campaign");
		sqlite3_reset(up);
	}
	check(sqlite3_exec(db, "DELETE FROM campaigns WHERE size = 0;"
			   "INSERT INTO intake_state(source, uidvalidity, last_uid, updated_at,"
			   " last_poll_at, reconciled_at, server_count, missing_count)"
			   " SELECT 'imap:consultation@example.org/INBOX', 1, count(*), max(stored_at),"
			   " max(stored_at), max(stored_at), count(*), 0 FROM responses;"
			   /* consultd indexes what it stores in the same transaction;
			    * rows written here by hand are indexed in one go. */
			   "INSERT INTO response_fts(response_fts) VALUES('rebuild');"
			   "COMMIT; PRAGMA journal_mode=WAL", NULL, NULL, NULL), db, "commit");
	sqlite3_finalize(ins_r);
	sqlite3_finalize(ins_t);
	sqlite3_finalize(ins_f);
	sqlite3_finalize(ins_c);
	sqlite3_finalize(up);
	storage_close(st);
	themes_free(ts);
	printf("gen_store: %lld responses in %s\n", n, out);
	return 0;
}
