#include "message.h"

#include "template.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool addr_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"<>()[],;:\\", c) == NULL;
}

bool receipt_address_ok(const char *addr)
{
	if (addr == NULL)
		return false;
	size_t n = strlen(addr);
	const char *at = strchr(addr, '@');
	if (n == 0 || n > 254 || at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!addr_char_ok((unsigned char)addr[i]))
			return false;
	return true;
}

bool receipt_msgid_ok(const char *id)
{
	if (id == NULL)
		return false;
	size_t n = strlen(id);
	if (n == 0 || n > 250)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '\\' || c == '"')
			return false;
	}
	return true;
}

static void lower_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)((src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i]);
	dst[n] = '\0';
}

bool receipt_address_matches(const char *addr, const char *pattern)
{
	if (addr == NULL || pattern == NULL)
		return false;
	char a[256], p[256];
	size_t pn = strlen(pattern);
	const char *at = strrchr(addr, '@');
	/* A pattern without '@' is about the local part only. */
	size_t an = strchr(pattern, '@') != NULL || at == NULL ? strlen(addr) : (size_t)(at - addr);
	if (an >= sizeof(a) || pn >= sizeof(p))
		return false;
	lower_copy(a, addr, an);
	lower_copy(p, pattern, pn);
	return fnmatch(p, a, 0) == 0;
}

struct out {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 512;
		while (o->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(o->p, cap);
		if (p == NULL) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static char *finish(struct out *o)
{
	if (o->oom || o->p == NULL) {
		free(o->p);
		return NULL;
	}
	return o->p;
}

static bool printable_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void base64(struct out *o, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63],
			     i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '='};
		put(o, q, 4);
	}
}

/* Encoded words of at most 39 bytes of UTF-8 each (52 base64 characters,
 * 64 with the frame), so every folded line stays under 78. */
static void encoded_words(struct out *o, const char *clean)
{
	const unsigned char *s = (const unsigned char *)clean;
	size_t len = strlen(clean);
	bool first = true;
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		while (i + n < len) {
			size_t c = 1;
			while (i + n + c < len && (s[i + n + c] & 0xc0) == 0x80)
				c++;
			if (n + c > 39)
				break;
			n += c;
		}
		if (n == 0) /* cannot happen with cleaned UTF-8; never loop */
			n = 1;
		if (!first)
			puts_(o, "\r\n ");
		puts_(o, "=?UTF-8?B?");
		base64(o, s + i, n);
		puts_(o, "?=");
		first = false;
		i += n;
	}
}

char *receipt_encode_text(const char *utf8, size_t used)
{
	char *clean = template_clean_value(utf8, 998);
	if (clean == NULL)
		return NULL;
	struct out o = {0};
	put(&o, "", 0);
	if (printable_ascii(clean) && used + strlen(clean) <= 78)
		puts_(&o, clean);
	else if (printable_ascii(clean)) {
		/* Fold long ASCII at spaces. */
		size_t col = used;
		const char *p = clean;
		while (*p != '\0') {
			const char *sp = strchr(p + 1, ' ');
			size_t n = sp != NULL ? (size_t)(sp - p) : strlen(p);
			if (col + n > 78 && p != clean && *p == ' ') {
				puts_(&o, "\r\n");
				col = 0;
			}
			put(&o, p, n);
			col += n;
			p += n;
		}
	} else {
		encoded_words(&o, clean);
	}
	free(clean);
	return finish(&o);
}

char *receipt_encode_name(const char *utf8)
{
	char *clean = template_clean_value(utf8, TEMPLATE_VALUE_MAX);
	if (clean == NULL)
		return NULL;
	struct out o = {0};
	put(&o, "", 0);
	if (printable_ascii(clean)) {
		puts_(&o, "\"");
		for (const char *p = clean; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				puts_(&o, "\\");
			put(&o, p, 1);
		}
		puts_(&o, "\"");
	} else {
		encoded_words(&o, clean);
	}
	free(clean);
	return finish(&o);
}

