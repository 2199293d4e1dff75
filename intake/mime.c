/*
 * mime.c — raw RFC 5322 bytes to a normalised struct response.
 *
 * Thread model: every GMime and libxml2 object is created and released
 * inside one mime_normalise() call, on the calling thread, so several
 * workers may parse at once. The only shared state is the init guard.
 *
 * Text extraction does not trust GMime's text helpers: they drop bytes that
 * are invalid in the declared charset, which would silently lose parts of a
 * response. Each text part's decoded bytes go through our own charset step
 * instead (declared charset, else UTF-8, else windows-1252), which always
 * produces text.
 *
 * Attachment text: PDF through poppler-glib, DOCX through libzip and
 * libxml2's streaming reader, text parts through the same charset step.
 * Poppler is serialised by a lock (pdf_lock): its global parameters are set
 * up lazily and without locking on first use, and it makes no promise about
 * documents on several threads at once. Extraction problems (encrypted,
 * corrupt, over a cap) are recorded on the attachment and never fail the
 * message; only our own out-of-memory does.
 */
#include "mime.h"

#include "config/limits.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <poppler.h>
#include <zip.h>

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* init                                                               */

/* GMime cannot be initialised again after g_mime_shutdown(): its tables
 * stay gone. So shutdown is final and a later mime_init() does nothing. */
enum init_state { INIT_NONE, INIT_UP, INIT_DOWN };

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static enum init_state init_state;

void mime_init(void)
{
	pthread_mutex_lock(&init_lock);
	if (init_state == INIT_NONE) {
		g_mime_init();
		/* libxml2 wants this before any thread parses. No matching
		 * xmlCleanupParser(): other modules may still use libxml2. */
		xmlInitParser();
		init_state = INIT_UP;
	}
	pthread_mutex_unlock(&init_lock);
}

void mime_shutdown(void)
{
	pthread_mutex_lock(&init_lock);
	if (init_state == INIT_UP) {
		g_mime_shutdown();
		init_state = INIT_DOWN;
	}
	pthread_mutex_unlock(&init_lock);
}

/* ------------------------------------------------------------------ */
/* growable buffer, always NUL-terminated once it holds anything      */

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

static int buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

static int buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* Hand the bytes to the caller as a string ("" when empty); NULL on OOM. */
static char *buf_take(struct buf *b)
{
	if (b->data == NULL && buf_reserve(b, 0) < 0)
		return NULL;
	b->data[b->len] = '\0';
	char *s = b->data;
	memset(b, 0, sizeof(*b));
	return s;
}

static void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------------ */
/* small string helpers                                               */

static bool is_hspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static bool is_space(unsigned char c)
{
	return is_hspace(c) || c == '\r' || c == '\n';
}

static bool ascii_ieq(const char *a, const char *b)
{
	return g_ascii_strcasecmp(a, b) == 0;
}

static char *dup_mem(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		return NULL;
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static char *dup_str(const char *s)
{
	return dup_mem(s, strlen(s));
}

/* Longest prefix of at most `cap` bytes that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *p, size_t n, size_t cap)
{
	if (n <= cap)
		return n;
	size_t k = cap;
	while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
		k--;
	return k;
}

static bool utf8_valid(const char *p, size_t n)
{
	/* g_utf8_validate_len rejects NUL, overlongs and surrogates. */
	return n == 0 || g_utf8_validate_len(p, n, NULL);
}

static int utf8_put(struct buf *b, uint32_t cp)
{
	char tmp[4];
	size_t n;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xC0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		tmp[0] = (char)(0xE0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	return buf_add(b, tmp, n);
}

/* ------------------------------------------------------------------ */
/* charsets                                                           */

/*
 * windows-1252 for 0x80..0x9F; the five holes become U+FFFD so that even
 * arbitrary bytes decode to something visible. 0xA0..0xFF are Latin-1.
 */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Total: every byte string decodes. NULs are dropped (text is a C string). */
static int decode_cp1252(const char *in, size_t n, struct buf *b)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int rc;
		if (c == 0)
			continue;
		if (c < 0x80)
			rc = buf_addc(b, (char)c);
		else if (c < 0xA0)
			rc = utf8_put(b, cp1252_c1[c - 0x80]);
		else
			rc = utf8_put(b, c);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Bytes already known to be valid UTF-8 (NULs allowed), NULs dropped. */
static int add_without_nul(struct buf *b, const char *in, size_t n)
{
	const char *end = in + n;
	while (in < end) {
		const char *z = memchr(in, '\0', (size_t)(end - in));
		size_t run = z ? (size_t)(z - in) : (size_t)(end - in);
		if (buf_add(b, in, run) < 0)
			return -1;
		in += run + (z ? 1 : 0);
	}
	return 0;
}

/* Valid UTF-8 once NULs are ignored? */
static bool utf8_valid_ignoring_nul(const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		size_t run = z ? (size_t)(z - p) : (size_t)(end - p);
		/* A NUL cannot sit inside a valid sequence, so runs are independent. */
		if (!utf8_valid(p, run))
			return false;
		p += run + (z ? 1 : 0);
	}
	return true;
}

/* No usable charset: UTF-8 when the bytes are valid UTF-8, else windows-1252. */
static int decode_guess(const char *in, size_t n, struct buf *b)
{
	if (utf8_valid_ignoring_nul(in, n))
		return add_without_nul(b, in, n);
	return decode_cp1252(in, n, b);
}

enum cs_kind { CS_NONE, CS_UTF8, CS_CP1252, CS_OTHER };

/*
 * US-ASCII is read as UTF-8 (8-bit bytes under an ASCII label are usually
 * UTF-8) and ISO-8859-1 as windows-1252, its superset in practice: the C1
 * controls at 0x80..0x9F are never meant, curly quotes are. Browsers do
 * the same (WHATWG Encoding).
 */
static enum cs_kind charset_kind(const char *cs)
{
	static const char *const utf8[] = { "utf8", "unicode11utf8", NULL };
	static const char *const ascii[] = {
		"usascii", "ascii", "us", "ansix3.41968", "iso646us", NULL };
	static const char *const latin[] = {
		"windows1252", "cp1252", "xcp1252", "iso88591", "latin1", "l1",
		"iso885911987", "iso8859-1", "cp819", "ibm819", NULL };
	char key[32];
	size_t k = 0;

	if (cs == NULL)
		return CS_NONE;
	for (const char *p = cs; *p != '\0'; p++) {
		if (*p == '-' || *p == '_' || *p == ' ' || *p == ':' || *p == '"')
			continue;
		if (k + 1 >= sizeof(key))
			return CS_OTHER;
		key[k++] = g_ascii_tolower(*p);
	}
	key[k] = '\0';
	if (k == 0)
		return CS_NONE;
	for (size_t i = 0; utf8[i] != NULL; i++)
		if (strcmp(key, utf8[i]) == 0)
			return CS_UTF8;
	for (size_t i = 0; ascii[i] != NULL; i++)
		if (strcmp(key, ascii[i]) == 0)
			return CS_UTF8;
	for (size_t i = 0; latin[i] != NULL; i++)
		if (strcmp(key, latin[i]) == 0)
			return CS_CP1252;
	return CS_OTHER;
}

/*
 * Strict iconv from `cs` to UTF-8. Returns 1 when converted, 0 when the
 * charset is unknown or the bytes are not valid in it (nothing appended),
 * -1 on OOM.
 */
static int decode_iconv(const char *in, size_t n, const char *cs, struct buf *b)
{
	struct buf tmp = { 0 };
	iconv_t cd = iconv_open("UTF-8", g_mime_charset_iconv_name(cs));
	char *inp = (char *)in;
	size_t inleft = n;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return 0;
	while (inleft > 0) {
		if (buf_reserve(&tmp, inleft * 2 + 64) < 0) {
			rc = -1;
			goto out;
		}
		char *outp = tmp.data + tmp.len;
		size_t outleft = tmp.cap - tmp.len - 1;
		size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
		int err = errno;
		tmp.len = (size_t)(outp - tmp.data);
		if (r == (size_t)-1 && err != E2BIG)
			goto out; /* EILSEQ / EINVAL: not this charset after all */
	}
	/* Stateful charsets (ISO-2022-*) may owe a final shift sequence. */
	for (;;) {
		if (buf_reserve(&tmp, 64) < 0) {
			rc = -1;
			goto out;
		}
		char *outp = tmp.data + tmp.len;
		size_t outleft = tmp.cap - tmp.len - 1;
		size_t r = iconv(cd, NULL, NULL, &outp, &outleft);
		int err = errno;
		tmp.len = (size_t)(outp - tmp.data);
		tmp.data[tmp.len] = '\0';
		if (r != (size_t)-1)
			break;
		if (err != E2BIG)
			goto out;
	}
	if (!utf8_valid_ignoring_nul(tmp.data, tmp.len))
		goto out;
	rc = add_without_nul(b, tmp.data, tmp.len) < 0 ? -1 : 1;
out:
	buf_free(&tmp);
	iconv_close(cd);
	return rc;
}

