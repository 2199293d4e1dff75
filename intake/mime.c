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
 */
#include "mime.h"

#include "config/limits.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

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

/* Case-insensitive (ASCII only) substring test; bytes >= 0x80 compare as is. */
static bool ascii_icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay != '\0'; hay++)
		if (g_ascii_strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
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
 * at both ends dropped, capped at LIMIT_TEXT_BYTES on a character boundary.
 * `in` is valid UTF-8. NULL on OOM.
 */
static char *normalise_text(const char *in, size_t n)
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
		if (b.len > LIMIT_TEXT_BYTES)
			break;
	}
	if (b.len > LIMIT_TEXT_BYTES) {
		b.len = utf8_cut(b.data, b.len, LIMIT_TEXT_BYTES);
		while (b.len > 0 && is_space((unsigned char)b.data[b.len - 1]))
			b.len--;
		b.data[b.len] = '\0';
	}
	text = buf_take(&b);
out:
	buf_free(&b);
	return text;
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
		o->pending_space = false;
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

char *mime_html_to_text(const char *html, size_t len)
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
		text = dup_str("");
		goto out;
	}
	html_walk(&o, doc->children);
	if (o.oom)
		goto out;
	if (o.b.data == NULL)
		text = dup_str("");
	else
		text = normalise_text(o.b.data, o.b.len);
out:
	buf_free(&o.b);
	xmlFreeDoc(doc);
	return text;
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
/* the body walk                                                      */

struct walk {
	struct buf text;          /* pieces joined by one blank line */
	struct attachment *att;
	size_t n_att;
	size_t cap_att;
	bool dsn;                 /* a delivery-status report somewhere */
};

static void walk_free(struct walk *w)
{
	buf_free(&w->text);
	for (size_t i = 0; i < w->n_att; i++) {
		free(w->att[i].filename);
		free(w->att[i].content_type);
	}
	free(w->att);
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

/* Inline text/plain or text/html without a filename: part of the body. */
static bool is_body_text(GMimeObject *obj)
{
	GMimeContentDisposition *cd;

	if (!GMIME_IS_PART(obj))
		return false;
	if (!is_type(obj, "text", "plain") && !is_type(obj, "text", "html"))
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
	if (is_type(obj, "text", "html"))
		text = mime_html_to_text(u.data ? u.data : "", u.len);
	else
		text = normalise_text(u.data ? u.data : "", u.len);
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

	if (w->n_att >= LIMIT_ATTACHMENTS)
		return 0;
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

		if (depth >= LIMIT_MIME_DEPTH)
			return 0;
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

static bool from_is_daemon(const struct response *r)
{
	const char *e = r->sender_email;
	size_t n;

	if (e == NULL)
		return false;
	const char *at = strchr(e, '@');
	n = at ? (size_t)(at - e) : strlen(e);
	return (n == 13 && g_ascii_strncasecmp(e, "mailer-daemon", 13) == 0) ||
	       (n == 10 && g_ascii_strncasecmp(e, "postmaster", 10) == 0);
}

static bool subject_out_of_office(const char *subject)
{
	static const char *const words[] = {
		"out of office", "out of the office", "automatic reply",
		"auto reply", "auto-reply", "autoreply", "auto response",
		"automatische antwort", "abwesenheit", "réponse automatique",
		"absence", "respuesta automática", "risposta automatica",
		"on vacation", "on leave", NULL };

	if (subject == NULL)
		return false;
	for (size_t i = 0; words[i] != NULL; i++)
		if (ascii_icontains(subject, words[i]))
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

static int classify(GMimeMessage *msg, const struct walk *w, struct response *r)
{
	GMimeObject *o = GMIME_OBJECT(msg);
	GMimeObject *root = g_mime_message_get_mime_part(msg);
	const char *v;

	/* DSNs often carry Auto-Submitted too; bounce is the better label. */
	if (root != NULL && is_delivery_status(root) && is_type(root, "multipart", "report")) {
		r->status = STATUS_BOUNCE;
		r->status_reason = dup_str("multipart/report; report-type=delivery-status");
		return r->status_reason ? 0 : -1;
	}
	if (w->dsn && from_is_daemon(r)) {
		r->status = STATUS_BOUNCE;
		r->status_reason = dup_str("delivery-status report from MAILER-DAEMON/postmaster");
		return r->status_reason ? 0 : -1;
	}
	v = g_mime_object_get_header(o, "Auto-Submitted");
	if (header_present(v) && !header_token_is(v, "no")) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "Auto-Submitted", v);
	}
	v = g_mime_object_get_header(o, "Precedence");
	if (v != NULL && (header_token_is(v, "auto_reply") || header_token_is(v, "bulk") ||
			  header_token_is(v, "junk"))) {
		r->status = STATUS_AUTO_REPLY;
		return reason_header(&r->status_reason, "Precedence", v);
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
	if (header_present(v) && subject_out_of_office(r->subject)) {
		r->status = STATUS_AUTO_REPLY;
		r->status_reason = dup_str("X-Auto-Response-Suppress with out-of-office subject");
		return r->status_reason ? 0 : -1;
	}
	r->status = STATUS_RESPONSE;
	return 0;
}

/* ------------------------------------------------------------------ */
/* mime_normalise                                                     */

/* Drop any body found so far and mark `r` quarantined. -1 on OOM. */
static int quarantine(struct response *r, const char *reason)
{
	for (size_t i = 0; i < r->n_attachments; i++) {
		free(r->attachments[i].filename);
		free(r->attachments[i].content_type);
	}
	free(r->attachments);
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

int mime_normalise(const unsigned char *raw, size_t len, struct response *out)
{
	const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	struct response r = { 0 };
	struct walk w = { 0 };
	GMimeParserOptions *opts = NULL;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	char reason[96];
	int rc = -1;

	if (raw == NULL)
		len = 0;
	/* Cheap, and a caller that forgot mime_init() still parses. */
	mime_init();
	r.raw = malloc(len > 0 ? len : 1);
	if (r.raw == NULL)
		goto out;
	if (len > 0)
		memcpy(r.raw, raw, len);
	r.raw_len = len;

	if (len > LIMIT_MESSAGE_BYTES) {
		snprintf(reason, sizeof(reason), "message larger than %u bytes",
			 (unsigned)LIMIT_MESSAGE_BYTES);
		if (make_idem_key(&r, raw, len) < 0 || quarantine(&r, reason) < 0)
			goto out;
		rc = 0;
		goto out;
	}

	opts = g_mime_parser_options_new();
	/* 8-bit header bytes: UTF-8 if they are, else the usual Western guess. */
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	stream = g_mime_stream_mem_new_with_buffer(len > 0 ? (const char *)raw : "", len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = len > 0 ? g_mime_parser_construct_message(parser, opts) : NULL;

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
