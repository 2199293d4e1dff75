/*
 * respondent.c — individual or organisation (contract in respondent.h).
 *
 * A weighted sum of evidence against a threshold, tuned on the tune split
 * of the development set only (bench/classify_eval --respondent reports
 * the held-out accuracy). Sender domains cannot be measured there (the
 * development set has none); they are the strongest evidence when present.
 */
#include "respondent.h"

#include "classify.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ORG_THRESHOLD 3
#define NAME_MAX_BYTES 120

/* Domains (suffixes) of public bodies, charities and schools. */
static const char *const org_domains[] = {
	".gov.uk", ".police.uk", ".nhs.uk", "nhs.net", ".sch.uk", ".ac.uk", ".org.uk", ".org",
	".parliament.uk", ".mod.uk", ".ltd.uk", ".plc.uk",
};

/* Webmail and broadband providers: people, not bodies. */
static const char *const personal_domains[] = {
	"gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com",
	"live.co.uk", "live.com", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com",
	"aol.co.uk", "btinternet.com", "sky.com", "virginmedia.com", "talktalk.net",
	"ntlworld.com", "blueyonder.co.uk", "tiscali.co.uk", "protonmail.com", "proton.me",
	"mail.com", "gmx.com", "gmx.co.uk", "msn.com", "plusnet.com",
};

/* Capitalised words that end the name of a body. */
static const char *const org_nouns[] = {
	"Council", "Board", "Partnership", "Forum", "Federation", "Association", "Trust",
	"Charity", "Network", "Service", "Services", "Centre", "Center", "Campaign", "Project",
	"Commission", "Committee", "Society", "Foundation", "Group", "Alliance", "Region",
	"Watch", "Panel", "SNB", "TRA", "Borough", "Sisters", "Collective", "Coalition",
	"Union", "Mosque", "Church", "Parish", "Ltd", "Limited", "CIC", "Authority", "Team",
	"Institute", "Consortium", "Agency", "Office", "Youth", "Support", "Aid", "BID",
	"Club", "Cathedral", "Synagogue", "Temple", "Gurdwara", "Hub", "Initiative",
};

struct phrase {
	const char *text; /* lower case */
	int weight;
};

static const struct phrase org_phrases[] = {
	{"on behalf of", 3},     {"we are a ", 2},          {"we are an ", 2},
	{"we are the ", 2},      {"we represent", 2},       {"our members", 2},
	{"our organisation", 2}, {"our organization", 2},   {"registered charity", 3},
	{"charity number", 3},   {"company number", 3},     {"our forum", 2},
	{"our group", 2},        {"our church", 2},         {"our charity", 2},
	{"our service", 2},      {"our tra ", 2},           {"we respond", 2},
	{"submits this", 2},     {"submits these", 2},      {"this response", 1},
	{"welcomes the", 1},     {"our residents", 1},      {"our communities", 1},
	{"our clients", 1},      {"our staff", 1},          {"our volunteers", 1},
	{"we run ", 1},          {"we work with", 1},       {"our borough", 2},
	{"our partnership", 2},  {"our board", 2},          {"brings together", 1},
	{"our association", 1},  {"our young people", 1},   {"our advisers", 1},
	{"we urge", 2},          {"we ask the", 1},         {"we ask that", 1},
	{"we recommend", 1},     {"we would welcome", 1},   {"the plan should", 1},
	{"our data", 1},         {"our programme", 1},      {"we support", 1},
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The domain of an address, or NULL. */
static const char *domain_of(const char *email)
{
	const char *at = email != NULL ? strrchr(email, '@') : NULL;
	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

static int domain_evidence(const char *email)
{
	const char *d = domain_of(email);
	char low[256];
	size_t n;
	if (d == NULL || (n = strlen(d)) >= sizeof(low))
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)d[i]);
	for (size_t i = 0; i < sizeof(personal_domains) / sizeof(personal_domains[0]); i++)
		if (strcmp(low, personal_domains[i]) == 0)
			return -2;
	for (size_t i = 0; i < sizeof(org_domains) / sizeof(org_domains[0]); i++) {
		const char *sfx = org_domains[i];
		if (ends_with(low, sfx) && (sfx[0] == '.' || strlen(low) == strlen(sfx) ||
					    low[strlen(low) - strlen(sfx) - 1] == '.'))
			return 5;
	}
	return 0;
}

