/* Secrets from files: first line only, capped, errors name the file only. */
#include "intake/secret.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/consultd-secret-XXXXXX";
static char err[256];

static void write_secret(const char *bytes, size_t len)
{
	strcpy(path, "/tmp/consultd-secret-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
}

START_TEST(first_line)
{
	write_secret("hunter2\r\nsecond line\n", 21);
	char *s = secret_read(path, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "hunter2");
	/* What followed the first line is not kept. */
	ck_assert_int_eq(s[8], 0);
	ck_assert_int_eq(s[12], 0);
	secret_free(s);
	unlink(path);
}
END_TEST

START_TEST(no_newline)
{
	write_secret("token-abc", 9);
	char *s = secret_read(path, err, sizeof(err));
	ck_assert_str_eq(s, "token-abc");
	secret_free(s);
	unlink(path);
}
END_TEST

START_TEST(empty)
{
	write_secret("\n", 1);
	ck_assert_ptr_null(secret_read(path, err, sizeof(err)));
	ck_assert(strstr(err, ": empty") != NULL);
	unlink(path);
}
END_TEST

START_TEST(too_long)
{
	char *big = malloc(SECRET_MAX + 10);
	memset(big, 'x', SECRET_MAX + 10);
	write_secret(big, SECRET_MAX + 10);
	free(big);
	ck_assert_ptr_null(secret_read(path, err, sizeof(err)));
	ck_assert(strstr(err, "first line longer than") != NULL);
	ck_assert(strstr(err, "xxx") == NULL);
	unlink(path);
}
END_TEST

START_TEST(missing)
{
	ck_assert_ptr_null(secret_read("/nonexistent/secret", err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/secret: No such file or directory");
	secret_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("secret");
	TCase *tc = tcase_create("secret");
	tcase_add_test(tc, first_line);
	tcase_add_test(tc, no_newline);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, too_long);
	tcase_add_test(tc, missing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
