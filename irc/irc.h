/*
 * irc.h -- chat-irc's state, shared by its modules.
 *
 * chat-irc serves one IRC connection per process, started like
 * chat-session and chat-web (lib/client.c).  An IRC user is a chat user
 * like a line client: a slot in the registry, a name (its nick), a
 * cursor in the log.  The rules are the core's (chatcore/core.h); this
 * program maps IRC commands (RFC 1459/2812, a little of IRCv3) to its
 * actions and words its results and the log's records as IRC lines and
 * numerics (doc/irc.md).  The room everyone is in is the channel
 * "#" irc_lobby; a group "g" is the channel "#g".
 *
 * The files are layers: each calls only the ones listed before it (and
 * chatcore/, lib/); tools/callgraph checks that none calls back.
 *
 * parse.c    one client line into a command and its parameters
 *            (untrusted bytes; fuzzed)
 * user.c     the chat user behind the connection: slot, hub link, login
 * conn.c     the epoll set, output lines and numerics, closing
 * results.c  the core's results as numerics
 * events.c   the log's records as IRC lines, and the drain
 * listing.c  NAMES, LIST, WHO, WHOIS, USERHOST, LUSERS
 * channels.c JOIN, PART, KICK, INVITE, MODE, TOPIC
 * messages.c PRIVMSG and NOTICE
 * welcome.c  registration: PASS, NICK, USER, CAP; the welcome burst
 * sasl.c     AUTHENTICATE: SASL PLAIN
 * commands.c the command table: PING, PONG, AWAY, QUIT, the rest
 * input.c    reading and framing the client's lines; flood control,
 *            pings and the idle timeout
 * main.c     start-up and the event loop
 */
#ifndef CHAT_IRC_H
#define CHAT_IRC_H

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

#define IRC_TAGS_MAX	4096	/* bytes of "@tags " a client may send
				   (IRCv3 message-tags: 4094 and "@", " ") */
#define IRC_LINE_BASE	512	/* RFC 1459's line, CRLF included */
#define IRC_PARAMS_MAX	15	/* parameters of one message */
#define IRC_PASSWORD_MAX 256	/* PASS: longer is wrong anyway */
#define IRC_AWAY_MAX	SHM_AWAY_MAX	/* AWAY text kept (AWAYLEN) */
#define IRC_CHANNEL_MAX	(SHM_NAME_MAX + 1)	/* "#" and a group name */
#define IRC_MASK_MAX	(3 * SHM_NAME_MAX + 3)	/* "nick!nick@server" */

/* IRCv3 capabilities (welcome.c offers them). */
enum irc_cap {
	CAP_ECHO_MESSAGE = 1,	/* the user's own PRIVMSG and NOTICE echoed */
	CAP_MULTI_PREFIX = 2,	/* every prefix in NAMES and WHO: only "@" */
	CAP_SERVER_TIME = 4,	/* "@time=" on lines of the log's records */
	CAP_SASL = 8,		/* AUTHENTICATE PLAIN (sasl.c) */
	CAP_USERHOST_IN_NAMES = 16,	/* NAMES lists "nick!user@host" */
	CAP_MESSAGE_TAGS = 32,	/* tags accepted (and dropped); TAGMSG */
};

enum sasl_state {
	SASL_NONE,		/* no AUTHENTICATE under way */
	SASL_PAYLOAD,		/* PLAIN chosen: its base64 chunks come */
};

enum irc_state {
	IRC_REGISTERING,	/* NICK, USER (PASS, CAP) not done yet */
	IRC_CHAT,		/* named, ACTIVE in the registry */
	IRC_CLOSING,		/* flushing what is queued, then exit */
};

struct irc {
	struct chat_conf conf;
	const char	*conf_path;
	struct client	client;		/* the connection, its peer, epoll set */
	pid_t		pid;
	enum irc_state	state;

	struct shm	shm;
	struct hublink	link;
	int		claimed;	/* slot/generation are ours */
	uint32_t	slot, generation;