static bool is_org_noun(const char *w, size_t n)
{
	/* "Council's" is "Council". */
	if (n > 2 && (strncmp(w + n - 2, "'s", 2) == 0))
		n -= 2;
	for (size_t i = 0; i < sizeof(org_nouns) / sizeof(org_nouns[0]); i++)
		if (strlen(org_nouns[i]) == n && memcmp(org_nouns[i], w, n) == 0)
			return true;
	return false;
}

static bool is_connector(const char *w, size_t n)
{
	static const char *const c[] = {"of", "and", "for", "the", "upon", "in", "on", "&"};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (strlen(c[i]) == n && memcmp(c[i], w, n) == 0)
			return true;
	return false;
}

static size_t word_len(const char *p)
{
	size_t n = 0;
	while (p[n] != '\0' && (isalnum((unsigned char)p[n]) || p[n] == '\'' || p[n] == '&' ||
				(p[n] == '-' && isalpha((unsigned char)p[n + 1]))))
		n++;
	return n;
}

/*
 * The longest run of capitalised words (connectors allowed inside) that
 * starts at p and ends in an organisation noun, when `need_noun`; any
 * capitalised run of two words or more (or one acronym) otherwise. Its
 * length, or 0.
 */
static size_t name_run(const char *p, bool need_noun)
{
	size_t best = 0, words = 0;
	const char *q = p;
	if (strncmp(q, "The ", 4) == 0)
		q += 4;
	for (;;) {
		size_t n = word_len(q);
		if (n == 0)
			break;
		bool cap = isupper((unsigned char)q[0]) || isdigit((unsigned char)q[0]);
		if (!cap && !(words > 0 && is_connector(q, n)))
			break;
		if (cap) {
			words++;
			bool acronym = n >= 3 && isupper((unsigned char)q[1]);
			if (need_noun ? is_org_noun(q, n) : (words >= 2 || acronym))
				best = (size_t)(q + n - p);
		}
		q += n;
		if (*q != ' ' || q - p > NAME_MAX_BYTES)
			break;
		q++;
	}
	if (best > 2 && strncmp(p + best - 2, "'s", 2) == 0)
		best -= 2;
	return best;
}

/* Position and length of a body's name in s (first found), or 0. */
static size_t find_name(const char *s, size_t limit, bool need_noun, const char **at)
{
	size_t len = strlen(s);
	if (len > limit)
		len = limit;
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && isalnum((unsigned char)s[i - 1]))
			continue;
		if (!isupper((unsigned char)s[i]))
			continue;
		size_t n = name_run(s + i, need_noun);
		if (n > 0) {
			*at = s + i;
			return n;
		}
		while (i < len && isalnum((unsigned char)s[i]))
			i++;
	}
	return 0;
}

static char *copy_name(const char *p, size_t n, bool *oom)
{
	if (strncmp(p, "The ", 4) == 0 && n > 4) {
		p += 4;
		n -= 4;
	}
	char *s = strndup(p, n);
	if (s == NULL)
		*oom = true;
	return s;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t m = strlen(needle);
	for (const char *p = hay; *p != '\0'; p++)
		if (strncasecmp(p, needle, m) == 0)
			return true;
	return false;
}