char *receipt_qp_encode(const char *text)
{
	struct out o = {0};
	put(&o, "", 0);
	const unsigned char *s = (const unsigned char *)text;
	size_t col = 0;
	for (size_t i = 0; s[i] != '\0'; i++) {
		unsigned char c = s[i];
		if (c == '\r' && s[i + 1] == '\n')
			continue;
		if (c == '\n') {
			puts_(&o, "\r\n");
			col = 0;
			continue;
		}
		char enc[4];
		size_t n;
		bool at_eol = s[i + 1] == '\0' || s[i + 1] == '\n' || (s[i + 1] == '\r' && s[i + 2] == '\n');
		if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
		    ((c == ' ' || c == '\t') && !at_eol)) {
			enc[0] = (char)c;
			n = 1;
		} else {
			snprintf(enc, sizeof(enc), "=%02X", c);
			n = 3;
		}
		if (col + n > 75) { /* soft break: the '=' makes 76 */
			puts_(&o, "=\r\n");
			col = 0;
			if (enc[0] == '.') { /* a dot would now start the line */
				snprintf(enc, sizeof(enc), "=2E");
				n = 3;
			}
		}
		put(&o, enc, n);
		col += n;
	}
	if (col > 0)
		puts_(&o, "\r\n");
	return finish(&o);
}

static void format_date(int64_t t, char *buf, size_t len)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(buf, len, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void header(struct out *o, const char *name, const char *value)
{
	puts_(o, name);
	puts_(o, ": ");
	puts_(o, value);
	puts_(o, "\r\n");
}

char *receipt_build(const struct receipt_parts *p)
{
	if (!receipt_address_ok(p->from_address) || !receipt_address_ok(p->to) ||
	    (p->reply_to != NULL && !receipt_address_ok(p->reply_to)) ||
	    !receipt_msgid_ok(p->message_id) ||
	    (p->in_reply_to != NULL && !receipt_msgid_ok(p->in_reply_to)))
		return NULL;
	struct out o = {0};
	char date[64], line[600];
	format_date(p->date, date, sizeof(date));
	header(&o, "Date", date);
	if (p->from_name != NULL && p->from_name[0] != '\0') {
		char *name = receipt_encode_name(p->from_name);
		if (name == NULL)
			o.oom = true;
		else {
			puts_(&o, "From: ");
			puts_(&o, name);
			puts_(&o, " <");
			puts_(&o, p->from_address);
			puts_(&o, ">\r\n");
		}
		free(name);
	} else {
		snprintf(line, sizeof(line), "<%s>", p->from_address);
		header(&o, "From", line);
	}
	snprintf(line, sizeof(line), "<%s>", p->to);
	header(&o, "To", line);
	if (p->reply_to != NULL) {
		snprintf(line, sizeof(line), "<%s>", p->reply_to);
		header(&o, "Reply-To", line);
	}
	char *subject = receipt_encode_text(p->subject != NULL ? p->subject : "", 9);
	if (subject == NULL)
		o.oom = true;
	else
		header(&o, "Subject", subject);
	free(subject);
	snprintf(line, sizeof(line), "<%s>", p->message_id);
	header(&o, "Message-ID", line);
	if (p->in_reply_to != NULL) {
		snprintf(line, sizeof(line), "<%s>", p->in_reply_to);
		header(&o, "In-Reply-To", line);
		header(&o, "References", line);
	}
	/* RFC 3834: an automatic reply; other autoresponders must not answer. */
	header(&o, "Auto-Submitted", "auto-replied");
	header(&o, "X-Auto-Response-Suppress", "All");
	header(&o, "Precedence", "bulk");
	header(&o, "MIME-Version", "1.0");
	header(&o, "Content-Type", "text/plain; charset=UTF-8");
	header(&o, "Content-Transfer-Encoding", "quoted-printable");
	puts_(&o, "\r\n");
	char *body = receipt_qp_encode(p->body != NULL ? p->body : "");
	if (body == NULL)
		o.oom = true;
	else
		puts_(&o, body);
	free(body);
	return finish(&o);
}