/* Append `in` (in charset `cs`, may be NULL) to `b` as UTF-8 without NULs. */
static int text_to_utf8(const char *in, size_t n, const char *cs, struct buf *b)
{
	switch (charset_kind(cs)) {
	case CS_NONE:
	case CS_UTF8:
		return decode_guess(in, n, b);
	case CS_CP1252:
		return decode_cp1252(in, n, b);
	case CS_OTHER: {
		int rc = decode_iconv(in, n, cs, b);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		return decode_guess(in, n, b);
	}
	}
	return decode_guess(in, n, b);
}

/* ------------------------------------------------------------------ */
/* text normalisation                                                 */

/*
 * CRLF and lone CR to LF, trailing blanks cut from every line, blank lines
 * at both ends dropped, capped at `cap` bytes on a character boundary.
 * `in` is valid UTF-8. NULL on OOM.
 */
static char *normalise_text_cap(const char *in, size_t n, size_t cap)
{
	struct buf b = { 0 };
	char *text = NULL;
	size_t blank = 0;
	bool started = false;
	size_t i = 0;

	while (i < n) {
		size_t start = i;
		while (i < n && in[i] != '\r' && in[i] != '\n')
			i++;
		size_t end = i;
		if (i < n) {
			if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
				i++;
			i++;
		}
		while (end > start && is_hspace((unsigned char)in[end - 1]))
			end--;
		if (end == start) {
			if (started)
				blank++;
			continue;
		}
		if (started) {
			if (buf_addc(&b, '\n') < 0)
				goto out;
			for (; blank > 0; blank--)
				if (buf_addc(&b, '\n') < 0)
					goto out;
		}
		if (buf_add(&b, in + start, end - start) < 0)
			goto out;
		started = true;
		blank = 0;
		if (b.len > cap)
			break;
	}
	if (b.len > cap) {
		b.len = utf8_cut(b.data, b.len, cap);
		while (b.len > 0 && is_space((unsigned char)b.data[b.len - 1]))
			b.len--;
		b.data[b.len] = '\0';
	}
	text = buf_take(&b);
out:
	buf_free(&b);
	return text;
}

/* A body part's text is cut here, a few bytes past the cap: enough to
 * see that it was over, and for the final cut to see a whole character. */
#define BODY_PIECE_CAP (LIMIT_TEXT_BYTES + 4u)

static char *normalise_text(const char *in, size_t n)
{
	return normalise_text_cap(in, n, LIMIT_TEXT_BYTES);
}

/*
 * A header value as one clean line: valid UTF-8, whitespace runs and
 * control characters folded to one space, trimmed, capped. *out is NULL
 * when nothing is left. -1 on OOM.
 */
static int clean_line(const char *s, size_t cap, char **out)
{
	struct buf u = { 0 };
	struct buf b = { 0 };
	bool space = false;
	int rc = -1;

	*out = NULL;
	if (s == NULL)
		return 0;
	if (decode_guess(s, strlen(s), &u) < 0)
		goto out;
	for (size_t i = 0; i < u.len; i++) {
		unsigned char c = (unsigned char)u.data[i];
		if (c < 0x20 || c == 0x7F || c == ' ') {
			space = b.len > 0;
			continue;
		}
		if (space && buf_addc(&b, ' ') < 0)
			goto out;
		space = false;
		if (buf_addc(&b, (char)c) < 0)
			goto out;
	}
	if (b.len > 0) {
		b.len = utf8_cut(b.data, b.len, cap);
		while (b.len > 0 && b.data[b.len - 1] == ' ')
			b.len--;
		b.data[b.len] = '\0';
	}
	rc = 0;
	if (b.len > 0 && (*out = buf_take(&b)) == NULL)
		rc = -1;
out:
	buf_free(&u);
	buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------------ */
/* HTML to text                                                       */

struct html_out {
	struct buf b;
	unsigned pending_nl;  /* line breaks owed before the next visible text */
	bool pending_space;   /* collapsed whitespace owed before the next text */
	bool line_has_text;
	unsigned pre;         /* depth inside <pre>: whitespace kept */
	bool oom;
};

enum html_kind { H_INLINE, H_SKIP, H_PARA, H_LINE, H_LI, H_BR, H_CELL, H_PRE };

static enum html_kind html_kind(const xmlChar *name)
{
	static const char *const skip[] = {
		"script", "style", "head", "title", "template", NULL };
	static const char *const para[] = {
		"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
		"ul", "ol", "dl", "hr", NULL };
	static const char *const line[] = {
		"div", "tr", "dt", "dd", "section", "article", "header", "footer",
		"nav", "aside", "main", "form", "fieldset", "address", "figure",
		"figcaption", "caption", "center", "details", "summary", "body",
		"html", NULL };
	const char *n = (const char *)name;

	if (n == NULL)
		return H_INLINE;
	for (size_t i = 0; skip[i] != NULL; i++)
		if (ascii_ieq(n, skip[i]))
			return H_SKIP;
	for (size_t i = 0; para[i] != NULL; i++)
		if (ascii_ieq(n, para[i]))
			return H_PARA;
	for (size_t i = 0; line[i] != NULL; i++)
		if (ascii_ieq(n, line[i]))
			return H_LINE;
	if (ascii_ieq(n, "li"))
		return H_LI;
	if (ascii_ieq(n, "br"))
		return H_BR;
	if (ascii_ieq(n, "td") || ascii_ieq(n, "th"))
		return H_CELL;
	if (ascii_ieq(n, "pre"))
		return H_PRE;
	return H_INLINE;
}

static void html_put(struct html_out *o, const char *p, size_t n)
{
	if (o->oom)
		return;
	/* More than the cap is never kept; stop growing here. */
	if (o->b.len > LIMIT_TEXT_BYTES)
		return;
	if (o->pending_nl > 0) {
		if (o->b.len > 0) {
			unsigned k = o->pending_nl > 2 ? 2 : o->pending_nl;
			for (; k > 0; k--)
				if (buf_addc(&o->b, '\n') < 0)
					o->oom = true;
		}
		o->pending_nl = 0;
		o->line_has_text = false;
	} else if (o->pending_space) {
		if (buf_addc(&o->b, ' ') < 0)
			o->oom = true;
	}
	o->pending_space = false;
	if (buf_add(&o->b, p, n) < 0)
		o->oom = true;
	o->line_has_text = true;
}

static void html_break(struct html_out *o, unsigned n)
{
	if (o->pending_nl < n)
		o->pending_nl = n;
	o->pending_space = false;
}

static void html_text(struct html_out *o, const char *s)
{
	while (*s != '\0' && !o->oom) {
		unsigned char c = (unsigned char)*s;
		/* U+00A0 is layout spacing in mail HTML, not content. */
		bool nbsp = c == 0xC2 && (unsigned char)s[1] == 0xA0;

		if (o->pre > 0 && c == '\n') {
			o->pending_nl++;
			o->pending_space = false;
			s++;
		} else if (o->pre > 0 && c == '\r') {
			s++;
		} else if (o->pre > 0 && (c == ' ' || c == '\t' || nbsp)) {
			html_put(o, " ", 1);
			s += nbsp ? 2 : 1;
		} else if (is_space(c) || nbsp) {
			if (o->line_has_text && o->pending_nl == 0)
				o->pending_space = true;
			s += nbsp ? 2 : 1;
		} else {
			size_t run = 1;
			while (s[run] != '\0' && !is_space((unsigned char)s[run]) &&
			       !((unsigned char)s[run] == 0xC2 &&
				 (unsigned char)s[run + 1] == 0xA0))
				run++;
			html_put(o, s, run);
			s += run;
		}
	}
}

static void html_open(struct html_out *o, enum html_kind k)
{
	switch (k) {
	case H_PARA:
		html_break(o, 2);
		break;
	case H_LINE:
		html_break(o, 1);
		break;
	case H_LI:
		html_break(o, 1);
		html_put(o, "- ", 2);
		o->line_has_text = false; /* no space owed right after the dash */
		break;
	case H_BR:
		o->pending_nl++;
		o->pending_space = false;
		break;
	case H_CELL:
		if (o->line_has_text && o->pending_nl == 0)
			o->pending_space = true;
		break;
	case H_PRE:
		html_break(o, 2);
		o->pre++;
		break;
	case H_INLINE:
	case H_SKIP:
		break;
	}
}

static void html_close(struct html_out *o, enum html_kind k)
{
	switch (k) {
	case H_PARA:
		html_break(o, 2);
		break;
	case H_LINE:
	case H_LI:
		html_break(o, 1);
		break;
	case H_PRE:
		if (o->pre > 0)
			o->pre--;
		html_break(o, 2);
		break;
	case H_CELL:
	case H_BR:
	case H_INLINE:
	case H_SKIP:
		break;
	}
}

/* Iterative walk: libxml2 caps nesting, but the stack should not depend on it. */
static void html_walk(struct html_out *o, xmlNodePtr cur)
{
	while (cur != NULL && !o->oom) {
		bool descend = false;

		if (cur->type == XML_ELEMENT_NODE) {
			enum html_kind k = html_kind(cur->name);
			if (k != H_SKIP) {
				html_open(o, k);
				if (cur->children != NULL)
					descend = true;
				else
					html_close(o, k);
			}
		} else if ((cur->type == XML_TEXT_NODE ||
			    cur->type == XML_CDATA_SECTION_NODE) &&
			   cur->content != NULL) {
			html_text(o, (const char *)cur->content);
		}
		if (descend) {
			cur = cur->children;
			continue;
		}
		while (cur != NULL && cur->next == NULL) {
			cur = cur->parent;
			if (cur == NULL || cur->type != XML_ELEMENT_NODE) {
				cur = NULL;
				break;
			}
			html_close(o, html_kind(cur->name));
		}
		if (cur != NULL)
			cur = cur->next;
	}
}

/*
 * libxml2 stops at 256 levels of nesting and may leave nothing: then keep
 * the characters outside tags, without script and style. Crude, but text.
 */
static char *html_strip_tags(const char *html, size_t len)
{
	struct buf b = { 0 };
	char *text = NULL;
	size_t i = 0;

	while (i < len) {
		if (html[i] != '<') {
			if (buf_addc(&b, html[i]) < 0)
				goto out;
			i++;
			continue;
		}
		const char *close = NULL;
		if (len - i > 7 && g_ascii_strncasecmp(html + i, "<script", 7) == 0)
			close = "</script";
		else if (len - i > 6 && g_ascii_strncasecmp(html + i, "<style", 6) == 0)
			close = "</style";
		if (close != NULL) {
			size_t k = strlen(close);
			for (i++; i < len; i++)
				if (len - i >= k && g_ascii_strncasecmp(html + i, close, k) == 0)
					break;
		}
		while (i < len && html[i] != '>')
			i++;
		i++;
		/* A tag separates words; one space for a run of them. */
		if (b.len > 0 && !is_space((unsigned char)b.data[b.len - 1]) &&
		    buf_addc(&b, ' ') < 0)
			goto out;
	}
	text = normalise_text(b.data != NULL ? b.data : "", b.len);
out:
	buf_free(&b);
	return text;
}

static char *html_to_text_cap(const char *html, size_t len, size_t cap)
{
	struct html_out o = { 0 };
	htmlDocPtr doc = NULL;
	char *text = NULL;

	if (html == NULL || len == 0)
		return dup_str("");
	if (len > INT_MAX)
		len = INT_MAX;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
			     HTML_PARSE_RECOVER | HTML_PARSE_NONET |
			     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (doc == NULL) {
		text = html_strip_tags(html, len);
		goto out;
	}
	html_walk(&o, doc->children);
	if (o.oom)
		goto out;
	if (o.b.data == NULL)
		text = dup_str("");
	else
		text = normalise_text_cap(o.b.data, o.b.len, cap);
	if (text != NULL && text[0] == '\0') {
		free(text);
		text = html_strip_tags(html, len);
	}
out:
	buf_free(&o.b);
	xmlFreeDoc(doc);
	return text;
}

char *mime_html_to_text(const char *html, size_t len)
{
	return html_to_text_cap(html, len, LIMIT_TEXT_BYTES);
}

/* ------------------------------------------------------------------ */
/* hashing                                                            */

static void sha256_hex(const void *p, size_t n, char hex[65])
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	const unsigned char *u = p;

	/* GChecksum takes a signed length; feed big inputs in slices. */
	while (n > 0) {
		size_t k = n > (1u << 30) ? (1u << 30) : n;
		g_checksum_update(ck, u, (gssize)k);
		u += k;
		n -= k;
	}
	memcpy(hex, g_checksum_get_string(ck), 64);
	hex[64] = '\0';
	g_checksum_free(ck);
}

