/*
 * client.h -- the one connection a front door process was started for.
 *
 * Owns finding it (fd 3 from a socket activator: systemd's Accept=yes or
 * systemd-socket-activate --accept; else inetd's fd 0 and 1), naming its
 * peer for the log and the registry, and the socket options every front
 * door sets (non-blocking; TCP_NODELAY, keepalive and the user timeout
 * from chat.conf).  chat-session and chat-web start the same way.
 */
#ifndef CHAT_CLIENT_H
#define CHAT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define CLIENT_PEER_MAX	64	/* "[v6addr]:port" as text */

struct client {
	int		in_fd, out_fd;	/* the same socket, or inetd's 0 and 1 */
	char		peer[CLIENT_PEER_MAX]; /* for the log and the registry */
	int		epfd;		/* the door's epoll set */
	uint32_t	in_events;	/* what epoll watches on in_fd now */
	int		out_watched;	/* out_fd (inetd's, apart) is watched */
};

/* What a door's loop does next (client_run's before_wait). */
enum client_next {
	CLIENT_WAIT,		/* wait for events */
	CLIENT_LINGER,		/* closing, output left: wait a moment */
	CLIENT_DONE,		/* end the loop */
};

/*
 * Start a front door named program: the log, "-c file" (the only
 * option; returned, or NULL), SIGPIPE ignored, then the connection found
 * and its peer named; exits if started wrongly.
 */
const char *client_start(struct client *c, const char *program, int argc,
	    char *argv[]);
/*
 * Make the connection non-blocking, set its TCP options from conf
 * (nothing more when it is not a TCP socket: inetd may pass a pipe or
 * a UNIX socket) and watch it for reading in c->epfd; fatal if it
 * cannot be made non-blocking.
 */
void	client_setup_socket(struct client *c, const struct chat_conf *conf);

/*
 * Watch in_fd (and out_fd, when inetd passed it apart) in c->epfd: for
 * reading while reading, for writing while writing.  Asks epoll only
 * for a change.
 */
void	client_update_events(struct client *c, int reading, int writing);
/* Add fd to c->epfd; fatal if it cannot be. */
void	client_watch(const struct client *c, int fd, uint32_t events);
/*
 * The timerfd in *fd, created and watched at first use (most
 * connections never need most timers, and each costs a file and an
 * epoll item); fatal if it cannot be.
 */
int	client_timer(const struct client *c, int *fd);
/* Arm timerfd fd once, seconds from now; 0 disarms. */
void	client_arm(int fd, unsigned seconds);
/* The same in nanoseconds (a flood bucket's wait). */
void	client_arm_ns(int fd, long long ns);
/*
 * A front door's loop: before_wait(arg) flushes and says what next;
 * then up to 8 events are handed to dispatch(arg, fd, events).  While
 * lingering, a second without events ends the loop: a slow client gets
 * a moment for its last lines.
 */
void	client_run(const struct client *c, enum client_next (*before_wait)(void *),
	    void (*dispatch)(void *, int, uint32_t), void *arg);

#endif
