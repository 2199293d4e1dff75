/*
 * test_mime.c — intake/mime.c against small hand-written messages.
 *
 * Every case asserts the exact text a classifier will see, so a change in
 * decoding or whitespace handling shows up here rather than as a drift in
 * theme scores.
 */
#include "intake/mime.h"
#include "config/limits.h"

#include <check.h>
#include <glib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
	mime_init();
}

static void teardown(void)
{
	mime_shutdown();
}

static void parse_len(const char *msg, size_t len, struct response *r)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(mime_normalise((const unsigned char *)msg, len, r), 0);
	ck_assert_ptr_nonnull(r->text);
	ck_assert_ptr_nonnull(r->idem_key);
	ck_assert_uint_eq(r->raw_len, len);
	if (len > 0)
		ck_assert_int_eq(memcmp(r->raw, msg, len), 0);
}

static void parse(const char *msg, struct response *r)
{
	parse_len(msg, strlen(msg), r);
}

/* The body text of a one-part message, for the charset cases. */
static void check_body(const char *headers_and_body, const char *want)
{
	struct response r;

	parse(headers_and_body, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_str_eq(r.text, want);
	response_clear(&r);
}

/* Independent of the code under test: GnuTLS, not GLib. */
static void sha256_of(const void *p, size_t n, char hex[65])
{
	unsigned char d[32];

	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, p, n, d), 0);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ------------------------------------------------------------------ */

START_TEST(plain_text)
{
	static const char msg[] =
		"From: Alice Example <alice@Example.ORG>\r\n"
		"To: consult@gov.example\r\n"
		"Subject: My response\r\n"
		"Message-ID: <abc123@example.org>\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"\r\n"
		"\r\n"
		"Hello,   \r\n"
		"  \t\r\n"
		"  I support option B.\t \r\n"
		"\r\n"
		"\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_ptr_null(r.status_reason);
	ck_assert_str_eq(r.text, "Hello,\n\n  I support option B.");
	ck_assert_str_eq(r.sender_name, "Alice Example");
	ck_assert_str_eq(r.sender_email, "alice@example.org");
	ck_assert_str_eq(r.subject, "My response");
	ck_assert_str_eq(r.message_id, "abc123@example.org");
	ck_assert_str_eq(r.idem_key, "mid:abc123@example.org");
	ck_assert_uint_eq(r.n_attachments, 0);
	response_clear(&r);
}
END_TEST

START_TEST(local_part_case_kept)
{
	static const char msg[] =
		"From: Bob.Smith@MAIL.Example.COM\r\n"
		"\r\n"
		"x\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_ptr_null(r.sender_name);
	ck_assert_str_eq(r.sender_email, "Bob.Smith@mail.example.com");
	ck_assert_ptr_null(r.subject);
	ck_assert_str_eq(r.text, "x");
	response_clear(&r);
}
END_TEST

START_TEST(alternative_prefers_plain)
{
	static const char msg[] =
		"From: a@example.org\r\n"
		"Subject: alt\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/alternative; boundary=\"XX\"\r\n"
		"\r\n"
		"This is a multi-part message in MIME format.\r\n"
		"--XX\r\n"
		"Content-Type: text/plain; charset=us-ascii\r\n"
		"\r\n"
		"Plain version\r\n"
		"--XX\r\n"
		"Content-Type: text/html; charset=us-ascii\r\n"
		"\r\n"
		"<p>HTML <b>version</b></p>\r\n"
		"--XX--\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_str_eq(r.text, "Plain version");
	ck_assert_uint_eq(r.n_attachments, 0);
	response_clear(&r);
}
END_TEST

START_TEST(alternative_empty_plain_uses_html)
{
	static const char msg[] =
		"From: a@example.org\r\n"
		"Content-Type: multipart/alternative; boundary=XX\r\n"
		"\r\n"
		"--XX\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		" \r\n"
		"--XX\r\n"
		"Content-Type: text/html\r\n"
		"\r\n"
		"<div>Only in HTML</div>\r\n"
		"--XX--\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_str_eq(r.text, "Only in HTML");
	response_clear(&r);
}
END_TEST

START_TEST(alternative_attachments_deduplicated)
{
	/* The image is in both renditions: recorded once. */
	static const char msg[] =
		"From: a@example.org\r\n"
		"Content-Type: multipart/alternative; boundary=A\r\n"
		"\r\n"
		"--A\r\n"
		"Content-Type: multipart/related; boundary=R\r\n"
		"\r\n"
		"--R\r\n"
		"Content-Type: text/html\r\n"
		"\r\n"
		"<p>Rich <img src=cid:logo></p>\r\n"
		"--R\r\n"
		"Content-Type: image/png; name=logo.png\r\n"
		"Content-ID: <logo>\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"iVBORw0K\r\n"
		"--R--\r\n"
		"--A\r\n"
		"Content-Type: multipart/mixed; boundary=M\r\n"
		"\r\n"
		"--M\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"Plain\r\n"
		"--M\r\n"
		"Content-Type: image/png; name=logo.png\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"iVBORw0K\r\n"
		"--M--\r\n"
		"--A--\r\n";
	struct response r;

	parse(msg, &r);
	/* No direct text part: the rendition holding text/plain is chosen. */
	ck_assert_str_eq(r.text, "Plain");
	ck_assert_uint_eq(r.n_attachments, 1);
	ck_assert_str_eq(r.attachments[0].filename, "logo.png");
	ck_assert_str_eq(r.attachments[0].content_type, "image/png");
	ck_assert_uint_eq(r.attachments[0].size, 6);
	response_clear(&r);
}
END_TEST

START_TEST(html_only)
{
	static const char msg[] =
		"From: a@example.org\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"\r\n"
		"<html><head><title>Ignored title</title>"
		"<style>p { color: red }</style></head>\r\n"
		"<body><script>alert('no');</script>\r\n"
		"<h1>My   view</h1>\r\n"
		"<p>Fish &amp; chips &lt;3 &eacute;t&eacute;&nbsp;ok &#8364;5</p>\r\n"
		"<ul><li>one</li>\r\n<li>two <i>items</i></li></ul>\r\n"
		"<p>line<br>break<br><br><br><br>gap</p>"
		"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
		"<!-- comment -->trailing\r\n"
		"</body></html>\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_str_eq(r.text,
		"My view\n"
		"\n"
		"Fish & chips <3 \xc3\xa9t\xc3\xa9 ok \xe2\x82\xac" "5\n"
		"\n"
		"- one\n"
		"- two items\n"
		"\n"
		"line\n"
		"break\n"
		"\n"
		"gap\n"
		"\n"
		"a b\n"
		"c\n"
		"\n"
		"trailing");
	response_clear(&r);
}
END_TEST

