/*
 * session.h -- chat-session's state, shared by its modules.
 *
 * session.c  start-up, the event loop, closing
 * hublink.c  the control connection to the hub: register, reconnect, wake
 * deliver.c  reading the shared log and formatting lines for the client
 * input.c    reading the client, framing and checking its lines
 * commands.c the login dialogue, chat lines and the /command table
 */
#ifndef CHAT_SESSION_H
#define CHAT_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "linebuf.h"
#include "outq.h"
#include "shm.h"

enum session_state {
	SESSION_LOGIN,		/* waiting for a name */
	SESSION_CHAT,		/* named, ACTIVE in the registry */
	SESSION_CLOSING,	/* flushing the last lines, then exit */
};

struct session {
	struct chat_conf conf;
	const char	*conf_path;
	struct shm	shm;
	pid_t		pid;
	int		in_fd, out_fd;	/* the client (the same socket, or inetd 0/1) */
	int		epfd;
	int		ctl_fd;		/* hub control connection, -1 while away */
	int		wake_fd;	/* eventfd from the hub, -1 while away */
	int		timer_fd;	/* hub reconnect timer */
	uint32_t	slot, generation;
	char		peer[64];
	char		name[SHM_NAME_MAX + 1];
	enum session_state state;
	uint64_t	cursor;		/* next log record to read */
	struct linebuf	in;
	struct outq	out;
	char		*text;		/* max_line bytes for a record's text */
	uint8_t		*wake_owed;	/* per slot: a wake-up not yet sent */
	uint32_t	wake_owed_count;
	int		in_eof;
	const char	*quit_reason;	/* why the session ends, for log and others */
	int		disc_reason;	/* DISC_* counted in the stats */
};

/* session.c */
void	session_close(struct session *s, int disc_reason, const char *why);
void	session_want_write(struct session *s, int on);

/* hublink.c */
enum hublink_result { HUBLINK_OK, HUBLINK_AWAY, HUBLINK_REFUSED };
int	hublink_open(struct session *s);
int	hublink_register(struct session *s, char *why, size_t whylen);
void	hublink_read(struct session *s);
void	hublink_retry(struct session *s);
void	hublink_wake_others(struct session *s);
void	hublink_flush_owed(struct session *s);

/* deliver.c */
void	deliver_drain(struct session *s);
void	deliver_wakeup(struct session *s);

/* input.c */
void	input_read(struct session *s);

/* commands.c */
void	commands_prompt(struct session *s);
void	commands_line(struct session *s, char *line, size_t len);
/* Queue one line for the client: prefix + text + "\n". */
void	reply(struct session *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