/* First-person singular and plural words. */
static void pronouns(const char *s, int *sing, int *plural, int *words)
{
	static const char *const one[] = {"i", "i'm", "im", "i've", "ive", "i'd", "id", "my", "me", "mine"};
	static const char *const many[] = {"we", "our", "us", "we're", "we've", "ours"};
	*sing = *plural = *words = 0;
	for (const char *p = s; *p != '\0';) {
		if (!isalpha((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t n = word_len(p);
		(*words)++;
		/* Every pronoun is at most 5 bytes and starts with one of these:
		 * most words of a long letter need no comparison at all. */
		int c0 = tolower((unsigned char)*p);
		if (n <= 5 && (c0 == 'i' || c0 == 'm' || c0 == 'w' || c0 == 'o' || c0 == 'u')) {
			char w[8];
			for (size_t i = 0; i < n; i++)
				w[i] = (char)tolower((unsigned char)p[i]);
			w[n] = '\0';
			for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
				*sing += strcmp(w, one[i]) == 0;
			for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
				*plural += strcmp(w, many[i]) == 0;
		}
		p += n > 0 ? n : 1;
	}
}

/* The signature block after a "-- " line, or NULL (borrowed). */
static const char *signature_of(const char *text)
{
	const char *p = strstr(text, "\n-- \n");
	return p != NULL ? p + 5 : NULL;
}

static enum respondent_type classify_own(const char *subject, const char *text, const char *own,
					 const char *sender_email, char **organisation)
{
	*organisation = NULL;
	/* Attachments often are the organisation's letter; but a body that
	 * says who writes is enough, so look at the first 4 KB. */
	const char *sig = signature_of(text != NULL ? text : "");
	int score = domain_evidence(sender_email);
	bool oom = false;
	const char *at = NULL;
	size_t n;
	char *name = NULL;

	char low[4097];
	size_t ol = strnlen(own, sizeof(low) - 1);
	for (size_t i = 0; i < ol; i++)
		low[i] = (char)tolower((unsigned char)own[i]);
	low[ol] = '\0';
	for (size_t i = 0; i < sizeof(org_phrases) / sizeof(org_phrases[0]); i++)
		if (strstr(low, org_phrases[i].text) != NULL)
			score += org_phrases[i].weight;

	/* Who is named: "on behalf of X", the subject line, the opening. */
	const char *behalf = strstr(low, "on behalf of ");
	if (behalf != NULL) {
		const char *p = own + (behalf - low) + 13;
		if ((n = name_run(p, false)) > 0 || (n = name_run(p, true)) > 0)
			name = copy_name(p, n, &oom);
	}
	if (subject != NULL && (n = find_name(subject, 200, true, &at)) > 0) {
		score += 2;
		if (contains_ci(subject, "response") || contains_ci(subject, "submission"))
			score += 1;
		if (name == NULL)
			name = copy_name(at, n, &oom);
	}
	/* "Shelter London - response": a name, a dash, what it is. */
	const char *dash = subject != NULL ? strstr(subject, " - ") : NULL;
	if (dash != NULL && (contains_ci(dash, "response") || contains_ci(dash, "submission") ||
			     contains_ci(dash, "comments")) &&
	    name_run(subject, false) > 0) {
		score += 2;
		if (name == NULL)
			name = copy_name(subject, (size_t)(dash - subject), &oom);
	}
	if ((n = find_name(own, 300, true, &at)) > 0) {
		score += 2;
		if (name == NULL)
			name = copy_name(at, n, &oom);
	}
	if (sig != NULL && (n = find_name(sig, 600, true, &at)) > 0) {
		score += 2;
		if (name == NULL)
			name = copy_name(at, n, &oom);
	}

	int sing, plural, words;
	pronouns(own, &sing, &plural, &words);
	if (sing >= 2 && sing > plural)
		score -= 3;
	else if (sing >= 1 && plural == 0)
		score -= 1;
	else if (sing == 0 && plural >= 2)
		score += 1;
	if (words < 30)
		score -= 1;
	if (oom) {
		free(name);
		return RESPONDENT_UNKNOWN;
	}

	if (score >= ORG_THRESHOLD) {
		*organisation = name;
		return RESPONDENT_ORGANISATION;
	}
	free(name);
	return RESPONDENT_INDIVIDUAL;
}

enum respondent_type respondent_classify(const char *subject, const char *text,
					 const char *sender_email, char **organisation)
{
	*organisation = NULL;
	/* The consultation's documents are not needed here: a pasted passage
	 * neither opens the text nor signs it. */
	char *own = classify_own_words(NULL, text != NULL ? text : "", NULL);
	if (own == NULL)
		return RESPONDENT_UNKNOWN;
	enum respondent_type t = classify_own(subject, text, own, sender_email, organisation);
	free(own);
	return t;
}

int respondent_classify_response(struct response *r, const char *own)
{
	char *org = NULL;
	enum respondent_type t = classify_own(r->subject, r->text, own, r->sender_email, &org);
	if (t == RESPONDENT_UNKNOWN)
		return -1;
	free(r->organisation);
	r->organisation = org;
	r->respondent_type = t;
	return 0;
}
