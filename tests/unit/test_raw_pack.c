/*
 * test_raw_pack.c — raw sources packed with zstd, and back: what is packed
 * and what is left, damage found on the way back, and the store's round
 * trip of both encodings.
 */
#include "intake/raw_pack.h"
#include "intake/response.h"
#include "storage/storage.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A mail-like source of about n bytes: headers, then paragraphs that
 * repeat with small changes, as quoted replies and signatures do. */
static unsigned char *mail_like(size_t n, size_t *len)
{
	unsigned char *b = malloc(n + 256);
	ck_assert_ptr_nonnull(b);
	size_t at = (size_t)snprintf((char *)b, 256,
				     "From: Resident <resident@example.org>\r\n"
				     "Subject: Police and crime plan\r\n\r\n");
	for (unsigned i = 0; at < n; i++)
		at += (size_t)snprintf((char *)b + at, n + 256 - at,
				       "Paragraph %u: we want ward officers back on the street and "
				       "the station front counter open in the evenings.\r\n",
				       i);
	*len = at;
	return b;
}

static void with_raw(struct response *r, unsigned char *raw, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->raw = raw;
	r->raw_len = len;
}

START_TEST(mail_is_packed_and_comes_back_whole)
{
	size_t len;
	unsigned char *raw = mail_like(60000, &len);
	unsigned char *copy = malloc(len);
	memcpy(copy, raw, len);
	struct raw_packer *pk = raw_packer_new();
	ck_assert_ptr_nonnull(pk);
	struct response r;
	with_raw(&r, raw, len);
	ck_assert_int_eq(raw_pack(pk, &r), 0);
	ck_assert_ptr_null(r.raw);
	ck_assert_ptr_nonnull(r.raw_packed);
	ck_assert_uint_eq(r.raw_len, len);
	ck_assert_uint_lt(r.raw_packed_len, len / 4);

	char err[160] = "";
	unsigned char *back = raw_unpack(r.raw_packed, r.raw_packed_len, len, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_int_eq(memcmp(back, copy, len), 0);
	ck_assert_int_eq(back[len], 0);
	free(back);

	/* The packer is reusable. */
	struct response r2;
	unsigned char *again = malloc(len);
	memcpy(again, copy, len);
	with_raw(&r2, again, len);
	ck_assert_int_eq(raw_pack(pk, &r2), 0);
	ck_assert_ptr_nonnull(r2.raw_packed);
	response_clear(&r2);
	response_clear(&r);
	raw_packer_free(pk);
	free(copy);
}
END_TEST

START_TEST(short_and_incompressible_sources_are_left)
{
	struct raw_packer *pk = raw_packer_new();
	struct response r;
	unsigned char *tiny = (unsigned char *)strdup("Subject: hi\r\n\r\nyes\r\n");
	with_raw(&r, tiny, strlen((char *)tiny));
	ck_assert_int_eq(raw_pack(pk, &r), 0);
	ck_assert_ptr_eq(r.raw, tiny);
	ck_assert_ptr_null(r.raw_packed);
	response_clear(&r);

	/* Noise (an already compressed attachment, say) does not shrink by
	 * an eighth: kept as it is. */
	size_t n = 64 * 1024;
	unsigned char *noise = malloc(n);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = (unsigned char)x;
	}
	with_raw(&r, noise, n);
	ck_assert_int_eq(raw_pack(pk, &r), 0);
	ck_assert_ptr_eq(r.raw, noise);
	ck_assert_ptr_null(r.raw_packed);
	response_clear(&r);
	raw_packer_free(pk);
	raw_packer_free(NULL);
}
END_TEST

START_TEST(damage_is_reported_not_returned)
{
	size_t len;
	unsigned char *raw = mail_like(20000, &len);
	struct raw_packer *pk = raw_packer_new();
	struct response r;
	with_raw(&r, raw, len);
	ck_assert_int_eq(raw_pack(pk, &r), 0);
	ck_assert_ptr_nonnull(r.raw_packed);
	char err[160];

	/* A size other than the one recorded. */
	err[0] = 0;
	ck_assert_ptr_null(raw_unpack(r.raw_packed, r.raw_packed_len, len + 1, err, sizeof(err)));
	ck_assert_msg(err[0] != 0, "no reason given");

	/* A flipped byte in the middle of the frame. */
	unsigned char *bad = malloc(r.raw_packed_len);
	memcpy(bad, r.raw_packed, r.raw_packed_len);
	bad[r.raw_packed_len / 2] ^= 0x5a;
	err[0] = 0;
	ck_assert_ptr_null(raw_unpack(bad, r.raw_packed_len, len, err, sizeof(err)));
	ck_assert_msg(err[0] != 0, "no reason given");

	/* Cut short. */
	err[0] = 0;
	ck_assert_ptr_null(raw_unpack(r.raw_packed, r.raw_packed_len - 9, len, err, sizeof(err)));
	ck_assert_msg(err[0] != 0, "no reason given");

	/* Not zstd at all. */
	err[0] = 0;
	ck_assert_ptr_null(raw_unpack("Subject: plain\r\n", 16, 16, err, sizeof(err)));
	ck_assert_msg(err[0] != 0, "no reason given");
	free(bad);
	response_clear(&r);
	raw_packer_free(pk);
}
END_TEST

