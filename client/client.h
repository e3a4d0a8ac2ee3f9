/*
 * client.h -- chat-client's types and, grouped by the file that defines
 * them, the functions each file exports.
 *
 * The client is a core shared by both modes (net.c, proto.c, session.c,
 * rejoin.c, names.c, commands.c) and two front ends (tui.c with pane.c,
 * lineedit.c and complete.c; linemode.c).  The core never prints: it
 * hands every line to show to its front end through struct frontend.
 */
#ifndef CHAT_CLIENT_H
#define CHAT_CLIENT_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "linebuf.h"
#include "shm_layout.h"

#define CLIENT_NAME_MAX		SHM_NAME_MAX	/* user and group names, bytes */
#define CLIENT_PASSWORD_MAX	256	/* bytes, without the newline */
#define CLIENT_LINE_MAX		65536	/* longest server line kept */
#define CLIENT_INPUT_MAX	2048	/* characters on the input line */
#define CLIENT_GROUPS_MAX	256	/* groups joined, and to rejoin */

/* Exit statuses (documented in chat-client(1)). */
#define CLIENT_EXIT_OK		0	/* quit, end of input, --send done */
#define CLIENT_EXIT_REFUSED	1	/* the server refused the login or line */
/* EXIT_USAGE (100) and EXIT_SYSTEM (111) come from log.h. */

/* ------------------------------------------------------------------ */
/* proto.c: what a server line is */

enum line_kind {
	LINE_PROMPT,		/* "? name:" */
	LINE_NOTICE,		/* "* text" */
	LINE_ERROR,		/* "! code: text" */
	LINE_CHAT,		/* "<from> text", said to everyone */
	LINE_PRIVATE,		/* "*from* text", said to us */
	LINE_GROUP,		/* "#group <from> text" */
	LINE_UNKNOWN,		/* anything else: shown as it is */
};


enum notice_kind {
	NOTICE_OTHER,
	NOTICE_WELCOME,		/* "welcome, NAME (...)": name */
	NOTICE_BYE,		/* "bye": the answer to /quit */
	NOTICE_USER_JOINED,	/* "NAME joined": name */
	NOTICE_USER_LEFT,	/* "NAME left (REASON)": name */
	NOTICE_USERS,		/* "users (N): a b c": list */
	NOTICE_GROUP_INFO,	/* "#G (owner O[, invite-only], N members): a b":
				   group, name (the owner), invite_only, list */
	NOTICE_YOU_JOINED,	/* "joined #G (N members)": group */
	NOTICE_YOU_LEFT,	/* "left #G": group */
	NOTICE_CREATED,		/* "created #G; you own it": group */
	NOTICE_MEMBER_JOINED,	/* "NAME joined #G": name, group */
	NOTICE_MEMBER_LEFT,	/* "NAME left #G", "X kicked NAME from #G": */
	NOTICE_KICKED_YOU,	/* "NAME kicked you from #G (R)": name, group */
	NOTICE_INVITED_YOU,	/* "NAME invited you to #G; ...": name, group */
	NOTICE_NEW_OWNER,	/* "NAME now owns #G": name, group */
	NOTICE_MADE,		/* "NAME made #G invite-only" (or "open to
				   everyone"): name, group, invite_only */
	NOTICE_GROUP_MODE,	/* "#G is now invite-only" (or "open to
				   everyone"): group, invite_only */
};

struct notice {
	enum notice_kind kind;
	char		 name[CLIENT_NAME_MAX + 1];
	char		 group[CLIENT_NAME_MAX + 1];
	const char	*list;		/* names separated by spaces, or NULL */
	int		 invite_only;	/* the group kinds above that say */
};

/*
 * A line from the server.  A group event comes in its machine form ("=
 * group EVENT ...", asked for with /events on): it is a notice whose
 * words (shown) are the core's (chatcore/events.c), its facts already
 * in notice; no sentence is parsed back.
 */
struct line {
	enum line_kind	 kind;
	const char	*raw;		/* the whole line, NUL-terminated */
	const char	*text;		/* after the prefix (and error code) */
	char		 code[32];	/* LINE_ERROR: "name-taken" */
	char		 from[CLIENT_NAME_MAX + 1];	/* chat kinds */
	char		 group[CLIENT_NAME_MAX + 1];	/* LINE_GROUP */
	int		 event;		/* a group event: */
	struct notice	 notice;	/*   what it says */
	char		 shown[512];	/*   "* " and its words */
};

