/*
 * imap_wire.c — see imap_wire.h. The grammar notes follow libetpan
 * 1.9.4's parser (src/low-level/imap/mailimap_parser.c), which is lenient:
 * spaces and tabs may come before most tokens.
 */
#include "imap_wire.h"

#include "config/limits.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { P_START, P_STAR, P_WS1, P_NUM, P_WS2, P_WORD, P_DONE = P_WORD + 6 };
enum { L_NONE, L_OPEN, L_MINUS, L_DIGITS, L_AFTER, L_CLOSED, L_CR };
enum { PF_NONE, PF_BRACKET, PF_TOKEN, PF_SPACE, PF_SPACES, PF_OPEN, PF_OPEN_WS, PF_BACKSLASH };

static const char fetch_word[] = "FETCH";
static const char pf_word[] = "PERMANENTFLAGS";

void imap_wire_init(struct imap_wire *s)
{
	memset(s, 0, sizeof(*s));
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/* libetpan's ATOM-CHAR: CHAR except atom-specials (no "}" among them). */
static bool is_atom_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && strchr("(){%*\"\\]", c) == NULL;
}

static int refuse(struct imap_wire *s, const char *why)
{
	s->refused = true;
	snprintf(s->reason, sizeof(s->reason), "%s", why);
	return -1;
}

static void line_start(struct imap_wire *s)
{
	s->prefix = P_START;
	s->fetch = false;
	s->quoted = s->escaped = false;
	s->lit = L_NONE;
	s->pf = PF_NONE;
}

/* "*" SP nz-number SP "FETCH" SP: only there may a literal hold mail. */
static void prefix_step(struct imap_wire *s, unsigned char c)
{
	switch (s->prefix) {
	case P_START:
		/* A tagged line ends a command's answer. */
		if (c != '*' && c != '+')
			s->answer_bytes = 0;
		s->prefix = c == '*' ? P_STAR : P_DONE;
		break;
	case P_STAR:
		s->prefix = is_ws(c) ? P_WS1 : P_DONE;
		break;
	case P_WS1:
		s->prefix = is_ws(c) ? P_WS1 : is_digit(c) ? P_NUM : P_DONE;
		break;
	case P_NUM:
		s->prefix = is_digit(c) ? P_NUM : is_ws(c) ? P_WS2 : P_DONE;
		break;
	case P_WS2:
		s->prefix = is_ws(c) ? P_WS2 : upper(c) == 'F' ? P_WORD + 1 : P_DONE;
		break;
	case P_DONE:
		break;
	default:
		if (s->prefix < P_WORD + 5) {
			s->prefix = upper(c) == (unsigned char)fetch_word[s->prefix - P_WORD]
					    ? s->prefix + 1 : P_DONE;
		} else {
			s->fetch = is_ws(c) || c == '(';
			s->prefix = P_DONE;
		}
		break;
	}
}

static int literal_closed(struct imap_wire *s)
{
	if (!s->literal_negative && s->literal_n > LIMIT_IMAP_LITERAL_BYTES) {
		char why[160];
		if (s->literal_n == UINT64_MAX)
			snprintf(why, sizeof(why), "server announced a literal of more than %" PRIu64
				 " bytes (the cap is %u)", UINT64_MAX, LIMIT_IMAP_LITERAL_BYTES);
		else
			snprintf(why, sizeof(why), "server announced a literal of %" PRIu64
				 " bytes (the cap is %u)", s->literal_n, LIMIT_IMAP_LITERAL_BYTES);
		return refuse(s, why);
	}
	if (!s->literal_negative) {
		s->answer_bytes += s->literal_n;
		if (s->answer_bytes > LIMIT_IMAP_LITERAL_BYTES) {
			char why[160];
			snprintf(why, sizeof(why), "server sent literals of more than %u bytes in "
				 "answer to one command", LIMIT_IMAP_LITERAL_BYTES);
			return refuse(s, why);
		}
	}
	s->lit = L_CLOSED;
	return 0;
}

/* "{" [SP] ["-"] 1*DIGIT [SP] "}": libetpan allocates the number (a
 * negative one is its workaround for a broken server, and counts as 0)
 * wherever a string may be a literal, and even without the CRLF. */
