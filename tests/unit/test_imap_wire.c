/* The check of an IMAP server's bytes before libetpan parses them. */
#include "config/limits.h"
#include "intake/imap_wire.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Feed text whole and, separately, a byte at a time (reads split
 * anywhere); both must agree. Returns the verdict; *why gets the reason. */
static int feed(const char *text, size_t len, const char **why)
{
	static struct imap_wire whole, bytes;
	imap_wire_init(&whole);
	imap_wire_init(&bytes);
	int a = imap_wire_feed(&whole, text, len);
	int b = 0;
	for (size_t i = 0; i < len && b == 0; i++)
		b = imap_wire_feed(&bytes, text + i, 1);
	ck_assert_msg(a == b, "whole %d, byte by byte %d: %s", a, b, text);
	if (why != NULL)
		*why = whole.reason;
	return a;
}

static void accepted(const char *text)
{
	const char *why;
	ck_assert_msg(feed(text, strlen(text), &why) == 0, "refused (%s): %s", why, text);
}

static void refused(const char *text, const char *reason_part)
{
	const char *why;
	ck_assert_msg(feed(text, strlen(text), &why) == -1, "accepted: %s", text);
	ck_assert_msg(strstr(why, reason_part) != NULL, "reason [%s] lacks [%s]", why, reason_part);
}

START_TEST(ordinary_select)
{
	accepted("* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n"
		 "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
		 "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] Flags\r\n"
		 "* OK [PERMANENTFLAGS ()] none\r\n"
		 "* OK [PERMANENTFLAGS ( )] odd but parsed\r\n"
		 "* OK [PERMANENTFLAGS (\\*)] all\r\n"
		 "* OK [permanentflags (\"quoted\" ]x)] lenient forms libetpan parses\r\n"
		 "* 3 EXISTS\r\n* OK [UIDVALIDITY 4242] UIDs valid\r\n"
		 "3 OK [READ-WRITE] SELECT completed\r\n");
}
END_TEST

