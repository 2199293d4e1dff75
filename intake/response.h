/*
 * response.h — the one shape every channel produces.
 *
 * A struct response is filled by a normaliser (MIME for mail, JSON for
 * forms), completed by the classifier, and written by storage. Everything
 * after normalisation is channel-blind.
 *
 * Ownership: every pointer member is owned by the struct and released by
 * response_clear(). Strings are NUL-terminated UTF-8 unless noted.
 */
#ifndef CONSULTD_RESPONSE_H
#define CONSULTD_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum response_channel { CHANNEL_EMAIL, CHANNEL_FORM, CHANNEL_IMPORT };

enum response_status {
	STATUS_RESPONSE,    /* counted */
	STATUS_AUTO_REPLY,  /* RFC 3834 auto-reply, out-of-office: kept, not counted */
	STATUS_BOUNCE,      /* delivery status notification: kept, not counted */
	STATUS_QUARANTINED, /* could not be parsed: raw kept with the reason */
	STATUS_LIST         /* mailing-list traffic (List-Id, Precedence: list): kept, not counted */
};

struct attachment {
	char *filename;      /* as declared by the sender, decoded; may be NULL */
	char *content_type;  /* "type/subtype", lower case */
	size_t size;         /* decoded size in bytes */
	char sha256[65];     /* lower-case hex of the decoded bytes */
	unsigned char *data; /* the decoded bytes (data_len == size), so storage can
			      * keep them; NULL when not loaded (e.g. read back from
			      * the store) */
	size_t data_len;
	char *text;          /* UTF-8 text extracted from the file (text/plain, PDF,
			      * DOCX), or NULL when there is none */
	char *text_error;    /* why no (or only partial) text could be extracted,
			      * e.g. "encrypted PDF"; NULL otherwise */
};

/* Who wrote a response, as far as the text and sender tell. */
enum respondent_type {
	RESPONDENT_UNKNOWN,      /* not (yet) decided */
	RESPONDENT_INDIVIDUAL,
	RESPONDENT_ORGANISATION  /* written for a council, committee, charity, business... */
};

/* How a form answer is counted: free text is classified, choices are counted. */
enum answer_kind { ANSWER_TEXT, ANSWER_CHOICE, ANSWER_OTHER };

/* One answer of a web-form response, with the question it answers. */
struct form_answer {
	char *question_id;   /* the provider's id of the question, or NULL */
	char *question;      /* the question's label as shown to respondents, or NULL */
	enum answer_kind kind;
	char *value;         /* UTF-8; a multiple choice gives one answer per choice */
};

struct theme_hit {
	char *theme_id;      /* id from the theme file */
	double score;        /* comparable across responses; >= the theme threshold */
	char *terms;         /* matched terms, comma separated, most weighty first */
};

struct response {
	enum response_channel channel;
	enum response_status status;
	char *source_id;        /* channel-specific locator, e.g. "imap:INBOX:1712345:42" */
	char *message_id;       /* normalised Message-ID without <>, or NULL */
	char *idem_key;         /* idempotency key: "mid:<message-id>" or "sha256:<hex of raw>" */
	int64_t received_at;    /* Unix seconds: IMAP INTERNALDATE, form submission time */
	bool late;              /* received after the window closed */
	char *sender_name;      /* decoded display name, or NULL */
	char *sender_email;     /* addr-spec, lower-cased domain, or NULL */
	char *subject;          /* decoded subject, or NULL */
	char *text;             /* the body as UTF-8 text, then the text of each
				 * attachment under an "[attachment: NAME]" line
				 * (see mime.h); never NULL once normalised */
	char *status_reason;    /* why auto-reply/bounce/quarantined, else NULL */
	struct attachment *attachments;
	size_t n_attachments;
	struct theme_hit *themes;
	size_t n_themes;
	enum respondent_type respondent_type;
	char *organisation;     /* the body a response is written for, or NULL */
	char *area;             /* configured area id (e.g. a London borough), or NULL */
	unsigned char *campaign_print; /* what campaign detection makes of the own
				 * words (classify/campaign.h), set with the
				 * themes; opaque to storage; or NULL */
	size_t campaign_print_len;
	struct form_answer *answers; /* web-form answers in question order */
	size_t n_answers;
	unsigned char *raw;     /* the source bytes exactly as received */
	size_t raw_len;         /* their number, also when packed */
	/* Or, after raw_pack (raw_pack.h), the same bytes compressed: raw is
	 * then NULL and raw_len still the size as received. */
	unsigned char *raw_packed;
	size_t raw_packed_len;
	/* A source too large to hold in memory is instead the first raw_len
	 * bytes of raw_file, an unlinked temporary file the response owns
	 * (closed by response_clear); raw is then NULL. */
	bool raw_in_file;
	int raw_file;
};

/* Release everything the response owns and zero it. Accepts NULL. */
void response_clear(struct response *r);

const char *response_channel_name(enum response_channel c);
const char *response_status_name(enum response_status s);
/* "individual", "organisation", or NULL for RESPONDENT_UNKNOWN. */
const char *respondent_type_name(enum respondent_type t);
/* "text", "choice", "other". */
const char *answer_kind_name(enum answer_kind k);

#endif