/* ------------------------------------------------------------------ */
/* attachment text                                                    */

enum att_kind { ATT_NONE, ATT_PLAIN, ATT_HTML, ATT_PDF, ATT_DOCX };

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = s != NULL ? strlen(s) : 0, k = strlen(suffix);
	return n >= k && g_ascii_strcasecmp(s + n - k, suffix) == 0;
}

/*
 * What to read the file as. The declared type first; a file name's
 * extension only when the type says nothing (application/octet-stream is
 * what many clients send for everything); PDF also by its magic there.
 */
static enum att_kind attachment_kind(const struct attachment *a)
{
	const char *ct = a->content_type != NULL ? a->content_type : "";
	bool generic = strcmp(ct, "application/octet-stream") == 0 ||
		       strcmp(ct, "application/binary") == 0 ||
		       strcmp(ct, "application/x-download") == 0;

	if (strcmp(ct, "text/plain") == 0)
		return ATT_PLAIN;
	if (strcmp(ct, "text/html") == 0)
		return ATT_HTML;
	if (strcmp(ct, "application/pdf") == 0 || strcmp(ct, "application/x-pdf") == 0)
		return ATT_PDF;
	if (strcmp(ct, "application/vnd.openxmlformats-officedocument."
		       "wordprocessingml.document") == 0)
		return ATT_DOCX;
	if (!generic)
		return ATT_NONE;
	if (has_suffix(a->filename, ".pdf") ||
	    (a->data_len >= 5 && memcmp(a->data, "%PDF-", 5) == 0))
		return ATT_PDF;
	if (has_suffix(a->filename, ".docx"))
		return ATT_DOCX;
	if (has_suffix(a->filename, ".txt"))
		return ATT_PLAIN;
	if (has_suffix(a->filename, ".html") || has_suffix(a->filename, ".htm"))
		return ATT_HTML;
	return ATT_NONE;
}

static int set_text_error(struct attachment *a, const char *why)
{
	free(a->text_error);
	a->text_error = dup_str(why);
	return a->text_error != NULL ? 0 : -1;
}

/* UTF-8 in `u` (any bytes: decoded again) becomes a->text, capped; an
 * empty result leaves a->text NULL. -1 on OOM. */
static int set_text(struct attachment *a, const struct buf *u)
{
	struct buf clean = { 0 };
	char *t = NULL;
	int rc = -1;

	if (decode_guess(u->data != NULL ? u->data : "", u->len, &clean) < 0)
		goto out;
	t = normalise_text_cap(clean.data != NULL ? clean.data : "", clean.len,
			       LIMIT_ATTACHMENT_TEXT_BYTES);
	if (t == NULL)
		goto out;
	if (t[0] != '\0') {
		a->text = t;
		t = NULL;
	}
	rc = 0;
out:
	free(t);
	buf_free(&clean);
	return rc;
}

static int plain_attachment_text(struct attachment *a, const char *charset, bool html)
{
	struct buf u = { 0 };
	struct buf h = { 0 };
	char *t = NULL;
	int rc = -1;

	if (text_to_utf8((const char *)a->data, a->data_len, charset, &u) < 0)
		goto out;
	if (html) {
		if ((t = mime_html_to_text(u.data ? u.data : "", u.len)) == NULL)
			goto out;
		if (buf_addstr(&h, t) < 0)
			goto out;
		rc = set_text(a, &h);
	} else {
		rc = set_text(a, &u);
	}
out:
	free(t);
	buf_free(&h);
	buf_free(&u);
	return rc;
}

