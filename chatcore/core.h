/*
 * core.h -- the chat core: what a user may do, for every front door.
 *
 * Owns the chat's rules: who may send what to whom, the group rules,
 * the login rules (names, accounts, a user logging in twice), and the
 * listings.  An action takes typed arguments and returns a struct
 * core_result (results.h); it appends to the log and wakes the readers
 * through the user's hub link, but never formats or writes a line: the
 * front door (chat-session's src/, and the web and IRC doors) words the
 * result and the log's records in its own protocol.
 *
 *   say.c      chat lines to everyone, a user, a group
 *   groupact.c the group actions
 *   login.c    names, accounts, taking a name
 *   who.c      the users and groups, as data for a listing
 *   mentions.c which users a line @mentions
 *   history.c  /history, replay on joining, offline messages, kept groups
 *   results.c  the outcomes and their words; errors.c the error codes
 */
#ifndef CHAT_CORE_H
#define CHAT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "groups.h"
#include "histclient.h"
#include "hublink.h"
#include "results.h"
#include "shm.h"

/* Who acts: a front door's logged-in (or logging-in) user. */
struct core_user {
	const struct shm *shm;
	const struct chat_conf *conf;
	struct hublink	*link;		/* wakes the readers of its records */
	uint32_t	 slot, generation;
	const char	*name;		/* NUL-ended; "" before the login */
	const char	*peer;		/* the client's address, for the log */
	int		 registered;	/* logged in (or logging in) with a
					   password */
	unsigned	 say_flags;	/* RECF_* of the chat lines it says:
					   RECF_NOTICE for IRC's NOTICE */
};

/*
 * say.c.  A line of chat text (len bytes) as a client sent it: CR_OK,
 * or why it cannot be sent (CR_BAD_UTF8, CR_NUL_BYTE, CR_CONTROL_CHAR,
 * CR_HIDDEN_CHAR with the character in count, CR_TEXT_TOO_LONG with
 * max_line in count).  Every front door asks before an action; the
 * actions take text so checked, and cut it in place.
 */
void	core_check_text(const struct core_user *u, const char *text, size_t len,
	    struct core_result *r);

void	core_say_all(const struct core_user *u, char *text, size_t len,
	    struct core_result *r);
void	core_msg(const struct core_user *u, const char *to, char *text,
	    size_t len, struct core_result *r);
void	core_group_msg(const struct core_user *u, const char *group, char *text,
	    size_t len, struct core_result *r);
/* The reason a user leaving with /quit [text] gives the others. */
void	core_quit_reason(char *text, char *reason, size_t size);

/* mentions.c: the names "@name" in a line of chat text, at most max. */
#define CORE_MENTIONS_MAX	16
size_t	core_mentions(const char *text, size_t len,
	    char (*names)[SHM_NAME_MAX + 1], size_t max);
/* 1 if text @mentions name (any case). */
int	core_mentioned(const char *text, size_t len, const char *name);

/*
 * history.c.  Lines from the archive, oldest first, as the front door
 * words them (then core_lines_free).
 */
#define CORE_HISTORY_DEFAULT	50	/* /history's lines without N */
struct core_lines {
	struct hist_line *line;
	size_t		 count, room;
	uint64_t	 last_id;	/* offline: the last one taken */
	char		 label[SHM_NAME_MAX + 16]; /* {text} of CR_HISTORY_START */
};
void	core_lines_free(struct core_lines *l);
/*
 * /history [#group|user] [N]: target "" is the room; limit 0 is the
 * default.  CR_HISTORY_START with the lines and their count, or why not
 * (CR_HISTORY_UNAVAILABLE, CR_NOT_MEMBER, ...).  before: the reader's
 * log position (what it has not read yet is not history).
 */
void	core_history(const struct core_user *u, const char *target,
	    uint32_t limit, uint64_t before, struct core_lines *l,
	    struct core_result *r);
/*
 * The last history_replay lines of group before the user's join record
 * (CR_JOINED's seq): CR_HISTORY_START, CR_OK when replay is off, or
 * CR_HISTORY_UNAVAILABLE.
 */
void	core_replay(const struct core_user *u, const char *group,
	    uint64_t join_seq, struct core_lines *l, struct core_result *r);
/*
 * A core_msg answered CR_USER_OFFLINE: keep the message for the user's
 * next login if the archive takes it (CR_OFFLINE_KEPT, CR_OFFLINE_FULL);
 * else r is unchanged.
 */
void	core_keep_offline(const struct core_user *u, const char *to,
	    const char *text, size_t len, struct core_result *r);
