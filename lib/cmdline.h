/*
 * cmdline.h -- split a client line into a command and its arguments.
 *
 * Pure string handling with no session and no I/O, so the fuzzer can
 * run it on its own.  A line starting with "/" (but not "//") is a
 * command; anything else is chat text, and a leading "//" stands for a
 * literal "/".
 */
#ifndef CHAT_CMDLINE_H
#define CHAT_CMDLINE_H

#include <stddef.h>

enum cmdline_kind {
	CMDLINE_TEXT,		/* *args is the text to send */
	CMDLINE_COMMAND,	/* *name is the command (no "/"), *args the rest */
};

/* Parse a NUL-ended line in place (the command name is NUL-ended). */
enum cmdline_kind cmdline_parse(char *line, char **name, char **args);
/* Split the next blank-separated word off *args ("" when none). */
char	*cmdline_next_word(char **args);
/* Number of blank-separated words in args. */
int	cmdline_count_words(const char *args);

#endif
