/*
 * classify_eval.c — how well a theme file classifies the labelled
 * development set (tests/data/devset), and how fast.
 *
 *   classify_eval --themes FILE --devset JSONL [--split tune|heldout|all]
 *                 [--errors] [--seconds S]
 *
 * Quality: every response of the chosen split is classified from its
 * subject and text with classify_text(); per theme it prints TP/FP/FN,
 * precision, recall and F1, then macro-F1 (mean of the themes' F1),
 * micro-F1 (from the summed counts), and how often a response labelled
 * with no theme got none. --errors also lists every response of the split
 * whose themes differ from its labels, with the matched terms (for tuning:
 * use it on the tune split only).
 *
 * Speed: dev-set texts (all splits) are joined and cut into pieces of about
 * 1 KB, classified in a loop on this one thread for S seconds (default 2;
 * 0 skips it); it prints responses per second by wall clock and per second
 * of the thread's CPU time. A measurement, never a test: nothing here fails
 * on a figure.
 *
 * Exit status: 0, or 1 on a usage, file or data error.
 */
#include "classify/classify.h"
#include "classify/model.h"
#include "classify/respondent.h"
#include "classify/themes.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THEMES 64
#define PIECE_BYTES 1024

struct item {
	char *id;
	char *split;
	char *subject;
	char *text;
	char *kind; /* respondent_type: "individual" or "organisation" */
	bool gold[MAX_THEMES];
	bool none; /* labelled with no theme */
};

struct devset {
	struct item *items;
	size_t n, cap;
};

struct counts {
	unsigned long tp, fp, fn;
};

static void devset_free(struct devset *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		free(ds->items[i].id);
		free(ds->items[i].split);
		free(ds->items[i].subject);
		free(ds->items[i].text);
		free(ds->items[i].kind);
	}
	free(ds->items);
	ds->items = NULL;
	ds->n = ds->cap = 0;
}

/* A string member of obj, copied; NULL (with a message) when absent. */
static char *member_str(json_t *obj, const char *key, const char *path,
			unsigned long line)
{
	const char *s = json_string_value(json_object_get(obj, key));
	char *copy;

	if (s == NULL) {
		fprintf(stderr, "%s:%lu: no string '%s'\n", path, line, key);
		return NULL;
	}
	copy = strdup(s);
	if (copy == NULL)
		fprintf(stderr, "%s:%lu: out of memory\n", path, line);
	return copy;
}

/* Parse one JSONL row into it; 0 or -1 (message printed). */
static int parse_row(const struct theme_set *ts, const char *buf,
		     const char *path, unsigned long line, struct item *it)
{
	json_error_t jerr;
	json_t *row = json_loads(buf, 0, &jerr);
	json_t *themes;
	size_t k;
	json_t *v;
	int rc = -1;

	memset(it, 0, sizeof(*it));
	if (row == NULL || !json_is_object(row)) {
		fprintf(stderr, "%s:%lu: %s\n", path, line,
			row == NULL ? jerr.text : "not a JSON object");
		goto out;
	}
	it->id = member_str(row, "id", path, line);
	it->split = member_str(row, "split", path, line);
	it->subject = member_str(row, "subject", path, line);
	it->text = member_str(row, "text", path, line);
	it->kind = member_str(row, "respondent_type", path, line);
	if (it->id == NULL || it->split == NULL || it->subject == NULL ||
	    it->text == NULL || it->kind == NULL)
		goto out;
	themes = json_object_get(row, "themes");
	if (!json_is_array(themes)) {
		fprintf(stderr, "%s:%lu: no array 'themes'\n", path, line);
		goto out;
	}
	json_array_foreach(themes, k, v) {
		const char *id = json_string_value(v);
		long t = id != NULL ? themes_find(ts, id) : -1;
		if (t < 0) {
			fprintf(stderr, "%s:%lu: theme '%s' is not in the theme file\n",
				path, line, id != NULL ? id : "(not a string)");
			goto out;
		}
		it->gold[t] = true;
	}
	it->none = json_array_size(themes) == 0;
	rc = 0;
out:
	json_decref(row);
	return rc;
}

