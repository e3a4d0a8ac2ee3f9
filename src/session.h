/*
 * session.h -- chat-session's state, shared by its modules.
 *
 * conn.c     the epoll set, timers, closing, deadlines; lines for the client
 * listing.c  the budget of /users and /groups, which grow with the server
 * receive.c  reading the client's bytes (telnet commands taken out first,
 *            lib/telnet.c)
 * flood.c    pausing a flooder while its token bucket is empty
 * deliver.c  the log, read by lib/logreader.c, formatted for the client
 * wake.c     the hub link's events (lib/hublink.c) and wake-ups
 * login.c    the login dialogue: prompts, password delays (rules: the core)
 * groupcmds.c the group commands' words, and /groups
 * commands.c chat lines and the /command table (calls chatcore/core.h)
 * input.c    framing and checking the client's lines, to commands.c
 * session.c  start-up and the event loop
 */
#ifndef CHAT_SESSION_H
#define CHAT_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bucket.h"
#include "client.h"
#include "conf.h"
#include "core.h"
#include "hublink.h"
#include "linebuf.h"
#include "logreader.h"
#include "outq.h"
#include "shm.h"
#include "telnet.h"

enum session_state {
	SESSION_LOGIN,		/* waiting for a name (or its password) */
	SESSION_CHAT,		/* named, ACTIVE in the registry */
	SESSION_CLOSING,	/* flushing the last lines, then exit */
};

struct session {
	struct chat_conf conf;
	const char	*conf_path;
	struct shm	shm;
	pid_t		pid;
	struct client	client;		/* the connection and its peer */
	struct hublink	link;		/* to the hub: registration, wake-ups */
	int		throttle_fd;	/* flood control: resume reading; -1
					   until needed */
	int		deadline_fd;	/* login_timeout, idle_timeout */
	uint32_t	slot, generation;
	char		name[SHM_NAME_MAX + 1];
	enum session_state state;
	struct logreader reader;	/* the log, from the login on */
	struct telnet	tn;		/* telnet commands taken out of the input */
	struct linebuf	in;
	struct outq	out;
	char		*text;		/* max_line bytes for a record's text */
	int		in_eof;
	int		awaiting_password; /* login: name given, password next */
	int		auth_failures;
	int		registered;	/* logged in with a password */
	int		events;		/* /events on: group events in their
					   machine form ("= group ...") */
	struct bucket	bucket;		/* flood control */
	int		throttled;	/* not reading the client until a token */
	const char	*quit_reason;	/* why the session ends, for log and others */
	int		disc_reason;	/* DISC_* counted in the stats */
};

/*
 * The files are layers: each calls only the ones listed before it (and
 * chatcore/, lib/); tools/callgraph checks that none calls back.
 */

/* conn.c: the connection's state, and lines for the client */
void	session_close(struct session *s, int disc_reason, const char *why);
/* Make epoll watch the client for what the session wants now. */
void	session_update_events(struct session *s);
/* Re-arm the login or idle deadline (after login, after each line). */
void	session_arm_deadline(struct session *s);
/* Queue one line for the client: prefix + text + "\n". */
void	reply(struct session *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The longest line a result makes. */
#define RESULT_LINE_MAX	1024
/* A result's line (no newline) in line (size bytes); its length. */
size_t	result_line(const struct core_result *r, char *line, size_t size);
/* A core result as a line: "! code: words", "* words", nothing for CR_OK. */
void	reply_result(struct session *s, const struct core_result *r);
/* A result of status with only a count. */
void	reply_status(struct session *s, enum core_status status, uint32_t count);
/* A result of status about a user (and a count). */
void	reply_named(struct session *s, enum core_status status, const char *user,
	    uint32_t count);
/* A result of status whose words take text: a usage, a reason. */
void	reply_text(struct session *s, enum core_status status, const char *text);
/* The core's view of this session's user. */
void	session_user(const struct session *s, struct core_user *u);

/* listing.c: an answer written only while it fits its budget */
#define LISTING_PIECE_MAX 256	/* longest piece: a name, a group's header */
struct listing {
	struct session	*s;
	size_t		 left;	/* bytes it may still add, its newline included */
	int		 started; /* a piece was added: the budget applies */
	int		 in_line; /* a line is started and not yet ended */
	int		 cut;	/* a piece did not fit: nothing more is added */
	int		 no_memory; /* the queue could not grow: close at the end */
};
void	listing_start(struct listing *l, struct session *s);
/*
 * Add a piece of a line; -1 (and cut) if it does not fit with a newline.
 * The first piece (a header: "* users (N):") goes in whatever the budget
 * (if the queue itself has room), so an answer always says what it lists.
 */
int	listing_add(struct listing *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* End the line started, if any. */
void	listing_end_line(struct listing *l);
/*
 * After the listing, outside any segment lock: -1 if the output queue
 * could not grow (the session is then closed), else 0.
 */
int	listing_finish(struct listing *l);

/* receive.c: the client's bytes */
/* Read at most max bytes into the framer: the bytes, 0 at EOF, -1 (errno). */
ssize_t	receive_some(struct session *s, size_t max);
/* Bytes the client sent that the kernel holds unread (0 if not a socket). */
size_t	receive_pending(const struct session *s);
/*
 * After a wrong password: throw away the lines held, what the kernel
 * holds (telnet commands in it are still answered), and the rest of a
 * line cut there.  A corrected password typed meanwhile would otherwise
 * answer the next prompt.
 */
void	receive_discard_typed_ahead(struct session *s);

/* flood.c */
void	flood_init(struct session *s);
/* 1 if a line may be handled now (and take its token), else 0 (throttled). */
int	flood_take(struct session *s);
void	flood_refund(struct session *s);
/* The throttle timer fired: 1 if the held lines may be handled now. */
int	flood_resume(struct session *s);

/* deliver.c: the records the log reader returns, as lines */
void	deliver_drain(struct session *s);
/* The eventfd fired: drain, then act on a close request (kick, newer login). */
void	deliver_wakeup(struct session *s);

/* wake.c: the hub link's events and wake-ups, for the session */
/* Wake the readers of a record addressed to `to`; drain if we lag. */
void	session_wake(struct session *s, uint32_t to_kind, uint32_t to);
/* An action's result, then a drain if the user's cursor lags. */
void	session_answer(struct session *s, const struct core_result *r);
/* After a join or leave record: the hub wakes everyone, batched. */
void	session_presence(struct session *s);

/* login.c */
void	login_prompt(struct session *s);
void	login_line(struct session *s, char *line, size_t len);

/* groupcmds.c */
void	cmd_create_group(struct session *s, char *args);
void	cmd_join_group(struct session *s, char *args);
void	cmd_leave_group(struct session *s, char *args);
void	cmd_group_msg(struct session *s, char *args);
void	cmd_groups(struct session *s, char *args);
void	cmd_kick(struct session *s, char *args);
void	cmd_invite(struct session *s, char *args);
void	cmd_invite_only(struct session *s, char *args);

/* commands.c */
void	commands_line(struct session *s, char *line, size_t len);

/* history.c */
void	cmd_history(struct session *s, char *args);
void	history_replay(struct session *s, const struct core_result *joined);
void	history_welcome_back(struct session *s);

/* input.c: lines from the client, to commands.c */
void	input_read(struct session *s);
void	input_lines(struct session *s);
void	input_finish(struct session *s);

#endif
