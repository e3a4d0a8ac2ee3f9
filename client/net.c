/*
 * net.c -- the client's TCP connection to the server.
 *
 * Owns resolving the server's address, a non-blocking connect that tries
 * each address in turn, line framing of what the server sends (lib's
 * linebuf), a queue of bytes for the socket, and the reconnect backoff
 * schedule.  It does not decide when to reconnect: session.c does.
 */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "client.h"

#define BACKOFF_FIRST_MS	500
#define BACKOFF_MAX_MS		30000

int
net_init(struct net *n, const char *host, const char *port)
{
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	n->state = NET_DOWN;
	if ((n->host = strdup(host)) == NULL || (n->port = strdup(port)) == NULL)
		return -1;
	return linebuf_init(&n->in, CLIENT_LINE_MAX);
}

void
net_free(struct net *n)
{
	net_close(n);
	free(n->host);
	free(n->port);
	free(n->out);
	linebuf_free(&n->in);
}

void
net_close(struct net *n)
{
	char *line;
	size_t len;

	if (n->fd != -1)
		close(n->fd);
	n->fd = -1;
	n->state = NET_DOWN;
	n->out_len = 0;
	(void)linebuf_finish(&n->in, &line, &len);	/* forget a partial line */
	if (n->addrs != NULL)
		freeaddrinfo(n->addrs);
	n->addrs = n->next_addr = NULL;
}

/* Start connecting to the next address; 0 started (or up), -1 none left. */
static int
try_next(struct net *n, char *err, size_t errsize)
{
	struct addrinfo *ai;
	int fd;

	while ((ai = n->next_addr) != NULL) {
		n->next_addr = ai->ai_next;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			snprintf(err, errsize, "socket: %s", strerror(errno));
			continue;
		}
		if (fd_nonblock(fd) == -1) {
			snprintf(err, errsize, "fcntl: %s", strerror(errno));
			close(fd);
			continue;
		}
		n->fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			n->state = NET_UP;
			return 0;
		}
		if (errno == EINPROGRESS) {
			n->state = NET_CONNECTING;
			return 0;
		}
		snprintf(err, errsize, "cannot connect to %s port %s: %s", n->host,
		    n->port, strerror(errno));
		close(fd);
		n->fd = -1;
	}
	return -1;
}

int
net_connect(struct net *n, char *err, size_t errsize)
{
	struct addrinfo hints;
	int rc;

	net_close(n);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(n->host, n->port, &hints, &n->addrs);
	if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
		hints.ai_flags = 0;	/* e.g. 127.0.0.1 with only loopback */
		rc = getaddrinfo(n->host, n->port, &hints, &n->addrs);
	}
	if (rc != 0) {
		snprintf(err, errsize, "cannot resolve %s port %s: %s", n->host,
		    n->port, rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		n->addrs = NULL;
		return -1;
	}
	n->next_addr = n->addrs;
	snprintf(err, errsize, "no address for %s", n->host);
	if (try_next(n, err, errsize) == -1) {
		net_close(n);
		return -1;
	}
	return 0;
}

int
net_connect_done(struct net *n, char *err, size_t errsize)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr == 0) {
		n->state = NET_UP;
		return 1;
	}
	if (soerr == EINPROGRESS)
		return 0;
	snprintf(err, errsize, "cannot connect to %s port %s: %s", n->host, n->port,
	    strerror(soerr));
	close(n->fd);
	n->fd = -1;
	if (try_next(n, err, errsize) == 0)
		return n->state == NET_UP ? 1 : 0;
	net_close(n);
	return -1;
}

int
net_send(struct net *n, const char *line)
{
	size_t len = strlen(line), need = n->out_len + len + 1;
	char *p;

	if (need > n->out_cap) {
		size_t cap = n->out_cap ? n->out_cap : 4096;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(n->out, cap)) == NULL)
			return -1;
		n->out = p;
		n->out_cap = cap;
	}
	memcpy(n->out + n->out_len, line, len);
	n->out[n->out_len + len] = '\n';
	n->out_len = need;
	return 0;
}

int
net_flush(struct net *n, char *err, size_t errsize)
{
	ssize_t w;

	while (n->out_len > 0 && n->state == NET_UP) {
		w = send(n->fd, n->out, n->out_len, MSG_NOSIGNAL);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			snprintf(err, errsize, "write: %s", strerror(errno));
			return -1;
		}
		memmove(n->out, n->out + w, n->out_len - (size_t)w);
		n->out_len -= (size_t)w;
	}
	return 0;
}

int
net_read(struct net *n, char *err, size_t errsize)
{
	char *where;
	size_t room = linebuf_room(&n->in, &where);
	ssize_t r;

	if (room == 0)
		return 1;	/* net_next_line will drop the overlong line */
	r = read(n->fd, where, room);
	if (r == -1) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		snprintf(err, errsize, "read: %s", strerror(errno));
		return -1;
	}
	if (r == 0)
		return 0;
	linebuf_commit(&n->in, (size_t)r);
	return 1;
}

int
net_next_line(struct net *n, char **line)
{
	size_t len;

	for (;;) {
		switch (linebuf_next(&n->in, line, &len)) {
		case LINE_NONE:
			return 0;
		case LINE_TOOLONG:
			continue;	/* longer than any server line: drop it */
		case LINE_OK:
			(*line)[len] = '\0';
			return 1;
		}
	}
}

short
net_events(const struct net *n)
{
	switch (n->state) {
	case NET_CONNECTING:
		return POLLOUT;
	case NET_UP:
		return POLLIN | (n->out_len > 0 ? POLLOUT : 0);
	case NET_DOWN:
		break;
	}
	return 0;
}

int
net_backoff(struct net *n)
{
	int delay;

	if (n->backoff_ms == 0)
		n->backoff_ms = BACKOFF_FIRST_MS;
	else if (n->backoff_ms < BACKOFF_MAX_MS)
		n->backoff_ms *= 2;
	if (n->backoff_ms > BACKOFF_MAX_MS)
		n->backoff_ms = BACKOFF_MAX_MS;
	/* +-20%, so that clients of a restarted server do not all come
	 * back in the same instant. */
	delay = n->backoff_ms - n->backoff_ms / 5 +
	    (int)(random() % (unsigned)(2 * (n->backoff_ms / 5) + 1));
	return delay;
}

void
net_backoff_reset(struct net *n)
{
	n->backoff_ms = 0;
}
