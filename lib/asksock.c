/*
 * asksock.c -- one question per connection on a Unix socket (asksock.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asksock.h"
#include "log.h"

size_t
asksock_split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *tab;

	if (max == 0)
		return 0;
	fields[n++] = line;
	while (n < max && (tab = strchr(line, '\t')) != NULL) {
		*tab = '\0';
		line = tab + 1;
		fields[n++] = line;
	}
	return n;
}

static int
set_timeouts(int fd)
{
	struct timeval tv = { ASKSOCK_TIMEOUT_MS / 1000,
	    ASKSOCK_TIMEOUT_MS % 1000 * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ? -1 : 0;
}

static int
socket_path(struct sockaddr_un *sun, const char *runtime_dir, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	return (size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s",
	    runtime_dir, name) >= sizeof(sun->sun_path) ? -1 : 0;
}

void
asksock_close(struct asksock *a)
{
	if (a->fd != -1)
		close(a->fd);
	free(a->buf);
	a->fd = -1;
	a->buf = NULL;
}

int
asksock_open(struct asksock *a, const char *runtime_dir, const char *name,
    size_t size)
{
	struct sockaddr_un sun;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if (socket_path(&sun, runtime_dir, name) == -1) {
		log_warnx("%s: socket path too long in %s", name, runtime_dir);
		return -1;
	}
	a->size = size;
	if ((a->buf = malloc(size + 1)) == NULL ||
	    (a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    set_timeouts(a->fd) == -1) {
		log_warn("%s: socket", name);
		asksock_close(a);
		return -1;
	}
	if (connect(a->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			log_debug("%s: %s", sun.sun_path, strerror(errno));
		else
			log_warn("%s", sun.sun_path);
		asksock_close(a);
		return -1;
	}
	return 0;
}

int
asksock_send(struct asksock *a, const char *const *fields, size_t n)
{
	size_t len = 0, flen;
	ssize_t done;

	for (size_t i = 0; i < n; i++) {
		flen = strlen(fields[i]);
		if (len + flen + 1 > a->size) {
			log_warnx("a request too long for its socket");
			return -1;
		}
		memcpy(a->buf + len, fields[i], flen);
		for (size_t k = len; k < len + flen; k++)
			if (a->buf[k] == '\n')
				a->buf[k] = ' ';
		len += flen;
		a->buf[len++] = i + 1 < n ? '\t' : '\n';
	}
	for (size_t off = 0; off < len; off += (size_t)done)
		if ((done = write(a->fd, a->buf + off, len - off)) <= 0) {
			log_warn("sending a request");
			return -1;
		}
	return 0;
}

int
asksock_line(struct asksock *a, char **line)
{
	char *lf;
	ssize_t got;

	memmove(a->buf, a->buf + a->taken, a->len - a->taken);
	a->len -= a->taken;
	a->taken = 0;
	while ((lf = memchr(a->buf, '\n', a->len)) == NULL) {
		if (a->len == a->size) {
			log_warnx("an answer line is too long");
			return -1;
		}
		if ((got = read(a->fd, a->buf + a->len, a->size - a->len)) <= 0) {
			if (got == 0)
				log_warnx("the answer ended early");
			else
				log_warn("reading an answer");
			return -1;
		}
		a->len += (size_t)got;
	}
	*lf = '\0';
	a->taken = (size_t)(lf - a->buf) + 1;
	*line = a->buf;
	return 0;
}

int
asksock_listen(const char *runtime_dir, const char *name, char *path,
    size_t pathlen, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	int fd;

	if (socket_path(&sun, runtime_dir, name) == -1) {
		snprintf(why, whylen, "%s: runtime_dir too long", runtime_dir);
		return -1;
	}
	strlcpy(path, sun.sun_path, pathlen);
	unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(sun.sun_path, 0660) == -1 || listen(fd, SOMAXCONN) == -1) {
		snprintf(why, whylen, "%s: %s", sun.sun_path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
asksock_accept(int listen_fd)
{
	int fd;

	while ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
		if (set_timeouts(fd) == 0)
			return fd;
		close(fd);
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		log_warn("accept");
	return -1;
}

int
asksock_request(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t got;
	char *lf;

	for (;;) {
		if ((got = read(fd, buf + len, size - len)) <= 0)
			return -1;
		len += (size_t)got;
		if ((lf = memchr(buf, '\n', len)) != NULL) {
			*lf = '\0';
			return 0;
		}
		if (len == size)
			return -1;
	}
}
