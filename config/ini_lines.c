#include "ini_lines.h"

#include "limits.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ini_lines_state {
	FILE *file;
	int line;            /* line of the text last handed to inih */
	int first_error;     /* first line with an error, 0 if none */
	ini_lines_handler handler;
	void *user;
	char *buf;           /* getline buffer, owned */
	size_t cap;
	int read_errno;      /* why reading stopped before the end, 0 if it did not */
};

static void note_error(struct ini_lines_state *st)
{
	if (st->first_error == 0)
		st->first_error = st->line;
}

/* An inih reader that keeps count of lines and refuses overlong ones. */
static char *counting_reader(char *str, int num, void *stream)
{
	struct ini_lines_state *st = stream;
	errno = 0;
	ssize_t n = getline(&st->buf, &st->cap, st->file);
	if (n < 0) {
		/* getline says -1 both at the end and on failure (ENOMEM): a
		 * failure must not pass for a shorter file. */
		if (!feof(st->file))
			st->read_errno = errno != 0 ? errno : EIO;
		return NULL;
	}
	st->line++;
	if (n >= num - 1 || (size_t)n > LIMIT_CONFIG_LINE) {
		note_error(st);
		str[0] = '\0'; /* inih sees a blank line */
		return str;
	}
	memcpy(str, st->buf, (size_t)n + 1);
	return str;
}

static int forward(void *user, const char *section, const char *name,
		   const char *value)
{
	struct ini_lines_state *st = user;
	if (!st->handler(st->user, st->line, section, name, value))
		note_error(st);
	return 1; /* go on, so every error is reported */
}

int ini_lines_parse(const char *path, ini_lines_handler handler, void *user)
{
	/* Debian's libinih exports its build options as globals. With the heap
	 * buffer allocated at full size from the start, each reader call gets
	 * room for a whole line, so the counting reader sees one line a call. */
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = (int)LIMIT_CONFIG_LINE + 2;
	ini_initial_alloc = ini_max_line;
	ini_allow_multiline = 0;
	ini_stop_on_first_error = 0;

	struct ini_lines_state st = {.handler = handler, .user = user};
	st.file = fopen(path, "re");
	if (st.file == NULL)
		return -1;
	int rc = ini_parse_stream(counting_reader, &st, forward, &st);
	int saved = st.read_errno != 0 ? st.read_errno : errno;
	fclose(st.file);
	free(st.buf);
	errno = saved;
	if (rc == -2 || st.read_errno == ENOMEM)
		return -2;
	if (st.read_errno != 0)
		return -1;
	if (rc > 0 && (st.first_error == 0 || rc < st.first_error))
		st.first_error = rc;
	return st.first_error;
}
