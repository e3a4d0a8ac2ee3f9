/*
 * results.h -- what an action of the chat core answers.
 *
 * Owns the outcomes the core's actions return (a status with its
 * parameters, never a formatted line) and the one table that says, for
 * each, its error code (or none: a notice) and its words.  Each front
 * door decides how to show a result: the line session as "! code: text"
 * or "* text", the web door as JSON, the IRC door as a numeric; the
 * text comes from here for all of them.
 */
#ifndef CHAT_CORE_RESULTS_H
#define CHAT_CORE_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "shm_layout.h"

enum core_status {
	CR_OK = 0,		/* done; nothing to say (a line sent) */
	/* Notices: the answer to the user's own action. */
	CR_WELCOME,
	CR_BYE,
	CR_CREATED,
	CR_JOINED,
	CR_LEFT,
	CR_KICKED,
	CR_INVITED,
	CR_NOW_INVITE_ONLY,
	CR_NOW_OPEN,
	CR_USERS_NOT_SHOWN,
	CR_NO_GROUPS,
	CR_NO_GROUPS_MATCH,
	CR_MEMBERS_NOT_SHOWN,
	CR_GROUPS_NOT_SHOWN,
	CR_EVENTS_ON,
	CR_EVENTS_OFF,
	/* Errors. */
	CR_NAME_INVALID,
	CR_NAME_TAKEN,
	CR_NAME_LOOKALIKE,
	CR_NAME_RESERVED,
	CR_GUESTS_DISABLED,
	CR_BAD_PASSWORD,
	CR_AUTH_FAILED,
	CR_ALREADY_ONLINE,
	CR_DID_NOT_LEAVE,
	CR_ACCOUNT_LOCKED,
	CR_ACCOUNTS_UNREADABLE,
	CR_LOGIN_TIMEOUT,
	CR_IDLE_TIMEOUT,
	CR_LINE_TOO_LONG,
	CR_TEXT_TOO_LONG,
	CR_BAD_UTF8,
	CR_NUL_BYTE,
	CR_CONTROL_CHAR,
	CR_HIDDEN_CHAR,
	CR_UNKNOWN_COMMAND,
	CR_USAGE,
	CR_NOTHING_TO_SEND,
	CR_NO_SUCH_USER,
	CR_USER_OFFLINE,
	CR_MSG_SELF,
	CR_KICK_SELF,
	CR_BAD_GROUP_NAME,
	CR_GROUP_EXISTS,
	CR_TOO_MANY_GROUPS,
	CR_TOO_MANY_OWNED,
	CR_NO_SUCH_GROUP,
	CR_NOT_MEMBER,
	CR_TARGET_NOT_MEMBER,
	CR_ALREADY_MEMBER,
	CR_TARGET_MEMBER,
	CR_NOT_OWNER,
	CR_INVITE_ONLY,
	CR_GROUP_FULL,
	CR_FLOOD,
	CR_CLOSED,
	CR_SERVER_FULL,
	CR_TOO_MANY_PENDING,
	CR_MISCONFIGURED,
	CR_NOT_RUNNING,
	CR_REFUSED,
	CR_OFFLINE_KEPT,
	CR_OFFLINE_FULL,
	CR_OFFLINE_WAITING,
	CR_HISTORY_UNAVAILABLE,
	CR_HISTORY_START,
	CR_HISTORY_END,
	CR_REJOINED,
	CR_STATUS_COUNT
};

/* An outcome and what its words need. */
struct core_result {
	enum core_status status;
	char		 user[SHM_NAME_MAX + 1];	/* {user} */
	char		 group[SHM_NAME_MAX + 1];	/* {group} */
	uint32_t	 count;		/* {count}; {s} is its plural "s";
					   {hex} shows it as U+ digits */
	const char	*text;		/* {text}: a usage, a reason; the
					   caller's, shown at once */
	int		 lagging;	/* the actor's own cursor lags: read
					   the log now */
	uint64_t	 seq;		/* the record a chat line was appended
					   as (CR_OK of say.c), the join
					   record (CR_JOINED), else 0 */
};

/* A result of status with no parameters. */
void	core_result_set(struct core_result *r, enum core_status status);
/* The error a status reports, or ERR_NONE for a notice (or CR_OK). */
enum core_error core_result_error(enum core_status status);
/*
 * The result's words in buf (size bytes, NUL-ended, cut if longer);
 * returns their length.  Empty for CR_OK.
 */
size_t	core_result_text(const struct core_result *r, char *buf, size_t size);

#endif