static int devset_load(const struct theme_set *ts, const char *path,
		       struct devset *ds)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t bufsz = 0;
	unsigned long line = 0;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		goto out;
	}
	while (getline(&buf, &bufsz, f) >= 0) {
		line++;
		if (buf[strspn(buf, " \t\r\n")] == '\0')
			continue;
		if (ds->n == ds->cap) {
			size_t cap = ds->cap ? ds->cap * 2 : 256;
			struct item *p = realloc(ds->items, cap * sizeof(*p));
			if (p == NULL) {
				fprintf(stderr, "%s: out of memory\n", path);
				goto out;
			}
			ds->items = p;
			ds->cap = cap;
		}
		struct item *it = &ds->items[ds->n];
		int prc = parse_row(ts, buf, path, line, it);
		ds->n++; /* counted either way, so devset_free releases it */
		if (prc < 0)
			goto out;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

static double ratio(unsigned long num, unsigned long den)
{
	return den == 0 ? 0.0 : (double)num / (double)den;
}

static double f1(double p, double r)
{
	return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

/* The themes of hits, or of a gold label, as "a b c" or "-". */
static void print_set(const struct theme_set *ts, const bool *set)
{
	bool any = false;
	for (size_t t = 0; t < themes_count(ts); t++) {
		if (set[t]) {
			printf("%s%s", any ? " " : "", themes_id(ts, t));
			any = true;
		}
	}
	if (!any)
		fputs("-", stdout);
}

static int evaluate(const struct theme_set *ts, const struct model *m,
		    const struct devset *ds, const char *split, bool errors,
		    double *f1_out, double *macro_out)
{
	size_t nt = themes_count(ts);
	struct counts c[MAX_THEMES];
	unsigned long n = 0, exact = 0, none_gold = 0, none_right = 0,
		      none_pred = 0;
	int rc = -1;

	memset(c, 0, sizeof(c));
	if (errors)
		printf("responses whose themes differ from their labels "
		       "(+ false positive, - false negative):\n");
	for (size_t i = 0; i < ds->n; i++) {
		const struct item *it = &ds->items[i];
		struct theme_hit *hits = NULL;
		size_t nh = 0;
		bool pred[MAX_THEMES] = {false};
		bool same = true;

		if (strcmp(split, "all") != 0 && strcmp(split, it->split) != 0)
			continue;
		if ((m != NULL ? model_classify_text(m, it->subject, it->text, &hits, &nh)
			       : classify_text(ts, it->subject, it->text, &hits, &nh)) < 0) {
			fprintf(stderr, "classify_text: out of memory\n");
			goto out;
		}
		for (size_t h = 0; h < nh; h++)
			pred[themes_find(ts, hits[h].theme_id)] = true;
		n++;
		for (size_t t = 0; t < nt; t++) {
			c[t].tp += pred[t] && it->gold[t];
			c[t].fp += pred[t] && !it->gold[t];
			c[t].fn += !pred[t] && it->gold[t];
			same = same && pred[t] == it->gold[t];
		}
		exact += same;
		none_gold += it->none;
		none_right += it->none && nh == 0;
		none_pred += nh == 0;
		if (errors && !same) {
			printf("%s [%s] labels: ", it->id, it->subject);
			print_set(ts, it->gold);
			printf("; got: ");
			print_set(ts, pred);
			printf("\n");
			for (size_t h = 0; h < nh; h++) {
				long t = themes_find(ts, hits[h].theme_id);
				printf("    %c %-22s %5.2f  %s\n",
				       it->gold[t] ? ' ' : '+', hits[h].theme_id,
				       hits[h].score, hits[h].terms);
			}
			for (size_t t = 0; t < nt; t++)
				if (it->gold[t] && !pred[t])
					printf("    - %s\n", themes_id(ts, t));
		}
		classify_free_hits(hits, nh);
	}

	unsigned long stp = 0, sfp = 0, sfn = 0;
	double macro = 0.0;
	printf("\nclassify_eval: theme file %s%s, split '%s': %lu responses\n",
	       themes_set_id(ts), m != NULL ? " + model from the tune split" : "", split, n);
	printf("%-24s %5s %5s %5s %9s %7s %6s\n", "theme", "TP", "FP", "FN",
	       "precision", "recall", "F1");
	for (size_t t = 0; t < nt; t++) {
		double p = ratio(c[t].tp, c[t].tp + c[t].fp);
		double r = ratio(c[t].tp, c[t].tp + c[t].fn);
		printf("%-24s %5lu %5lu %5lu %9.3f %7.3f %6.3f\n", themes_id(ts, t),
		       c[t].tp, c[t].fp, c[t].fn, p, r, f1(p, r));
		macro += f1(p, r);
		if (f1_out != NULL)
			f1_out[t] = f1(p, r);
		stp += c[t].tp;
		sfp += c[t].fp;
		sfn += c[t].fn;
	}
	macro = nt > 0 ? macro / (double)nt : 0.0;
	if (macro_out != NULL)
		*macro_out = macro;
	double mp = ratio(stp, stp + sfp), mr = ratio(stp, stp + sfn);
	printf("macro-F1 %.3f   micro-F1 %.3f (precision %.3f, recall %.3f)\n",
	       macro, f1(mp, mr), mp, mr);
	printf("no theme: %lu of %lu unlabelled responses got none (accuracy %.3f); "
	       "%lu responses got none in all\n",
	       none_right, none_gold, ratio(none_right, none_gold), none_pred);
	printf("exact theme set: %lu of %lu (%.3f)\n", exact, n, ratio(exact, n));
	rc = 0;
out:
	return rc;
}

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Join the dev set's texts, in file order, into one stream and cut it into
 * pieces of at most PIECE_BYTES, each ending at white space where there is
 * some in its second half (so about 1 KB; never splitting a UTF-8
 * sequence), and classify the pieces
 * round-robin for `seconds` on this thread. Prints the rate by wall-clock
 * time and by this thread's CPU time: on a busy machine the second is what
 * one core does.
 */
static int throughput(const struct theme_set *ts, const struct devset *ds,
		      double seconds)
{
	char *all = NULL, **pieces = NULL;
	size_t all_len = 0, n_pieces = 0, piece_bytes = 0;
	unsigned long done = 0;
	double w0, c0, wall = 0.0, cpu;
	int rc = -1;

	for (size_t i = 0; i < ds->n; i++)
		all_len += strlen(ds->items[i].text) + 2;
	all = malloc(all_len + 1);
	pieces = calloc(all_len / (PIECE_BYTES / 2) + 2, sizeof(*pieces));
	if (all == NULL || pieces == NULL)
		goto oom;
	all_len = 0;
	for (size_t i = 0; i < ds->n; i++) {
		size_t tl = strlen(ds->items[i].text);
		memcpy(all + all_len, ds->items[i].text, tl);
		memcpy(all + all_len + tl, "\n\n", 2);
		all_len += tl + 2;
	}
	all[all_len] = '\0';
	for (size_t at = 0; at + PIECE_BYTES <= all_len;) {
		size_t len = PIECE_BYTES, skip = 1;
		while (len > PIECE_BYTES / 2 && strchr(" \t\n", all[at + len]) == NULL)
			len--;
		if (len == PIECE_BYTES / 2) { /* no white space: a UTF-8 boundary */
			len = PIECE_BYTES;
			while (((unsigned char)all[at + len] & 0xC0) == 0x80)
				len--;
			skip = 0;
		}
		pieces[n_pieces] = strndup(all + at, len);
		if (pieces[n_pieces] == NULL)
			goto oom;
		n_pieces++;
		piece_bytes += len;
		at += len + skip;
	}
	if (n_pieces == 0) {
		fprintf(stderr, "classify_eval: dev set too small for 1 KB pieces\n");
		goto out;
	}
	w0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	do {
		for (size_t k = 0; k < 64; k++) {
			struct theme_hit *hits;
			size_t nh;
			if (classify_text(ts, NULL, pieces[done % n_pieces], &hits,
					  &nh) < 0)
				goto oom;
			classify_free_hits(hits, nh);
			done++;
		}
		wall = clock_s(CLOCK_MONOTONIC) - w0;
	} while (wall < seconds);
	cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	printf("throughput: %lu responses of %.0f bytes on average (%zu distinct), "
	       "one thread, %.2f s: %.0f responses/s by wall clock, "
	       "%.0f responses/s of CPU time (%.1f MB/s)\n",
	       done, (double)piece_bytes / (double)n_pieces, n_pieces, wall,
	       (double)done / wall, (double)done / cpu,
	       (double)done * ((double)piece_bytes / (double)n_pieces) / cpu / 1e6);
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "classify_eval: out of memory\n");
out:
	for (size_t i = 0; i < n_pieces; i++)
		free(pieces[i]);
	free(pieces);
	free(all);
	return rc;
}

/*
 * --model: the tune split stands for a lead's manual labels. A model is
 * trained from it (model.h) and the chosen split is evaluated with the
 * lexicon alone, then combined; per-theme F1 of both and the gain.
 */
static int compare_model(const struct theme_set *ts, const struct devset *ds, const char *split)
{
	size_t nt = themes_count(ts), n = 0;
	struct model_doc *docs = calloc(ds->n ? ds->n : 1, sizeof(*docs));
	bool *labels = calloc((ds->n ? ds->n : 1) * (nt ? nt : 1), sizeof(*labels));
	double f_lex[MAX_THEMES], f_com[MAX_THEMES], m_lex, m_com;
	struct model *m = NULL;
	int rc = -1;

	if (docs == NULL || labels == NULL)
		goto out;
	for (size_t i = 0; i < ds->n; i++) {
		if (strcmp(ds->items[i].split, "tune") != 0)
			continue;
		memcpy(labels + n * nt, ds->items[i].gold, nt * sizeof(bool));
		docs[n] = (struct model_doc){ds->items[i].subject, ds->items[i].text,
					     labels + n * nt};
		n++;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = model_train(ts, docs, n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (m == NULL) {
		fprintf(stderr, "classify_eval: model_train: out of memory\n");
		goto out;
	}
	if (evaluate(ts, NULL, ds, split, false, f_lex, &m_lex) < 0 ||
	    evaluate(ts, m, ds, split, false, f_com, &m_com) < 0)
		goto out;
	printf("\nmodel trained on %zu tune responses in %.3f s; %zu of %zu themes use it\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       model_themes_used(m), nt);
	printf("%-24s %8s %8s %7s %6s %5s\n", "theme", "lexicon", "combined", "gain", "alpha", "beta");
	for (size_t t = 0; t < nt; t++) {
		double a, b;
		model_theme_params(m, t, &a, &b);
		printf("%-24s %8.3f %8.3f %+7.3f %6.2f %5.2f\n", themes_id(ts, t), f_lex[t], f_com[t],
		       f_com[t] - f_lex[t], a, b);
	}
	printf("macro-F1 on '%s': lexicon %.3f, combined %.3f, gain %+.3f\n", split, m_lex, m_com,
	       m_com - m_lex);
	/* Speed of the combined classifier on the dev-set texts as they are. */
	unsigned long done = 0;
	size_t bytes = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double el = 0.0;
	while (el < 1.0) {
		for (size_t i = 0; i < ds->n; i++) {
			struct theme_hit *h;
			size_t nh;
			if (model_classify_text(m, ds->items[i].subject, ds->items[i].text, &h, &nh) != 0)
				goto out;
			classify_free_hits(h, nh);
			bytes += strlen(ds->items[i].text);
			done++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	printf("combined classifier: %.0f responses/s by wall clock, one thread (%.0f bytes on "
	       "average)\n", (double)done / el, (double)bytes / (double)done);
	rc = 0;
out:
	model_free(m);
	free(docs);
	free(labels);
	return rc;
}

/*
 * --respondent: respondent type (individual or organisation) of every
 * response of the split against its "kind" label; the development set has
 * no sender addresses, so this measures the text evidence alone.
 */
static int respondent_eval(const struct devset *ds, const char *split, bool errors)
{
	unsigned long n = 0, right = 0, oo = 0, oi = 0, io = 0, ii = 0, named = 0;
	for (size_t i = 0; i < ds->n; i++) {
		const struct item *it = &ds->items[i];
		char *org = NULL;
		if (strcmp(split, "all") != 0 && strcmp(split, it->split) != 0)
			continue;
		enum respondent_type t = respondent_classify(it->subject, it->text, NULL, &org);
		if (t == RESPONDENT_UNKNOWN) {
			fprintf(stderr, "respondent_classify: out of memory\n");
			return -1;
		}
		bool gold_org = strcmp(it->kind, "organisation") == 0;
		bool got_org = t == RESPONDENT_ORGANISATION;
		n++;
		right += gold_org == got_org;
		oo += gold_org && got_org;
		oi += gold_org && !got_org;
		io += !gold_org && got_org;
		ii += !gold_org && !got_org;
		named += got_org && org != NULL;
		if (errors && gold_org != got_org)
			printf("respondent: %s [%s] labelled %s, got %s\n", it->id, it->subject,
			       it->kind, respondent_type_name(t));
		if (errors && got_org && gold_org)
			printf("organisation: %s [%s] -> %s\n", it->id, it->subject,
			       org != NULL ? org : "(no name)");
		free(org);
	}
	printf("\nrespondent type, split '%s': %lu responses, accuracy %.3f\n", split, n,
	       ratio(right, n));
	printf("  labelled organisation: %lu found, %lu missed (recall %.3f)\n", oo, oi,
	       ratio(oo, oo + oi));
	printf("  labelled individual:   %lu right, %lu taken for organisations "
	       "(organisation precision %.3f)\n", ii, io, ratio(oo, oo + io));
	printf("  organisations with a name extracted: %lu of %lu\n", named, oo + io);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: classify_eval --themes FILE --devset JSONL "
		"[--split tune|heldout|all] [--errors] [--model | --respondent] [--seconds S]\n");
}

int main(int argc, char **argv)
{
	const char *themes = NULL, *devpath = NULL, *split = "heldout";
	double seconds = 2.0;
	bool errors = false, with_model = false, respondent = false;
	struct theme_set *ts = NULL;
	struct devset ds = {0};
	char err[8192] = "";
	int status = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (strcmp(a, "--themes") == 0 && has_val) {
			themes = argv[++i];
		} else if (strcmp(a, "--devset") == 0 && has_val) {
			devpath = argv[++i];
		} else if (strcmp(a, "--split") == 0 && has_val) {
			split = argv[++i];
		} else if (strcmp(a, "--seconds") == 0 && has_val) {
			char *end;
			errno = 0;
			seconds = strtod(argv[++i], &end);
			if (errno != 0 || *end != '\0' || end == argv[i] ||
			    !(seconds >= 0.0 && seconds <= 600.0)) {
				fprintf(stderr, "classify_eval: bad --seconds '%s'\n",
					argv[i]);
				goto out;
			}
		} else if (strcmp(a, "--respondent") == 0) {
			respondent = true;
		} else if (strcmp(a, "--model") == 0) {
			with_model = true;
		} else if (strcmp(a, "--errors") == 0) {
			errors = true;
		} else {
			usage();
			goto out;
		}
	}
	if (themes == NULL || devpath == NULL ||
	    (strcmp(split, "tune") != 0 && strcmp(split, "heldout") != 0 &&
	     strcmp(split, "all") != 0)) {
		usage();
		goto out;
	}
	ts = themes_load(themes, err, sizeof(err));
	if (ts == NULL) {
		fputs(err, stderr);
		goto out;
	}
	if (themes_count(ts) > MAX_THEMES) {
		fprintf(stderr, "classify_eval: more than %d themes\n", MAX_THEMES);
		goto out;
	}
	if (devset_load(ts, devpath, &ds) < 0)
		goto out;
	if (respondent) {
		if (respondent_eval(&ds, split, errors) < 0)
			goto out;
	} else if (with_model) {
		if (compare_model(ts, &ds, split) < 0)
			goto out;
	} else if (evaluate(ts, NULL, &ds, split, errors, NULL, NULL) < 0) {
		goto out;
	}
	if (seconds > 0.0 && throughput(ts, &ds, seconds) < 0)
		goto out;
	status = 0;
out:
	devset_free(&ds);
	themes_free(ts);
	return status;
}