	/* The client's lines and ours. */
	struct linebuf	in;
	int		in_eof;
	char		*msgline;	/* the line being handled, a copy */
	struct outq	out;
	char		*outline;	/* a line put together: linelen + 1 */
	size_t		linelen;	/* LINELEN: longest line, CRLF included */
	char		*text;		/* max_line bytes for a record's text */
	char		*say;		/* max_line bytes: a line being sent */
	char		server[SHM_NAME_MAX + 1];	/* our name: node_name */
	char		lobby[IRC_CHANNEL_MAX + 1];	/* "#lobby" */

	/* Registration (welcome.c). */
	char		nick[SHM_NAME_MAX + 1];	/* the chat name; "" before NICK */
	char		ident[SHM_IDENT_MAX + 1];	/* USER's user name */
	char		realname[SHM_REALNAME_MAX + 1];	/* USER's real name */
	int		user_given;	/* USER seen */
	int		cap_negotiating; /* CAP LS or REQ seen, no CAP END yet */
	unsigned	caps;		/* CAP_* the client asked for */
	char		tags[40];	/* "@time=...Z " before the lines of the
					   record being sent; "" otherwise */
	char		password[IRC_PASSWORD_MAX + 1];
	enum sasl_state	sasl_state;
	char		sasl_buf[1204];	/* base64 of "authz NUL authc NUL pw" */
	size_t		sasl_len;
	char		account[SHM_NAME_MAX + 1];	/* SASL's, "" if none */
	int		password_given;
	int		server_password_ok; /* PASS gave irc_password */
	int		registered;	/* logged in with a password */
	int		auth_failures;

	struct logreader reader;	/* the log, from the login on */

	/* Timers (input.c). */
	int		deadline_fd;	/* login_timeout, then a PONG due */
	int		ping_fd;	/* every ws_ping_interval */
	int		idle_fd;	/* idle_timeout since the last line */
	int		ping_unanswered; /* a PING is out */
	int		heard;		/* a line came since the last tick */
	int		throttle_fd;	/* flood control: read again; -1 */
	int		throttled;	/* not reading until a token */
	struct bucket	bucket;		/* rate_msgs, rate_burst */
};

/* A client's message, parsed in place (parse.c). */
struct irc_msg {
	char		*command;
	char		*param[IRC_PARAMS_MAX];
	int		 count;		/* parameters given */
};

/* parse.c */
enum irc_parse {
	IRC_PARSE_OK,
	IRC_PARSE_EMPTY,	/* nothing but blanks (and tags): ignored */
	IRC_PARSE_TOOLONG,	/* tags past IRC_TAGS_MAX or the rest past max */
	IRC_PARSE_BAD,		/* a NUL or CR inside the line */
};
/*
 * Parse line (len bytes, NUL-ended at len, modified in place): tags
 * skipped, a prefix skipped, the command and up to IRC_PARAMS_MAX
 * parameters.  max: the longest line without tags, CRLF included.
 */
enum irc_parse irc_parse(char *line, size_t len, size_t max, struct irc_msg *m);
/* 1 if name is a channel's ("#..."). */
int	irc_is_channel(const char *name);

/* user.c */
/* Claim a slot and register with the hub: 0, or -1 with *why. */
int	user_claim(struct irc *i, const char **why);
void	user_core(const struct irc *i, struct core_user *u);
/* The account rules for i->nick (core_account). */
enum core_account user_account(struct irc *i, struct core_result *r);
/* Take the name: CR_OK and the user is ACTIVE, reading the log. */
void	user_enter(struct irc *i, struct core_result *r);
/* Leave the chat: the slot released and the others told why. */
void	user_leave(struct irc *i, const char *why);

