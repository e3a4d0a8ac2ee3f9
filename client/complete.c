/*
 * complete.c -- Tab completion on the input line.
 *
 * Owns deciding what the word before the cursor is (a command, a user
 * or a group, from where it stands and what the command takes) and
 * completing it from commands.c's table and names.c's sets: one match
 * is completed with a space after it, several to their longest common
 * beginning, and when that adds nothing they are listed.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "client.h"

#define MATCH_MAX	256

/* What the word argn (0: the first) of the line is. */
static enum arg_kind
word_kind(const struct lineedit *e, size_t start, const char *word, int *cmd)
{
	char first[CLIENT_NAME_MAX + 2];
	size_t i = 0, n = 0;
	int argn = 0, in_word = 0;

	*cmd = 0;
	for (i = 0; i < start; i++) {
		if (iswspace((wint_t)e->buf[i]))
			in_word = 0;
		else if (!in_word) {
			in_word = 1;
			argn++;
		}
	}
	if (argn == 0 && word[0] == '/' && word[1] != '/') {
		*cmd = 1;
		return ARG_OTHER;
	}
	if (word[0] == '#')
		return ARG_GROUP;
	if (e->buf[0] != '/' || argn == 0)
		return ARG_USER;
	for (i = 1; i < e->len && !iswspace((wint_t)e->buf[i]) &&
	    n < sizeof(first) - 1; i++)
		first[n++] = e->buf[i] < 0x80 ? (char)e->buf[i] : '?';
	first[n] = '\0';
	switch (commands_arg(first, argn)) {
	case ARG_GROUP:
		return ARG_GROUP;
	case ARG_USER:
	case ARG_OTHER:
		break;
	}
	return ARG_USER;
}

/* Replace the word [start, cursor) with lead + text (+ a space). */
static void
replace(struct lineedit *e, size_t start, const char *lead, const char *text,
    int space)
{
	wchar_t w[CLIENT_NAME_MAX + 4];
	char buf[CLIENT_NAME_MAX + 4];
	size_t n;

	snprintf(buf, sizeof(buf), "%s%s%s", lead, text, space ? " " : "");
	n = utf8_decode(buf, strlen(buf), w, sizeof(w) / sizeof(w[0]));
	while (e->cursor > start)
		lineedit_backspace(e);
	lineedit_insert_str(e, w, n);
}

int
complete_line(struct lineedit *e, const struct names *names, char *list,
    size_t size)
{
	const char *match[MATCH_MAX], *lead = "";
	char word[4 * CLIENT_NAME_MAX + 8], common[CLIENT_NAME_MAX + 2];
	size_t start = e->cursor, nmatch, len, prefix_len;
	enum arg_kind kind;
	int cmd;

	while (start > 0 && !iswspace((wint_t)e->buf[start - 1]))
		start--;
	if (e->cursor - start > CLIENT_NAME_MAX + 1)
		return 0;
	if (utf8_encode(e->buf + start, e->cursor - start, word, sizeof(word)) == -1)
		return 0;
	kind = word_kind(e, start, word, &cmd);
	prefix_len = strlen(word);
	if (cmd) {
		lead = "/";
		nmatch = commands_match(word + 1, match, MATCH_MAX);
		prefix_len--;
	} else if (kind == ARG_GROUP) {
		lead = word[0] == '#' ? "#" : "";
		prefix_len -= strlen(lead);
		nmatch = names_match(names, 1, word + strlen(lead), match, MATCH_MAX);
	} else
		nmatch = names_match(names, 0, word, match, MATCH_MAX);
	if (nmatch == 0)
		return 0;
	if (nmatch == 1) {
		replace(e, start, lead, match[0], 1);
		return 0;
	}
	/* The longest beginning the matches share. */
	len = strlen(match[0]);
	for (size_t i = 1; i < nmatch; i++) {
		size_t j = 0;

		while (j < len && match[i][j] != '\0' &&
		    (cmd ? match[i][j] == match[0][j] :
		    strncasecmp(&match[i][j], &match[0][j], 1) == 0))
			j++;
		len = j;
	}
	if (len > prefix_len) {
		memcpy(common, match[0], len);
		common[len] = '\0';
		replace(e, start, lead, common, 0);
		return 0;
	}
	list[0] = '\0';
	for (size_t i = 0; i < nmatch; i++) {
		if (i > 0)
			strlcat(list, " ", size);
		strlcat(list, lead, size);
		strlcat(list, match[i], size);
	}
	return 1;
}
