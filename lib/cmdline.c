/*
 * cmdline.c -- the syntax of a client line: "/name args" or text.
 *
 * Words are separated by spaces and tabs; the argument string keeps its
 * inner blanks (a message's text is the rest of the line).
 */
#include <string.h>

#include "cmdline.h"

char *
cmdline_next_word(char **args)
{
	char *word = *args, *end;

	end = word + strcspn(word, " \t");
	if (*end != '\0')
		*end++ = '\0';
	end += strspn(end, " \t");
	*args = end;
	return word;
}

int
cmdline_count_words(const char *args)
{
	int n = 0;

	args += strspn(args, " \t");
	while (*args != '\0') {
		n++;
		args += strcspn(args, " \t");
		args += strspn(args, " \t");
	}
	return n;
}

enum cmdline_kind
cmdline_parse(char *line, char **name, char **args)
{
	if (line[0] != '/' || line[1] == '/') {
		*name = NULL;
		*args = line[0] == '/' ? line + 1 : line;
		return CMDLINE_TEXT;
	}
	*args = line + 1;
	*name = cmdline_next_word(args);
	return CMDLINE_COMMAND;
}