START_TEST(malformed_permanentflags)
{
	const char *bad[] = {
		"* OK [PERMANENTFLAGS (%)] Limited\r\n",
		"* OK [PERMANENTFLAGS (\\)] Limited\r\n",
		"* OK [PERMANENTFLAGS (\\])] Limited\r\n",
		"* OK [  permanentflags\t(()] Limited\r\n",
		"* OK [PERMANENTFLAGS ( \\Foo)] a space, then a flag extension\r\n",
		"* OK [PERMANENTFLAGS (\r\n",
		"* OK [PERMANENTFLAGS (\n",
		"* OK [PERMANENTFLAGS (\x80)] eight-bit\r\n",
		"3 OK [PERMANENTFLAGS (*)] in a tagged answer\r\n",
		"+ [PERMANENTFLAGS (%)] in a continuation\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], "malformed PERMANENTFLAGS");
	/* Not a PERMANENTFLAGS code at all: libetpan gives up without a crash. */
	accepted("* OK [PERMANENTFLAGSX (%)] other\r\n* OK [PERMANENTFLAGS(%)] no space\r\n");
}
END_TEST

START_TEST(huge_literal)
{
	refused("* 1 FETCH (UID 1 BODY[] {4294967295}\r\nsome data", "literal of 4294967295 bytes");
	refused("* 1 FETCH (UID 1 BODY[] { 99999999999 }\r\n", "literal of 99999999999 bytes");
	refused("* 1 FETCH (UID 1 BODY[] {99999999999999999999999}\r\n", "more than");
	refused("* 1 FETCH (UID 1 BODY[] {4294967295}  without CRLF (Lotus workaround)", "4294967295");
	/* In any response: libetpan takes a literal wherever a string goes. */
	refused("* LIST () \"/\" {4294967295}\r\n", "4294967295");
	refused("* OK [BADCHARSET ({70000000}\r\n", "70000000");
	/* The cap itself, and libetpan's "negative is zero" workaround, pass. */
	accepted("* 1 FETCH (UID 1 BODY[] {-5}\r\n)\r\n");
	char *big = malloc(LIMIT_IMAP_LITERAL_BYTES + 64);
	ck_assert_ptr_nonnull(big);
	int n = snprintf(big, 64, "* 1 FETCH (BODY[] {%u}\r\n", LIMIT_IMAP_LITERAL_BYTES);
	memset(big + n, 'x', LIMIT_IMAP_LITERAL_BYTES);
	memcpy(big + n + LIMIT_IMAP_LITERAL_BYTES, ")\r\n", 3);
	struct imap_wire s;
	imap_wire_init(&s);
	ck_assert_int_eq(imap_wire_feed(&s, big, (size_t)n + LIMIT_IMAP_LITERAL_BYTES + 3), 0);
	free(big);
}
END_TEST

/* n literals of `each` bytes, in one answer or each in its own. */
static int literals(unsigned n, size_t each, bool tagged_between)
{
	static char chunk[1 << 20];
	struct imap_wire s;
	imap_wire_init(&s);
	char head[96];
	int rc = 0;
	for (unsigned i = 0; i < n && rc == 0; i++) {
		int k = snprintf(head, sizeof(head), "* %u FETCH (UID %u BODY[] {%zu}\r\n", i + 1, i + 1, each);
		rc = imap_wire_feed(&s, head, (size_t)k);
		for (size_t left = each; left > 0 && rc == 0;) {
			size_t m = left < sizeof(chunk) ? left : sizeof(chunk);
			rc = imap_wire_feed(&s, chunk, m);
			left -= m;
		}
		if (rc == 0)
			rc = imap_wire_feed(&s, ")\r\n", 3);
		if (rc == 0 && tagged_between)
			rc = imap_wire_feed(&s, "7 OK done\r\n", 11);
	}
	if (rc != 0)
		ck_assert_msg(strstr(s.reason, "in answer to one command") != NULL, "%s", s.reason);
	return rc;
}

START_TEST(literals_in_one_answer)
{
	/* A server that lies about RFC822.SIZE cannot push 100 big bodies
	 * into one batch, but big answers one after the other are fine. */
	ck_assert_int_eq(literals(2, 40u << 20, false), -1);
	ck_assert_int_eq(literals(3, 40u << 20, true), 0);
	ck_assert_int_eq(literals(64, 1u << 20, false), 0);
	ck_assert_int_eq(literals(65, 1u << 20, false), -1);
}
END_TEST

START_TEST(mail_is_never_refused_for_its_words)
{
	/* A sender can write anything; in a message literal it is skipped. */
	const char *mail = "Subject: about IMAP\r\n\r\n* OK [PERMANENTFLAGS (%)]\r\n{4294967295}\r\n";
	char text[512];
	snprintf(text, sizeof(text), "* 7 FETCH (UID 7 INTERNALDATE \"01-Jan-2024 10:00:00 +0000\" "
		 "BODY[] {%zu}\r\n%s UID 7)\r\n* 8 fetch (UID 8 BODY[HEADER] {%zu}\r\n%s)\r\n"
		 "9 OK UID FETCH completed\r\n", strlen(mail), mail, strlen(mail), mail);
	accepted(text);
	/* Nor in a quoted string of a FETCH response. */
	accepted("* 9 FETCH (UID 9 BODY[]<0> \"[PERMANENTFLAGS (%) {4294967295} \\\" x\")\r\n");
}
END_TEST

START_TEST(status_text_is_not_a_literal)
{
	/* "{5}" ending a status line is text to libetpan, so what follows is
	 * parsed as a response and must be checked. */
	refused("* OK look {40}\r\n* OK [PERMANENTFLAGS (%)] hidden\r\n", "PERMANENTFLAGS");
	refused("* SEARCH 1 {40}\r\n* OK [PERMANENTFLAGS (%)] hidden\r\n", "PERMANENTFLAGS");
}
END_TEST

START_TEST(refusal_sticks)
{
	struct imap_wire s;
	imap_wire_init(&s);
	ck_assert_int_eq(imap_wire_feed(&s, "* OK [PERMANENTFLAGS (%)]\r\n", 27), -1);
	ck_assert_int_eq(imap_wire_feed(&s, "* OK fine\r\n", 11), -1);
	ck_assert(s.refused);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("imap_wire");
	TCase *tc = tcase_create("imap_wire");
	tcase_add_test(tc, ordinary_select);
	tcase_add_test(tc, malformed_permanentflags);
	tcase_add_test(tc, huge_literal);
	tcase_add_test(tc, literals_in_one_answer);
	tcase_add_test(tc, mail_is_never_refused_for_its_words);
	tcase_add_test(tc, status_text_is_not_a_literal);
	tcase_add_test(tc, refusal_sticks);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
