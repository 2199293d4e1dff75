/*
 * fuzz_receipt.c — libFuzzer target for receipt templates and the message
 * built from them.
 *
 * Templates come from the config file; the values filled in come from
 * respondents' mail. The input is split at its first NUL byte: the part
 * before is a template, checked and (when it passes) rendered as a body
 * and as a one-line subject; the part after is used as the respondent's
 * name and subject. Both then go through the header encoders, the
 * quoted-printable encoder and the message builder, whose output must
 * never hold a bare LF, a CR not followed by LF, or a header line started
 * by respondent text.
 */
#include "receipts/message.h"
#include "receipts/template.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_crlf(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\n' && (p == s || p[-1] != '\r'))
			abort();
		if (*p == '\r' && p[1] != '\n')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 70000)
		return 0;
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul != NULL ? (size_t)(nul - data) : size;
	char *tpl = malloc(tlen + 1);
	size_t vlen = nul != NULL ? size - tlen - 1 : 0;
	char *value = malloc(vlen + 1);
	if (tpl == NULL || value == NULL) {
		free(tpl);
		free(value);
		return 0;
	}
	memcpy(tpl, data, tlen);
	tpl[tlen] = '\0';
	if (vlen > 0)
		memcpy(value, nul + 1, vlen);
	value[vlen] = '\0';

	char err[300];
	/* The raw bytes, NULs and all, as the config loader would see them. */
	(void)template_check((const char *)data, size, err, sizeof(err));
	struct template_fields f = {
		.consultation = "Plan", .reference = "R-000001", .received_date = "2026-11-25 04:30 UTC",
		.name = value, .email = "a@example.org", .subject = value, .late_note = "",
	};
	char *body = NULL, *subject = NULL;
	if (template_check(tpl, tlen, err, sizeof(err)) == 0) {
		body = template_render(tpl, &f, false);
		subject = template_render(tpl, &f, true);
		if (body == NULL || subject == NULL)
			abort(); /* a checked template always renders */
		if (strchr(subject, '\n') != NULL || strchr(subject, '\r') != NULL)
			abort();
	}
	char *enc = receipt_encode_text(value, 9);
	if (enc != NULL) {
		for (char *p = strstr(enc, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
			if (p[2] != ' ')
				abort(); /* only folds */
		check_crlf(enc);
	}
	free(enc);
	char *name = receipt_encode_name(value);
	if (name != NULL && (strchr(name, '\r') != NULL || strchr(name, '\n') != NULL) &&
	    strstr(name, "?=\r\n =?") == NULL)
		abort();
	free(name);
	char *qp = receipt_qp_encode(body != NULL ? body : value);
	if (qp != NULL)
		check_crlf(qp);
	free(qp);
	struct receipt_parts p = {
		.from_name = value, .from_address = "consult@consult.example", .to = "a@example.org",
		.subject = subject != NULL ? subject : value, .body = body != NULL ? body : value,
		.message_id = "receipt.1.2.ab@receipts.consult.example",
		.in_reply_to = receipt_msgid_ok(value) ? value : NULL, .date = 0,
	};
	char *m = receipt_build(&p);
	if (m != NULL) {
		check_crlf(m);
		/* Header lines are ours: each starts with a known name or a fold. */
		static const char *const names[] = {"Date:", "From:", "To:", "Subject:", "Message-ID:",
			"In-Reply-To:", "References:", "Auto-Submitted:", "X-Auto-Response-Suppress:",
			"Precedence:", "MIME-Version:", "Content-Type:", "Content-Transfer-Encoding:"};
		const char *line = m;
		while (strncmp(line, "\r\n", 2) != 0) {
			bool known = line[0] == ' ';
			for (size_t i = 0; !known && i < sizeof(names) / sizeof(names[0]); i++)
				known = strncmp(line, names[i], strlen(names[i])) == 0;
			if (!known)
				abort();
			line = strstr(line, "\r\n") + 2;
		}
	}
	free(m);
	free(body);
	free(subject);
	free(tpl);
	free(value);
	return 0;
}
