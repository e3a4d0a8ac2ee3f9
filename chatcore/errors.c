/*
 * errors.c -- the table of error codes.
 */
#include <stddef.h>
#include <string.h>

#include "errors.h"

static const struct core_error_info errors[ERR_COUNT] = {
	[ERR_NAME_INVALID] = { "name-invalid",
	    "login: the name breaks the rule", 0 },
	[ERR_NAME_TAKEN] = { "name-taken",
	    "login: a user online has the name, a guest's name looks like one "
	    "online, or the name is reserved", 0 },
	[ERR_GUESTS_DISABLED] = { "guests-disabled",
	    "login: not a registered name and guests are not allowed", 0 },
	[ERR_BAD_PASSWORD] = { "bad-password", "login: wrong password", 0 },
	[ERR_AUTH_FAILED] = { "auth-failed", "login: third wrong password", 1 },
	[ERR_ALREADY_ONLINE] = { "already-online",
	    "login: the registered user is online", 0 },
	[ERR_LOGIN_TIMEOUT] = { "login-timeout",
	    "login not finished within login_timeout", 1 },
	[ERR_IDLE_TIMEOUT] = { "idle-timeout", "no line for idle_timeout", 1 },
	[ERR_LINE_TOO_LONG] = { "line-too-long",
	    "a line is longer than max_line", 0 },
	[ERR_BAD_UTF8] = { "bad-utf8", "a line is not valid UTF-8", 0 },
	[ERR_NUL_BYTE] = { "nul-byte", "a line contains a NUL byte", 0 },
	[ERR_CONTROL_CHAR] = { "control-char",
	    "a line contains a control or invisible formatting character", 0 },
	[ERR_UNKNOWN_COMMAND] = { "unknown-command", "not a command", 0 },
	[ERR_MISSING_ARGUMENT] = { "missing-argument",
	    "a command has too few arguments, or the text is only blanks", 0 },
	[ERR_NO_SUCH_USER] = { "no-such-user",
	    "nobody of that name is online or registered", 0 },
	[ERR_USER_OFFLINE] = { "user-offline",
	    "the registered user is not online", 0 },
	[ERR_BAD_TARGET] = { "bad-target",
	    "a private message to oneself, a kick of oneself", 0 },
	[ERR_BAD_GROUP_NAME] = { "bad-group-name",
	    "the group name breaks the rule", 0 },
	[ERR_GROUP_EXISTS] = { "group-exists", "the group name is taken", 0 },
	[ERR_TOO_MANY_GROUPS] = { "too-many-groups", "max_groups reached", 0 },
	[ERR_TOO_MANY_OWNED] = { "too-many-owned",
	    "the user owns max_groups_per_user groups", 0 },
	[ERR_NO_SUCH_GROUP] = { "no-such-group", "no group of that name", 0 },
	[ERR_NOT_MEMBER] = { "not-member",
	    "the user (or the target) is not in the group", 0 },
	[ERR_ALREADY_MEMBER] = { "already-member",
	    "already in the group", 0 },
	[ERR_NOT_OWNER] = { "not-owner",
	    "only the group's owner may do that", 0 },
	[ERR_INVITE_ONLY] = { "invite-only",
	    "the group is invite-only and there was no invitation", 0 },
	[ERR_GROUP_FULL] = { "group-full", "max_group_members reached", 0 },
	[ERR_FLOOD] = { "flood",
	    "more than max_recvq bytes unread while the client was slowed", 1 },
	[ERR_CLOSED] = { "closed",
	    "kicked by an operator, replaced by a newer login, or the server "
	    "could not go on serving the connection", 1 },
	[ERR_SERVER_FULL] = { "server-full",
	    "on connection: max_sessions connections present", 1 },
	[ERR_TOO_MANY_PENDING] = { "too-many-pending",
	    "on connection: max_pending_per_address connections from the "
	    "address are not logged in", 1 },
	[ERR_UNAVAILABLE] = { "unavailable",
	    "the service or the account cannot serve the connection now", 1 },
	[ERR_HISTORY_UNAVAILABLE] = { "history-unavailable",
	    "the archive (chat-historyd) cannot answer now", 0 },
	[ERR_OFFLINE_FULL] = { "offline-full",
	    "the offline user has offline_max messages waiting already", 0 },
};

const struct core_error_info *
core_error_info(enum core_error err)
{
	if (err <= ERR_NONE || err >= ERR_COUNT)
		return NULL;
	return &errors[err];
}

enum core_error
core_error_by_code(const char *code)
{
	for (int i = ERR_NONE + 1; i < ERR_COUNT; i++)
		if (strcmp(errors[i].code, code) == 0)
			return (enum core_error)i;
	return ERR_NONE;
}
