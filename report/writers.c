#include "writers.h"

#include "redact.h"
#include "version.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- shared formatting ----------------------------------------------- */

static void fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	/* Seconds only when they matter (a short test or demo window). */
	strftime(buf, len, t % 60 == 0 ? "%d %b %Y %H:%M UTC" : "%d %b %Y %H:%M:%S UTC", &tm);
}

static void fmt_date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%d %b %Y", &tm);
}

static void fmt_iso(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fmt_duration(int64_t secs, char *buf, size_t len)
{
	if (secs % 86400 == 0 && secs > 0)
		snprintf(buf, len, "%lld d", (long long)(secs / 86400));
	else if (secs % 3600 == 0 && secs > 0)
		snprintf(buf, len, "%lld h", (long long)(secs / 3600));
	else if (secs % 60 == 0 && secs > 0)
		snprintf(buf, len, "%lld min", (long long)(secs / 60));
	else
		snprintf(buf, len, "%lld s", (long long)secs);
}

/* 1284 -> "1,284", in one of a ring of buffers, so that one printf can
 * format several numbers. */
static const char *num(int64_t n)
{
	static _Thread_local char ring[16][32];
	static _Thread_local unsigned next;
	char *buf = ring[next++ % 16];
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%llu", n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n);
	size_t len = strlen(tmp), o = 0;
	if (n < 0)
		buf[o++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static int percent(int64_t part, int64_t whole)
{
	return whole > 0 ? (int)((part * 100 + whole / 2) / whole) : 0;
}

static const char *plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *kind_label(const struct report_model *m)
{
	return m->closing ? "closing" : "interim";
}

static const char *area_name(const struct report_named_count *a)
{
	return a->label != NULL ? a->label : a->name;
}

static int finish(FILE *out)
{
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}

/* ---- Markdown -------------------------------------------------------- */

/* Text as Markdown that renders as that text: markup characters are
 * backslash-escaped (CommonMark), so "<script>" or "| a |" in a response
 * stays text. */
static void md(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (strchr("\\`*_[]<>|~&#!", *s) != NULL)
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void md_header(FILE *out, const struct report_model *m)
{
	char opens[40], closes[40], gen[40], grace[32];
	fmt_time(m->opens, opens, sizeof(opens));
	fmt_time(m->closes, closes, sizeof(closes));
	fmt_time(m->generated, gen, sizeof(gen));
	fmt_duration(m->grace, grace, sizeof(grace));
	fputs("# ", out);
	md(out, m->name);
	fprintf(out, " — %s summary\n\n", kind_label(m));
	fprintf(out, "Window %s – %s, grace %s.  \n", opens, closes, grace);
	fprintf(out, "%s summary generated %s by consultd %s.\n\n", m->closing ? "Closing" : "Interim",
		gen, CONSULTD_VERSION);
}

static void md_glance(FILE *out, const struct report_model *m)
{
	fprintf(out, "## At a glance\n\n");
	fprintf(out, "- **%s %s**: %s by email, %s by web form, %s imported.\n", num(m->counted),
		plural(m->counted, "response", "responses"), num(m->by_channel[0]),
		num(m->by_channel[1]), num(m->by_channel[2]));
	fprintf(out, "- %s %s (%s responses), %s %s, %s of unknown kind.\n",
		num(m->n_organisations), plural(m->n_organisations, "organisation", "organisations"),
		num(m->organisation_responses), num(m->individual_responses),
		plural(m->individual_responses, "individual", "individuals"),
		num(m->unknown_type_responses));
	if (m->n_campaigns > 0)
		fprintf(out, "- %s %s account for %s responses; with each campaign counted once there are %s.\n",
			num(m->n_campaigns), plural(m->n_campaigns, "campaign", "campaigns"),
			num(m->campaign_responses), num(m->counted_as_one));
	if (m->both_channels > 0)
		fprintf(out, "- %s %s by email and by web form (linked by address; each response counts).\n",
			num(m->both_channels),
			m->both_channels == 1 ? "person answered both" : "people answered both");
	fprintf(out, "- %s late %s (received after the close, within grace) %s included and marked.\n",
		num(m->late), plural(m->late, "response", "responses"), plural(m->late, "is", "are"));
	fprintf(out, "- Not counted: %s %s, %s %s, %s mailing-list %s, %s %s in quarantine; "
		     "%s identical %s shown as one.\n",
		num(m->auto_replies), plural(m->auto_replies, "auto-reply", "auto-replies"),
		num(m->bounces), plural(m->bounces, "bounce", "bounces"),
		num(m->lists), plural(m->lists, "message", "messages"),
		num(m->quarantined), plural(m->quarantined, "message", "messages"),
		num(m->resubmissions), plural(m->resubmissions, "resubmission", "resubmissions"));
	fprintf(out, "- %s %s no theme of the consultation.\n\n", num(m->no_theme),
		m->no_theme == 1 ? "response raises" : "responses raise");
}

static void md_days(FILE *out, const struct report_model *m)
{
	int64_t max = 0;
	for (size_t i = 0; i < m->n_days; i++)
		if (m->days[i].responses > max)
			max = m->days[i].responses;
	fprintf(out, "## Responses per day\n\n");
	if (m->n_days == 0) {
		fprintf(out, "No responses yet.\n\n");
		return;
	}
	fprintf(out, "| day (UTC) | responses | of which late | |\n|---|---:|---:|---|\n");
	for (size_t i = 0; i < m->n_days; i++) {
		const struct report_day *d = &m->days[i];
		int width = max > 0 ? (int)((d->responses * 30 + max - 1) / max) : 0;
		fprintf(out, "| %s | %s | %s | ", d->day, num(d->responses), num(d->late));
		for (int j = 0; j < width; j++)
			fputs("\xe2\x96\x88", out); /* U+2588 FULL BLOCK */
		fprintf(out, " |\n");
	}
	fprintf(out, "\n");
}

static void md_themes(FILE *out, const struct report_model *m)
{
	fprintf(out, "## Themes\n\n");
	fprintf(out, "Ranked by how many responses raise each theme; a response can raise several. "
		     "Share is of all %s counted responses; \"campaigns as one\" counts each campaign "
		     "once (of %s).\n\n", num(m->counted), num(m->counted_as_one));
	fprintf(out, "| theme | responses | share | organisations | individuals | campaigns as one |\n"
		     "|---|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < m->n_themes; i++) {
		const struct report_theme *t = &m->themes[i];
		fputs("| ", out);
		md(out, t->label);
		if (!t->configured)
			fputs(" (not in the theme file)", out);
		fprintf(out, " | %s | %d%% | %s | %s | %s |\n", num(t->responses),
			percent(t->responses, m->counted), num(t->organisations),
			num(t->individuals), num(t->as_one));
	}
	fprintf(out, "| *no theme* | %s | %d%% | | | |\n\n", num(m->no_theme),
		percent(m->no_theme, m->counted));
	for (size_t i = 0; i < m->n_themes; i++) {
		const struct report_theme *t = &m->themes[i];
		if (t->n_excerpts == 0)
			continue;
		fputs("### ", out);
		md(out, t->label);
		fputs(" — what people said\n\n", out);
		for (size_t j = 0; j < t->n_excerpts; j++) {
			const struct report_excerpt *e = &t->excerpts[j];
			fputs("> \"", out);
			md(out, e->text);
			fputs("\" — ", out);
			md(out, e->who);
			if (e->area != NULL) {
				fputs(", ", out);
				md(out, e->area);
			}
			fprintf(out, " (%s)\n>\n", e->ref);
		}
		fputs("\n", out);
	}
}

static void md_respondents(FILE *out, const struct report_model *m)
{
	fprintf(out, "## Who responded\n\n");
	fprintf(out, "**Organisations** (%s):", num(m->n_organisations));
	if (m->n_organisations == 0)
		fputs(" none named.", out);
	for (size_t i = 0; i < m->n_organisations_listed; i++) {
		fputs(i == 0 ? " " : "; ", out);
		md(out, m->organisations[i].name);
		if (m->organisations[i].count > 1)
			fprintf(out, " (%s)", num(m->organisations[i].count));
	}
	if ((int64_t)m->n_organisations_listed < m->n_organisations)
		fprintf(out, "; and %lld more (see the JSON or CSV)",
			(long long)(m->n_organisations - (int64_t)m->n_organisations_listed));
	fputs("\n\n", out);
	if (m->n_areas > 0) {
		fprintf(out, "| area | responses |\n|---|---:|\n");
		for (size_t i = 0; i < m->n_areas; i++) {
			fputs("| ", out);
			md(out, area_name(&m->areas[i]));
			fprintf(out, " | %s |\n", num(m->areas[i].count));
		}
		fputs("\n", out);
	} else {
		fputs("No response names an area.\n\n", out);
	}
	if (m->areas_error != NULL) {
		fputs("The list of areas could not be read (", out);
		md(out, m->areas_error);
		fputs("), so areas that did not respond cannot be named.\n\n", out);
	} else if (!m->areas_configured) {
		fputs("No list of areas is configured (`[report] areas`), so areas that did not "
		      "respond cannot be named.\n\n", out);
	} else if (m->n_silent_areas == 0) {
		fputs("Every configured area responded.\n\n", out);
	} else {
		fprintf(out, "**Configured areas with no response** (%zu):", m->n_silent_areas);
		for (size_t i = 0; i < m->n_silent_areas; i++) {
			fputs(i == 0 ? " " : ", ", out);
			md(out, area_name(&m->silent_areas[i]));
		}
		fputs(".\n\n", out);
	}
}

static void md_campaigns(FILE *out, const struct report_model *m)
{
	char f[24], l[24];
	fprintf(out, "## Campaigns\n\n");
	if (m->n_campaigns_listed == 0) {
		fputs("No campaigns (groups of near-identical responses) were found.\n\n", out);
		return;
	}
	fprintf(out, "| campaign | responses | counted | first – last | representative text |\n"
		     "|---|---:|---:|---|---|\n");
	for (size_t i = 0; i < m->n_campaigns_listed; i++) {
		const struct report_campaign *k = &m->campaigns[i];
		fmt_date(k->first_at, f, sizeof(f));
		fmt_date(k->last_at, l, sizeof(l));
		fprintf(out, "| C-%lld | %s | %s | %s – %s | ", (long long)k->id, num(k->size),
			num(k->counted), f, l);
		if (k->text != NULL) {
			fputs("\"", out);
			md(out, k->text);
			fprintf(out, "\" (%s)", k->ref);
		}
		fputs(" |\n", out);
	}
	fputs("\n", out);
}

static void md_questions(FILE *out, const struct report_model *m)
{
	fprintf(out, "## Form questions\n\n");
	if (m->n_questions == 0) {
		fputs("No web-form answers were received.\n\n", out);
		return;
	}
	for (size_t i = 0; i < m->n_questions; i++) {
		const struct report_question *q = &m->questions[i];
		fputs("**", out);
		md(out, q->text != NULL ? q->text : q->id);
		fprintf(out, "** (%s, answered by %s)\n\n", q->choice ? "choice" : "free text",
			num(q->answered));
		fprintf(out, "| %s | responses |\n|---|---:|\n", q->choice ? "choice" : "theme");
		for (size_t j = 0; j < q->n_items; j++) {
			fputs("| ", out);
			md(out, q->items[j].label != NULL ? q->items[j].label : q->items[j].name);
			fprintf(out, " | %s |\n", num(q->items[j].count));
		}
		fputs("\n", out);
	}
}

static void md_quality(FILE *out, const struct report_model *m)
{
	fprintf(out, "## Data quality and method\n\n");
	fprintf(out, "- Stored %s %s in all: %s counted, %s identical %s, %s excluded "
		     "(%s auto-replies, %s bounces, %s list mail, %s quarantined).\n",
		num(m->stored), plural(m->stored, "message", "messages"), num(m->counted),
		num(m->resubmissions), plural(m->resubmissions, "resubmission", "resubmissions"),
		num(m->auto_replies + m->bounces + m->lists + m->quarantined),
		num(m->auto_replies), num(m->bounces), num(m->lists), num(m->quarantined));
	for (size_t i = 0; i < m->n_quarantine_reasons; i++) {
		fprintf(out, "  - quarantined, %s: ", num(m->quarantine_reasons[i].count));
		md(out, m->quarantine_reasons[i].name);
		fputs("\n", out);
	}
	for (size_t i = 0; i < m->n_sources; i++) {
		const struct report_source *s = &m->sources[i];
		fputs("- Mailbox `", out);
		md(out, s->name);
		fprintf(out, "`: %s stored", num(s->stored));
		if (s->reconciled_at > 0) {
			char t[40];
			fmt_time(s->reconciled_at, t, sizeof(t));
			fprintf(out, "; at the last reconciliation (%s) the server held %s, %s",
				t, num(s->server_count), s->missing == 0 ? "none missing"
				: "some not stored: ");
			if (s->missing > 0)
				fprintf(out, "%s", num(s->missing));
		} else {
			fputs("; not reconciled with the server yet", out);
		}
		if (s->last_error != NULL) {
			fputs("; last error: ", out);
			md(out, s->last_error);
		}
		fputs(".\n", out);
	}
	fputs("- Each message is stored once, keyed by its Message-ID (or a hash of its "
	      "source when it has none); the raw source of every message is kept for audit. "
	      "An identical resubmission by the same respondent is shown once.\n", out);
	fputs("- Themes were assigned automatically by the theme file `", out);
	md(out, m->theme_set_id);
	fprintf(out, "` (%zu themes, score threshold %g unless a theme sets its own): each "
		     "response's words, stemmed, are matched against weighted terms and phrases, and "
		     "every theme passing its threshold is counted. %s %s by hand are in force.\n",
		m->n_configured_themes, m->default_threshold, num(m->manual_labels),
		plural(m->manual_labels, "correction", "corrections"));
	if (m->accuracy.present) {
		fprintf(out, "- Measured accuracy of this theme file: macro-F1 %.3f", m->accuracy.macro_f1);
		if (m->accuracy.micro_f1 >= 0.0)
			fprintf(out, ", micro-F1 %.3f", m->accuracy.micro_f1);
		if (m->accuracy.devset != NULL) {
			fputs(" on ", out);
			md(out, m->accuracy.devset);
		}
		if (m->accuracy.measured != NULL) {
			fputs(" (", out);
			md(out, m->accuracy.measured);
			fputs(")", out);
		}
		fputs(".\n", out);
	} else {
		fputs("- Measured accuracy: not given — ", out);
		md(out, m->accuracy.note != NULL ? m->accuracy.note : "unknown");
		fputs(".\n", out);
	}
	fputs("- Campaigns are groups of near-identical texts; each response in them is counted, "
	      "and the themes table also counts each campaign once.\n", out);
	fputs("- Excerpts are chosen among the highest-scoring responses of each theme, at most "
	      "one per campaign, skipping near-duplicates, mixing organisations and individuals; "
	      "e-mail addresses, phone numbers, postcodes and street addresses are redacted.\n", out);
	fputs("- Days are UTC days of the time the mail server (or form) received each response.\n",
	      out);
}

int report_write_markdown(FILE *out, const struct report_model *m)
{
	md_header(out, m);
	md_glance(out, m);
	md_days(out, m);
	md_themes(out, m);
	md_respondents(out, m);
	md_campaigns(out, m);
	md_questions(out, m);
	md_quality(out, m);
	return finish(out);
}

/* ---- HTML ------------------------------------------------------------ */

static void h(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;"
	"max-width:60rem;margin:0 auto;padding:1rem 1.5rem;line-height:1.45}"
	"h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #1d4f91;"
	"padding-bottom:.2rem;margin-top:2rem}h3{margin-top:1.4rem}"
	".meta{color:#444}table{border-collapse:collapse;margin:.6rem 0 1rem;width:100%}"
	"th,td{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"blockquote{margin:.5rem 0;padding:.3rem .8rem;border-left:4px solid #1d4f91;background:#f3f6fa}"
	"blockquote footer{color:#444;font-size:.9rem}"
	"svg{display:block;max-width:100%;height:auto}"
	".bar{fill:#1d4f91}.bar.late{fill:#c2571a}.axis{stroke:#888}"
	"svg text{font-size:12px;fill:#1b1b1b}"
	"details summary{cursor:pointer;color:#1d4f91}"
	"@media print{@page{size:A4;margin:15mm}body{max-width:none;padding:0;font-size:10pt}"
	"h2{break-after:avoid}table,blockquote,svg,figure{break-inside:avoid}"
	"a{color:inherit;text-decoration:none}}";

/* Horizontal bars, one per row; rows with a zero count get no bar. */
static void svg_bars(FILE *out, const char *id, const char *title, const char *desc,
		     const char *const *labels, const int64_t *counts, size_t n)
{
	int64_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (counts[i] > max)
			max = counts[i];
	const int label_w = 280, bar_w = 360, row = 22;
	int height = (int)n * row + 10;
	fprintf(out, "<figure><svg id=\"%s\" role=\"img\" aria-labelledby=\"%s-t %s-d\" "
		     "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		     "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"%s-t\">",
		id, id, id, label_w + bar_w + 70, height, label_w + bar_w + 70, height, id);
	h(out, title);
	fprintf(out, "</title><desc id=\"%s-d\">", id);
	h(out, desc);
	fputs("</desc>", out);
	for (size_t i = 0; i < n; i++) {
		int y = 5 + (int)i * row;
		int w = max > 0 ? (int)((counts[i] * bar_w + max - 1) / max) : 0;
		char lab[64];
		/* keep labels on one line: cut long ones (whole UTF-8 sequences) */
		size_t len = strlen(labels[i]);
		if (len > 44) {
			size_t cut = 41;
			while (cut > 0 && ((unsigned char)labels[i][cut] & 0xc0) == 0x80)
				cut--;
			snprintf(lab, sizeof(lab), "%.*s\xe2\x80\xa6", (int)cut, labels[i]);
		} else {
			snprintf(lab, sizeof(lab), "%s", labels[i]);
		}
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6, y + 15);
		h(out, lab);
		fputs("</text>", out);
		if (w > 0)
			fprintf(out, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
				label_w, y + 2, w, row - 6);
		fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>", label_w + w + 6, y + 15,
			num(counts[i]));
	}
	fputs("</svg></figure>\n", out);
}

static void svg_timeline(FILE *out, const struct report_model *m)
{
	int64_t max = 0;
	for (size_t i = 0; i < m->n_days; i++)
		if (m->days[i].responses > max)
			max = m->days[i].responses;
	const int chart_h = 180, left = 50, bottom = 30;
	int bw = m->n_days > 0 ? (m->n_days < 60 ? 640 / (int)m->n_days : 10) : 10;
	if (bw > 40)
		bw = 40;
	if (bw < 3)
		bw = 3;
	int width = left + bw * (int)m->n_days + 20;
	if (width < 300)
		width = 300;
	fprintf(out, "<figure><svg id=\"chart-days\" role=\"img\" aria-labelledby=\"chart-days-t "
		     "chart-days-d\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		     "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-days-t\">Responses per day"
		     "</title><desc id=\"chart-days-d\">Counted responses on each of %zu days from %s "
		     "to %s, at most %s on one day; late responses in orange. The table below gives "
		     "every figure.</desc>",
		width, chart_h + bottom, width, chart_h + bottom, m->n_days, m->days[0].day,
		m->days[m->n_days - 1].day, num(max));
	fprintf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, chart_h,
		width - 10, chart_h);
	fprintf(out, "<text x=\"%d\" y=\"14\" text-anchor=\"end\">%s</text>", left - 6, num(max));
	for (size_t i = 0; i < m->n_days; i++) {
		const struct report_day *d = &m->days[i];
		int x = left + (int)i * bw;
		int hgt = max > 0 ? (int)((d->responses * (chart_h - 10) + max - 1) / max) : 0;
		int lh = max > 0 ? (int)((d->late * (chart_h - 10) + max - 1) / max) : 0;
		if (hgt - lh > 0)
			fprintf(out, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
				     "<title>%s: %s</title></rect>",
				x + 1, chart_h - hgt, bw - 2 > 1 ? bw - 2 : 1, hgt - lh, d->day,
				num(d->responses));
		if (lh > 0)
			fprintf(out, "<rect class=\"bar late\" x=\"%d\" y=\"%d\" width=\"%d\" "
				     "height=\"%d\"><title>%s: late</title></rect>",
				x + 1, chart_h - lh, bw - 2 > 1 ? bw - 2 : 1, lh, d->day);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>", left, chart_h + 20, m->days[0].day);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", width - 10,
		chart_h + 20, m->days[m->n_days - 1].day);
	fputs("</svg></figure>\n", out);
}

static void html_table_row_num(FILE *out, int64_t n)
{
	fprintf(out, "<td class=\"n\">%s</td>", num(n));
}

static void html_quality(FILE *out, const struct report_model *m)
{
	fputs("<section aria-labelledby=\"h-quality\"><h2 id=\"h-quality\">Data quality and method</h2>\n<ul>", out);
	fprintf(out, "<li>Stored %s messages in all: %s counted, %s identical resubmissions, "
		     "%s auto-replies, %s bounces, %s list mail, %s quarantined.",
		num(m->stored), num(m->counted), num(m->resubmissions),
		num(m->auto_replies), num(m->bounces), num(m->lists), num(m->quarantined));
	if (m->n_quarantine_reasons > 0) {
		fputs("<ul>", out);
		for (size_t i = 0; i < m->n_quarantine_reasons; i++) {
			fprintf(out, "<li>quarantined, %s: ", num(m->quarantine_reasons[i].count));
			h(out, m->quarantine_reasons[i].name);
			fputs("</li>", out);
		}
		fputs("</ul>", out);
	}
	fputs("</li>\n", out);
	for (size_t i = 0; i < m->n_sources; i++) {
		const struct report_source *s = &m->sources[i];
		fputs("<li>Mailbox <code>", out);
		h(out, s->name);
		fprintf(out, "</code>: %s stored", num(s->stored));
		if (s->reconciled_at > 0)
			fprintf(out, "; the server held %s at the last reconciliation, %s not stored",
				num(s->server_count), num(s->missing));
		else
			fputs("; not reconciled with the server yet", out);
		if (s->last_error != NULL) {
			fputs("; last error: ", out);
			h(out, s->last_error);
		}
		fputs(".</li>\n", out);
	}
	fputs("<li>Themes were assigned automatically by the theme file <code>", out);
	h(out, m->theme_set_id);
	fprintf(out, "</code> (%zu themes, score threshold %g unless a theme sets its own); "
		     "%s corrections by hand are in force.</li>\n", m->n_configured_themes,
		m->default_threshold, num(m->manual_labels));
	if (m->accuracy.present) {
		fprintf(out, "<li>Measured accuracy of this theme file: macro-F1 %.3f", m->accuracy.macro_f1);
		if (m->accuracy.micro_f1 >= 0.0)
			fprintf(out, ", micro-F1 %.3f", m->accuracy.micro_f1);
		if (m->accuracy.devset != NULL) {
			fputs(" on ", out);
			h(out, m->accuracy.devset);
		}
		if (m->accuracy.measured != NULL) {
			fputs(" (", out);
			h(out, m->accuracy.measured);
			fputs(")", out);
		}
		fputs(".</li>\n", out);
	} else {
		fputs("<li>Measured accuracy: not given — ", out);
		h(out, m->accuracy.note != NULL ? m->accuracy.note : "unknown");
		fputs(".</li>\n", out);
	}
	fputs("<li>Campaigns are groups of near-identical texts; each response in them is counted, "
	      "and the themes table also counts each campaign once.</li>\n"
	      "<li>Excerpts are the highest-scoring responses of each theme, at most one per "
	      "campaign, without near-duplicates, mixing organisations and individuals; e-mail "
	      "addresses, phone numbers, postcodes and street addresses are redacted.</li>\n"
	      "<li>Days are UTC days of the time each response was received.</li></ul></section>\n",
	      out);
}

int report_write_html(FILE *out, const struct report_model *m)
{
	char opens[40], closes[40], gen[40], grace[32];
	fmt_time(m->opens, opens, sizeof(opens));
	fmt_time(m->closes, closes, sizeof(closes));
	fmt_time(m->generated, gen, sizeof(gen));
	fmt_duration(m->grace, grace, sizeof(grace));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
	h(out, m->name);
	fprintf(out, " — %s summary</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>",
		kind_label(m), css);
	h(out, m->name);
	fprintf(out, " — %s summary</h1>\n", kind_label(m));
	fprintf(out, "<p class=\"meta\">Window %s – %s, grace %s.</p>\n", opens, closes, grace);
	fprintf(out, "<p class=\"meta\">%s summary generated %s by consultd %s.</p>\n",
		m->closing ? "Closing" : "Interim", gen, CONSULTD_VERSION);

	fputs("<section aria-labelledby=\"h-glance\"><h2 id=\"h-glance\">At a glance</h2>\n<ul>", out);
	fprintf(out, "<li><strong>%s responses</strong>: %s by email, %s by web form, %s imported.</li>\n",
		num(m->counted), num(m->by_channel[0]), num(m->by_channel[1]),
		num(m->by_channel[2]));
	fprintf(out, "<li>%s organisations (%s responses), %s individuals, %s of unknown kind.</li>\n",
		num(m->n_organisations), num(m->organisation_responses),
		num(m->individual_responses), num(m->unknown_type_responses));
	if (m->n_campaigns > 0)
		fprintf(out, "<li>%s campaigns account for %s responses; with each campaign counted "
			     "once there are %s.</li>\n", num(m->n_campaigns),
			num(m->campaign_responses), num(m->counted_as_one));
	if (m->both_channels > 0)
		fprintf(out, "<li>%s answered both by email and by web form (linked by address; each "
			     "response counts).</li>\n", num(m->both_channels));
	fprintf(out, "<li>%s late responses (after the close, within grace) are included and marked.</li>\n",
		num(m->late));
	fprintf(out, "<li>Not counted: %s auto-replies, %s bounces, %s mailing-list messages, %s in "
		     "quarantine; %s identical resubmissions shown as one.</li>\n",
		num(m->auto_replies), num(m->bounces), num(m->lists), num(m->quarantined),
		num(m->resubmissions));
	fprintf(out, "<li>%s responses raise no theme of the consultation.</li></ul></section>\n",
		num(m->no_theme));

	fputs("<section aria-labelledby=\"h-days\"><h2 id=\"h-days\">Responses per day</h2>\n", out);
	if (m->n_days == 0) {
		fputs("<p>No responses yet.</p>\n", out);
	} else {
		svg_timeline(out, m);
		fputs("<details><summary>Figures per day</summary>"
		      "<table><caption>Counted responses per day (UTC)</caption><thead><tr>"
		      "<th scope=\"col\">day</th><th scope=\"col\" class=\"n\">responses</th>"
		      "<th scope=\"col\" class=\"n\">of which late</th></tr></thead><tbody>\n", out);
		for (size_t i = 0; i < m->n_days; i++) {
			fprintf(out, "<tr><th scope=\"row\">%s</th>", m->days[i].day);
			html_table_row_num(out, m->days[i].responses);
			html_table_row_num(out, m->days[i].late);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table></details>\n", out);
	}
	fputs("</section>\n", out);

	fputs("<section aria-labelledby=\"h-themes\"><h2 id=\"h-themes\">Themes</h2>\n", out);
	fprintf(out, "<p>Ranked by how many responses raise each theme; a response can raise "
		     "several. Share is of all %s counted responses; “campaigns as one” counts each "
		     "campaign once (of %s).</p>\n", num(m->counted), num(m->counted_as_one));
	if (m->n_themes > 0) {
		const char **labels = calloc(m->n_themes, sizeof(*labels));
		int64_t *counts = calloc(m->n_themes, sizeof(*counts));
		if (labels == NULL || counts == NULL) {
			free(labels);
			free(counts);
			errno = ENOMEM;
			return -1;
		}
		for (size_t i = 0; i < m->n_themes; i++) {
			labels[i] = m->themes[i].label;
			counts[i] = m->themes[i].responses;
		}
		svg_bars(out, "chart-themes", "Responses per theme",
			 "One bar per theme, in the order of the table below, which gives every figure.",
			 labels, counts, m->n_themes);
		free(labels);
		free(counts);
	}
	fputs("<table><thead><tr><th scope=\"col\">theme</th><th scope=\"col\" class=\"n\">responses</th>"
	      "<th scope=\"col\" class=\"n\">share</th><th scope=\"col\" class=\"n\">organisations</th>"
	      "<th scope=\"col\" class=\"n\">individuals</th><th scope=\"col\" class=\"n\">campaigns as one</th>"
	      "</tr></thead><tbody>\n", out);
	for (size_t i = 0; i < m->n_themes; i++) {
		const struct report_theme *t = &m->themes[i];
		fputs("<tr><th scope=\"row\">", out);
		h(out, t->label);
		if (!t->configured)
			fputs(" (not in the theme file)", out);
		fputs("</th>", out);
		html_table_row_num(out, t->responses);
		fprintf(out, "<td class=\"n\">%d%%</td>", percent(t->responses, m->counted));
		html_table_row_num(out, t->organisations);
		html_table_row_num(out, t->individuals);
		html_table_row_num(out, t->as_one);
		fputs("</tr>\n", out);
	}
	fprintf(out, "<tr><th scope=\"row\"><em>no theme</em></th><td class=\"n\">%s</td>"
		     "<td class=\"n\">%d%%</td><td></td><td></td><td></td></tr>\n</tbody></table>\n",
		num(m->no_theme), percent(m->no_theme, m->counted));
	for (size_t i = 0; i < m->n_themes; i++) {
		const struct report_theme *t = &m->themes[i];
		if (t->n_excerpts == 0)
			continue;
		fputs("<h3>", out);
		h(out, t->label);
		fputs(" — what people said</h3>\n", out);
		for (size_t j = 0; j < t->n_excerpts; j++) {
			const struct report_excerpt *e = &t->excerpts[j];
			fputs("<blockquote><p>“", out);
			h(out, e->text);
			fputs("”</p><footer>— ", out);
			h(out, e->who);
			if (e->area != NULL) {
				fputs(", ", out);
				h(out, e->area);
			}
			fprintf(out, " (%s)</footer></blockquote>\n", e->ref);
		}
	}
	fputs("</section>\n", out);

	fputs("<section aria-labelledby=\"h-who\"><h2 id=\"h-who\">Who responded</h2>\n", out);
	if (m->n_areas > 0) {
		const char **labels = calloc(m->n_areas, sizeof(*labels));
		int64_t *counts = calloc(m->n_areas, sizeof(*counts));
		if (labels == NULL || counts == NULL) {
			free(labels);
			free(counts);
			errno = ENOMEM;
			return -1;
		}
		for (size_t i = 0; i < m->n_areas; i++) {
			labels[i] = area_name(&m->areas[i]);
			counts[i] = m->areas[i].count;
		}
		svg_bars(out, "chart-areas", "Responses per area",
			 "One bar per area that responded, most first, as in the table below.",
			 labels, counts, m->n_areas);
		free(labels);
		free(counts);
		fputs("<table><thead><tr><th scope=\"col\">area</th><th scope=\"col\" class=\"n\">"
		      "responses</th></tr></thead><tbody>\n", out);
		for (size_t i = 0; i < m->n_areas; i++) {
			fputs("<tr><th scope=\"row\">", out);
			h(out, area_name(&m->areas[i]));
			fputs("</th>", out);
			html_table_row_num(out, m->areas[i].count);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	} else {
		fputs("<p>No response names an area.</p>\n", out);
	}
	if (m->areas_error != NULL) {
		fputs("<p>The list of areas could not be read (", out);
		h(out, m->areas_error);
		fputs("), so areas that did not respond cannot be named.</p>\n", out);
	} else if (!m->areas_configured) {
		fputs("<p>No list of areas is configured, so areas that did not respond cannot be "
		      "named.</p>\n", out);
	} else if (m->n_silent_areas == 0) {
		fputs("<p>Every configured area responded.</p>\n", out);
	} else {
		fprintf(out, "<p><strong>Configured areas with no response</strong> (%zu): ",
			m->n_silent_areas);
		for (size_t i = 0; i < m->n_silent_areas; i++) {
			if (i > 0)
				fputs(", ", out);
			h(out, area_name(&m->silent_areas[i]));
		}
		fputs(".</p>\n", out);
	}
	fprintf(out, "<h3>Organisations (%s)</h3>\n", num(m->n_organisations));
	if (m->n_organisations_listed > 0) {
		fputs("<ul>", out);
		for (size_t i = 0; i < m->n_organisations_listed; i++) {
			fputs("<li>", out);
			h(out, m->organisations[i].name);
			if (m->organisations[i].count > 1)
				fprintf(out, " (%s)", num(m->organisations[i].count));
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
		if ((int64_t)m->n_organisations_listed < m->n_organisations)
			fprintf(out, "<p>And %lld more (see the JSON or CSV).</p>\n",
				(long long)(m->n_organisations - (int64_t)m->n_organisations_listed));
	} else {
		fputs("<p>None named.</p>\n", out);
	}
	fputs("</section>\n", out);

	fputs("<section aria-labelledby=\"h-campaigns\"><h2 id=\"h-campaigns\">Campaigns</h2>\n", out);
	if (m->n_campaigns_listed == 0) {
		fputs("<p>No campaigns (groups of near-identical responses) were found.</p>\n", out);
	} else {
		fputs("<table><thead><tr><th scope=\"col\">campaign</th><th scope=\"col\" class=\"n\">"
		      "responses</th><th scope=\"col\" class=\"n\">counted</th><th scope=\"col\">first – last</th>"
		      "<th scope=\"col\">representative text</th></tr></thead><tbody>\n", out);
		for (size_t i = 0; i < m->n_campaigns_listed; i++) {
			const struct report_campaign *k = &m->campaigns[i];
			char f[24], l[24];
			fmt_date(k->first_at, f, sizeof(f));
			fmt_date(k->last_at, l, sizeof(l));
			fprintf(out, "<tr><th scope=\"row\">C-%lld</th>", (long long)k->id);
			html_table_row_num(out, k->size);
			html_table_row_num(out, k->counted);
			fprintf(out, "<td>%s – %s</td><td>", f, l);
			if (k->text != NULL) {
				fputs("“", out);
				h(out, k->text);
				fprintf(out, "” (%s)", k->ref);
			}
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	fputs("</section>\n", out);

	fputs("<section aria-labelledby=\"h-questions\"><h2 id=\"h-questions\">Form questions</h2>\n", out);
	if (m->n_questions == 0)
		fputs("<p>No web-form answers were received.</p>\n", out);
	for (size_t i = 0; i < m->n_questions; i++) {
		const struct report_question *q = &m->questions[i];
		fputs("<table><caption>", out);
		h(out, q->text != NULL ? q->text : q->id);
		fprintf(out, " (%s, answered by %s)</caption><thead><tr><th scope=\"col\">%s</th>"
			     "<th scope=\"col\" class=\"n\">responses</th></tr></thead><tbody>\n",
			q->choice ? "choice" : "free text", num(q->answered),
			q->choice ? "choice" : "theme");
		for (size_t j = 0; j < q->n_items; j++) {
			fputs("<tr><th scope=\"row\">", out);
			h(out, q->items[j].label != NULL ? q->items[j].label : q->items[j].name);
			fputs("</th>", out);
			html_table_row_num(out, q->items[j].count);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	fputs("</section>\n", out);
	html_quality(out, m);
	fputs("</main>\n</body>\n</html>\n", out);
	return finish(out);
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *named_array(const struct report_named_count *v, size_t n, const char *key)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:I}", key, jstr(v[i].name), "name",
						   jstr(v[i].label), "count", (json_int_t)v[i].count));
	return a;
}

int report_write_json(FILE *out, const struct report_model *m)
{
	char opens[32], closes[32], gen[32];
	fmt_iso(m->opens, opens, sizeof(opens));
	fmt_iso(m->closes, closes, sizeof(closes));
	fmt_iso(m->generated, gen, sizeof(gen));
	json_t *root = json_object();
	json_object_set_new(root, "consultation", json_pack("{s:o, s:s, s:s, s:I, s:s, s:s}",
		"name", jstr(m->name), "opens", opens, "closes", closes, "grace_seconds",
		(json_int_t)m->grace, "kind", kind_label(m), "consultd_version", CONSULTD_VERSION));
	/* The generation time is the only line that changes between runs. */
	json_object_set_new(root, "generated", json_string(gen));
	json_t *head = json_object();
	json_object_set_new(head, "counted", json_integer(m->counted));
	json_object_set_new(head, "by_channel", json_pack("{s:I, s:I, s:I}", "email",
		(json_int_t)m->by_channel[0], "form", (json_int_t)m->by_channel[1], "import",
		(json_int_t)m->by_channel[2]));
	json_object_set_new(head, "late", json_integer(m->late));
	json_object_set_new(head, "both_channels", json_integer(m->both_channels));
	json_object_set_new(head, "stored", json_integer(m->stored));
	json_object_set_new(head, "resubmissions", json_integer(m->resubmissions));
	json_object_set_new(head, "excluded", json_pack("{s:I, s:I, s:I, s:I}", "auto_replies",
		(json_int_t)m->auto_replies, "bounces", (json_int_t)m->bounces, "lists",
		(json_int_t)m->lists, "quarantined", (json_int_t)m->quarantined));
	json_object_set_new(head, "respondents", json_pack("{s:I, s:I, s:I, s:I}",
		"organisations", (json_int_t)m->n_organisations, "organisation_responses",
		(json_int_t)m->organisation_responses, "individual_responses",
		(json_int_t)m->individual_responses, "unknown_type_responses",
		(json_int_t)m->unknown_type_responses));
	json_object_set_new(head, "campaigns", json_pack("{s:I, s:I, s:I}", "count",
		(json_int_t)m->n_campaigns, "responses", (json_int_t)m->campaign_responses,
		"counted_as_one", (json_int_t)m->counted_as_one));
	json_object_set_new(head, "no_theme", json_integer(m->no_theme));
	json_object_set_new(root, "headline", head);

	json_t *days = json_array();
	for (size_t i = 0; i < m->n_days; i++)
		json_array_append_new(days, json_pack("{s:s, s:I, s:I}", "day", m->days[i].day,
			"responses", (json_int_t)m->days[i].responses, "late",
			(json_int_t)m->days[i].late));
	json_object_set_new(root, "days", days);

	json_t *themes = json_array();
	for (size_t i = 0; i < m->n_themes; i++) {
		const struct report_theme *t = &m->themes[i];
		json_t *ex = json_array();
		for (size_t j = 0; j < t->n_excerpts; j++) {
			const struct report_excerpt *e = &t->excerpts[j];
			json_array_append_new(ex, json_pack("{s:s, s:o, s:o, s:o, s:f, s:o}", "ref", e->ref,
				"text", jstr(e->text), "who", jstr(e->who), "area", jstr(e->area),
				"score", e->score, "campaign", e->campaign_id > 0
				? json_integer(e->campaign_id) : json_null()));
		}
		json_array_append_new(themes, json_pack("{s:s, s:o, s:b, s:I, s:f, s:I, s:I, s:I, s:I, s:o}",
			"id", t->id, "label", jstr(t->label), "configured", t->configured,
			"responses", (json_int_t)t->responses, "share",
			m->counted > 0 ? (double)t->responses / (double)m->counted : 0.0,
			"organisations", (json_int_t)t->organisations, "individuals",
			(json_int_t)t->individuals, "unknown_type", (json_int_t)t->unknown_type,
			"campaigns_as_one", (json_int_t)t->as_one, "excerpts", ex));
	}
	json_object_set_new(root, "themes", themes);

	json_t *who = json_object();
	json_object_set_new(who, "organisations",
			    named_array(m->organisations, m->n_organisations_listed, "organisation"));
	json_object_set_new(who, "organisations_total", json_integer(m->n_organisations));
	json_object_set_new(who, "areas", named_array(m->areas, m->n_areas, "area"));
	json_object_set_new(who, "areas_configured", json_boolean(m->areas_configured));
	json_object_set_new(who, "areas_error", jstr(m->areas_error));
	json_object_set_new(who, "areas_without_response",
			    named_array(m->silent_areas, m->n_silent_areas, "area"));
	json_object_set_new(root, "respondents", who);

	json_t *camps = json_array();
	for (size_t i = 0; i < m->n_campaigns_listed; i++) {
		const struct report_campaign *k = &m->campaigns[i];
		char f[32], l[32];
		fmt_iso(k->first_at, f, sizeof(f));
		fmt_iso(k->last_at, l, sizeof(l));
		json_array_append_new(camps, json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o}", "id",
			(json_int_t)k->id, "size", (json_int_t)k->size, "counted", (json_int_t)k->counted,
			"first", f, "last", l, "representative", jstr(k->ref), "text", jstr(k->text)));
	}
	json_object_set_new(root, "campaigns", camps);

	json_t *qs = json_array();
	for (size_t i = 0; i < m->n_questions; i++) {
		const struct report_question *q = &m->questions[i];
		json_array_append_new(qs, json_pack("{s:o, s:o, s:s, s:I, s:o}", "id", jstr(q->id),
			"question", jstr(q->text), "kind", q->choice ? "choice" : "text", "answered",
			(json_int_t)q->answered, q->choice ? "choices" : "themes",
			named_array(q->items, q->n_items, q->choice ? "choice" : "theme")));
	}
	json_object_set_new(root, "form_questions", qs);

	json_t *qual = json_object();
	json_object_set_new(qual, "quarantine_reasons",
			    named_array(m->quarantine_reasons, m->n_quarantine_reasons, "reason"));
	json_t *srcs = json_array();
	for (size_t i = 0; i < m->n_sources; i++) {
		const struct report_source *s = &m->sources[i];
		char r[32];
		fmt_iso(s->reconciled_at, r, sizeof(r));
		json_array_append_new(srcs, json_pack("{s:o, s:I, s:o, s:I, s:I, s:o}", "source",
			jstr(s->name), "stored", (json_int_t)s->stored, "reconciled",
			s->reconciled_at > 0 ? json_string(r) : json_null(), "server_count",
			(json_int_t)s->server_count, "missing", (json_int_t)s->missing, "last_error",
			jstr(s->last_error)));
	}
	json_object_set_new(qual, "sources", srcs);
	json_object_set_new(qual, "classifier", json_pack("{s:s, s:o, s:I, s:f, s:I}",
		"theme_set", m->theme_set_id, "theme_set_label", jstr(m->theme_set_label),
		"themes", (json_int_t)m->n_configured_themes, "threshold", m->default_threshold,
		"manual_labels", (json_int_t)m->manual_labels));
	json_object_set_new(qual, "accuracy", m->accuracy.present
		? json_pack("{s:f, s:o, s:o, s:o}", "macro_f1", m->accuracy.macro_f1, "micro_f1",
			    m->accuracy.micro_f1 >= 0.0 ? json_real(m->accuracy.micro_f1) : json_null(),
			    "devset", jstr(m->accuracy.devset), "measured", jstr(m->accuracy.measured))
		: json_pack("{s:o}", "note", jstr(m->accuracy.note)));
	json_object_set_new(root, "data_quality", qual);

	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) == 0 ? 0 : -1;
	json_decref(root);
	if (rc == 0)
		fputc('\n', out);
	if (rc != 0) {
		errno = errno ? errno : ENOMEM;
		return -1;
	}
	return finish(out);
}

/* ---- CSV ------------------------------------------------------------- */

char *report_csv_cell(const char *value)
{
	char *clean = redact_clean(value != NULL ? value : "");
	if (clean == NULL)
		return NULL;
	bool formula = value != NULL && (value[0] == '\t' || value[0] == '\r');
	const char *p = clean;
	while (*p == ' ')
		p++;
	if (*p != '\0' && strchr("=+-@", *p) != NULL)
		formula = true;
	/* full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20) */
	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbc &&
	    ((unsigned char)p[2] == 0x9d || (unsigned char)p[2] == 0x8b || (unsigned char)p[2] == 0x8d))
		formula = true;
	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbc && (unsigned char)p[2] == 0xa0)
		formula = true;
	size_t n = strlen(clean), quotes = 0;
	for (size_t i = 0; i < n; i++)
		quotes += clean[i] == '"';
	char *out = malloc(n + quotes + 4);
	if (out == NULL) {
		free(clean);
		return NULL;
	}
	size_t o = 0;
	out[o++] = '"';
	if (formula)
		out[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (clean[i] == '"')
			out[o++] = '"';
		out[o++] = clean[i];
	}
	out[o++] = '"';
	out[o] = '\0';
	free(clean);
	return out;
}

static int csv_put(FILE *out, const char *value, bool last)
{
	char *cell = report_csv_cell(value);
	if (cell == NULL) {
		errno = ENOMEM;
		return -1;
	}
	fputs(cell, out);
	fputs(last ? "\r\n" : ",", out);
	free(cell);
	return 0;
}

int report_write_csv(FILE *out, struct storage *st, const struct theme_set *ts,
		     char *err, size_t errlen)
{
	sqlite3 *db = storage_db(st);
	sqlite3_stmt *s = NULL, *t = NULL;
	size_t nt = themes_count(ts);
	char *flags = calloc(nt + 1, 1);
	int ret = -1;
	if (flags == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	static const char *const head[] = {"reference", "channel", "received", "status", "late",
					   "resubmission_of", "respondent_type", "organisation",
					   "area", "campaign"};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		csv_put(out, head[i], false);
	for (size_t i = 0; i < nt; i++)
		if (csv_put(out, themes_id(ts, i), i + 1 == nt) != 0)
			goto nomem;
	if (nt == 0)
		fputs("\r\n", out);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT id, channel, received_at, status, late, duplicate_of,"
			       " respondent_type, organisation, area, campaign_id"
			       " FROM responses INDEXED BY responses_summary ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT response_id, theme_id FROM response_themes"
			       " ORDER BY response_id, theme_id", -1, &t, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "reading responses: %s", sqlite3_errmsg(db));
		goto out;
	}
	int trc = sqlite3_step(t), rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		memset(flags, '0', nt);
		while (trc == SQLITE_ROW && sqlite3_column_int64(t, 0) < id)
			trc = sqlite3_step(t);
		while (trc == SQLITE_ROW && sqlite3_column_int64(t, 0) == id) {
			const char *tid = (const char *)sqlite3_column_text(t, 1);
			long k = tid != NULL ? themes_find(ts, tid) : -1;
			if (k >= 0)
				flags[k] = '1';
			trc = sqlite3_step(t);
		}
		char ref[32], when[32], dup[32], camp[32];
		storage_format_ref(id, ref, sizeof(ref));
		fmt_iso(sqlite3_column_int64(s, 2), when, sizeof(when));
		dup[0] = camp[0] = '\0';
		if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			storage_format_ref(sqlite3_column_int64(s, 5), dup, sizeof(dup));
		if (sqlite3_column_type(s, 9) != SQLITE_NULL)
			snprintf(camp, sizeof(camp), "C-%lld", (long long)sqlite3_column_int64(s, 9));
		/* The fixed-vocabulary and generated cells need no guard; the
		 * free ones (organisation, area) go through report_csv_cell. */
		fprintf(out, "\"%s\",\"%s\",\"%s\",\"%s\",\"%d\",\"%s\",\"%s\",", ref,
			(const char *)sqlite3_column_text(s, 1), when,
			(const char *)sqlite3_column_text(s, 3), sqlite3_column_int(s, 4) != 0, dup,
			sqlite3_column_type(s, 6) != SQLITE_NULL ? (const char *)sqlite3_column_text(s, 6) : "");
		if (csv_put(out, (const char *)sqlite3_column_text(s, 7), false) != 0 ||
		    csv_put(out, (const char *)sqlite3_column_text(s, 8), false) != 0 ||
		    csv_put(out, camp, nt == 0) != 0)
			goto nomem;
		for (size_t i = 0; i < nt; i++) {
			fputc('"', out);
			fputc(flags[i], out);
			fputs(i + 1 == nt ? "\"\r\n" : "\",", out);
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "reading responses: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (finish(out) != 0) {
		snprintf(err, errlen, "writing the CSV: %s", strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(t);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	free(flags);
	return ret;
}
