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

#include "conf.h"

#define CLIENT_PEER_MAX	64	/* "[v6addr]:port" as text */

struct client {
	int	in_fd, out_fd;		/* the same socket, or inetd's 0 and 1 */
	char	peer[CLIENT_PEER_MAX];	/* for the log and the registry */
};

/* Find the connection and name its peer; fatal if started wrongly. */
void	client_find(struct client *c);
/*
 * Make the connection non-blocking and set its TCP options from conf
 * (nothing more when it is not a TCP socket: inetd may pass a pipe or
 * a UNIX socket); fatal if it cannot be made non-blocking.
 */
void	client_setup_socket(const struct client *c, const struct chat_conf *conf);

#endif