static char *to_text(const char *html)
{
	char *t = mime_html_to_text(html, strlen(html));

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(html_to_text_direct)
{
	static const char html[] = "<pre>  keep\n    this</pre><div>x</div>JUNK";
	char *t;

	/* Not NUL-terminated: the length excludes "JUNK". */
	t = mime_html_to_text(html, strlen(html) - 4);
	ck_assert_str_eq(t, "  keep\n    this\n\nx");
	free(t);

	t = mime_html_to_text("", 0);
	ck_assert_str_eq(t, "");
	free(t);

	t = to_text("<p>\n\n</p><p></p>  <b>  bold </b>  text");
	ck_assert_str_eq(t, "bold text");
	free(t);

	t = to_text("<p>unclosed <b>markup <div>and <<< stray &bogus; < tags");
	ck_assert_str_eq(t, "unclosed markup\nand <<< stray &bogus; < tags");
	free(t);
}
END_TEST

START_TEST(nested_multipart_with_pdf)
{
	static const char msg[] =
		"From: \"Carol\" <carol@example.net>\r\n"
		"Subject: with attachment\r\n"
		"Content-Type: multipart/mixed; boundary=outer\r\n"
		"\r\n"
		"--outer\r\n"
		"Content-Type: multipart/alternative; boundary=inner\r\n"
		"\r\n"
		"--inner\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"\r\n"
		"See the attached PDF.\r\n"
		"--inner\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"\r\n"
		"<p>See the <b>attached</b> PDF.</p>\r\n"
		"--inner--\r\n"
		"\r\n"
		"--outer\r\n"
		"Content-Type: application/PDF; name=\"ignored.pdf\"\r\n"
		"Content-Disposition: attachment; filename=\"response.pdf\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"JVBERi0xLjQKJWNvbnN1bHRkIHRlc3QKJSVFT0YK\r\n"
		"--outer\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"Second inline part.\r\n"
		"--outer--\r\n";
	static const char pdf[] = "%PDF-1.4\n%consultd test\n%%EOF\n";
	char hex[65];
	struct response r;

	parse(msg, &r);
	ck_assert_str_eq(r.text, "See the attached PDF.\n\nSecond inline part.");
	ck_assert_uint_eq(r.n_attachments, 1);
	ck_assert_str_eq(r.attachments[0].filename, "response.pdf");
	ck_assert_str_eq(r.attachments[0].content_type, "application/pdf");
	ck_assert_uint_eq(r.attachments[0].size, 30);
	sha256_of(pdf, strlen(pdf), hex);
	ck_assert_str_eq(hex, "1c2819088f87f0d7e187d3dba4ef67bffbc37b41d67c9c8090d40bbbd422343f");
	ck_assert_str_eq(r.attachments[0].sha256, hex);
	response_clear(&r);
}
END_TEST

START_TEST(text_with_filename_is_attachment)
{
	static const char msg[] =
		"From: a@example.org\r\n"
		"Content-Type: multipart/mixed; boundary=b\r\n"
		"\r\n"
		"--b\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"Body.\r\n"
		"--b\r\n"
		"Content-Type: text/plain; name=notes.txt\r\n"
		"\r\n"
		"notes\r\n"
		"--b\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Disposition: attachment\r\n"
		"\r\n"
		"anonymous\r\n"
		"--b\r\n"
		"Content-Type: image/png\r\n"
		"Content-Disposition: inline\r\n"
		"\r\n"
		"PNG\r\n"
		"--b\r\n"
		"Content-Type: message/rfc822\r\n"
		"\r\n"
		"From: inner@example.org\r\n"
		"Subject: forwarded\r\n"
		"\r\n"
		"inner body\r\n"
		"--b--\r\n";
	struct response r;

	parse(msg, &r);
	/* Text attachments are read too, after the body, each under its name. */
	ck_assert_str_eq(r.text, "Body.\n\n[attachment: notes.txt]\nnotes\n\n"
				 "[attachment: text/plain]\nanonymous");
	ck_assert_uint_eq(r.n_attachments, 4);
	ck_assert_str_eq(r.attachments[0].filename, "notes.txt");
	ck_assert_str_eq(r.attachments[0].text, "notes");
	ck_assert_str_eq(r.attachments[1].text, "anonymous");
	ck_assert_ptr_null(r.attachments[2].text);
	ck_assert_ptr_null(r.attachments[2].text_error);
	ck_assert_ptr_null(r.attachments[3].text);
	ck_assert_mem_eq(r.attachments[2].data, "PNG", 3);
	ck_assert_uint_eq(r.attachments[2].data_len, 3);
	ck_assert_str_eq(r.attachments[0].content_type, "text/plain");
	ck_assert_uint_eq(r.attachments[0].size, 5);
	ck_assert_ptr_null(r.attachments[1].filename);
	ck_assert_str_eq(r.attachments[1].content_type, "text/plain");
	ck_assert_ptr_null(r.attachments[2].filename);
	ck_assert_str_eq(r.attachments[2].content_type, "image/png");
	ck_assert_uint_eq(r.attachments[2].size, 3);
	ck_assert_str_eq(r.attachments[3].content_type, "message/rfc822");
	ck_assert_uint_gt(r.attachments[3].size, 0);
	ck_assert_uint_eq(strlen(r.attachments[3].sha256), 64);
	response_clear(&r);
}
END_TEST

START_TEST(quoted_printable)
{
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: quoted-printable\r\n"
		   "\r\n"
		   "Caf=C3=A9 soft=\r\n"
		   "break =3D equals=20\r\n"
		   "=E2=80=94 done\r\n",
		   "Caf\xc3\xa9 softbreak = equals\n\xe2\x80\x94 done");
}
END_TEST

START_TEST(base64_body)
{
	/* "Réponse à la consultation" in UTF-8 */
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: base64\r\n"
		   "\r\n"
		   "UsOpcG9uc2Ugw6AgbGEg\r\n"
		   "Y29uc3VsdGF0aW9u\r\n",
		   "R\xc3\xa9ponse \xc3\xa0 la consultation");
}
END_TEST

