/* The respondent's own words, apart from quotes, signatures, disclaimers. */
#include "classify/quote.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void expect_own(const char *text, const char *want)
{
	size_t aside = 12345;
	char *own = quote_own_text(text, &aside);
	ck_assert_ptr_nonnull(own);
	ck_assert_msg(strcmp(own, want) == 0, "own text:\n[%s]\nwanted:\n[%s]", own, want);
	ck_assert_uint_le(aside, strlen(text));
	free(own);
}

START_TEST(plain_text_unchanged)
{
	expect_own("We need more police on the estate.\n\nThank you.", "We need more police on the estate.\n\nThank you.");
	expect_own("", "");
}
END_TEST

START_TEST(quoted_lines)
{
	expect_own("I agree with this part.\n> The plan proposes fewer officers.\n> In every ward.\nBut not this.",
		   "I agree with this part.\nBut not this.");
}
END_TEST

START_TEST(gmail_attribution)
{
	expect_own("Please keep our station open.\n\nOn Tue, 4 Jan 2022 at 10:12, MOPAC Consultation <consultation@example.org> wrote:\n"
		   "> Dear resident, we are consulting on knife crime, drugs and burglary.\n",
		   "Please keep our station open.");
}
END_TEST

START_TEST(outlook_block)
{
	expect_own("Our response is attached.\n\nRegards\nJo\n\n________________________________\n"
		   "From: Consultation Team <consultation@example.org>\nSent: 03 January 2022 09:00\n"
		   "To: Jo Bloggs\nSubject: Police and Crime Plan consultation\n\n"
		   "The plan covers violence against women and girls, county lines and exploitation.",
		   "Our response is attached.\n\nRegards\nJo");
	expect_own("Forwarding my neighbour's view.\n\n-----Original Message-----\nFrom: A\nstop and search",
		   "Forwarding my neighbour's view.");
}
END_TEST

START_TEST(french_attribution)
{
	expect_own("Merci.\nLe 4 janv. 2022 à 10:12, Équipe <c@example.org> a écrit :\n> knife crime",
		   "Merci.");
}
END_TEST

START_TEST(signature)
{
	expect_own("More bobbies on the beat please.\n-- \nJo Bloggs\nChair, Fernhill Residents' Association\nTel 020 7946 0000",
		   "More bobbies on the beat please.");
}
END_TEST

START_TEST(disclaimer_at_the_end)
{
	expect_own("The council supports the focus on youth violence and on partnership working with schools and health partners "
		   "across the borough, and asks for a named lead in each BCU.\n\n"
		   "This email and any attachments are confidential and intended solely for the addressee.",
		   "The council supports the focus on youth violence and on partnership working with schools and health partners "
		   "across the borough, and asks for a named lead in each BCU.");
	/* The same words at the start are the respondent's own. */
	expect_own("If you are not the intended recipient of more police cuts, who is?\n\nWe need officers.",
		   "If you are not the intended recipient of more police cuts, who is?\n\nWe need officers.");
}
END_TEST

START_TEST(bare_forward_kept_whole)
{
	const char *text = "---------- Forwarded message ---------\nFrom: A <a@example.org>\nDate: Mon\nSubject: x\n\nDrug dealing on our street.";
	expect_own(text, text);
	expect_own("> only a quote", "> only a quote");
}
END_TEST

START_TEST(resident_says_wrote)
{
	/* Not an attribution: a sentence that happens to end in "wrote:". */
	expect_own("On the matter of what the council wrote:\nwe disagree.",
		   "On the matter of what the council wrote:\nwe disagree.");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("quote");
	TCase *tc = tcase_create("quote");
	tcase_add_test(tc, plain_text_unchanged);
	tcase_add_test(tc, quoted_lines);
	tcase_add_test(tc, gmail_attribution);
	tcase_add_test(tc, outlook_block);
	tcase_add_test(tc, french_attribution);
	tcase_add_test(tc, signature);
	tcase_add_test(tc, disclaimer_at_the_end);
	tcase_add_test(tc, bare_forward_kept_whole);
	tcase_add_test(tc, resident_says_wrote);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