/* me: the user's name ("" before the login), to tell "you" in events. */
void	proto_parse(const char *raw, const char *me, struct line *l);
void	proto_notice(const struct line *l, struct notice *n);
/* Copy a name (letters, digits, '_', '-', '.') from *p; 0 if none. */
int	proto_take_name(const char **p, char *name, size_t size);
/* 1 if the server closes the connection after error code: it answers no
 * command ("closed", "idle-timeout", "flood"). */
int	proto_closing_error(const char *code);

/* ------------------------------------------------------------------ */
/* net.c: the connection */

enum net_state {
	NET_DOWN,		/* no socket */
	NET_CONNECTING,		/* connect(2) in progress */
	NET_UP,			/* connected */
};

struct net {
	char		*host;
	char		*port;
	struct addrinfo	*addrs;		/* resolved at each connect */
	struct addrinfo	*next_addr;	/* the one to try after this */
	enum net_state	 state;
	int		 fd;
	struct linebuf	 in;
	char		*out;		/* bytes waiting for the socket */
	size_t		 out_len, out_cap;
	int		 backoff_ms;	/* the last delay used, 0 after success */
};

int	net_init(struct net *, const char *host, const char *port);
void	net_free(struct net *);
/* Start connecting; -1 with err filled when no address can be tried. */
int	net_connect(struct net *, char *err, size_t errsize);
/* POLLOUT on a connecting socket: 1 up, 0 still trying, -1 failed. */
int	net_connect_done(struct net *, char *err, size_t errsize);
void	net_close(struct net *);
/* Queue line and "\n"; -1 if out of memory. */
int	net_send(struct net *, const char *line);
/* Write what is queued; -1 on a socket error. */
int	net_flush(struct net *, char *err, size_t errsize);
/* Read; 1 data, 0 end of file, -1 error (err filled). */
int	net_read(struct net *, char *err, size_t errsize);
/* The next whole line (NUL-terminated), 0 when none is complete. */
int	net_next_line(struct net *, char **line);
/* The poll(2) events the socket waits for. */
short	net_events(const struct net *);
/* Delay before the next reconnect attempt: doubling, capped, jittered. */
int	net_backoff(struct net *);
void	net_backoff_reset(struct net *);

/* ------------------------------------------------------------------ */
/* names.c: user and group names learned from the server */

struct names;

struct names	*names_new(void);
void	names_free(struct names *);
/* Names starting with prefix (any case), sorted; returns how many. */
size_t	names_match(const struct names *, int groups, const char *prefix,
	    const char **out, size_t max);
/* Learn from one line of the server. */
void	names_learn(struct names *, const struct line *);

/* ------------------------------------------------------------------ */
/* groupinfo.c: what the client knows of each group */

struct group_facts {
	char	name[CLIENT_NAME_MAX + 1];
	char	owner[CLIENT_NAME_MAX + 1];	/* "" unknown */
	int	invite_only;			/* -1 unknown */
};

struct groupinfo;

struct groupinfo *groupinfo_new(void);
void	groupinfo_free(struct groupinfo *);
/* What is known of group, or NULL. */
const struct group_facts *groupinfo_find(const struct groupinfo *,
	    const char *group);
/* Learn from one line of the server; me is this user's name. */
void	groupinfo_learn(struct groupinfo *, const struct line *, const char *me);

/* ------------------------------------------------------------------ */
/* session.c: the conversation with the server, for both modes */

enum conn_state {
	CONN_CONNECTING,	/* TCP connect in progress */
	CONN_LOGIN,		/* connected, answering the login prompts */
	CONN_CHAT,		/* logged in */
	CONN_WAITING,		/* dropped; retrying at retry_at */
	CONN_CLOSED,		/* dropped for good: /reconnect or /quit */
	CONN_DONE,		/* finished: exit with exit_code */
};

enum ask {
	ASK_NONE,
	ASK_NAME,		/* the server asks for a name we do not have */
	ASK_PASSWORD,		/* ... for a password we do not have */
	ASK_OTHER,		/* a prompt this client does not know */
};

enum show_kind {
	SHOW_CHAT,		/* "<bob> hi" */
	SHOW_PRIVATE,		/* "*bob* hi" */
	SHOW_GROUP,		/* "#dev <bob> hi" */
	SHOW_NOTICE,		/* "* ...", also prompts */
	SHOW_ERROR,		/* "! code: ..." */
	SHOW_OWN,		/* what this user sent, shown by the client */
	SHOW_CLIENT,		/* the client's own remarks */
	SHOW_CLIENT_ERROR,	/* the client's own complaints */
	SHOW_KINDS
};

