/* The consultation window, with the clock as a parameter. */
#include "daemon/window.h"

#include <check.h>
#include <stdlib.h>

static const struct config cfg = {.opens = 1000, .closes = 2000, .grace = 300};

START_TEST(states)
{
	ck_assert_int_eq(window_state_at(&cfg, 999), WINDOW_BEFORE);
	ck_assert_int_eq(window_state_at(&cfg, 1000), WINDOW_OPEN);
	ck_assert_int_eq(window_state_at(&cfg, 1999), WINDOW_OPEN);
	ck_assert_int_eq(window_state_at(&cfg, 2000), WINDOW_GRACE);
	ck_assert_int_eq(window_state_at(&cfg, 2299), WINDOW_GRACE);
	ck_assert_int_eq(window_state_at(&cfg, 2300), WINDOW_CLOSED);
}
END_TEST

START_TEST(next_change)
{
	ck_assert_int_eq(window_next_change(&cfg, 400), 600);
	ck_assert_int_eq(window_next_change(&cfg, 1500), 500);
	ck_assert_int_eq(window_next_change(&cfg, 2100), 200);
	ck_assert_int_eq(window_next_change(&cfg, 2300), -1);
}
END_TEST

START_TEST(late)
{
	ck_assert(!window_is_late(&cfg, 1999));
	ck_assert(window_is_late(&cfg, 2000));
	ck_assert(window_is_late(&cfg, 5000));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("window");
	TCase *tc = tcase_create("window");
	tcase_add_test(tc, states);
	tcase_add_test(tc, next_change);
	tcase_add_test(tc, late);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