/* Keeps a copy of each visited raw source: [0] the packed one, [1] the other. */
static int collect_raw(void *user, const char *ref, const struct response *r)
{
	(void)ref;
	struct response *into = user;
	ck_assert_ptr_nonnull(r->raw);
	struct response *slot = &into[strstr(r->idem_key, "packed") != NULL ? 0 : 1];
	slot->raw = malloc(r->raw_len + 1);
	memcpy(slot->raw, r->raw, r->raw_len + 1);
	slot->raw_len = r->raw_len;
	return 0;
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void stored(struct storage *st, const char *key, unsigned char *raw, size_t len,
		   struct raw_packer *pk)
{
	struct response r;
	with_raw(&r, raw, len);
	r.channel = CHANNEL_EMAIL;
	r.status = STATUS_RESPONSE;
	r.source_id = strdup("imap:INBOX:1:1");
	r.idem_key = strdup(key);
	r.received_at = 1760000000;
	r.text = strdup("ward officers");
	ck_assert_int_eq(raw_pack(pk, &r), 0);
	bool inserted;
	int64_t id;
	ck_assert_int_eq(storage_begin(st), 0);
	ck_assert_msg(storage_insert_response(st, &r, 1760000001, &inserted, &id) == 0, "%s",
		      storage_errmsg(st));
	ck_assert_int_eq(storage_commit(st), 0);
	ck_assert(inserted);
	response_clear(&r);
}

START_TEST(store_keeps_both_encodings)
{
	char dir[] = "/tmp/consultd-rawpack-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
	char err[512];
	struct storage *st;
	ck_assert_msg(storage_open(path, STORAGE_READ_WRITE, &st, err, sizeof(err)) == 0, "%s",
		      err);
	struct raw_packer *pk = raw_packer_new();
	size_t len;
	unsigned char *big = mail_like(40000, &len);
	unsigned char *big_copy = malloc(len);
	memcpy(big_copy, big, len);
	stored(st, "email:packed", big, len, pk);
	const char *small = "Subject: hi\r\n\r\nyes\r\n";
	stored(st, "email:small", (unsigned char *)strdup(small), strlen(small), pk);

	sqlite3 *db = storage_db(st);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM raw_sources WHERE encoding = 'zstd'"
				    " AND size > 4 * length(raw)"),
			 1);
	ck_assert_int_eq(scalar(db, "SELECT count(*) FROM raw_sources WHERE encoding = 'identity'"
				    " AND size = length(raw)"),
			 1);

	struct response got[2] = {0};
	struct storage_filter f = {.with_raw = true};
	ck_assert_int_eq(storage_visit(st, &f, collect_raw, got), 0);
	ck_assert_uint_eq(got[0].raw_len, len);
	ck_assert_int_eq(memcmp(got[0].raw, big_copy, len), 0);
	ck_assert_uint_eq(got[1].raw_len, strlen(small));
	ck_assert_str_eq((char *)got[1].raw, small);
	free(got[0].raw);
	free(got[1].raw);

	/* A damaged packed row is an error naming the response, never mail. */
	ck_assert_int_eq(sqlite3_exec(db,
				      "UPDATE raw_sources SET size = size + 1 WHERE encoding = 'zstd'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	memset(got, 0, sizeof(got));
	ck_assert_int_eq(storage_visit(st, &f, collect_raw, got), -1);
	ck_assert_ptr_nonnull(strstr(storage_errmsg(st), "R-"));
	free(got[0].raw);
	free(got[1].raw);

	storage_close(st);
	raw_packer_free(pk);
	free(big_copy);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("raw_pack");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, mail_is_packed_and_comes_back_whole);
	tcase_add_test(tc, short_and_incompressible_sources_are_left);
	tcase_add_test(tc, damage_is_reported_not_returned);
	tcase_add_test(tc, store_keeps_both_encodings);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
