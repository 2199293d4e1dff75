/*
 * ini_lines.h — inih with line numbers and long lines.
 *
 * Debian's inih gives its handler no line number and cuts lines at 200
 * bytes. This wrapper reads the file through a counting reader, lifts the
 * line cap to LIMIT_CONFIG_LINE, and passes the current line to the handler
 * so every error can name file, line and key.
 */
#ifndef CONSULTD_INI_LINES_H
#define CONSULTD_INI_LINES_H

/* Return 1 to go on, 0 to record an error at this line (parsing goes on). */
typedef int (*ini_lines_handler)(void *user, int line, const char *section,
				 const char *name, const char *value);

/*
 * Parse path, calling handler for every name=value. Returns 0 when the file
 * parsed and the handler accepted everything, the first line number with an
 * error (syntax or handler), -1 if the file cannot be opened or read (errno
 * set), -2 on out of memory. A line longer than LIMIT_CONFIG_LINE is an error
 * at that line.
 */
int ini_lines_parse(const char *path, ini_lines_handler handler, void *user);

#endif