static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every page's text (poppler's reading order), pages apart by a blank line. */
static int pdf_attachment_text(struct attachment *a)
{
	GBytes *bytes = g_bytes_new_static(a->data, a->data_len);
	GError *error = NULL;
	PopplerDocument *doc;
	struct buf b = { 0 };
	const char *why = NULL;
	char note[96];
	int pages;
	int rc = -1;

	pthread_mutex_lock(&pdf_lock);
	doc = poppler_document_new_from_bytes(bytes, NULL, &error);
	if (doc == NULL) {
		if (error != NULL && g_error_matches(error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			why = "encrypted PDF";
		else
			why = "not a readable PDF";
		rc = set_text_error(a, why);
		goto out;
	}
	pages = poppler_document_get_n_pages(doc);
	for (int i = 0; i < pages && i < (int)LIMIT_PDF_PAGES; i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		char *t = page != NULL ? poppler_page_get_text(page) : NULL;
		int added = 0;

		if (page != NULL)
			g_object_unref(page);
		if (t != NULL && t[0] != '\0') {
			if (b.len > 0)
				added = buf_addstr(&b, "\n\n");
			if (added == 0)
				added = buf_addstr(&b, t);
		}
		g_free(t);
		if (added < 0)
			goto out;
		if (b.len > LIMIT_ATTACHMENT_TEXT_BYTES)
			break;
	}
	if (set_text(a, &b) < 0)
		goto out;
	if (pages > (int)LIMIT_PDF_PAGES) {
		snprintf(note, sizeof(note), "only the first %u of %d pages read",
			 (unsigned)LIMIT_PDF_PAGES, pages);
		why = note;
	} else if (a->text == NULL) {
		why = "no text in PDF (scanned image?)";
	}
	rc = why != NULL ? set_text_error(a, why) : 0;
out:
	if (doc != NULL)
		g_object_unref(doc);
	pthread_mutex_unlock(&pdf_lock);
	g_clear_error(&error);
	g_bytes_unref(bytes);
	buf_free(&b);
	return rc;
}

#define WML_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define WML_STRICT_NS "http://purl.oclc.org/ooxml/wordprocessingml/main"

/*
 * word/document.xml to text: each <w:p> on its own line, the text of
 * <w:t> only (so not deleted text, <w:delText>, nor field codes), <w:tab/>
 * a tab, <w:br/> and <w:cr/> a line break. A streaming reader, so a large
 * document costs no tree. *broken is set when the XML is not well-formed
 * (what was read before the fault is kept). -1 on OOM.
 */
static int docx_xml_text(const char *xml, size_t len, struct buf *out, bool *broken)
{
	xmlTextReaderPtr rd;
	bool in_t = false;
	bool any_p = false;
	int ret;
	int rc = 0;

	rd = xmlReaderForMemory(xml, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (rd == NULL) {
		*broken = true;
		return 0;
	}
	while (rc == 0 && (ret = xmlTextReaderRead(rd)) == 1) {
		int type = xmlTextReaderNodeType(rd);
		const char *ns = (const char *)xmlTextReaderConstNamespaceUri(rd);
		const char *name = (const char *)xmlTextReaderConstLocalName(rd);
		bool w = ns != NULL && name != NULL &&
			 (strcmp(ns, WML_NS) == 0 || strcmp(ns, WML_STRICT_NS) == 0);

		if (type == XML_READER_TYPE_ELEMENT && w) {
			if (strcmp(name, "p") == 0) {
				if (any_p)
					rc = buf_addc(out, '\n');
				any_p = true;
			} else if (strcmp(name, "t") == 0) {
				in_t = !xmlTextReaderIsEmptyElement(rd);
			} else if (strcmp(name, "tab") == 0) {
				rc = buf_addc(out, '\t');
			} else if (strcmp(name, "br") == 0 || strcmp(name, "cr") == 0) {
				rc = buf_addc(out, '\n');
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT && w) {
			if (strcmp(name, "t") == 0)
				in_t = false;
		} else if (in_t && (type == XML_READER_TYPE_TEXT ||
				    type == XML_READER_TYPE_CDATA ||
				    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
				    type == XML_READER_TYPE_WHITESPACE)) {
			const char *v = (const char *)xmlTextReaderConstValue(rd);
			if (v != NULL)
				rc = buf_addstr(out, v);
		}
		if (out->len > LIMIT_ATTACHMENT_TEXT_BYTES)
			break;
	}
	if (rc == 0 && ret < 0)
		*broken = true;
	xmlFreeTextReader(rd);
	return rc;
}

/*
 * DOCX is a zip of XML parts; the body is word/document.xml. The zip is
 * read by libzip from memory. What a zip says about sizes is not trusted:
 * reading stops at LIMIT_DOCX_XML_BYTES whatever the header claimed, which
 * is what stops a zip bomb.
 */
static int docx_attachment_text(struct attachment *a)
{
	zip_error_t zerr;
	zip_source_t *src;
	zip_t *za = NULL;
	zip_file_t *zf = NULL;
	zip_int64_t idx;
	zip_stat_t st;
	struct buf xml = { 0 };
	struct buf text = { 0 };
	bool broken = false;
	const char *why = NULL;
	char note[96];
	int rc = -1;

	zip_error_init(&zerr);
	src = zip_source_buffer_create(a->data, a->data_len, 0, &zerr);
	if (src == NULL) {
		rc = set_text_error(a, "DOCX could not be read");
		goto out;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	if (za == NULL) {
		zip_source_free(src);
		rc = set_text_error(a, "DOCX is not a readable zip archive");
		goto out;
	}
	idx = zip_name_locate(za, "word/document.xml", 0);
	if (idx < 0)
		idx = zip_name_locate(za, "word/document.xml", ZIP_FL_NOCASE);
	if (idx < 0) {
		rc = set_text_error(a, "DOCX has no word/document.xml");
		goto out;
	}
	zip_stat_init(&st);
	/* A cheap early refusal; the read below enforces the cap anyway. */
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & ZIP_STAT_SIZE) && st.size > LIMIT_DOCX_XML_BYTES)
		goto too_big;
	zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (zf == NULL) {
		rc = set_text_error(a, "DOCX word/document.xml cannot be opened "
				       "(encrypted or unsupported compression)");
		goto out;
	}
	for (;;) {
		zip_int64_t got;

		if (buf_reserve(&xml, 64 * 1024) < 0)
			goto out;
		got = zip_fread(zf, xml.data + xml.len, 64 * 1024);
		if (got < 0) {
			rc = set_text_error(a, "DOCX word/document.xml is corrupt");
			goto out;
		}
		if (got == 0)
			break;
		xml.len += (size_t)got;
		if (xml.len > LIMIT_DOCX_XML_BYTES)
			goto too_big;
	}
	if (docx_xml_text(xml.data != NULL ? xml.data : "", xml.len, &text, &broken) < 0)
		goto out;
	if (set_text(a, &text) < 0)
		goto out;
	if (broken)
		why = a->text != NULL ? "DOCX word/document.xml is not well-formed (text may be incomplete)"
				      : "DOCX word/document.xml is not well-formed";
	else if (a->text == NULL)
		why = "no text in DOCX";
	rc = why != NULL ? set_text_error(a, why) : 0;
	goto out;
too_big:
	snprintf(note, sizeof(note), "DOCX word/document.xml larger than %u bytes decompressed",
		 (unsigned)LIMIT_DOCX_XML_BYTES);
	rc = set_text_error(a, note);
out:
	if (zf != NULL)
		zip_fclose(zf);
	if (za != NULL)
		zip_discard(za); /* read-only: nothing to write back */
	zip_error_fini(&zerr);
	buf_free(&xml);
	buf_free(&text);
	return rc;
}

/* Fill a->text / a->text_error from a->data. -1 on OOM only. */
static int attachment_text(struct attachment *a, const char *charset)
{
	switch (attachment_kind(a)) {
	case ATT_PLAIN:
		return plain_attachment_text(a, charset, false);
	case ATT_HTML:
		return plain_attachment_text(a, charset, true);
	case ATT_PDF:
		return pdf_attachment_text(a);
	case ATT_DOCX:
		return docx_attachment_text(a);
	case ATT_NONE:
		break;
	}
	return 0;
}

static void attachments_free(struct attachment *att, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(att[i].filename);
		free(att[i].content_type);
		free(att[i].data);
		free(att[i].text);
		free(att[i].text_error);
	}
	free(att);
}

/* ------------------------------------------------------------------ */
/* the body walk                                                      */

struct walk {
	struct buf text;          /* pieces joined by one blank line */
	struct attachment *att;
	size_t n_att;
	size_t cap_att;
	bool dsn;                 /* a delivery-status report somewhere */
	bool over_depth;          /* multiparts nested past LIMIT_MIME_DEPTH */
	bool over_attachments;    /* more than LIMIT_ATTACHMENTS leaves */
};

static void walk_free(struct walk *w)
{
	buf_free(&w->text);
	attachments_free(w->att, w->n_att);
	memset(w, 0, sizeof(*w));
}

/* Decoded content of a part; `stream` owns the bytes. */
struct content {
	GMimeStream *stream;
	const char *data;
	size_t len;
};

static void content_load(GMimeObject *obj, struct content *c)
{
	GByteArray *ba;

	c->stream = g_mime_stream_mem_new();
	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));
		/* A failed decode leaves what was decoded so far: keep it. */
		if (dw != NULL)
			(void)g_mime_data_wrapper_write_to_stream(dw, c->stream);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (m != NULL)
			(void)g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, c->stream);
	}
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(c->stream));
	c->data = ba && ba->data ? (const char *)ba->data : "";
	c->len = ba ? ba->len : 0;
}

