/*
 * mentions.c -- which users a line of chat text @mentions.
 *
 * The rule: "@" at the start of the text or after a character that
 * cannot be in a name, then a valid name (lib/text.c's rule), its
 * trailing '.' and '-' taken as punctuation ("thanks @bob."); each name
 * once, in the case first written.  Who is online does not matter: the
 * same text mentions the same names for every reader, at any time.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "text.h"

static int
in_name(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static int
already(char (*names)[SHM_NAME_MAX + 1], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return 1;
	return 0;
}

size_t
core_mentions(const char *text, size_t len, char (*names)[SHM_NAME_MAX + 1],
    size_t max)
{
	size_t n = 0, i = 0, start, end;

	while (i < len && n < max) {
		if (text[i] != '@' || (i > 0 && (in_name(text[i - 1]) ||
		    text[i - 1] == '@'))) {
			i++;
			continue;
		}
		start = ++i;
		while (i < len && in_name(text[i]))
			i++;
		for (end = i; end > start && (text[end - 1] == '.' ||
		    text[end - 1] == '-'); end--)
			;
		if (!name_valid(text + start, end - start))
			continue;
		memcpy(names[n], text + start, end - start);
		names[n][end - start] = '\0';
		if (!already(names, n, names[n]))
			n++;
	}
	return n;
}

int
core_mentioned(const char *text, size_t len, const char *name)
{
	char names[CORE_MENTIONS_MAX][SHM_NAME_MAX + 1];
	size_t n = core_mentions(text, len, names, CORE_MENTIONS_MAX);

	return already(names, n, name);
}
