/*
 * errors.h -- the error codes every front door reports.
 *
 * Owns the one list of codes: the stable token a program reads ("!
 * code: text" on a line client, "code" in JSON, a numeric's reason on
 * IRC), what it means, and whether the connection ends with it.
 * doc/protocol.md's error table and chat-client's list of closing errors
 * come from here (t/unit_core checks the document).
 */
#ifndef CHAT_CORE_ERRORS_H
#define CHAT_CORE_ERRORS_H

enum core_error {
	ERR_NONE = 0,
	ERR_NAME_INVALID,
	ERR_NAME_TAKEN,
	ERR_GUESTS_DISABLED,
	ERR_BAD_PASSWORD,
	ERR_AUTH_FAILED,
	ERR_ALREADY_ONLINE,
	ERR_LOGIN_TIMEOUT,
	ERR_IDLE_TIMEOUT,
	ERR_LINE_TOO_LONG,
	ERR_BAD_UTF8,
	ERR_NUL_BYTE,
	ERR_CONTROL_CHAR,
	ERR_UNKNOWN_COMMAND,
	ERR_MISSING_ARGUMENT,
	ERR_NO_SUCH_USER,
	ERR_USER_OFFLINE,
	ERR_BAD_TARGET,
	ERR_BAD_GROUP_NAME,
	ERR_GROUP_EXISTS,
	ERR_TOO_MANY_GROUPS,
	ERR_TOO_MANY_OWNED,
	ERR_NO_SUCH_GROUP,
	ERR_NOT_MEMBER,
	ERR_ALREADY_MEMBER,
	ERR_NOT_OWNER,
	ERR_INVITE_ONLY,
	ERR_GROUP_FULL,
	ERR_FLOOD,
	ERR_CLOSED,
	ERR_SERVER_FULL,
	ERR_TOO_MANY_PENDING,
	ERR_UNAVAILABLE,
	ERR_HISTORY_UNAVAILABLE,
	ERR_OFFLINE_FULL,
	ERR_COUNT
};

struct core_error_info {
	const char	*code;		/* the stable token: "name-taken" */
	const char	*meaning;	/* when it is given, for people */
	int		 closes;	/* 1: the connection ends with it */
};

/* The row of err (ERR_NONE < err < ERR_COUNT), or NULL. */
const struct core_error_info *core_error_info(enum core_error err);
/* The error whose code is code, or ERR_NONE. */
enum core_error	core_error_by_code(const char *code);

#endif
