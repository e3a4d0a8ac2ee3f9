/*
 * parse.c -- one IRC line from the client, as a command and parameters.
 *
 * Owns the message grammar of RFC 1459/2812 with IRCv3's tags: the
 * tags (at most IRC_TAGS_MAX bytes, accepted and ignored), a prefix
 * (ignored: a client's is its own nick), the command and at most
 * IRC_PARAMS_MAX parameters, the last one after " :" taking the rest.
 * Every byte is the client's: lengths are checked before anything is
 * kept, and the line is never read past its end.
 */
#include <string.h>

#include "irc.h"

/* Past the blanks at p (NUL-ended). */
static char *
skip_spaces(char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* The word at p, NUL-ended where its space was; returns what follows. */
static char *
cut_word(char *p)
{
	char *space = strchr(p, ' ');

	if (space == NULL)
		return p + strlen(p);
	*space = '\0';
	return space + 1;
}

/* Past "@tags " at the start: NULL if the tags are too long. */
static char *
skip_tags(char *line, size_t len)
{
	char *space;

	if (line[0] != '@')
		return line;
	space = memchr(line, ' ', len);
	if (space == NULL)
		return (size_t)(len + 1) > IRC_TAGS_MAX ? NULL : line + len;
	if ((size_t)(space - line) + 1 > IRC_TAGS_MAX)
		return NULL;
	return space + 1;
}

enum irc_parse
irc_parse(char *line, size_t len, size_t max, struct irc_msg *m)
{
	char *p;

	memset(m, 0, sizeof(*m));
	if (memchr(line, '\0', len) != NULL || memchr(line, '\r', len) != NULL)
		return IRC_PARSE_BAD;
	if ((p = skip_tags(line, len)) == NULL)
		return IRC_PARSE_TOOLONG;
	/* What is left, with its CRLF, must fit the line. */
	if ((size_t)(line + len - p) + 2 > max)
		return IRC_PARSE_TOOLONG;
	p = skip_spaces(p);
	if (*p == ':')
		p = skip_spaces(cut_word(p));
	/* Nothing, or a second prefix: no command to answer. */
	if (*p == '\0' || *p == ':')
		return IRC_PARSE_EMPTY;
	m->command = p;
	p = cut_word(p);
	while (m->count < IRC_PARAMS_MAX) {
		p = skip_spaces(p);
		if (*p == '\0')
			break;
		if (*p == ':' || m->count == IRC_PARAMS_MAX - 1) {
			m->param[m->count++] = *p == ':' ? p + 1 : p;
			break;
		}
		m->param[m->count++] = p;
		p = cut_word(p);
	}
	return IRC_PARSE_OK;
}

int
irc_is_channel(const char *name)
{
	return name[0] == '#';
}
