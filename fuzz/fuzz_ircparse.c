/*
 * fuzz_ircparse.c -- libFuzzer target: chat-irc's line parser.
 *
 * Every input is one client line (its terminator taken off), given to
 * irc_parse (irc/parse.c) in an exactly sized, NUL-ended copy.  A line
 * holding a NUL or a CR must be IRC_PARSE_BAD.  Otherwise: the command
 * and every parameter must lie within the line, the command must be
 * non-empty with no blank and not start with ':', every parameter but
 * the last must be non-empty with no blank, and there are at most
 * IRC_PARAMS_MAX.  A line longer than its tags and max must be
 * IRC_PARSE_TOOLONG, and tags past IRC_TAGS_MAX too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "irc.h"

#define MAX	600	/* the longest line without tags, CRLF included */

static int
within(const char *p, const char *line, size_t len)
{
	return p >= line && p <= line + len && strlen(p) <= len;
}

static void
check_message(const struct irc_msg *m, const char *line, size_t len)
{
	check(m->command != NULL && within(m->command, line, len));
	check(m->command[0] != '\0' && m->command[0] != ':');
	check(strchr(m->command, ' ') == NULL);
	check(m->count >= 0 && m->count <= IRC_PARAMS_MAX);
	for (int k = 0; k < m->count; k++) {
		check(m->param[k] != NULL && within(m->param[k], line, len));
		if (k + 1 < m->count) {
			check(m->param[k][0] != '\0');
			check(strchr(m->param[k], ' ') == NULL);
		}
	}
}

/* The length of what follows the tags, or -1 when the tags are too long. */
static long
rest_length(const uint8_t *data, size_t size)
{
	const uint8_t *space;

	if (size == 0 || data[0] != '@')
		return (long)size;
	if ((space = memchr(data, ' ', size)) == NULL)
		return size + 1 > IRC_TAGS_MAX ? -1 : 0;
	if ((size_t)(space - data) + 1 > IRC_TAGS_MAX)
		return -1;
	return (long)(size - (size_t)(space - data) - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irc_msg m;
	enum irc_parse verdict;
	char *line;
	long rest;

	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	verdict = irc_parse(line, size, MAX, &m);
	if (memchr(data, '\0', size) != NULL || memchr(data, '\r', size) != NULL)
		check(verdict == IRC_PARSE_BAD);
	else if ((rest = rest_length(data, size)) == -1 || rest + 2 > MAX)
		check(verdict == IRC_PARSE_TOOLONG);
	else if (verdict == IRC_PARSE_OK)
		check_message(&m, line, size);
	else
		check(verdict == IRC_PARSE_EMPTY);
	free(line);
	return 0;
}