static void content_release(struct content *c)
{
	if (c->stream != NULL)
		g_object_unref(c->stream);
	memset(c, 0, sizeof(*c));
}

static bool is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

static const char *object_filename(GMimeObject *obj)
{
	const char *f = g_mime_object_get_content_disposition_parameter(obj, "filename");
	if (f == NULL || *f == '\0')
		f = g_mime_object_get_content_type_parameter(obj, "name");
	return f != NULL && *f != '\0' ? f : NULL;
}

/* RFC 2045 5.2: a Content-Type that does not parse means text/plain. */
static bool content_type_invalid(GMimeObject *obj)
{
	const char *v = g_mime_object_get_header(obj, "Content-Type");
	return v != NULL && strchr(v, '/') == NULL;
}

/* Inline text/plain or text/html without a filename: part of the body. */
static bool is_body_text(GMimeObject *obj)
{
	GMimeContentDisposition *cd;

	if (!GMIME_IS_PART(obj))
		return false;
	if (!is_type(obj, "text", "plain") && !is_type(obj, "text", "html") &&
	    !content_type_invalid(obj))
		return false;
	cd = g_mime_object_get_content_disposition(obj);
	if (cd != NULL && g_mime_content_disposition_is_attachment(cd))
		return false;
	return object_filename(obj) == NULL;
}

/* A body part's text, decoded, converted and normalised. NULL on OOM. */
static char *part_text(GMimeObject *obj)
{
	struct content c = { 0 };
	struct buf u = { 0 };
	char *text = NULL;

	content_load(obj, &c);
	if (text_to_utf8(c.data, c.len,
			 g_mime_object_get_content_type_parameter(obj, "charset"), &u) < 0)
		goto out;
	/* A little past the cap, so that the walk can tell a body over it. */
	if (is_type(obj, "text", "html"))
		text = html_to_text_cap(u.data ? u.data : "", u.len, BODY_PIECE_CAP);
	else
		text = normalise_text_cap(u.data ? u.data : "", u.len, BODY_PIECE_CAP);
out:
	buf_free(&u);
	content_release(&c);
	return text;
}

/* Append one normalised piece; stop growing once over the cap. */
static int add_piece(struct walk *w, const char *piece)
{
	size_t n = strlen(piece);

	if (n == 0 || w->text.len > LIMIT_TEXT_BYTES)
		return 0;
	if (w->text.len > 0 && buf_addstr(&w->text, "\n\n") < 0)
		return -1;
	/* A few bytes past the cap let the final cut see a whole character. */
	size_t room = LIMIT_TEXT_BYTES - (w->text.len > LIMIT_TEXT_BYTES ?
					  LIMIT_TEXT_BYTES : w->text.len) + 4;
	return buf_add(&w->text, piece, n < room ? n : room);
}

static int add_attachment(struct walk *w, GMimeObject *obj, bool dedupe)
{
	struct content c = { 0 };
	struct attachment a = { 0 };
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *mime = NULL;
	int rc = -1;

	if (w->n_att >= LIMIT_ATTACHMENTS) {
		w->over_attachments = true;
		return 0;
	}
	content_load(obj, &c);
	sha256_hex(c.data, c.len, a.sha256);
	a.size = c.len;
	if (dedupe) {
		/* The same file under two alternatives is one attachment. */
		for (size_t i = 0; i < w->n_att; i++)
			if (strcmp(w->att[i].sha256, a.sha256) == 0) {
				rc = 0;
				goto out;
			}
	}
	if (clean_line(object_filename(obj), 255, &a.filename) < 0)
		goto out;
	mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	if (clean_line(mime ? mime : "application/octet-stream", 255,
		       &a.content_type) < 0)
		goto out;
	if (a.content_type == NULL && (a.content_type = dup_str("application/octet-stream")) == NULL)
		goto out;
	for (char *p = a.content_type; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	/* Our own copy: the GMime stream goes when this part is done. */
	if ((a.data = malloc(c.len > 0 ? c.len : 1)) == NULL)
		goto out;
	if (c.len > 0)
		memcpy(a.data, c.data, c.len);
	a.data_len = c.len;
	if (attachment_text(&a, g_mime_object_get_content_type_parameter(obj, "charset")) < 0)
		goto out;
	if (w->n_att == w->cap_att) {
		size_t cap = w->cap_att ? w->cap_att * 2 : 4;
		struct attachment *na = realloc(w->att, cap * sizeof(*na));
		if (na == NULL)
			goto out;
		w->att = na;
		w->cap_att = cap;
	}
	w->att[w->n_att++] = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	free(a.filename);
	free(a.content_type);
	free(a.data);
	free(a.text);
	free(a.text_error);
	g_free(mime);
	content_release(&c);
	return rc;
}

static int walk(struct walk *w, GMimeObject *obj, unsigned depth, bool want_text);

/* A multipart with an inline text/plain child. */
static bool holds_plain(GMimeObject *obj)
{
	GMimeMultipart *mp;

	if (!GMIME_IS_MULTIPART(obj))
		return false;
	mp = GMIME_MULTIPART(obj);
	for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		if (is_body_text(child) && is_type(child, "text", "plain"))
			return true;
	}
	return false;
}

/*
 * multipart/alternative: one rendition becomes the text. Plain text is
 * preferred, but an empty plain part next to real HTML (some mailers send
 * that) loses to the HTML. The other renditions only contribute
 * attachments they carry, deduplicated.
 */
static int walk_alternative(struct walk *w, GMimeMultipart *mp, unsigned depth)
{
	int count = g_mime_multipart_get_count(mp);
	int chosen = -1;
	char *piece = NULL;
	int rc = -1;

	for (int pass = 0; pass < 2 && chosen < 0; pass++) {
		const char *sub = pass == 0 ? "plain" : "html";
		for (int i = 0; i < count; i++) {
			GMimeObject *child = g_mime_multipart_get_part(mp, i);
			if (!is_body_text(child) || !is_type(child, "text", sub))
				continue;
			if ((piece = part_text(child)) == NULL)
				goto out;
			if (piece[0] != '\0') {
				chosen = i;
				break;
			}
			free(piece);
			piece = NULL;
		}
	}
	/* Renditions wrapped in multiparts (related HTML, mixed plain plus
	 * files): still prefer the one holding plain text. */
	for (int i = 0; i < count && chosen < 0; i++)
		if (holds_plain(g_mime_multipart_get_part(mp, i)))
			chosen = i;
	for (int i = 0; i < count && chosen < 0; i++)
		if (GMIME_IS_MULTIPART(g_mime_multipart_get_part(mp, i)))
			chosen = i;
	/* The chosen rendition first, so that the others' copies of its
	 * attachments are the ones deduplicated away. */
	if (piece != NULL) {
		if (add_piece(w, piece) < 0)
			goto out;
	} else if (chosen >= 0 &&
		   walk(w, g_mime_multipart_get_part(mp, chosen), depth + 1, true) < 0) {
		goto out;
	}
	for (int i = 0; i < count; i++)
		if (i != chosen && walk(w, g_mime_multipart_get_part(mp, i), depth + 1, false) < 0)
			goto out;
	rc = 0;
out:
	free(piece);
	return rc;
}

/* A multipart whose boundary never shows: GMime leaves the body in the prologue. */
static int walk_prologue(struct walk *w, GMimeMultipart *mp)
{
	const char *pro = g_mime_multipart_get_prologue(mp);
	struct buf u = { 0 };
	char *piece = NULL;
	int rc = -1;

	if (pro == NULL)
		return 0;
	if (text_to_utf8(pro, strlen(pro),
			 g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp), "charset"),
			 &u) < 0)
		goto out;
	if ((piece = normalise_text(u.data ? u.data : "", u.len)) == NULL)
		goto out;
	rc = add_piece(w, piece);