START_TEST(iso_8859_1)
{
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n"
		   "Content-Transfer-Encoding: 8bit\r\n"
		   "\r\n"
		   "Caf\xe9 \xe0 la cr\xe8me, \xa3" "5 \xbd\r\n",
		   "Caf\xc3\xa9 \xc3\xa0 la cr\xc3\xa8me, \xc2\xa3" "5 \xc2\xbd");
}
END_TEST

START_TEST(iso_8859_15)
{
	/* 0xA4 is the euro sign and 0xBD is oe in Latin-9, not Latin-1. */
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=iso-8859-15\r\n"
		   "\r\n"
		   "Prix : 5 \xa4, c\xbdur\r\n",
		   "Prix : 5 \xe2\x82\xac, c\xc5\x93ur");
}
END_TEST

START_TEST(windows_1252)
{
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=windows-1252\r\n"
		   "\r\n"
		   "\x93quoted\x94 \x96 dash\x85 it\x92s \x80" "5\r\n",
		   "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x80\x93 dash\xe2\x80\xa6 "
		   "it\xe2\x80\x99s \xe2\x82\xac" "5");
}
END_TEST

START_TEST(latin1_label_with_cp1252_bytes)
{
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=iso-8859-1\r\n"
		   "\r\n"
		   "\x93Hi\x94\r\n",
		   "\xe2\x80\x9cHi\xe2\x80\x9d");
}
END_TEST

START_TEST(mislabelled_utf8)
{
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=utf-8\r\n"
		   "\r\n"
		   "na\xefve caf\xe9\r\n",
		   "na\xc3\xafve caf\xc3\xa9");
}
END_TEST

START_TEST(no_charset_guesses)
{
	check_body("From: a@example.org\r\n"
		   "\r\n"
		   "already utf-8: \xc3\xa9\r\n",
		   "already utf-8: \xc3\xa9");
	check_body("From: a@example.org\r\n"
		   "\r\n"
		   "latin: \xe9\r\n",
		   "latin: \xc3\xa9");
}
END_TEST

START_TEST(unknown_and_failing_charsets)
{
	/* Unknown label: treated as unlabelled. */
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=x-no-such-charset\r\n"
		   "\r\n"
		   "caf\xe9\r\n",
		   "caf\xc3\xa9");
	/* Bytes invalid in the declared multi-byte charset: windows-1252. */
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=shift_jis\r\n"
		   "\r\n"
		   "ok \x81\r\n",
		   "ok \xef\xbf\xbd");
	/* A charset iconv knows. */
	check_body("From: a@example.org\r\n"
		   "Content-Type: text/plain; charset=koi8-r\r\n"
		   "\r\n"
		   "\xd0\xd2\xc9\xd7\xc5\xd4\r\n",
		   "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
}
END_TEST

START_TEST(nul_bytes_dropped)
{
	static const char msg[] =
		"From: a@example.org\r\n"
		"\r\n"
		"a\0b\xe9\0c\r\n";
	struct response r;

	parse_len(msg, sizeof(msg) - 1, &r);
	ck_assert_str_eq(r.text, "ab\xc3\xa9" "c");
	response_clear(&r);
}
END_TEST

START_TEST(rfc2047_headers)
{
	/* Q-encoded subject, B-encoded Latin-1 name. */
	static const char msg1[] =
		"From: =?ISO-8859-1?B?Sm9z6SBN/GxsZXI=?= <jose@EXAMPLE.es>\r\n"
		"Subject: =?UTF-8?Q?Caf=C3=A9_r=C3=A9ponse?=\r\n"
		"\t=?UTF-8?Q?_suite?=   and\r\n"
		"   more\r\n"
		"\r\n"
		"x\r\n";
	/* B-encoded subject, Q-encoded name. */
	static const char msg2[] =
		"From: =?utf-8?q?Ren=C3=A9e_O=27Brien?= <renee@example.ie>\r\n"
		"Subject: =?utf-8?B?UsOpcG9uc2Ugw6AgbGEgY29uc3VsdGF0aW9u?=\r\n"
		"\r\n"
		"x\r\n";
	struct response r;

	parse(msg1, &r);
	ck_assert_str_eq(r.sender_name, "Jos\xc3\xa9 M\xc3\xbcller");
	ck_assert_str_eq(r.sender_email, "jose@example.es");
	ck_assert_str_eq(r.subject, "Caf\xc3\xa9 r\xc3\xa9ponse suite and more");
	response_clear(&r);

	parse(msg2, &r);
	ck_assert_str_eq(r.sender_name, "Ren\xc3\xa9" "e O'Brien");
	ck_assert_str_eq(r.sender_email, "renee@example.ie");
	ck_assert_str_eq(r.subject, "R\xc3\xa9ponse \xc3\xa0 la consultation");
	response_clear(&r);
}
END_TEST

START_TEST(message_id_forms)
{
	static const char spaced[] =
		"From: a@example.org\r\n"
		"Message-ID:   < abc.def@Host.Example >  \r\n"
		"\r\n"
		"x\r\n";
	static const char folded[] =
		"From: a@example.org\r\n"
		"Message-Id:\r\n"
		" <folded-1@example.org>\r\n"
		"\r\n"
		"x\r\n";
	static const char bare[] =
		"From: a@example.org\r\n"
		"Message-ID: bare@example.org\r\n"
		"\r\n"
		"x\r\n";
	static const char empty[] =
		"From: a@example.org\r\n"
		"Message-ID: <>\r\n"
		"\r\n"
		"x\r\n";
	static const char none[] =
		"From: a@example.org\r\n"
		"Subject: no id\r\n"
		"\r\n"
		"x\r\n";
	char hex[65], key[80];
	struct response r;

	parse(spaced, &r);
	ck_assert_str_eq(r.message_id, "abc.def@Host.Example");
	ck_assert_str_eq(r.idem_key, "mid:abc.def@Host.Example");
	response_clear(&r);

	parse(folded, &r);
	ck_assert_str_eq(r.message_id, "folded-1@example.org");
	response_clear(&r);

	parse(bare, &r);
	ck_assert_str_eq(r.message_id, "bare@example.org");
	response_clear(&r);

	parse(empty, &r);
	ck_assert_ptr_null(r.message_id);
	sha256_of(empty, strlen(empty), hex);
	snprintf(key, sizeof(key), "sha256:%s", hex);
	ck_assert_str_eq(r.idem_key, key);
	response_clear(&r);

	parse(none, &r);
	ck_assert_ptr_null(r.message_id);
	sha256_of(none, strlen(none), hex);
	snprintf(key, sizeof(key), "sha256:%s", hex);
	ck_assert_str_eq(r.idem_key, key);
	response_clear(&r);
}
END_TEST

