/*
 * asksock.h -- one question per connection on a Unix socket of the
 * runtime directory.
 *
 * Owns the wire both always-on helpers speak with the front doors
 * (chat-historyd's history.sock, chat-bridge's bridge.sock): a request
 * line of fields separated by TAB, then answer lines, each ended by LF,
 * every read and write bounded by ASKSOCK_TIMEOUT_MS, so neither side
 * waits long on the other.  The asking side is a struct asksock; the
 * answering side listens, accepts and reads the request line.  What the
 * fields mean is each protocol's (lib/histclient.h, lib/nameclaim.h).
 */
#ifndef CHAT_ASKSOCK_H
#define CHAT_ASKSOCK_H

#include <stddef.h>

#define ASKSOCK_TIMEOUT_MS	3000

/* The asking side: one connection, its line buffer. */
struct asksock {
	int	 fd;
	char	*buf;
	size_t	 size;		/* buf's bytes, less one for a NUL */
	size_t	 len;		/* bytes read and not yet taken */
	size_t	 taken;		/* the line handed out last */
};

/*
 * Connect to runtime_dir/name, lines up to size bytes: 0, or -1 (logged,
 * at debug level only when nobody listens there).
 */
int	asksock_open(struct asksock *a, const char *runtime_dir, const char *name,
	    size_t size);
/* Send fields joined by TABs, ended by LF (any LF in them a space). */
int	asksock_send(struct asksock *a, const char *const *fields, size_t n);
/* The next answer line, NUL-ended, without its LF: 0, or -1 (logged). */
int	asksock_line(struct asksock *a, char **line);
void	asksock_close(struct asksock *a);

/*
 * Split a line at TABs into at most max fields, the last taking the
 * rest: the count.
 */
size_t	asksock_split(char *line, char **fields, size_t max);

/* The answering side: listen on runtime_dir/name (mode 0660). */
int	asksock_listen(const char *runtime_dir, const char *name, char *path,
	    size_t pathlen, char *why, size_t whylen);
/* The next connection waiting, timeouts set; -1 when none (EAGAIN). */
int	asksock_accept(int listen_fd);
/* Its request line into buf (size bytes), NUL-ended: 0, or -1. */
int	asksock_request(int fd, char *buf, size_t size);

#endif