enum target_kind {
	TARGET_ALL,		/* plain lines go to everyone */
	TARGET_USER,		/* ... as /msg USER */
	TARGET_GROUP,		/* ... as /group_msg GROUP */
};

struct session;

struct frontend {
	/* A line to show; l is the parsed server line, NULL for the
	 * client's own lines. */
	void	(*fe_show)(void *ctx, enum show_kind, const char *text,
		    const struct line *l);
	/* The connection, the groups or the target changed. */
	void	(*fe_status)(void *ctx);
	/* The server asks for what the client cannot answer itself. */
	void	(*fe_ask)(void *ctx, enum ask);
};

struct session_options {
	const char	*host, *port;
	const char	*name;		/* NULL: ask */
	const char	*password;	/* NULL: ask when the server does */
	int		 interactive;	/* a person answers and reads (TUI) */
	int		 reconnect;	/* reconnect after a drop */
	int		 learn_names;	/* /users and /groups after login */
};

struct session	*session_new(const struct session_options *,
		    const struct frontend *, void *ctx);
void	session_free(struct session *);
void	session_start(struct session *);
/* Fill pfd for poll(2); 0 when there is no socket to watch. */
int	session_pollfd(const struct session *, struct pollfd *);
/* Milliseconds until session_timer has work, -1 for none. */
int	session_timeout(const struct session *);
void	session_io(struct session *, short revents);
void	session_timer(struct session *);
/* A line the user typed (an answer to a prompt, a command, chat). */
void	session_input(struct session *, const char *line);
void	session_quit(struct session *, const char *reason);
void	session_reconnect(struct session *);
/* Say text as the client (SHOW_CLIENT or SHOW_CLIENT_ERROR). */
void	session_note(struct session *, enum show_kind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

enum conn_state	 session_state(const struct session *);
enum ask	 session_asking(const struct session *);
int		 session_exit_code(const struct session *);
const char	*session_name(const struct session *);
/* Seconds until the next reconnect attempt (CONN_WAITING). */
int		 session_retry_in(const struct session *);
size_t		 session_groups(struct session *, const char ***groups);
enum target_kind session_target(const struct session *, const char **name);
/* What the last reconnect found wrong with a group, for the status
 * line ("#secret: owner now mallory"); "" if nothing. */
const char	*session_warning(const struct session *);
void		 session_set_target(struct session *, enum target_kind,
		    const char *name);
struct names	*session_names(struct session *);
/* For rejoin.c: send line as it is, logged in or not; -1 if it did not
 * go (no connection, or it dropped now and the session dealt with it). */
int	session_send_line(struct session *, const char *line);
/* This user is in group (again): kept, and shown on the status line. */
void	session_add_group(struct session *, const char *group);
/* Group may not be the one the user was in (what: why, for the status
 * line): warn, and stop sending plain lines to it unawares. */
void	session_warn_group(struct session *, const char *group,
	    const char *what);

/* ------------------------------------------------------------------ */
/* rejoin.c: rejoining the groups after a reconnect, and checking them */

struct rejoin_state;

struct rejoin_state *rejoin_new(void);
void	rejoin_free(struct rejoin_state *);
/* The connection dropped while logged in to groups[0..n): remember each
 * group and what info knows of it (its owner, its mode; me: this user). */
void	rejoin_remember(struct rejoin_state *, const char *const *groups,
	    size_t n, const struct groupinfo *info, const char *me);
/* Logged in again: say so, send the rejoin commands and /groups. */
void	rejoin_start(struct rejoin_state *, struct session *);
/* A line while logged in: 1 if it answered a rejoin command (an error
 * answering one is not the user's: rejoin_check says what came of it). */
int	rejoin_answer(struct rejoin_state *, struct session *,
	    const struct line *);
/* A group's owner, from a /groups line: kept while the check waits. */
void	rejoin_owner(struct rejoin_state *, const char *group,
	    const char *owner);
/* 1 while the rejoin's /groups answer is not all in. */
int	rejoin_checking(const struct rejoin_state *);
/* 1 while group is being rejoined: its check is not done. */
int	rejoin_pending(const struct rejoin_state *, const char *group);
/* The end of the rejoin's /groups answer: settle and say each group. */
void	rejoin_check(struct rejoin_state *, struct session *);

/* ------------------------------------------------------------------ */
/* commands.c: the commands a user types */

enum arg_kind {
	ARG_OTHER,
	ARG_USER,
	ARG_GROUP,
};

struct command {
	const char	*name;		/* without the "/" */
	const char	*args;		/* per argument: 'u' user, 'g' group,
					   '-' other; for completion */
	/* The client's own (NULL: the server's): handles the command and
	 * returns 1 if the line should go to the server as well. */
	int		(*local)(struct session *, char *args);
	const char	*usage;
	const char	*help;
};

const struct command	*commands_find(const char *name);
/* The commands whose name starts with prefix, in table order. */
size_t	commands_match(const char *prefix, const char **out, size_t max);
/* What argument number argn (from 1) of command name is. */
enum arg_kind	commands_arg(const char *name, int argn);

/* ------------------------------------------------------------------ */
/* utf8.c: UTF-8 to and from wide characters */

/* Decode len bytes into at most max characters; bytes that are not
 * UTF-8, and control characters, become U+FFFD; tab becomes a space. */
size_t	utf8_decode(const char *s, size_t len, wchar_t *out, size_t max);
/* Encode n characters; NUL-terminated; -1 if out is too small. */
int	utf8_encode(const wchar_t *w, size_t n, char *out, size_t size);
/* Columns a character takes on the screen (at least 1 for printables). */
int	utf8_width(wchar_t c);

/* ------------------------------------------------------------------ */
/* lineedit.c: the input line and its history */

struct lineedit {
	wchar_t	 buf[CLIENT_INPUT_MAX + 1];
	size_t	 len;		/* characters in buf */
	size_t	 cursor;	/* 0..len */
	char	**history;	/* oldest first, UTF-8 */
	size_t	 hist_len, hist_cap;
	size_t	 hist_pos;	/* hist_len: the line being edited */
	wchar_t	*draft;		/* that line, while browsing history */
	size_t	 draft_len;
};

void	lineedit_init(struct lineedit *);
void	lineedit_free(struct lineedit *);
void	lineedit_insert(struct lineedit *, wchar_t);
void	lineedit_insert_str(struct lineedit *, const wchar_t *, size_t);
void	lineedit_left(struct lineedit *);
void	lineedit_right(struct lineedit *);
void	lineedit_home(struct lineedit *);
void	lineedit_end(struct lineedit *);
void	lineedit_backspace(struct lineedit *);
void	lineedit_delete(struct lineedit *);
void	lineedit_kill_start(struct lineedit *);	/* ctrl-u */
void	lineedit_kill_end(struct lineedit *);	/* ctrl-k */
void	lineedit_kill_word(struct lineedit *);	/* ctrl-w */
void	lineedit_history_up(struct lineedit *);
void	lineedit_history_down(struct lineedit *);
/* Take the line as UTF-8 (out holds 4 * CLIENT_INPUT_MAX + 1 bytes)
 * and empty the editor; remember it in the history if keep. */
void	lineedit_take(struct lineedit *, char *out, size_t size, int keep);
/* Empty the editor and wipe what it held. */
void	lineedit_clear(struct lineedit *);

/* ------------------------------------------------------------------ */
/* complete.c: Tab completion */

/* Complete the word before the cursor.  When it stays ambiguous the
 * candidates are written to list (space-separated) and 1 returned;
 * otherwise 0. */
int	complete_line(struct lineedit *, const struct names *, char *list,
	    size_t size);

/* ------------------------------------------------------------------ */
/* pane.c: the scrolling message pane */

struct pane;

struct pane	*pane_new(size_t max_entries);
void	pane_free(struct pane *);
void	pane_add(struct pane *, enum show_kind, time_t, const char *text,
	    int width);
/* Scroll by rows (positive: back in time); clamped. */
void	pane_scroll(struct pane *, int rows, int width, int height);
void	pane_bottom(struct pane *);
int	pane_scrolled(const struct pane *);	/* rows above the bottom */
int	pane_unseen(const struct pane *);	/* lines below the view */
/* Draw into win; attrs gives the attribute of each show_kind. */
void	pane_draw(struct pane *, void *win, const int *attrs);

/* ------------------------------------------------------------------ */
/* main.c */

/* The last SIGINT, SIGTERM or SIGHUP caught; a front end clears it. */
extern volatile sig_atomic_t client_signal;
/* Catch those three into client_signal, and ignore SIGPIPE. */
void	client_catch_signals(void);

/* ------------------------------------------------------------------ */
/* tui.c and linemode.c: the two front ends */

int	tui_run(const struct session_options *);
int	linemode_run(const struct session_options *, char **send,
	    size_t nsend);

#endif