START_TEST(auto_reply)
{
	static const char submitted[] =
		"From: Dan <dan@example.org>\r\n"
		"Subject: Re: Consultation\r\n"
		"Auto-Submitted: auto-replied; owner-email=\"dan@example.org\"\r\n"
		"\r\n"
		"I am away until Monday.\r\n";
	static const char not_auto[] =
		"From: dan@example.org\r\n"
		"Auto-Submitted: no\r\n"
		"\r\n"
		"A real answer.\r\n";
	static const char precedence[] =
		"From: list@example.org\r\n"
		"Precedence: bulk\r\n"
		"\r\n"
		"Newsletter\r\n";
	static const char ooo[] =
		"From: eve@example.org\r\n"
		"Subject: Automatic reply: Consultation\r\n"
		"X-Auto-Response-Suppress: All\r\n"
		"\r\n"
		"Out until Friday.\r\n";
	static const char suppress_only[] =
		"From: eve@example.org\r\n"
		"Subject: My views on the proposal\r\n"
		"X-Auto-Response-Suppress: All\r\n"
		"\r\n"
		"Real response.\r\n";
	static const char x_autoreply[] =
		"From: eve@example.org\r\n"
		"X-Autoreply: yes\r\n"
		"\r\n"
		"Away.\r\n";
	struct response r;

	parse(submitted, &r);
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_str_eq(r.status_reason,
			 "Auto-Submitted: auto-replied; owner-email=\"dan@example.org\"");
	ck_assert_str_eq(r.text, "I am away until Monday.");
	response_clear(&r);

	parse(not_auto, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_ptr_null(r.status_reason);
	response_clear(&r);

	parse(precedence, &r);
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_str_eq(r.status_reason, "Precedence: bulk");
	response_clear(&r);

	parse(ooo, &r);
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_str_eq(r.status_reason, "X-Auto-Response-Suppress with out-of-office subject");
	response_clear(&r);

	parse(suppress_only, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	response_clear(&r);

	parse(x_autoreply, &r);
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_str_eq(r.status_reason, "X-Autoreply: yes");
	response_clear(&r);
}
END_TEST

START_TEST(bounce)
{
	static const char msg[] =
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
		"Subject: Undelivered Mail Returned to Sender\r\n"
		"Auto-Submitted: auto-replied\r\n"
		"Content-Type: multipart/report; report-type=delivery-status;\r\n"
		"\tboundary=\"RPT\"\r\n"
		"\r\n"
		"--RPT\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"Your message could not be delivered.\r\n"
		"--RPT\r\n"
		"Content-Type: message/delivery-status\r\n"
		"\r\n"
		"Reporting-MTA: dns; mx.example.org\r\n"
		"\r\n"
		"Final-Recipient: rfc822; nobody@example.org\r\n"
		"Action: failed\r\n"
		"Status: 5.1.1\r\n"
		"--RPT\r\n"
		"Content-Type: message/rfc822\r\n"
		"\r\n"
		"From: consult@gov.example\r\n"
		"Subject: Thank you\r\n"
		"\r\n"
		"original\r\n"
		"--RPT--\r\n";
	static const char nested[] =
		"From: postmaster@example.org\r\n"
		"Content-Type: multipart/mixed; boundary=M\r\n"
		"\r\n"
		"--M\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"Delivery failed.\r\n"
		"--M\r\n"
		"Content-Type: message/delivery-status\r\n"
		"\r\n"
		"Reporting-MTA: dns; example.org\r\n"
		"--M--\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_int_eq(r.status, STATUS_BOUNCE);
	ck_assert_str_eq(r.status_reason, "multipart/report; report-type=delivery-status");
	ck_assert_str_eq(r.text, "Your message could not be delivered.");
	ck_assert_str_eq(r.sender_email, "MAILER-DAEMON@mx.example.org");
	ck_assert_uint_eq(r.n_attachments, 2);
	ck_assert_str_eq(r.attachments[0].content_type, "message/delivery-status");
	ck_assert_str_eq(r.attachments[1].content_type, "message/rfc822");
	response_clear(&r);

	parse(nested, &r);
	ck_assert_int_eq(r.status, STATUS_BOUNCE);
	ck_assert_str_eq(r.status_reason, "delivery-status report from MAILER-DAEMON/postmaster");
	response_clear(&r);
}
END_TEST

START_TEST(quarantine_empty_and_garbage)
{
	static const char garbage[] = "\x01\x02 garbage \xff\xfe no headers here\n";
	static const char headers_only[] = "Subject: nothing else\r\n\r\n";
	static const char mime_only[] = "Content-Type: text/plain\r\n\r\nhello\r\n";
	char hex[65], key[80];
	struct response r;

	parse_len("", 0, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, "empty message");
	ck_assert_str_eq(r.text, "");
	ck_assert_str_eq(r.idem_key,
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	response_clear(&r);

	parse(garbage, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, "no RFC 5322 header block found");
	ck_assert_str_eq(r.text, "");
	ck_assert_ptr_null(r.sender_email);
	sha256_of(garbage, strlen(garbage), hex);
	snprintf(key, sizeof(key), "sha256:%s", hex);
	ck_assert_str_eq(r.idem_key, key);
	response_clear(&r);

	parse(headers_only, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, "no From and no body");
	ck_assert_str_eq(r.text, "");
	ck_assert_str_eq(r.subject, "nothing else");
	response_clear(&r);

	/* No From but a body: kept, with no sender. */
	parse(mime_only, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_ptr_null(r.sender_email);
	ck_assert_str_eq(r.text, "hello");
	response_clear(&r);
}
END_TEST

START_TEST(quarantine_oversized)
{
	size_t len = LIMIT_MESSAGE_BYTES + 1;
	char *big = malloc(len);
	char want[64];
	struct response r;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', len);
	const char *head = "From: A Person <a@example.org>\r\nSubject: scans\r\n"
			   "Message-ID: <big-1@example.org>\r\n\r\n";
	memcpy(big, head, strlen(head));
	parse_len(big, len, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	snprintf(want, sizeof(want), "message of %zu bytes is over the cap of %u bytes", len,
		 (unsigned)LIMIT_MESSAGE_BYTES);
	ck_assert_str_eq(r.status_reason, want);
	ck_assert_str_eq(r.text, "");
	ck_assert_uint_eq(r.n_attachments, 0);
	/* Not parsed, but its header is: who sent it, and its key. */
	ck_assert_str_eq(r.sender_email, "a@example.org");
	ck_assert_str_eq(r.subject, "scans");
	ck_assert_str_eq(r.message_id, "big-1@example.org");
	ck_assert_str_eq(r.idem_key, "mid:big-1@example.org");
	ck_assert_uint_eq(r.raw_len, len);
	ck_assert_int_eq(memcmp(r.raw, big, len), 0);
	response_clear(&r);
	/* Without a blank line in its first megabyte: what header there is. */
	memset(big, 'a', len);
	memcpy(big, "From: a@example.org\r\n", 21);
	parse_len(big, len, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, want);
	ck_assert_uint_eq(strncmp(r.idem_key, "sha256:", 7), 0);
	response_clear(&r);
	free(big);
}
END_TEST

START_TEST(multipart_without_boundary)
{
	check_body("From: a@example.org\r\n"
		   "Subject: x\r\n"
		   "Content-Type: multipart/mixed\r\n"
		   "\r\n"
		   "Hello prologue\r\n"
		   "line two \xe9\r\n",
		   "Hello prologue\nline two \xc3\xa9");
}
END_TEST

/* Body text over the cap: kept whole in raw, quarantined for a person. */
START_TEST(body_text_over_cap_quarantined)
{
	static const char head[] = "From: a@example.org\r\nContent-Type: text/plain\r\n\r\n";
	size_t len = strlen(head) + LIMIT_TEXT_BYTES + 100;
	char *msg = malloc(len + 1);
	struct response r;

	ck_assert_ptr_nonnull(msg);
	memcpy(msg, head, strlen(head));
	for (size_t i = strlen(head); i < len; i++)
		msg[i] = i % 80 == 79 ? '\n' : 'a';
	msg[len] = '\0';
	parse_len(msg, len, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, "decoded body text over the cap of 2097152 bytes");
	ck_assert_str_eq(r.sender_email, "a@example.org");
	response_clear(&r);

	/* Just under the cap it is an ordinary response, kept whole. */
	len = strlen(head) + LIMIT_TEXT_BYTES - 100;
	msg[len - 1] = 'a';
	parse_len(msg, len, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_uint_gt(strlen(r.text), LIMIT_TEXT_BYTES - 200);
	response_clear(&r);
	free(msg);
}
END_TEST

/* Attachment texts appended past the cap are cut on a character boundary;
 * the message is still a response (a long letter is not an anomaly). */
START_TEST(text_capped_on_char_boundary)
{
	/* Both alignments of the cut: one splits an "é", one does not. */
	for (size_t shift = 0; shift < 2; shift++) {
		size_t body = LIMIT_TEXT_BYTES - 1000 + shift;
		char *msg = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&msg, &len);
		struct response r;

		ck_assert_ptr_nonnull(f);
		fputs("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
		      "--b\r\nContent-Type: text/plain\r\n\r\n", f);
		for (size_t i = 0; i < body; i++)
			fputc(i % 80 == 79 ? '\n' : 'x', f);
		fputs("\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
		      "Content-Disposition: attachment; filename=e.txt\r\n\r\n", f);
		for (unsigned i = 0; i < 3000; i++)
			fputs("\xc3\xa9", f);
		fputs("\r\n--b--\r\n", f);
		ck_assert_int_eq(fclose(f), 0);

		parse_len(msg, len, &r);
		ck_assert_int_eq(r.status, STATUS_RESPONSE);
		ck_assert_uint_eq(r.n_attachments, 1);
		ck_assert_uint_le(strlen(r.text), LIMIT_TEXT_BYTES);
		ck_assert_uint_ge(strlen(r.text), LIMIT_TEXT_BYTES - 2);
		ck_assert_str_eq(r.text + strlen(r.text) - 2, "\xc3\xa9");
		ck_assert_ptr_nonnull(strstr(r.text, "[attachment: e.txt]"));
		response_clear(&r);
		free(msg);
	}
}
END_TEST

/* A message with `n_att` attachments and `levels` multiparts nested in all. */
static char *nested_message(unsigned n_att, unsigned levels, size_t *len)
{
	char *msg = NULL;
	FILE *f = open_memstream(&msg, len);

	ck_assert_ptr_nonnull(f);
	fputs("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=top\r\n\r\n", f);
	fputs("--top\r\nContent-Type: text/plain\r\n\r\nshallow\r\n", f);
	for (unsigned i = 0; i < n_att; i++)
		fprintf(f, "--top\r\nContent-Type: application/octet-stream\r\n\r\nblob %u\r\n", i);
	fputs("--top\r\n", f);
	for (unsigned i = 0; i + 1 < levels; i++)
		fprintf(f, "Content-Type: multipart/mixed; boundary=d%u\r\n\r\n--d%u\r\n", i, i);
	fputs("Content-Type: text/plain\r\n\r\ndeepest\r\n", f);
	for (unsigned i = levels - 1; i-- > 0;)
		fprintf(f, "--d%u--\r\n", i);
	fputs("--top--\r\n", f);
	ck_assert_int_eq(fclose(f), 0);
	return msg;
}

START_TEST(depth_and_attachment_caps)
{
	size_t len;
	char *msg;
	struct response r;

	/* At both caps: an ordinary response with everything. */
	msg = nested_message(LIMIT_ATTACHMENTS, LIMIT_MIME_DEPTH, &len);
	parse_len(msg, len, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_str_eq(r.text, "shallow\n\ndeepest");
	ck_assert_uint_eq(r.n_attachments, LIMIT_ATTACHMENTS);
	ck_assert_uint_eq(r.attachments[0].size, 6);
	response_clear(&r);
	free(msg);

	/* One attachment more: quarantined, raw kept, nothing half-stored. */
	msg = nested_message(LIMIT_ATTACHMENTS + 1, LIMIT_MIME_DEPTH, &len);
	parse_len(msg, len, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, "more than 64 attachments");
	ck_assert_uint_eq(r.n_attachments, 0);
	ck_assert_str_eq(r.text, "");
	response_clear(&r);
	free(msg);

	/* One level deeper: quarantined. */
	msg = nested_message(1, LIMIT_MIME_DEPTH + 1, &len);
	parse_len(msg, len, &r);
	ck_assert_int_eq(r.status, STATUS_QUARANTINED);
	ck_assert_str_eq(r.status_reason, "MIME parts nested deeper than 16 levels");
	response_clear(&r);
	free(msg);
}
END_TEST

START_TEST(caller_fields_kept)
{
	static const char msg[] = "From: a@example.org\r\n\r\nhi\r\n";
	struct response r = { 0 };

	r.channel = CHANNEL_EMAIL;
	r.received_at = 1712345678;
	r.source_id = strdup("imap:INBOX:1:2");
	ck_assert_int_eq(mime_normalise((const unsigned char *)msg, strlen(msg), &r), 0);
	ck_assert_str_eq(r.source_id, "imap:INBOX:1:2");
	ck_assert_int_eq(r.received_at, 1712345678);
	ck_assert_str_eq(r.text, "hi");
	response_clear(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* auto-replies, bounces and list traffic                             */

/* Status and reason of a message made of `headers` and a short body. */
static void check_status(const char *headers, enum response_status want, const char *reason)
{
	char msg[2048];
	struct response r;

	snprintf(msg, sizeof(msg), "%s\r\nA few words of text.\r\n", headers);
	parse(msg, &r);
	ck_assert_msg(r.status == want, "status %s (%s) for:\n%s", response_status_name(r.status),
		      r.status_reason ? r.status_reason : "no reason", headers);
	if (reason == NULL)
		ck_assert_ptr_null(r.status_reason);
	else
		ck_assert_str_eq(r.status_reason, reason);
	ck_assert_str_eq(r.text, "A few words of text.");
	response_clear(&r);
}

START_TEST(bounce_plain_text)
{
	check_status("From: MAILER-DAEMON@mx.example.net\r\n"
		     "Subject: failure notice\r\n",
		     STATUS_BOUNCE, "From: MAILER-DAEMON");
	check_status("Return-Path: <>\r\n"
		     "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
		     "Subject: Mail delivery failed: returning message to sender\r\n",
		     STATUS_BOUNCE, "From: MAILER-DAEMON");
	check_status("From: Mail Delivery Subsystem <mailer_daemon@googlemail.example>\r\n"
		     "Subject: Delivery Status Notification (Failure)\r\n",
		     STATUS_BOUNCE, "From: MAILER-DAEMON");
	check_status("From: postmaster@council.example\r\n"
		     "Subject: Undelivered Mail Returned to Sender\r\n",
		     STATUS_BOUNCE, "bounce subject from postmaster");
	check_status("Return-Path: < >\r\n"
		     "From: postmaster@council.example\r\n"
		     "Subject: Fehler\r\n",
		     STATUS_BOUNCE, "postmaster with null Return-Path");
	check_status("Return-Path: <>\r\n"
		     "From: \"Mail System\" <system@mx.example.org>\r\n"
		     "Subject: Undeliverable: Police and Crime Plan\r\n",
		     STATUS_BOUNCE, "bounce subject with null Return-Path");
	/* A resident forwarding the bounce of their own response: a response. */
	check_status("Return-Path: <kim@example.org>\r\n"
		     "From: kim@example.org\r\n"
		     "Subject: Fwd: Undelivered Mail Returned to Sender\r\n",
		     STATUS_RESPONSE, NULL);
	/* A bounce subject from an ordinary sender, envelope not null. */
	check_status("From: kim@example.org\r\n"
		     "Subject: Returned mail: my views\r\n",
		     STATUS_RESPONSE, NULL);
	/* A postmaster who is a person writing a response. */
	check_status("From: postmaster@residents.example\r\n"
		     "Subject: Our association's view on the plan\r\n",
		     STATUS_RESPONSE, NULL);
}
END_TEST

START_TEST(out_of_office_subjects)
{
	static const char *const auto_subjects[] = {
		"Out of Office: Police and Crime Plan",
		"Automatic reply: Police and Crime Plan",
		"Autoreply: your message",
		"[Auto-Reply] Police and Crime Plan",
		"Out of Office",
		"Out of office - back on Monday",
		"Abwesenheitsnotiz: Police and Crime Plan",
		"Automatische Antwort: Police and Crime Plan",
		"R\xc3\xa9ponse automatique : Police and Crime Plan",
		"R\xc3\x89PONSE AUTOMATIQUE : Police and Crime Plan",
		"Respuesta autom\xc3\xa1tica: Police and Crime Plan",
		"Fuera de la oficina: Police and Crime Plan",
		"Risposta automatica: Police and Crime Plan",
		"Automatisch antwoord: Police and Crime Plan",
		"Ateb awtomatig: Police and Crime Plan",
		"Odpowied\xc5\xba automatyczna: Police and Crime Plan",
		/* NFD: e + combining acute, as some Mac mailers write it */
		"Re\xcc\x81ponse automatique: Police and Crime Plan",
		NULL,
	};
	static const char *const response_subjects[] = {
		"Out of office hours policing",
		"I'm out of office hours but want to say something",
		"Absence of police on our estate",
		"Afwezigheid van politie in de wijk",
		"Automatic reply systems at the council are useless",
		"Re: Automatic reply: Police and Crime Plan",
		"On leave from the army, and worried",
		NULL,
	};
	char headers[512];

	for (size_t i = 0; auto_subjects[i] != NULL; i++) {
		snprintf(headers, sizeof(headers), "From: a@example.org\r\nSubject: %s\r\n",
			 auto_subjects[i]);
		check_status(headers, STATUS_AUTO_REPLY, "out-of-office subject");
	}
	for (size_t i = 0; response_subjects[i] != NULL; i++) {
		/* Not even with the header Outlook puts on ordinary mail. */
		snprintf(headers, sizeof(headers),
			 "From: a@example.org\r\nSubject: %s\r\nX-Auto-Response-Suppress: All\r\n",
			 response_subjects[i]);
		check_status(headers, STATUS_RESPONSE, NULL);
	}
	/* Weak phrases count only with another signal. */
	check_status("From: a@example.org\r\nSubject: Afwezig\r\n", STATUS_RESPONSE, NULL);
	check_status("From: a@example.org\r\nSubject: Afwezig\r\nReturn-Path: <>\r\n",
		     STATUS_AUTO_REPLY, "null Return-Path with out-of-office subject");
	check_status("From: a@example.org\r\nSubject: Absence (until 4 January)\r\n"
		     "X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\r\n",
		     STATUS_AUTO_REPLY, "X-Auto-Response-Suppress with out-of-office subject");
	/* Return-Path: <> alone (some form mailers): a response. */
	check_status("Return-Path: <>\r\nFrom: form@council.example\r\nSubject: Web form\r\n",
		     STATUS_RESPONSE, NULL);
	check_status("From: a@example.org\r\nX-Autorespond: yes\r\n",
		     STATUS_AUTO_REPLY, "X-Autorespond: yes");
	check_status("From: a@example.org\r\nPrecedence: auto_reply\r\n",
		     STATUS_AUTO_REPLY, "Precedence: auto_reply");
}
END_TEST

START_TEST(list_traffic)
{
	check_status("From: news@residents.example\r\nPrecedence: list\r\n",
		     STATUS_LIST, "Precedence: list");
	check_status("From: member@example.org\r\n"
		     "List-Id: Brixton residents <brixton.lists.example.org>\r\n",
		     STATUS_LIST, "List-Id: Brixton residents <brixton.lists.example.org>");
	check_status("From: member@example.org\r\n"
		     "List-Post: <mailto:brixton@lists.example.org>\r\n",
		     STATUS_LIST, "List-Post: <mailto:brixton@lists.example.org>");
	check_status("From: news@charity.example\r\nPrecedence: bulk\r\n"
		     "List-Unsubscribe: <https://charity.example/u?x=1>\r\n",
		     STATUS_LIST, "Precedence: bulk with List-Unsubscribe");
	/* Campaign tools may add List-Unsubscribe to a resident's own letter. */
	check_status("From: resident@example.org\r\n"
		     "List-Unsubscribe: <mailto:unsub@campaign.example>\r\n",
		     STATUS_RESPONSE, NULL);
	/* An out-of-office reply that came through a list is an auto-reply. */
	check_status("From: member@example.org\r\nAuto-Submitted: auto-replied\r\n"
		     "List-Id: <brixton.lists.example.org>\r\nPrecedence: list\r\n",
		     STATUS_AUTO_REPLY, "Auto-Submitted: auto-replied");
	ck_assert_str_eq(response_status_name(STATUS_LIST), "list");
}
END_TEST

START_TEST(read_receipt)
{
	static const char msg[] =
		"From: kim@example.org\r\n"
		"Subject: Read: Thank you for your response\r\n"
		"Content-Type: multipart/report; report-type=disposition-notification;\r\n"
		"\tboundary=\"R\"\r\n"
		"\r\n"
		"--R\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"Your message was read.\r\n"
		"--R\r\n"
		"Content-Type: message/disposition-notification\r\n"
		"\r\n"
		"Disposition: manual-action/MDN-sent-manually; displayed\r\n"
		"--R--\r\n";
	struct response r;

	parse(msg, &r);
	ck_assert_int_eq(r.status, STATUS_AUTO_REPLY);
	ck_assert_str_eq(r.status_reason, "multipart/report; report-type=disposition-notification");
	response_clear(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* attachment text                                                    */

static unsigned char *fixture(const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	unsigned char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/attachments/%s", SOURCE_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A one-line email carrying `data` as a base64 attachment. The caller frees. */
static char *with_attachment(const char *filename, const char *ctype,
			     const unsigned char *data, size_t len)
{
	gchar *b64 = g_base64_encode(data, len);
	char *msg = NULL;
	size_t mlen = 0;
	FILE *f = open_memstream(&msg, &mlen);

	ck_assert_ptr_nonnull(f);
	fprintf(f, "From: Lambeth <consultation@lambeth.example>\r\n"
		   "Subject: Our response\r\n"
		   "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
		   "--B\r\nContent-Type: text/plain\r\n\r\nPlease see the attached letter.\r\n"
		   "--B\r\nContent-Type: %s; name=\"%s\"\r\n"
		   "Content-Disposition: attachment; filename=\"%s\"\r\n"
		   "Content-Transfer-Encoding: base64\r\n\r\n",
		ctype, filename, filename);
	for (size_t i = 0, n = strlen(b64); i < n; i += 76)
		fprintf(f, "%.76s\r\n", b64 + i);
	fputs("--B--\r\n", f);
	ck_assert_int_eq(fclose(f), 0);
	g_free(b64);
	return msg;
}

START_TEST(pdf_letter)
{
	static const char letter[] =
		"London Borough of Lambeth: formal response\n"
		"We ask for more neighbourhood officers in Brixton (and Stockwell).";
	size_t len;
	unsigned char *pdf = fixture("letter.pdf", &len);
	char *msg = with_attachment("letter.pdf", "application/pdf", pdf, len);
	char hex[65];
	struct response r;

	parse(msg, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_uint_eq(r.n_attachments, 1);
	ck_assert_str_eq(r.attachments[0].text, letter);
	ck_assert_ptr_null(r.attachments[0].text_error);
	/* The decoded bytes are kept for storage, and hashed. */
	ck_assert_uint_eq(r.attachments[0].data_len, len);
	ck_assert_uint_eq(r.attachments[0].size, len);
	ck_assert_mem_eq(r.attachments[0].data, pdf, len);
	sha256_of(pdf, len, hex);
	ck_assert_str_eq(r.attachments[0].sha256, hex);
	/* The letter is the response: the classifier sees its text. */
	ck_assert_str_eq(r.text, "Please see the attached letter.\n\n[attachment: letter.pdf]\n"
				 "London Borough of Lambeth: formal response\n"
				 "We ask for more neighbourhood officers in Brixton (and Stockwell).");
	response_clear(&r);
	free(msg);

	/* Sent as application/octet-stream with a .pdf name: still read. */
	msg = with_attachment("Letter.PDF", "application/octet-stream", pdf, len);
	parse(msg, &r);
	ck_assert_str_eq(r.attachments[0].text, letter);
	response_clear(&r);
	free(msg);
	free(pdf);
}
END_TEST

START_TEST(pdf_pages_apart)
{
	size_t len;
	unsigned char *pdf = fixture("letter2p.pdf", &len);
	char *msg = with_attachment("two.pdf", "application/pdf", pdf, len);
	struct response r;

	parse(msg, &r);
	ck_assert_str_eq(r.attachments[0].text, "Page one: knife crime near schools.\n\n"
						"Page two: victims wait too long for court.");
	response_clear(&r);
	free(msg);
	free(pdf);
}
END_TEST

START_TEST(pdf_unreadable)
{
	static const unsigned char junk[] = "%PDF-1.7\nnothing else here\n";
	char *msg = with_attachment("broken.pdf", "application/pdf", junk, sizeof(junk) - 1);
	struct response r;

	parse(msg, &r);
	ck_assert_int_eq(r.status, STATUS_RESPONSE);
	ck_assert_ptr_null(r.attachments[0].text);
	ck_assert_str_eq(r.attachments[0].text_error, "not a readable PDF");
	ck_assert_str_eq(r.text, "Please see the attached letter.");
	response_clear(&r);
	free(msg);
}
END_TEST

START_TEST(docx_response)
{
	size_t len;
	unsigned char *docx = fixture("response.docx", &len);
	char *msg = with_attachment("response.docx",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		docx, len);
	struct response r;

	parse(msg, &r);
	ck_assert_uint_eq(r.n_attachments, 1);
	ck_assert_ptr_null(r.attachments[0].text_error);
	/* Paragraphs on lines, runs joined, tab and break kept, table cells on
	 * lines, no deleted text and no field code. */
	ck_assert_str_eq(r.attachments[0].text,
		"Residents\xe2\x80\x99 Association response\n"
		"Burglary is up sharply.\n"
		"Item\tCost & time\n"
		"Line one\n"
		"line two\n"
		"Kept after deletion\n"
		"Cell A\n"
		"Cell B");
	ck_assert_ptr_nonnull(strstr(r.text, "[attachment: response.docx]\nResidents"));
	response_clear(&r);
	free(msg);

	/* Not a zip at all. */
	msg = with_attachment("fake.docx", "application/octet-stream",
			      (const unsigned char *)"PK\3\4 and then nothing", 22);
	parse(msg, &r);
	ck_assert_ptr_null(r.attachments[0].text);
	ck_assert_str_eq(r.attachments[0].text_error, "DOCX is not a readable zip archive");
	response_clear(&r);
	free(msg);
	free(docx);
}
END_TEST

START_TEST(attachment_text_capped)
{
	size_t len = LIMIT_ATTACHMENT_TEXT_BYTES + 1000;
	unsigned char *big = malloc(len);
	char *msg;
	struct response r;

	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < len; i++)
		big[i] = i % 80 == 79 ? '\n' : 'a' + (unsigned char)(i % 26);
	msg = with_attachment("big.txt", "text/plain", big, len);
	parse(msg, &r);
	ck_assert_ptr_nonnull(r.attachments[0].text);
	ck_assert_uint_le(strlen(r.attachments[0].text), LIMIT_ATTACHMENT_TEXT_BYTES);
	ck_assert_uint_gt(strlen(r.attachments[0].text), LIMIT_ATTACHMENT_TEXT_BYTES - 100);
	ck_assert_uint_eq(r.attachments[0].data_len, len);
	response_clear(&r);
	free(msg);
	free(big);
}
END_TEST

START_TEST(html_and_binary_attachments)
{
	static const unsigned char html[] = "<p>Minutes of the <b>ward panel</b></p>";
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n";
	char *msg = with_attachment("minutes.html", "text/html", html, sizeof(html) - 1);
	struct response r;

	parse(msg, &r);
	ck_assert_str_eq(r.attachments[0].text, "Minutes of the ward panel");
	response_clear(&r);
	free(msg);

	msg = with_attachment("photo.png", "image/png", png, sizeof(png) - 1);
	parse(msg, &r);
	ck_assert_ptr_null(r.attachments[0].text);
	ck_assert_ptr_null(r.attachments[0].text_error);
	ck_assert_str_eq(r.text, "Please see the attached letter.");
	response_clear(&r);
	free(msg);
}
END_TEST

START_TEST(html_too_deep_falls_back)
{
	char *html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);
	char *t;

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 1000; i++)
		fputs("<div>", f);
	fputs("<script>no()</script>deep words", f);
	for (int i = 0; i < 1000; i++)
		fputs("</div>", f);
	ck_assert_int_eq(fclose(f), 0);
	t = mime_html_to_text(html, len);
	ck_assert_str_eq(t, "deep words");
	free(t);
	free(html);
}
END_TEST

static Suite *mime_suite(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = tcase_create("core");

	/* Once per process: GMime cannot be initialised again after shutdown. */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_text);
	tcase_add_test(tc, local_part_case_kept);
	tcase_add_test(tc, alternative_prefers_plain);
	tcase_add_test(tc, alternative_empty_plain_uses_html);
	tcase_add_test(tc, alternative_attachments_deduplicated);
	tcase_add_test(tc, html_only);
	tcase_add_test(tc, html_to_text_direct);
	tcase_add_test(tc, nested_multipart_with_pdf);
	tcase_add_test(tc, text_with_filename_is_attachment);
	tcase_add_test(tc, quoted_printable);
	tcase_add_test(tc, base64_body);
	tcase_add_test(tc, iso_8859_1);
	tcase_add_test(tc, iso_8859_15);
	tcase_add_test(tc, windows_1252);
	tcase_add_test(tc, latin1_label_with_cp1252_bytes);
	tcase_add_test(tc, mislabelled_utf8);
	tcase_add_test(tc, no_charset_guesses);
	tcase_add_test(tc, unknown_and_failing_charsets);
	tcase_add_test(tc, nul_bytes_dropped);
	tcase_add_test(tc, rfc2047_headers);
	tcase_add_test(tc, message_id_forms);
	tcase_add_test(tc, auto_reply);
	tcase_add_test(tc, bounce);
	tcase_add_test(tc, quarantine_empty_and_garbage);
	tcase_add_test(tc, quarantine_oversized);
	tcase_add_test(tc, multipart_without_boundary);
	tcase_add_test(tc, text_capped_on_char_boundary);
	tcase_add_test(tc, depth_and_attachment_caps);
	tcase_add_test(tc, body_text_over_cap_quarantined);
	tcase_add_test(tc, caller_fields_kept);
	tcase_add_test(tc, bounce_plain_text);
	tcase_add_test(tc, out_of_office_subjects);
	tcase_add_test(tc, list_traffic);
	tcase_add_test(tc, read_receipt);
	tcase_add_test(tc, pdf_letter);
	tcase_add_test(tc, pdf_pages_apart);
	tcase_add_test(tc, pdf_unreadable);
	tcase_add_test(tc, docx_response);
	tcase_add_test(tc, attachment_text_capped);
	tcase_add_test(tc, html_and_binary_attachments);
	tcase_add_test(tc, html_too_deep_falls_back);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mime_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