out:
	free(piece);
	buf_free(&u);
	return rc;
}

static bool is_delivery_status(GMimeObject *obj)
{
	const char *rt;

	if (is_type(obj, "message", "delivery-status") ||
	    is_type(obj, "message", "global-delivery-status"))
		return true;
	if (!is_type(obj, "multipart", "report"))
		return false;
	rt = g_mime_object_get_content_type_parameter(obj, "report-type");
	return rt != NULL && (ascii_ieq(rt, "delivery-status") ||
			      ascii_ieq(rt, "global-delivery-status"));
}

/*
 * want_text: this subtree is (part of) the chosen body; otherwise only its
 * attachments are collected.
 */
static int walk(struct walk *w, GMimeObject *obj, unsigned depth, bool want_text)
{
	bool text_full;

	if (obj == NULL)
		return 0;
	if (is_delivery_status(obj))
		w->dsn = true;
	/* Past the cap no more text is kept: do not decode any. */
	text_full = w->text.len > LIMIT_TEXT_BYTES;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int count = g_mime_multipart_get_count(mp);

		if (depth >= LIMIT_MIME_DEPTH) {
			w->over_depth = true;
			return 0;
		}
		if (count == 0)
			return want_text && !text_full ? walk_prologue(w, mp) : 0;
		if (want_text && !text_full && is_type(obj, "multipart", "alternative"))
			return walk_alternative(w, mp, depth);
		for (int i = 0; i < count; i++)
			if (walk(w, g_mime_multipart_get_part(mp, i), depth + 1, want_text) < 0)
				return -1;
		return 0;
	}
	if (is_body_text(obj)) {
		char *piece;
		int rc;

		if (!want_text || text_full)
			return 0;
		if ((piece = part_text(obj)) == NULL)
			return -1;
		rc = add_piece(w, piece);
		free(piece);
		return rc;
	}
	/* message/rfc822 and every other leaf. */
	return add_attachment(w, obj, !want_text);
}

/*
 * After the body, each attachment's text under a line naming it, so that
 * the classifier, search and export see a letter sent as a PDF as part of
 * the response.
 */
static int add_attachment_texts(struct walk *w)
{
	struct buf b = { 0 };
	int rc = 0;

	for (size_t i = 0; i < w->n_att && rc == 0; i++) {
		const struct attachment *a = &w->att[i];

		if (a->text == NULL)
			continue;
		b.len = 0;
		if (buf_addstr(&b, "[attachment: ") < 0 ||
		    buf_addstr(&b, a->filename != NULL ? a->filename : a->content_type) < 0 ||
		    buf_addstr(&b, "]\n") < 0 || buf_addstr(&b, a->text) < 0)
			rc = -1;
		else
			rc = add_piece(w, b.data);
	}
	buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------------ */
/* headers                                                            */

/*
 * The text inside the first <...> (or the whole value when there is none),
 * without whitespace or control bytes. *out is NULL when nothing usable.
 */
static int normalise_message_id(const char *raw, char **out)
{
	struct buf b = { 0 };
	const char *p, *end;

	*out = NULL;
	if (raw == NULL)
		return 0;
	p = strchr(raw, '<');
	if (p != NULL) {
		p++;
		end = strchr(p, '>');
		if (end == NULL)
			end = p + strlen(p);
	} else {
		p = raw;
		end = p + strlen(p);
	}
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == 0x7F)
			continue;
		if (buf_addc(&b, (char)c) < 0) {
			buf_free(&b);
			return -1;
		}
	}
	/* An id that is not UTF-8 or absurdly long is no key: use the hash. */
	if (b.len == 0 || b.len > 998 || !utf8_valid(b.data, b.len)) {
		buf_free(&b);
		return 0;
	}
	*out = buf_take(&b);
	return *out == NULL ? -1 : 0;
}

static InternetAddressMailbox *first_mailbox(InternetAddressList *list, unsigned depth)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			return INTERNET_ADDRESS_MAILBOX(ia);
		if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 4) {
			InternetAddressMailbox *mb = first_mailbox(
				internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
				depth + 1);
			if (mb != NULL)
				return mb;
		}
	}
	return NULL;
}

static int read_from(GMimeMessage *msg, struct response *r)
{
	InternetAddressMailbox *mb = first_mailbox(g_mime_message_get_from(msg), 0);
	char *at;

	if (mb == NULL)
		return 0;
	if (clean_line(internet_address_get_name(INTERNET_ADDRESS(mb)),
		       LIMIT_HEADER_BYTES, &r->sender_name) < 0)
		return -1;
	if (clean_line(internet_address_mailbox_get_addr(mb), LIMIT_HEADER_BYTES,
		       &r->sender_email) < 0)
		return -1;
	if (r->sender_email != NULL && (at = strrchr(r->sender_email, '@')) != NULL)
		for (; *at != '\0'; at++)
			*at = g_ascii_tolower(*at);
	return 0;
}

/* The local part of the sender's address, or "" when there is none. */
static size_t sender_local(const struct response *r, const char **local)
{
	const char *e = r->sender_email != NULL ? r->sender_email : "";
	const char *at = strchr(e, '@');

	*local = e;
	return at != NULL ? (size_t)(at - e) : strlen(e);
}

static bool local_is(const char *local, size_t n, const char *word)
{
	return n == strlen(word) && g_ascii_strncasecmp(local, word, n) == 0;
}

/* MAILER-DAEMON and its spellings: never a person. */
static bool from_mailer_daemon(const struct response *r)
{
	const char *l;
	size_t n = sender_local(r, &l);

	return local_is(l, n, "mailer-daemon") || local_is(l, n, "mailer_daemon") ||
	       local_is(l, n, "mailerdaemon") || local_is(l, n, "mail-daemon");
}

/* postmaster can be a person; it only counts with another signal. */
static bool from_postmaster(const struct response *r)
{
	const char *l;
	size_t n = sender_local(r, &l);

	return local_is(l, n, "postmaster");
}

static bool from_is_daemon(const struct response *r)
{
	return from_mailer_daemon(r) || from_postmaster(r);
}

/*
 * Out-of-office phrases, case-folded (g_utf8_casefold) and NFC. "Strong"
 * ones are what mail clients and servers put in front of the original
 * subject ("Automatic reply: ...", "Abwesenheitsnotiz: ..."); "weak" ones
 * are ordinary words a resident may well use ("Absence of police").
 */
static const char *const ooo_strong[] = {
	/* English */
	"out of office autoreply", "out of office auto reply", "out of office reply",
	"out of office", "out of the office", "automatic reply", "automatic response",
	"auto reply", "auto-reply", "autoreply", "auto response", "auto-response",
	"autoresponse",
	/* French */
	"réponse automatique", "reponse automatique", "absence du bureau",
	"message d'absence", "message d\u2019absence",
	/* German */
	"abwesenheitsnotiz", "automatische antwort", "abwesenheitsmeldung",
	/* Spanish */
	"respuesta automática", "respuesta automatica", "fuera de la oficina",
	"fuera de oficina",
	/* Italian */
	"risposta automatica", "fuori ufficio",
	/* Dutch */
	"automatisch antwoord", "afwezigheidsbericht",
	/* Welsh */
	"ateb awtomatig", "allan o'r swyddfa", "allan o\u2019r swyddfa",
	/* Polish */
	"odpowiedź automatyczna", "odpowiedz automatyczna", "automatyczna odpowiedź",
	"poza biurem",
	/* Portuguese */
	"resposta automática", "resposta automatica",
	NULL,
};

static const char *const ooo_weak[] = {
	"absence", "absent", "abwesend", "abwesenheit", "ausencia", "ausente",
	"assenza", "afwezig", "nieobecność", "on vacation", "on holiday", "on leave",
	"annual leave", "away from the office", "away from my desk",
	NULL,
};

/* Bounce subjects: only ever a signal together with the sender or envelope. */
static const char *const bounce_subjects[] = {
	"undelivered mail returned to sender", "failure notice",
	"delivery status notification", "mail delivery failed", "mail delivery failure",
	"delivery failure", "returned mail", "undeliverable", "undelivered mail",
	"mail system error", "message not delivered", "delivery has failed",
	"warning: could not send message", "non remis", "unzustellbar",
	"nicht zustellbar", "no se puede entregar", "onbestelbaar", "niedostarczalne",
	NULL,
};

