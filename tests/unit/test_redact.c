/* Redaction of excerpts and the clean-up of shown text, with hostile
 * input: every kind of personal data, near misses that must stay, bidi
 * overrides, control characters, invalid UTF-8. */
#include "report/redact.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(const char *in, const char *want)
{
	char *got = redact_text(in);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, want) == 0, "redact(\"%s\")\n  got  \"%s\"\n  want \"%s\"", in,
		      got, want);
	free(got);
}

START_TEST(emails)
{
	expect("write to jo.bloggs+pcp@example.co.uk today", "write to [email] today");
	expect("<a@b.org>", "<[email]>");
	expect("mailto:O'Brien@Mail.Example.ORG.", "mailto:[email].");
	expect("two: a@x.io,b@y.io", "two: [email],[email]");
	/* not addresses */
	expect("meet @ 5pm", "meet @ 5pm");
	expect("user@localhost", "user@localhost");
	expect("@example.org", "@example.org");
}
END_TEST

START_TEST(phones)
{
	expect("call 020 7946 0000 now", "call [phone] now");
	expect("mob: 07700 900123.", "mob: [phone].");
	expect("+44 7700 900123", "[phone]");
	expect("+44 (0)20 7946 0000", "[phone]");
	expect("(020) 7946-0000", "[phone]");
	expect("01632960001", "[phone]");
	expect("tel 0161 496 0000, fax 0161 496 0001", "tel [phone], fax [phone]");
	/* not phone numbers */
	expect("in 2021 and 2022", "in 2021 and 2022");
	expect("ref 0123 45", "ref 0123 45");
	expect("0.5 per cent of 100", "0.5 per cent of 100");
	expect("id 12345678901", "id 12345678901");
}
END_TEST

START_TEST(postcodes)
{
	expect("SW1A 1AA", "[postcode]");
	expect("at EC1A 1BB.", "at [postcode].");
	expect("M1 1AE and B33 8TH, CR2 6XH, DN55 1PT", "[postcode] and [postcode], [postcode], [postcode]");
	expect("w1a0ax", "[postcode]");
	expect("se15 4ab", "[postcode]");
	/* not postcodes */
	expect("A1 road", "A1 road");
	expect("MP3 player", "MP3 player");
	expect("COVID19 rules", "COVID19 rules");
}
END_TEST

START_TEST(addresses)
{
	expect("I live at 12 Acacia Avenue with my kids", "I live at [address] with my kids");
	expect("14a Fernhill Road, SE15 4AB", "[address], [postcode]");
	expect("3 Upper Mill Lane", "[address]");
	expect("Flat 2, 27 St John's Wood Park", "Flat 2, [address]");
	expect("221b Baker St. London", "[address] London");
	/* not addresses */
	expect("5 Police Officers", "5 Police Officers");
	expect("over 20 years on this road", "over 20 years on this road");
	expect("in 2021 Road safety got worse", "in 2021 Road safety got worse");
}
END_TEST

START_TEST(hostile)
{
	/* bidi override: would show "gpj.exe" reversed; removed */
	expect("file \xe2\x80\xae" "gpj.exe", "file gpj.exe");
	expect("a\xe2\x81\xa6" "b\xe2\x81\xa9" "c\xe2\x80\x8f" "d\xd8\x9c" "e", "abcde");
	/* a bidi mark inside an address does not hide it */
	expect("jo\xe2\x80\xae@example.org", "[email]");
	/* terminal escapes and other controls are dropped, tabs become spaces */
	expect("\x1b[31mred\x1b[0m\tx\r\ny\x7f", "[31mred[0m x  y");
	/* invalid UTF-8 becomes U+FFFD, overlong and surrogate forms too */
	expect("bad \xff\xc0\xaf\xed\xa0\x80 end", "bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
	/* C1 controls (U+0085, U+009B CSI) */
	expect("x\xc2\x85y\xc2\x9bz", "xyz");
	/* HTML is text here; escaping is the writer's job, redaction keeps it */
	expect("<script>alert(1)</script> jo@example.org",
	       "<script>alert(1)</script> [email]");
	/* truncated sequence at the end */
	expect("end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd");
	/* long runs: no quadratic behaviour or overflow */
	size_t n = 200000;
	char *big = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = "0 1@a.b"[i % 7];
	big[n] = '\0';
	char *out = redact_text(big);
	ck_assert_ptr_nonnull(out);
	free(out);
	free(big);
	char *none = redact_text(NULL);
	ck_assert_ptr_nonnull(none);
	free(none);
	char *empty = redact_text("");
	ck_assert_str_eq(empty, "");
	free(empty);
}
END_TEST

START_TEST(clean_only)
{
	char *s = redact_clean("Ms Jo Bloggs \xe2\x80\xae 020 7946 0000");
	ck_assert_str_eq(s, "Ms Jo Bloggs  020 7946 0000");
	free(s);
}
END_TEST

/* Excerpts redact only the start of a long text, and never let a number
 * or address cut at the end of that start through. */
START_TEST(excerpts)
{
	char *e = redact_excerpt("Call me on 020 7946 0000   please", 33, 320);
	ck_assert_str_eq(e, "Call me on [phone] please");
	free(e);

	size_t words = 20000, n = 0;
	char *long_text = malloc(words * 5 + 64);
	ck_assert_ptr_nonnull(long_text);
	n += (size_t)sprintf(long_text, "Write to jo@example.org. ");
	for (size_t i = 0; i < words; i++)
		n += (size_t)sprintf(long_text + n, "word ");
	e = redact_excerpt(long_text, n, 64);
	ck_assert_msg(strncmp(e, "Write to [email]. word word", 27) == 0, "%s", e);
	ck_assert_uint_le(strlen(e), 64 + 3);
	ck_assert_ptr_nonnull(strstr(e, "\xe2\x80\xa6"));
	free(e);

	/* White space collapses, so the start that is redacted could end
	 * inside the excerpt: here it would cut the number after "7946". */
	memset(long_text, ' ', 4085);
	n = 4085 + (size_t)sprintf(long_text + 4085, "020 7946 0000 jo@example.org ");
	for (size_t i = 0; i < 1000; i++)
		n += (size_t)sprintf(long_text + n, "word ");
	e = redact_excerpt(long_text, n, 64);
	ck_assert_msg(strncmp(e, "[phone] [email] word", 20) == 0, "%s", e);
	ck_assert_ptr_null(strstr(e, "7946"));
	free(e);

	/* No white space to cut at: all of it is redacted. */
	memset(long_text, 'x', 6000);
	strcpy(long_text + 6000, "@example.org rest");
	e = redact_excerpt(long_text, strlen(long_text), 64);
	ck_assert_msg(strncmp(e, "[email] rest", 12) == 0, "%s", e);
	free(e);

	/* Only the first len bytes count. */
	e = redact_excerpt("Own words. [attachment: a.pdf] 020 7946 0000", 10, 320);
	ck_assert_str_eq(e, "Own words.");
	free(e);
	free(long_text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("redact");
	TCase *tc = tcase_create("redact");
	tcase_add_test(tc, emails);
	tcase_add_test(tc, phones);
	tcase_add_test(tc, postcodes);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, hostile);
	tcase_add_test(tc, clean_only);
	tcase_add_test(tc, excerpts);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