/* conn.c */
void	irc_update_events(struct irc *i);
/* Write what is queued: 1 while output remains. */
int	irc_flush(struct irc *i);
/* Queue one line (CRLF added; cut to linelen); -1 if it cannot be. */
int	irc_send(struct irc *i, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same for pieces of a line (CRLF added here): all or nothing. */
int	irc_send_pieces(struct irc *i, const struct outq_piece *p, size_t n);
/* ":server NNN nick " and the rest. */
int	irc_numeric(struct irc *i, int numeric, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* "ERROR :why" to the client, then the connection ends (its user leaves). */
void	irc_close(struct irc *i, int disc_reason, const char *why);
/* 1 if channel names the lobby (any case). */
int	irc_is_lobby(const struct irc *i, const char *channel);
/* "nick!nick@server" of a chat user, in buf. */
void	irc_mask(const struct irc *i, const char *nick, char *buf, size_t size);

/* results.c */
/*
 * A core result that is not CR_OK or a notice, as the numeric IRC has
 * for it (or 400 with the core's words), about target (a nick or a
 * channel; may be NULL) for the command cmd.
 */
void	results_numeric(struct irc *i, const struct core_result *r,
	    const char *cmd, const char *target);

/*
 * A client's words for a reason or a message kept (PART, KICK, AWAY):
 * checked as chat text (the numeric for cmd and target, and -1, when
 * they may not be), then cut at a character to fit buf: 0.
 */
int	results_words(struct irc *i, const char *given, const char *cmd,
	    const char *target, char *buf, size_t size);

/* events.c */
/* Drain the log: each record as the IRC line its reader sees. */
void	events_drain(struct irc *i);
/*
 * A line from the archive (a replayed group line, an offline private
 * message) as a PRIVMSG to target from its sender, with its own time
 * under server-time: 0, or -1 if the connection is closing.
 */
int	events_history_line(struct irc *i, const char *target,
	    const struct hist_line *l);
/*
 * echo-message: the user's own line (len bytes; an ACTION's if action)
 * sent back as cmd to target, with the time now under server-time.
 */
int	events_echo(struct irc *i, const char *cmd, const char *target,
	    const char *text, size_t len, int action);
/* A wake-up: drain, then act on a close request left for the user. */
void	events_wakeup(struct irc *i);

/* listing.c */
/* The group channel names (with or without "#", any case): 1 and *g. */
int	listing_group(struct irc *i, const char *channel, struct group_view *g);
void	listing_names(struct irc *i, const char *channel);
void	cmd_names(struct irc *i, struct irc_msg *m);
void	cmd_list(struct irc *i, struct irc_msg *m);
void	cmd_who(struct irc *i, struct irc_msg *m);
void	cmd_whois(struct irc *i, struct irc_msg *m);
void	cmd_userhost(struct irc *i, struct irc_msg *m);
/* 251, 254, 255: the users online, the channels (the lobby included). */
void	listing_lusers(struct irc *i);
void	cmd_lusers(struct irc *i, struct irc_msg *m);

/* channels.c */
void	cmd_join(struct irc *i, struct irc_msg *m);
void	cmd_part(struct irc *i, struct irc_msg *m);
void	cmd_kick(struct irc *i, struct irc_msg *m);
void	cmd_invite(struct irc *i, struct irc_msg *m);
void	cmd_mode(struct irc *i, struct irc_msg *m);
void	cmd_topic(struct irc *i, struct irc_msg *m);

/* messages.c */
void	cmd_privmsg(struct irc *i, struct irc_msg *m);
void	cmd_notice(struct irc *i, struct irc_msg *m);
void	cmd_tagmsg(struct irc *i, struct irc_msg *m);

/* welcome.c */
void	cmd_pass(struct irc *i, struct irc_msg *m);
/* sasl.c */
void	cmd_authenticate(struct irc *i, struct irc_msg *m);
void	cmd_nick(struct irc *i, struct irc_msg *m);
void	cmd_user(struct irc *i, struct irc_msg *m);
void	cmd_cap(struct irc *i, struct irc_msg *m);

/* commands.c */
/*
 * One line from the client (NUL-ended at len): 1 if it was a command
 * of the user's (not PING or PONG: what the idle timeout counts).
 */
int	commands_line(struct irc *i, char *line, size_t len);

/* input.c */
void	input_read(struct irc *i);
/* The throttle timer: read again. */
void	input_resume(struct irc *i);
/* The ping timer: PING a quiet client. */
void	input_ping_tick(struct irc *i);
/* The deadline: login timeout, or a PING not answered. */
void	input_deadline(struct irc *i);
/* idle_timeout passed without a line. */
void	input_idle(struct irc *i);

#endif