/* Subject lower-cased the Unicode way, composed; "" for none. g_free it. */
static char *subject_fold(const char *subject)
{
	char *nfc = g_utf8_normalize(subject != NULL ? subject : "", -1, G_NORMALIZE_DEFAULT_COMPOSE);
	char *fold;

	if (nfc == NULL) /* not valid UTF-8: clean_line makes that impossible */
		return g_strdup("");
	fold = g_utf8_casefold(nfc, -1);
	g_free(nfc);
	return fold;
}

/*
 * The phrase stands on its own at p: what follows (after blanks) ends the
 * subject or is punctuation, so "Out of office: ..." and "Absence" match
 * while "Out of office hours ..." and "Absence of police" do not.
 */
static bool phrase_ends(const char *p)
{
	while (*p == ' ')
		p++;
	return *p == '\0' || strchr(":-([],|/!.", *p) != NULL ||
	       strncmp(p, "\u2013", 3) == 0 || strncmp(p, "\u2014", 3) == 0;
}

/* "Re:", "Fwd:" and their translations: a person replied or forwarded. */
static bool subject_is_reply(const char *fold)
{
	static const char *const prefixes[] = {
		"re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "vs:", "tr:", "rv:", "r:",
		"odp:", "pd:", "antw:", "doorst:", "enc:", "i:", NULL };

	while (*fold == ' ')
		fold++;
	for (size_t i = 0; prefixes[i] != NULL; i++)
		if (strncmp(fold, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/*
 * Does a phrase of `list` stand on its own in the folded subject: at its
 * start (after blanks and an opening bracket) only, or anywhere after a
 * word boundary unless a person replied to or forwarded the message?
 */
static bool subject_has(const char *fold, const char *const *list, bool anywhere)
{
	const char *start = fold;

	if (anywhere && subject_is_reply(fold))
		return false;
	while (*start == ' ' || *start == '[' || *start == '(')
		start++;
	for (size_t i = 0; list[i] != NULL; i++) {
		size_t n = strlen(list[i]);
		const char *p = start;

		while ((p = strstr(p, list[i])) != NULL) {
			bool boundary = p == start ||
					(anywhere && strchr(" :[(-", p[-1]) != NULL);
			if (boundary && phrase_ends(p + n))
				return true;
			if (!anywhere)
				break;
			p++;
		}
	}
	return false;
}

/* Prefix match, no boundary needed: used only with another signal. */
static bool subject_starts(const char *fold, const char *const *list)
{
	while (*fold == ' ' || *fold == '[')
		fold++;
	for (size_t i = 0; list[i] != NULL; i++)
		if (strncmp(fold, list[i], strlen(list[i])) == 0)
			return true;
	return false;
}

/* A status_reason "Header: value" with the value cleaned and kept short. */
static int reason_header(char **out, const char *name, const char *value)
{
	char *v = NULL;
	char tmp[128];

	if (clean_line(value, 48, &v) < 0)
		return -1;
	if (v != NULL)
		snprintf(tmp, sizeof(tmp), "%s: %s", name, v);
	else
		snprintf(tmp, sizeof(tmp), "%s", name);
	free(v);
	*out = dup_str(tmp);
	return *out == NULL ? -1 : 0;
}

/* First token of a header value (before ';' or space), for keyword tests. */
static bool header_token_is(const char *value, const char *word)
{
	size_t n = strlen(word);

	if (value == NULL)
		return false;
	while (*value != '\0' && is_space((unsigned char)*value))
		value++;
	if (g_ascii_strncasecmp(value, word, n) != 0)
		return false;
	value += n;
	return *value == '\0' || *value == ';' || is_space((unsigned char)*value);
}

static bool header_present(const char *value)
{
	if (value == NULL)
		return false;
	while (*value != '\0' && is_space((unsigned char)*value))
		value++;
	return *value != '\0';
}

/* Return-Path: <> is the null reverse path of RFC 5321 (bounces, auto-replies). */
static bool null_return_path(const char *value)
{
	if (value == NULL)
		return false;
	while (*value != '\0' && is_space((unsigned char)*value))
		value++;
	if (*value++ != '<')
		return false;
	while (*value != '\0' && is_space((unsigned char)*value))
		value++;
	if (*value++ != '>')
		return false;
	while (*value != '\0' && is_space((unsigned char)*value))
		value++;
	return *value == '\0';
}

static bool report_type_is(GMimeObject *root, const char *type)
{
	const char *rt;

	if (root == NULL || !is_type(root, "multipart", "report"))
		return false;
	rt = g_mime_object_get_content_type_parameter(root, "report-type");
	return rt != NULL && ascii_ieq(rt, type);
}

static int set_status(struct response *r, enum response_status status, const char *reason)
{
	r->status = status;
	r->status_reason = dup_str(reason);
	return r->status_reason != NULL ? 0 : -1;
}

/*
 * The rules, in order, first match wins; mime.h lists them with the
 * reasons. The order matters: a DSN often carries Auto-Submitted too, and
 * an out-of-office reply that went through a list is still an auto-reply.
 */
static int classify(GMimeMessage *msg, const struct walk *w, struct response *r)
{
	GMimeObject *o = GMIME_OBJECT(msg);
	GMimeObject *root = g_mime_message_get_mime_part(msg);
	const char *v;
	const char *prec = g_mime_object_get_header(o, "Precedence");
	bool null_rp = null_return_path(g_mime_object_get_header(o, "Return-Path"));
	char *fold = subject_fold(r->subject);
	bool bounce_subject = subject_starts(fold, bounce_subjects);
	bool ooo_any = subject_has(fold, ooo_strong, true) || subject_has(fold, ooo_weak, true);
	bool ooo_start = subject_has(fold, ooo_strong, false);

	g_free(fold);

	/* 1. bounces */
	if (root != NULL && is_delivery_status(root) && is_type(root, "multipart", "report"))
		return set_status(r, STATUS_BOUNCE, "multipart/report; report-type=delivery-status");
	if (w->dsn && from_is_daemon(r))
		return set_status(r, STATUS_BOUNCE,
				  "delivery-status report from MAILER-DAEMON/postmaster");
	if (from_mailer_daemon(r))
		return set_status(r, STATUS_BOUNCE, "From: MAILER-DAEMON");
	if (from_postmaster(r) && (bounce_subject || null_rp))
		return set_status(r, STATUS_BOUNCE, bounce_subject ?
				  "bounce subject from postmaster" :
				  "postmaster with null Return-Path");
	if (null_rp && bounce_subject)
		return set_status(r, STATUS_BOUNCE, "bounce subject with null Return-Path");

	/* 2. auto-replies */
	if (report_type_is(root, "disposition-notification"))
		return set_status(r, STATUS_AUTO_REPLY,
				  "multipart/report; report-type=disposition-notification");
	v = g_mime_object_get_header(o, "Auto-Submitted");
	if (header_present(v) && !header_token_is(v, "no")) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "Auto-Submitted", v);
	}
	if (header_token_is(prec, "auto_reply")) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "Precedence", prec);
	}
	v = g_mime_object_get_header(o, "X-Autoreply");
	if (header_present(v)) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "X-Autoreply", v);
	}
	v = g_mime_object_get_header(o, "X-Autorespond");
	if (header_present(v)) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "X-Autorespond", v);
	}
	/* Outlook sets this on much ordinary mail; only an OOO subject counts. */
	v = g_mime_object_get_header(o, "X-Auto-Response-Suppress");
	if (header_present(v) && ooo_any)
		return set_status(r, STATUS_AUTO_REPLY,
				  "X-Auto-Response-Suppress with out-of-office subject");
	if (null_rp && ooo_any)
		return set_status(r, STATUS_AUTO_REPLY, "null Return-Path with out-of-office subject");
	if (ooo_start)
		return set_status(r, STATUS_AUTO_REPLY, "out-of-office subject");

	/* 3. list traffic */
	if (header_token_is(prec, "list")) {
		r->status = STATUS_LIST;
		return reason_header(&r->status_reason, "Precedence", prec);
	}
	v = g_mime_object_get_header(o, "List-Id");
	if (header_present(v)) {
		r->status = STATUS_LIST;
		return reason_header(&r->status_reason, "List-Id", v);
	}
	v = g_mime_object_get_header(o, "List-Post");
	if (header_present(v)) {
		r->status = STATUS_LIST;
		return reason_header(&r->status_reason, "List-Post", v);
	}
	bool bulk = header_token_is(prec, "bulk") || header_token_is(prec, "junk");
	if (bulk && header_present(g_mime_object_get_header(o, "List-Unsubscribe"))) {
		char *why = NULL;
		char tmp[160];

		if (reason_header(&why, "Precedence", prec) < 0)
			return -1;
		snprintf(tmp, sizeof(tmp), "%s with List-Unsubscribe", why);
		free(why);
		return set_status(r, STATUS_LIST, tmp);
	}

	/* 4. bulk without list headers: vacation(1) and friends send this. */
	if (bulk) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "Precedence", prec);
	}
	r->status = STATUS_RESPONSE;
	return 0;
}