static int literal_step(struct imap_wire *s, unsigned char c)
{
	switch (s->lit) {
	case L_OPEN:
		if (is_ws(c))
			return 0;
		if (c == '-') {
			s->literal_negative = true;
			s->lit = L_MINUS;
			return 0;
		}
		/* fall through */
	case L_MINUS:
		if (is_digit(c)) {
			s->literal_n = (uint64_t)(c - '0');
			s->lit = L_DIGITS;
			return 0;
		}
		break;
	case L_DIGITS:
		if (is_digit(c)) {
			unsigned d = (unsigned)(c - '0');
			s->literal_n = s->literal_n > (UINT64_MAX - d) / 10 ? UINT64_MAX
									   : s->literal_n * 10 + d;
			return 0;
		}
		if (is_ws(c)) {
			s->lit = L_AFTER;
			return 0;
		}
		/* fall through */
	case L_AFTER:
		if (is_ws(c))
			return 0;
		if (c == '}')
			return literal_closed(s);
		break;
	case L_CLOSED:
		if (is_ws(c))
			return 0;
		if (c == '\r') {
			s->lit = L_CR;
			return 0;
		}
		break;
	default:
		break;
	}
	s->lit = L_NONE;
	if (c == '{') {
		s->lit = L_OPEN;
		s->literal_n = 0;
		s->literal_negative = false;
	}
	return 0;
}

static int bad_permanentflags(struct imap_wire *s)
{
	return refuse(s, "server sent a malformed PERMANENTFLAGS response code "
			 "(its first flag cannot be parsed; libetpan 1.9.4 crashes on it)");
}

/*
 * "[" "PERMANENTFLAGS" SP "(": libetpan parses the first flag as "\*",
 * "\" atom, or an astring (atom, "]...", quoted or literal); when that
 * fails and the next byte is not ")", its cleanup frees a NULL list. What
 * is refused here is a little wider than that (any space before a flag),
 * never narrower.
 */
static int permanentflags_step(struct imap_wire *s, unsigned char c)
{
	switch (s->pf) {
	case PF_BRACKET:
		if (is_ws(c))
			return 0;
		if (upper(c) == (unsigned char)pf_word[0]) {
			s->pf = PF_TOKEN;
			s->pf_i = 1;
			return 0;
		}
		break;
	case PF_TOKEN:
		if (upper(c) == (unsigned char)pf_word[s->pf_i]) {
			if (++s->pf_i == sizeof(pf_word) - 1)
				s->pf = PF_SPACE;
			return 0;
		}
		break;
	case PF_SPACE:
		if (is_ws(c)) {
			s->pf = PF_SPACES;
			return 0;
		}
		break;
	case PF_SPACES:
		if (is_ws(c))
			return 0;
		if (c == '(') {
			s->pf = PF_OPEN;
			return 0;
		}
		break;
	case PF_OPEN:
		if (c == ')' || is_atom_char(c) || c == ']' || c == '"' || c == '{') {
			s->pf = PF_NONE;
			return 0;
		}
		if (c == '\\') {
			s->pf = PF_BACKSLASH;
			return 0;
		}
		if (is_ws(c)) {
			s->pf = PF_OPEN_WS;
			return 0;
		}
		return bad_permanentflags(s);
	case PF_OPEN_WS:
		if (is_ws(c))
			return 0;
		if (c == ')') {
			s->pf = PF_NONE;
			return 0;
		}
		return bad_permanentflags(s);
	case PF_BACKSLASH:
		if (c == '*' || is_atom_char(c)) {
			s->pf = PF_NONE;
			return 0;
		}
		return bad_permanentflags(s);
	default:
		break;
	}
	s->pf = c == '[' ? PF_BRACKET : PF_NONE;
	return 0;
}

static int step(struct imap_wire *s, unsigned char c)
{
	if (c == '\n') {
		/* libetpan reads a response line by line, up to LF. */
		if (s->pf >= PF_OPEN)
			return bad_permanentflags(s);
		if (s->lit == L_CR && s->fetch && !s->literal_negative && s->literal_n > 0) {
			/* The same response goes on after the literal. */
			s->literal_left = s->literal_n;
			s->lit = L_NONE;
			s->pf = PF_NONE;
			return 0;
		}
		line_start(s);
		return 0;
	}
	prefix_step(s, c);
	if (s->quoted) {
		/* A quoted string cannot hold CR or LF; libetpan fails on one. */
		if (s->escaped)
			s->escaped = false;
		else if (c == '\\')
			s->escaped = true;
		else if (c == '"' || c == '\r')
			s->quoted = false;
		return 0;
	}
	if (s->fetch && c == '"') {
		s->quoted = true;
		s->escaped = false;
		s->lit = L_NONE;
		s->pf = PF_NONE;
		return 0;
	}
	if (literal_step(s, c) != 0)
		return -1;
	return permanentflags_step(s, c);
}

int imap_wire_feed(struct imap_wire *s, const char *buf, size_t n)
{
	if (s->refused)
		return -1;
	size_t i = 0;
	while (i < n) {
		if (s->literal_left > 0) {
			/* A message's own bytes: skipped unread. */
			size_t k = n - i < s->literal_left ? n - i : (size_t)s->literal_left;
			i += k;
			s->literal_left -= k;
			continue;
		}
		if (step(s, (unsigned char)buf[i++]) != 0)
			return -1;
	}
	return 0;
}
