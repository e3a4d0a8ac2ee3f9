/*
 * results.c -- the words of every result, and its error code.
 *
 * A template names the result's parameters in braces: {user}, {group},
 * {count}, {s} (the plural ending of count), {hex} (count as 4+ hex
 * digits) and {text}.  A new outcome is one row here.
 */
#include <stdio.h>
#include <string.h>

#include "results.h"

struct row {
	enum core_error	 error;		/* ERR_NONE: a notice */
	const char	*words;
};

static const struct row rows[CR_STATUS_COUNT] = {
	[CR_OK] = { ERR_NONE, "" },
	[CR_WELCOME] = { ERR_NONE,
	    "welcome, {user} ({count} other{s} online; /help for commands)" },
	[CR_BYE] = { ERR_NONE, "bye" },
	[CR_CREATED] = { ERR_NONE, "created #{group}; you own it" },
	[CR_JOINED] = { ERR_NONE, "joined #{group} ({count} member{s})" },
	[CR_LEFT] = { ERR_NONE, "left #{group}" },
	[CR_KICKED] = { ERR_NONE, "kicked {user} from #{group}" },
	[CR_INVITED] = { ERR_NONE, "invited {user} to #{group}" },
	[CR_NOW_INVITE_ONLY] = { ERR_NONE, "#{group} is now invite-only" },
	[CR_NOW_OPEN] = { ERR_NONE, "#{group} is now open to everyone" },
	[CR_USERS_NOT_SHOWN] = { ERR_NONE, "{count} more user{s} not shown; "
	    "/users PREFIX lists only the users whose names start with PREFIX" },
	[CR_NO_GROUPS] = { ERR_NONE, "no groups; /create_group <group> makes one" },
	[CR_NO_GROUPS_MATCH] = { ERR_NONE,
	    "no groups start with that; /groups lists them all" },
	[CR_MEMBERS_NOT_SHOWN] = { ERR_NONE,
	    "{count} more member{s} of #{group} not shown" },
	[CR_GROUPS_NOT_SHOWN] = { ERR_NONE, "{count} more group{s} not shown; "
	    "/groups PREFIX lists only the groups whose names start with PREFIX" },
	[CR_EVENTS_ON] = { ERR_NONE, "events on" },
	[CR_EVENTS_OFF] = { ERR_NONE, "events off" },
	[CR_NAME_INVALID] = { ERR_NAME_INVALID, "a name is 1-32 letters, digits, "
	    "'_', '-' or '.', starting with a letter" },
	[CR_NAME_TAKEN] = { ERR_NAME_TAKEN,
	    "{user} is already in use; choose another" },
	[CR_NAME_LOOKALIKE] = { ERR_NAME_TAKEN, "{user} looks too much like "
	    "the name of a user online; choose another" },
	[CR_NAME_RESERVED] = { ERR_NAME_TAKEN, "{user} is reserved (notices say "
	    "\"you\" to their reader); choose another" },
	[CR_GUESTS_DISABLED] = { ERR_GUESTS_DISABLED, "{user} is not a "
	    "registered user and this server does not allow guests" },
	[CR_BAD_PASSWORD] = { ERR_BAD_PASSWORD, "wrong password for {user}" },
	[CR_AUTH_FAILED] = { ERR_AUTH_FAILED,
	    "too many wrong passwords; closing" },
	[CR_ALREADY_ONLINE] = { ERR_ALREADY_ONLINE,
	    "{user} is already logged in elsewhere" },
	[CR_DID_NOT_LEAVE] = { ERR_ALREADY_ONLINE,
	    "{user} is logged in and did not leave in time" },
	[CR_ACCOUNT_LOCKED] = { ERR_UNAVAILABLE,
	    "the account {user} cannot be used now; ask the operator" },
	[CR_ACCOUNTS_UNREADABLE] = { ERR_UNAVAILABLE,
	    "cannot check accounts now; try again later" },
	[CR_LOGIN_TIMEOUT] = { ERR_LOGIN_TIMEOUT,
	    "no login within {count} seconds; closing" },
	[CR_IDLE_TIMEOUT] = { ERR_IDLE_TIMEOUT,
	    "nothing sent for {count} seconds; closing" },
	[CR_LINE_TOO_LONG] = { ERR_LINE_TOO_LONG, "lines are limited to {count} "
	    "bytes; the rest of that line was discarded" },
	[CR_TEXT_TOO_LONG] = { ERR_LINE_TOO_LONG, "text is limited to {count} "
	    "bytes; nothing was sent" },
	[CR_BAD_UTF8] = { ERR_BAD_UTF8, "line is not valid UTF-8; not sent" },
	[CR_NUL_BYTE] = { ERR_NUL_BYTE, "line contains a NUL byte; not sent" },
	[CR_CONTROL_CHAR] = { ERR_CONTROL_CHAR, "line contains a control "
	    "character (only tab is allowed); not sent" },
	[CR_HIDDEN_CHAR] = { ERR_CONTROL_CHAR, "line contains an invisible or "
	    "bidirectional formatting character (U+{hex}); not sent" },
	[CR_UNKNOWN_COMMAND] = { ERR_UNKNOWN_COMMAND,
	    "/{text} is not a command; /help lists them" },
	[CR_USAGE] = { ERR_MISSING_ARGUMENT, "usage: {text}" },
	[CR_NOTHING_TO_SEND] = { ERR_MISSING_ARGUMENT,
	    "nothing to send: the text is only blanks" },
	[CR_NO_SUCH_USER] = { ERR_NO_SUCH_USER, "there is no user named {user}" },
	[CR_USER_OFFLINE] = { ERR_USER_OFFLINE, "{user} is not online" },
	[CR_MSG_SELF] = { ERR_BAD_TARGET,
	    "you cannot send a private message to yourself" },
	[CR_KICK_SELF] = { ERR_BAD_TARGET,
	    "you cannot kick yourself; /leave_group {group}" },
	[CR_BAD_GROUP_NAME] = { ERR_BAD_GROUP_NAME, "a group name is 1-32 "
	    "letters, digits, '_', '-' or '.', starting with a letter" },
	[CR_GROUP_EXISTS] = { ERR_GROUP_EXISTS,
	    "#{group} already exists; /join_group {group}" },
	[CR_TOO_MANY_GROUPS] = { ERR_TOO_MANY_GROUPS,
	    "the server has {count} groups, the most allowed" },
	[CR_TOO_MANY_OWNED] = { ERR_TOO_MANY_OWNED, "a user may own at most "
	    "{count} groups; /leave_group one of yours first" },
	[CR_NO_SUCH_GROUP] = { ERR_NO_SUCH_GROUP, "there is no group #{group}" },
	[CR_NOT_MEMBER] = { ERR_NOT_MEMBER, "you are not in #{group}" },
	[CR_TARGET_NOT_MEMBER] = { ERR_NOT_MEMBER, "{user} is not in #{group}" },
	[CR_ALREADY_MEMBER] = { ERR_ALREADY_MEMBER,
	    "you are already in #{group}" },
	[CR_TARGET_MEMBER] = { ERR_ALREADY_MEMBER,
	    "{user} is already in #{group}" },
	[CR_NOT_OWNER] = { ERR_NOT_OWNER,
	    "only the owner of #{group} can do that" },
	[CR_INVITE_ONLY] = { ERR_INVITE_ONLY,
	    "#{group} is invite-only; ask its owner for an invite" },
	[CR_GROUP_FULL] = { ERR_GROUP_FULL,
	    "#{group} has {count} members, the most allowed" },
	[CR_FLOOD] = { ERR_FLOOD,
	    "too much unread input (more than {count} bytes); closing" },
	[CR_CLOSED] = { ERR_CLOSED, "{text}" },
	[CR_SERVER_FULL] = { ERR_SERVER_FULL,
	    "the server is full ({count} connections); try again later" },
	[CR_TOO_MANY_PENDING] = { ERR_TOO_MANY_PENDING, "{count} connections "
	    "from your address have not logged in yet, the most allowed; log in "
	    "on one or close one, then try again" },
	[CR_MISCONFIGURED] = { ERR_UNAVAILABLE,
	    "the chat service is misconfigured; try again later" },
	[CR_NOT_RUNNING] = { ERR_UNAVAILABLE,
	    "the chat service is not running; try again later" },
	[CR_REFUSED] = { ERR_UNAVAILABLE,
	    "the chat service refused this connection; try again later" },
	[CR_OFFLINE_KEPT] = { ERR_NONE, "{user} is offline; the message will be "
	    "delivered when they log in" },
	[CR_OFFLINE_FULL] = { ERR_OFFLINE_FULL, "{user} is offline and has "
	    "{count} message{s} waiting already; try again later" },
	[CR_OFFLINE_WAITING] = { ERR_NONE,
	    "{count} message{s} arrived while you were away" },
	[CR_HISTORY_UNAVAILABLE] = { ERR_HISTORY_UNAVAILABLE,
	    "history is not available now; try again later" },
	[CR_HISTORY_START] = { ERR_NONE, "history of {text} ({count} line{s}):" },
	[CR_HISTORY_END] = { ERR_NONE, "end of history" },
	[CR_REJOINED] = { ERR_NONE,
	    "you are in #{group} again ({count} member{s} online)" },
};

