/*
 * listen_fds.h -- the socket a socket activator passed (sd_listen_fds(3)
 * without libsystemd, so that a connection's process can be linked
 * statically).
 */
#ifndef CHAT_LISTEN_FDS_H
#define CHAT_LISTEN_FDS_H

/*
 * Descriptors passed by socket activation, starting at fd 3 (made
 * close-on-exec), 0 if none were passed to this process, -1 (errno) if
 * $LISTEN_FDS is malformed.  Unsets the LISTEN_* variables.
 */
int	listen_fds(void);

#endif
