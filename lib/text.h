/*
 * text.h -- what a client line and a user name may contain.
 *
 * Owns the rules: lines are valid UTF-8 without control characters (tab
 * allowed); names are 1-32 of letters, digits, '_', '-', '.', starting
 * with a letter.
 */
#ifndef CHAT_TEXT_H
#define CHAT_TEXT_H

#include <stddef.h>

enum text_fault {
	TEXT_OK = 0,
	TEXT_BAD_UTF8,		/* not valid UTF-8 */
	TEXT_NUL,		/* contains a NUL byte */
	TEXT_CONTROL,		/* contains a control character other than tab */
};

enum text_fault	text_check(const char *s, size_t len);
const char	*text_fault_string(enum text_fault fault);
/*
 * The longest prefix of valid UTF-8 s (len bytes) that is at most max
 * bytes and does not split a character.
 */
size_t		utf8_prefix(const char *s, size_t len, size_t max);
/* 1 if s (len bytes) is a valid user name, else 0. */
int		name_valid(const char *s, size_t len);

#endif