void
core_result_set(struct core_result *r, enum core_status status)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
}

enum core_error
core_result_error(enum core_status status)
{
	if ((unsigned)status >= CR_STATUS_COUNT)
		return ERR_NONE;
	return rows[status].error;
}

/* The value of parameter name (len bytes) into val; 0 if unknown. */
static int
parameter(const struct core_result *r, const char *name, size_t len,
    char *val, size_t size)
{
	if (len == 4 && memcmp(name, "user", 4) == 0)
		snprintf(val, size, "%s", r->user);
	else if (len == 5 && memcmp(name, "group", 5) == 0)
		snprintf(val, size, "%s", r->group);
	else if (len == 5 && memcmp(name, "count", 5) == 0)
		snprintf(val, size, "%u", r->count);
	else if (len == 1 && name[0] == 's')
		snprintf(val, size, "%s", r->count == 1 ? "" : "s");
	else if (len == 3 && memcmp(name, "hex", 3) == 0)
		snprintf(val, size, "%04X", r->count);
	else if (len == 4 && memcmp(name, "text", 4) == 0)
		snprintf(val, size, "%s", r->text != NULL ? r->text : "");
	else
		return 0;
	return 1;
}

/* Append n bytes of s to buf (size bytes) at *at, as far as they fit. */
static void
put(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + 1 >= size)
		return;
	if (n > size - 1 - *at)
		n = size - 1 - *at;
	memcpy(buf + *at, s, n);
	*at += n;
}

size_t
core_result_text(const struct core_result *r, char *buf, size_t size)
{
	const char *p, *close;
	char val[512];
	size_t at = 0;

	if (size == 0)
		return 0;
	p = (unsigned)r->status < CR_STATUS_COUNT ? rows[r->status].words : "";
	while (*p != '\0') {
		close = p[0] == '{' ? strchr(p, '}') : NULL;
		if (close != NULL &&
		    parameter(r, p + 1, (size_t)(close - p - 1), val, sizeof(val))) {
			put(buf, size, &at, val, strlen(val));
			p = close + 1;
		} else
			put(buf, size, &at, p++, 1);
	}
	buf[at] = '\0';
	return at;
}
