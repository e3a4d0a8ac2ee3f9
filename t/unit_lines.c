/*
 * unit_lines.c -- chat-session's line form of the core's results
 * (src/conn.c, result_line), linked alone: no segment, no socket.
 */
#include <string.h>

#include "session.h"
#include "tap.h"

static const char *
line_of(enum core_status status, const char *user, const char *group,
    uint32_t count, const char *text)
{
	static char line[RESULT_LINE_MAX];
	struct core_result r;

	core_result_set(&r, status);
	if (user != NULL)
		strlcpy(r.user, user, sizeof(r.user));
	if (group != NULL)
		strlcpy(r.group, group, sizeof(r.group));
	r.count = count;
	r.text = text;
	result_line(&r, line, sizeof(line));
	return line;
}

int
main(void)
{
	char small[16];
	struct core_result r;

	plan(9);
	is_string("* joined #dev (1 member)",
	    line_of(CR_JOINED, NULL, "dev", 1, NULL), "a notice: '* ' and its words");
	is_string("* welcome, ann (2 others online; /help for commands)",
	    line_of(CR_WELCOME, "ann", NULL, 2, NULL), "the welcome, with its plural");
	is_string("! group-full: #dev has 3 members, the most allowed",
	    line_of(CR_GROUP_FULL, NULL, "dev", 3, NULL), "an error: '! code: ' and its words");
	is_string("! missing-argument: usage: /msg <user> <text>",
	    line_of(CR_USAGE, NULL, NULL, 0, "/msg <user> <text>"), "a usage");
	is_string("! control-char: line contains an invisible or bidirectional "
	    "formatting character (U+200B); not sent",
	    line_of(CR_HIDDEN_CHAR, NULL, NULL, 0x200b, NULL), "a code point in hex");
	is_string("! closed: kicked by an operator: spam",
	    line_of(CR_CLOSED, NULL, NULL, 0, "kicked by an operator: spam"),
	    "a close request's reason");
	is_string("! unavailable: the account bob cannot be used now; ask the operator",
	    line_of(CR_ACCOUNT_LOCKED, "bob", NULL, 0, NULL),
	    "two results share a code (unavailable)");
	core_result_set(&r, CR_BYE);
	is_int(5, (long long)result_line(&r, small, 6), "a short buffer: cut, length told");
	is_string("* bye", small, "... and NUL-ended");
	return 0;
}