/*
 * At a registered user's login: back into its kept groups (CR_REJOINED
 * to fn for each), its invitations given again, and the private
 * messages kept for it in l (none if the archive cannot say).  Once
 * they are shown, core_offline_done marks them delivered and frees l.
 */
typedef void (*core_rejoined_fn)(void *arg, const struct core_result *r);
void	core_welcome_back(const struct core_user *u, core_rejoined_fn fn,
	    void *arg, struct core_lines *l);
void	core_offline_done(const struct core_user *u, struct core_lines *l);

/* groupact.c.  A group is named "name" or "#name". */
void	core_create_group(const struct core_user *u, const char *group,
	    struct core_result *r);
void	core_join_group(const struct core_user *u, const char *group,
	    struct core_result *r);
void	core_leave_group(const struct core_user *u, const char *group,
	    struct core_result *r);
/* Leave with reason (checked text, at most SHM_REASON_MAX - 1 bytes kept). */
void	core_part_group(const struct core_user *u, const char *group,
	    const char *reason, struct core_result *r);
/* reason: the user's words, cut in place; "" for none. */
void	core_kick(const struct core_user *u, const char *group, const char *user,
	    char *reason, struct core_result *r);
void	core_invite(const struct core_user *u, const char *group,
	    const char *user, struct core_result *r);
void	core_set_invite_only(const struct core_user *u, const char *group,
	    int on, struct core_result *r);

/* login.c */
/* A name as typed: CR_OK, CR_NAME_INVALID or CR_NAME_RESERVED. */
void	core_check_name(const char *name, size_t len, struct core_result *r);
enum core_account {
	ACCOUNT_GUEST,		/* not registered; a guest may use it */
	ACCOUNT_REGISTERED,	/* registered: ask the password */
	ACCOUNT_REFUSED,	/* *r says why (guests disabled, locked,
				   the users file unreadable) */
};
/* What u->name is; logs what an operator must fix. */
enum core_account core_account(const struct core_user *u, struct core_result *r);
/* 1 if password is u->name's. */
int	core_check_password(const struct core_user *u, const char *password);
/* Wrong passwords a connection may give before it is closed. */
#define CORE_LOGIN_MAX_FAILURES	3
/*
 * A password given for u->name: CR_OK; else *failures is counted, logged
 * with the peer, and answered after one more second per failure:
 * CR_BAD_PASSWORD (ask again), or CR_AUTH_FAILED at the last (close).
 */
enum core_status core_password_attempt(const struct core_user *u,
	    const char *password, int *failures);
/*
 * Take u->name for u->slot: CR_OK with *after_join the log position
 * after the join record, or why not (a name in use, a registered user
 * online: refused, or the older session replaced under
 * duplicate_login and takeover_after).
 */
void	core_take_name(const struct core_user *u, uint64_t *after_join,
	    struct core_result *r);

/* who.c */
/* 1 if name (a segment name) starts with prefix (len bytes), any case. */
int	core_name_matches(const char *name, const char *prefix, size_t len);
/* The users online whose names start with prefix (all for ""). */
uint32_t core_users_count(const struct core_user *u, const char *prefix);
/* A user online, as a listing shows it. */
struct user_view {
	char		name[SHM_NAME_MAX + 1];
	uint32_t	transport;	/* TRANSPORT_*: shm_transport_name() */
	char		node[SHM_NAME_MAX + 1];	/* another node's user: the
					   node's name; else "" */
	uint32_t	slot;		/* its slot (registry_away) */
	char		ident[SHM_IDENT_MAX + 1];	/* IRC's USER name; "" */
	char		realname[SHM_REALNAME_MAX + 1];	/* IRC's real name; "" */
	int64_t		last_active;	/* unix time it was last heard from */
	int		registered;	/* logged in with a password */
};
/*
 * The next such user from *cursor on (start at 0): 1 with it in *v, or
 * 0 at the end.
 */
int	core_users_next(const struct core_user *u, const char *prefix,
	    uint32_t *cursor, struct user_view *v);
/* The user online named name (any case): 1 with it in *v. */
int	core_find_user(const struct core_user *u, const char *name,
	    struct user_view *v);
/* The next group the user is invited to (as core_groups_next): its name. */
int	core_invitations_next(const struct core_user *u, uint32_t *cursor,
	    char name[SHM_NAME_MAX + 1]);
/* A user named by the actor is not online: which error says so. */
void	core_not_online(const struct core_user *u, const char *name,
	    struct core_result *r);

/*
 * The next group whose name starts with prefix, from *cursor on (start
 * at 0): 1 with it copied into *g (as many members as g->room), or 0 at
 * the end.
 */
int	core_groups_next(const struct core_user *u, const char *prefix,
	    uint32_t *cursor, struct group_view *g);

#endif
