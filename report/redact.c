#include "redact.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static char *finish(struct buf *b)
{
	if (!b->oom && b->p == NULL)
		put(b, "", 0);
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid;
 * *cp gets the code point. */
static size_t utf8_seq(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static bool is_bidi_control(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static char *clean(const char *in, size_t *len_out)
{
	const unsigned char *s = (const unsigned char *)(in != NULL ? in : "");
	/* At most three bytes out (U+FFFD) for each byte in. */
	size_t n = strlen((const char *)s), o = 0;
	char *out = malloc(n * 3 + 1);
	if (out == NULL)
		return NULL;
	while (*s != '\0') {
		unsigned cp;
		size_t len = utf8_seq(s, &cp);
		if (len == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
			s++;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			out[o++] = ' ';
			s += len;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || is_bidi_control(cp)) {
			s += len;
		} else {
			memcpy(out + o, s, len);
			o += len;
			s += len;
		}
	}
	out[o] = '\0';
	*len_out = o;
	return out;
}

char *redact_clean(const char *in)
{
	size_t n;
	return clean(in, &n);
}

/* ---- recognisers: each returns the length of a match at s, or 0 ------ */

static bool alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool digit(char c)
{
	return c >= '0' && c <= '9';
}
static bool alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool local_char(char c)
{
	return alnum(c) || (c != '\0' && strchr("._%+-'!#$&*=?^`{|}~/", c) != NULL);
}

/* An address around the '@' at s[at]: how far back it starts (*start) and
 * its end. */
static bool email_at(const char *s, size_t at, size_t *start, size_t *end)
{
	size_t a = at;
	while (a > 0 && local_char(s[a - 1]))
		a--;
	if (a == at)
		return false;
	size_t e = at + 1, last_dot = 0;
	while (alnum(s[e]) || s[e] == '-' || s[e] == '.')
		e++;
	while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
		e--;
	for (size_t i = at + 1; i < e; i++)
		if (s[i] == '.')
			last_dot = i;
	if (last_dot == 0 || last_dot >= e - 1 || last_dot == at + 1)
		return false;
	*start = a;
	*end = e;
	return true;
}

static size_t phone_at(const char *s)
{
	size_t i = 0, digits = 0, need_min, need_max, last_digit_end = 0;
	if (s[0] == '+' && s[1] == '4' && s[2] == '4') {
		i = 3, digits = 0, need_min = 9, need_max = 10;
		/* +44 (0)20 ...: the bracketed trunk zero is not counted */
		while (s[i] == ' ' || s[i] == '-' || s[i] == '.')
			i++;
		if (s[i] == '(' && s[i + 1] == '0' && s[i + 2] == ')')
			i += 3;
	} else if (s[0] == '0' || (s[0] == '(' && s[1] == '0')) {
		need_min = 10, need_max = 11;
	} else {
		return 0;
	}
	bool prev_sep = false;
	for (; s[i] != '\0'; i++) {
		if (digit(s[i])) {
			digits++;
			last_digit_end = i + 1;
			prev_sep = false;
			if (digits == need_max)
				break;
		} else if (s[i] == ' ' || s[i] == '-' || s[i] == '.' || s[i] == '(' || s[i] == ')') {
			if (prev_sep && s[i] != '(' && s[i - 1] != ')')
				break; /* two separators: the number has ended */
			prev_sep = true;
		} else {
			break;
		}
	}
	if (digits < need_min)
		return 0;
	if (digits == need_max && digit(s[last_digit_end]))
		return last_digit_end; /* longer run of digits: still redact these */
	if (alnum(s[last_digit_end]))
		return 0;
	return last_digit_end;
}

static size_t postcode_at(const char *s)
{
	size_t i = 0;
	if (!alpha(s[i]))
		return 0;
	i++;
	if (alpha(s[i]))
		i++;
	if (!digit(s[i]))
		return 0;
	i++;
	if (alnum(s[i])) {
		/* the optional third outward character (A99, A9A), unless what
		 * follows is the inward part glued on without a space (A99AA) */
		if (digit(s[i]) && alpha(s[i + 1]) && alpha(s[i + 2]) && !alnum(s[i + 3]))
			return i + 3;
		i++;
	}
	if (s[i] == ' ')
		i++;
	if (digit(s[i]) && alpha(s[i + 1]) && alpha(s[i + 2]) && !alnum(s[i + 3]))
		return i + 3;
	return 0;
}

static const char *const street_words[] = {
	"Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Ln", "Close", "Drive", "Dr",
	"Way", "Gardens", "Gdns", "Crescent", "Cres", "Place", "Pl", "Terrace", "Tce", "Court",
	"Ct", "Grove", "Hill", "Square", "Sq", "Mews", "Walk", "Row", "Park", "Rise", "Parade",
	"Vale", "View", "Green", "Yard", "Wharf", "Embankment", "Broadway", "Hill",
};

static bool is_street_word(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(street_words) / sizeof(street_words[0]); i++)
		if (strlen(street_words[i]) == n && strncasecmp(w, street_words[i], n) == 0)
			return true;
	return false;
}

static size_t address_at(const char *s)
{
	size_t i = 0;
	while (i < 4 && digit(s[i]))
		i++;
	if (i == 0 || digit(s[i]))
		return 0;
	if (alpha(s[i]) && !alpha(s[i + 1]))
		i++; /* 12a */
	if (s[i] == ',')
		i++;
	if (s[i] != ' ')
		return 0;
	i++;
	size_t names = 0;
	for (int w = 0; w < 5; w++) {
		if (!upper(s[i]))
			return 0;
		size_t b = i;
		while (alpha(s[i]) || s[i] == '\'' || s[i] == '-')
			i++;
		size_t e = i;
		if (s[i] == '.')
			i++; /* Rd. */
		if (is_street_word(s + b, e - b) && names > 0)
			return i;
		names++;
		if (s[i] != ' ')
			return 0;
		i++;
	}
	return 0;
}

char *redact_text(const char *in)
{
	size_t n;
	char *s = clean(in, &n);
	if (s == NULL)
		return NULL;
	struct buf b = {0};
	size_t i = 0, copied = 0;
	while (i < n) {
		bool boundary = i == 0 || !alnum(s[i - 1]);
		size_t len = 0, start = i;
		const char *marker = NULL;
		if (s[i] == '@') {
			size_t a = 0, e = 0;
			if (email_at(s, i, &a, &e) && a >= copied) {
				start = a;
				len = e - a;
				marker = "[email]";
			}
		} else if (boundary && (len = phone_at(s + i)) > 0) {
			marker = "[phone]";
		} else if (boundary && (len = address_at(s + i)) > 0) {
			marker = "[address]";
		} else if (boundary && (len = postcode_at(s + i)) > 0) {
			marker = "[postcode]";
		}
		if (marker == NULL) {
			i++;
			continue;
		}
		put(&b, s + copied, start - copied);
		put(&b, marker, strlen(marker));
		i = copied = start + len;
	}
	put(&b, s + copied, n - copied);
	free(s);
	return finish(&b);
}

/* Shorten at a word boundary to about `max` bytes, never inside a UTF-8
 * sequence, with an ellipsis when cut. Collapses runs of spaces. *used
 * gets how many bytes of s the result was made from. */
static char *shorten(const char *s, size_t max, size_t *used)
{
	char *out = malloc(max + 8);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	bool space = true;
	size_t i = 0;
	for (; s[i] != '\0' && o < max; i++) {
		if (s[i] == ' ') {
			if (!space)
				out[o++] = ' ';
			space = true;
		} else {
			out[o++] = s[i];
			space = false;
		}
	}
	*used = i;
	if (s[i] != '\0') {
		while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--; /* a cut sequence */
		if (o > 0 && (unsigned char)out[o - 1] >= 0xc0)
			o--;
		size_t cut = o;
		while (cut > max / 2 && out[cut - 1] != ' ')
			cut--;
		if (cut > max / 2)
			o = cut - 1;
		memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
		o += 3;
	} else {
		while (o > 0 && out[o - 1] == ' ')
			o--;
	}
	out[o] = '\0';
	return out;
}

/*
 * Only the start of a long text can reach an excerpt, so a prefix of this
 * many bytes is redacted rather than the whole (letters run to hundreds of
 * kilobytes, and each theme weighs hundreds of candidates). The prefix
 * ends at white space; an address or number it cuts in two could slip
 * past redaction only at its end, so the excerpt must end EXCERPT_MARGIN
 * bytes before that, or the whole text is redacted after all.
 */
#define EXCERPT_PREFIX 4096
#define EXCERPT_MARGIN 1024

char *redact_excerpt(const char *text, size_t len, size_t max)
{
	size_t cut = len;
	if (len > EXCERPT_PREFIX) {
		cut = EXCERPT_PREFIX;
		while (cut > EXCERPT_PREFIX / 2 && !strchr(" \t\r\n", text[cut]))
			cut--;
		if (cut == EXCERPT_PREFIX / 2)
			cut = len; /* no white space: take it all */
	}
	for (;;) {
		char *own = strndup(text, cut);
		if (own == NULL)
			return NULL;
		char *red = redact_text(own);
		free(own);
		if (red == NULL)
			return NULL;
		size_t used = 0;
		char *s = shorten(red, max, &used);
		bool safe = cut == len || used + EXCERPT_MARGIN <= strlen(red);
		free(red);
		if (s == NULL || safe)
			return s;
		free(s);
		cut = len;
	}
}
