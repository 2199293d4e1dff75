#include "response.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void response_clear(struct response *r)
{
	if (r == NULL)
		return;
	free(r->source_id);
	free(r->message_id);
	free(r->idem_key);
	free(r->sender_name);
	free(r->sender_email);
	free(r->subject);
	free(r->text);
	free(r->status_reason);
	for (size_t i = 0; i < r->n_attachments; i++) {
		free(r->attachments[i].filename);
		free(r->attachments[i].content_type);
		free(r->attachments[i].data);
		free(r->attachments[i].text);
		free(r->attachments[i].text_error);
	}
	free(r->attachments);
	for (size_t i = 0; i < r->n_themes; i++) {
		free(r->themes[i].theme_id);
		free(r->themes[i].terms);
	}
	free(r->themes);
	free(r->organisation);
	free(r->area);
	free(r->campaign_print);
	for (size_t i = 0; i < r->n_answers; i++) {
		free(r->answers[i].question_id);
		free(r->answers[i].question);
		free(r->answers[i].value);
	}
	free(r->answers);
	free(r->raw);
	free(r->raw_packed);
	if (r->raw_in_file)
		close(r->raw_file);
	memset(r, 0, sizeof(*r));
}

const char *response_channel_name(enum response_channel c)
{
	switch (c) {
	case CHANNEL_EMAIL: return "email";
	case CHANNEL_FORM: return "form";
	case CHANNEL_IMPORT: return "import";
	}
	return "unknown";
}

const char *response_status_name(enum response_status s)
{
	switch (s) {
	case STATUS_RESPONSE: return "response";
	case STATUS_AUTO_REPLY: return "auto-reply";
	case STATUS_BOUNCE: return "bounce";
	case STATUS_QUARANTINED: return "quarantined";
	case STATUS_LIST: return "list";
	}
	return "unknown";
}

const char *respondent_type_name(enum respondent_type t)
{
	switch (t) {
	case RESPONDENT_INDIVIDUAL:
		return "individual";
	case RESPONDENT_ORGANISATION:
		return "organisation";
	case RESPONDENT_UNKNOWN:
		break;
	}
	return NULL;
}

const char *answer_kind_name(enum answer_kind k)
{
	switch (k) {
	case ANSWER_TEXT:
		return "text";
	case ANSWER_CHOICE:
		return "choice";
	case ANSWER_OTHER:
		break;
	}
	return "other";
}