/* ------------------------------------------------------------------ */
/* mime_normalise                                                     */

/* Drop any body found so far and mark `r` quarantined. -1 on OOM. */
static int quarantine(struct response *r, const char *reason)
{
	attachments_free(r->attachments, r->n_attachments);
	r->attachments = NULL;
	r->n_attachments = 0;
	free(r->text);
	free(r->status_reason);
	r->status = STATUS_QUARANTINED;
	r->text = dup_str("");
	r->status_reason = dup_str(reason);
	return r->text && r->status_reason ? 0 : -1;
}

static int make_idem_key(struct response *r, const unsigned char *raw, size_t len)
{
	struct buf b = { 0 };
	char hex[65];
	int rc = -1;

	if (r->message_id != NULL) {
		if (buf_addstr(&b, "mid:") < 0 || buf_addstr(&b, r->message_id) < 0)
			goto out;
	} else {
		sha256_hex(raw, len, hex);
		if (buf_addstr(&b, "sha256:") < 0 || buf_addstr(&b, hex) < 0)
			goto out;
	}
	r->idem_key = buf_take(&b);
	rc = r->idem_key != NULL ? 0 : -1;
out:
	buf_free(&b);
	return rc;
}

/* The header block of raw: up to and including the blank line that ends
 * it, looked for in the first n bytes (else all n). */
static size_t header_block_length(const unsigned char *raw, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const unsigned char *nl = memchr(raw + i, '\n', n - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - raw) + 1; /* just after a line end */
		size_t rest = n - i;
		if (rest >= 1 && raw[i] == '\n')
			return i + 1;
		if (rest >= 2 && raw[i] == '\r' && raw[i + 1] == '\n')
			return i + 2;
	}
	return n;
}

/* The first limit the walk ran into, as a quarantine reason. */
static bool over_limit_reason(const struct walk *w, char *reason, size_t size)
{
	if (w->over_depth)
		snprintf(reason, size, "MIME parts nested deeper than %u levels",
			 (unsigned)LIMIT_MIME_DEPTH);
	else if (w->over_attachments)
		snprintf(reason, size, "more than %u attachments", (unsigned)LIMIT_ATTACHMENTS);
	else if (w->text.len > LIMIT_TEXT_BYTES)
		snprintf(reason, size, "decoded body text over the cap of %u bytes",
			 (unsigned)LIMIT_TEXT_BYTES);
	else
		return false;
	return true;
}

int mime_normalise(const unsigned char *raw, size_t len, struct response *out)
{
	const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	struct response r = { 0 };
	struct walk w = { 0 };
	GMimeParserOptions *opts = NULL;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	const unsigned char *parse = raw;
	size_t parse_len = len;
	unsigned char *cr_copy = NULL;
	char reason[96];
	int rc = -1;

	if (raw == NULL)
		len = parse_len = 0; /* parse_len too: it was taken from len above */
	/* Cheap, and a caller that forgot mime_init() still parses. */
	mime_init();
	r.raw = malloc(len > 0 ? len : 1);
	if (r.raw == NULL)
		goto out;
	if (len > 0)
		memcpy(r.raw, raw, len);
	r.raw_len = len;

	if (len > LIMIT_MESSAGE_BYTES) {
		/* Too large to parse; its header still says who sent it and
		 * its Message-ID (so its key), as when only the header was
		 * fetched. */
		struct response h = {0};
		_Static_assert(LIMIT_HEADER_BLOCK_BYTES < LIMIT_MESSAGE_BYTES, "header window");
		if (mime_normalise(raw, header_block_length(raw, LIMIT_HEADER_BLOCK_BYTES), &h) != 0)
			goto out;
		r.message_id = h.message_id;
		r.idem_key = h.idem_key;
		r.sender_name = h.sender_name;
		r.sender_email = h.sender_email;
		r.subject = h.subject;
		h.message_id = h.idem_key = h.sender_name = h.sender_email = h.subject = NULL;
		response_clear(&h);
		snprintf(reason, sizeof(reason), "message of %zu bytes is over the cap of %u bytes",
			 len, (unsigned)LIMIT_MESSAGE_BYTES);
		if (quarantine(&r, reason) < 0)
			goto out;
		rc = 0;
		goto out;
	}

	/* A UTF-8 byte order mark (some Windows tools save .eml with one) would
	 * hide the first header's name. */
	if (parse_len >= 3 && memcmp(parse, "\xef\xbb\xbf", 3) == 0) {
		parse += 3;
		parse_len -= 3;
	}
	/* Old Mac line ends (CR alone) leave GMime one endless header line. */
	if (parse_len > 0 && memchr(parse, '\n', parse_len) == NULL &&
	    memchr(parse, '\r', parse_len) != NULL) {
		if ((cr_copy = malloc(parse_len)) == NULL)
			goto out;
		for (size_t i = 0; i < parse_len; i++)
			cr_copy[i] = parse[i] == '\r' ? '\n' : parse[i];
		parse = cr_copy;
	}

	opts = g_mime_parser_options_new();
	/* 8-bit header bytes: UTF-8 if they are, else the usual Western guess. */
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	stream = g_mime_stream_mem_new_with_buffer(parse_len > 0 ? (const char *)parse : "",
						   parse_len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = parse_len > 0 ? g_mime_parser_construct_message(parser, opts) : NULL;

	if (msg != NULL) {
		GMimeHeader *h = g_mime_header_list_get_header(
			g_mime_object_get_header_list(GMIME_OBJECT(msg)), "Message-ID");
		if (normalise_message_id(h ? g_mime_header_get_raw_value(h) : NULL,
					 &r.message_id) < 0)
			goto out;
		if (read_from(msg, &r) < 0)
			goto out;
		if (clean_line(g_mime_message_get_subject(msg), LIMIT_HEADER_BYTES,
			       &r.subject) < 0)
			goto out;
	}
	if (make_idem_key(&r, raw, len) < 0)
		goto out;

	if (len == 0) {
		rc = quarantine(&r, "empty message");
		goto out;
	}
	/* GMime gives no message when the input does not start with a header. */
	if (msg == NULL) {
		rc = quarantine(&r, "no RFC 5322 header block found");
		goto out;
	}

	if (walk(&w, g_mime_message_get_mime_part(msg), 0, true) < 0)
		goto out;
	/* Past a cap the message would be kept in part, silently: a person
	 * decides instead (the raw bytes are kept; quarantine retry). The
	 * text cap is on the body only, since a long PDF letter under a short
	 * email is an ordinary response. */
	if (over_limit_reason(&w, reason, sizeof(reason))) {
		rc = quarantine(&r, reason);
		goto out;
	}
	if (add_attachment_texts(&w) < 0)
		goto out;
	if ((r.text = normalise_text(w.text.data ? w.text.data : "", w.text.len)) == NULL)
		goto out;
	r.attachments = w.att;
	r.n_attachments = w.n_att;
	w.att = NULL;
	w.n_att = 0;

	if (r.sender_email == NULL && r.text[0] == '\0' && r.n_attachments == 0) {
		rc = quarantine(&r, "no From and no body");
		goto out;
	}
	if (classify(msg, &w, &r) < 0)
		goto out;
	rc = 0;
out:
	walk_free(&w);
	if (msg != NULL)
		g_object_unref(msg);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	if (opts != NULL)
		g_mime_parser_options_free(opts);
	free(cr_copy);
	if (rc == 0) {
		out->status = r.status;
		out->message_id = r.message_id;
		out->idem_key = r.idem_key;
		out->sender_name = r.sender_name;
		out->sender_email = r.sender_email;
		out->subject = r.subject;
		out->text = r.text;
		out->status_reason = r.status_reason;
		out->attachments = r.attachments;
		out->n_attachments = r.n_attachments;
		out->raw = r.raw;
		out->raw_len = r.raw_len;
	} else {
		response_clear(&r);
		response_clear(out);
	}
	return rc;
}
