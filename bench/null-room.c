/*
 * null-room.c -- the floor of chat's shape for fan-out: one process per
 * connection and one waker, nothing else (issue 23).
 *
 * One binary, two roles.  "null-room -w DIR" is the waker, the hub's
 * part: it listens on DIR/waker, takes each member's eventfd when the
 * member connects and hands it the room (a memfd: a ring of lines and
 * one wake flag per member); when members say they added lines, it
 * writes the eventfd of every other member whose flag was clear.
 * "null-room DIR", one process per connection like chat-session
 * (systemd-socket-activate --accept), speaks chat's login (prompt,
 * name, welcome), adds each line its client sends to the ring as
 * "<name> text", and on a wake-up clears its flag, reads the ring from
 * its cursor and writes what the others said in one write.
 *
 * No accounts, groups, log beyond the ring, flood control, limits or
 * recovery: what is left is what the shape costs per run -- a process
 * per member, an eventfd write and a wake-up, a drain and a write.  It
 * is not a server: it trusts its clients and its waker, and exits on
 * any error.  bench/run-bench runs it beside chat and InspIRCd in the
 * burst table.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen_fds.h"

#define MEMBERS_MAX	4096
#define RING_LINES	8192		/* a power of two: 4 s at 2000 msg/s */
#define LINE_MAX_LEN	200		/* longer lines are cut: chat-load's
					   are about 60 bytes */
#define NAME_MAX_LEN	32

struct room_line {
	_Atomic uint64_t seq;		/* its index + 1 once written */
	uint32_t	 from;		/* the member that said it */
	uint32_t	 len;
	char		 text[LINE_MAX_LEN + NAME_MAX_LEN + 8];
};

struct room {
	_Atomic uint64_t  head;			/* next index to take */
	_Atomic uint32_t  flag[MEMBERS_MAX];	/* a wake-up is on its way */
	struct room_line  ring[RING_LINES];
};

/* Send one message with an optional descriptor; -1 on error. */
static int
send_fd(int sock, const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd != -1) {
		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Receive one message and its descriptor (-1 if none); bytes or -1. */
static ssize_t
recv_fd(int sock, void *buf, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	if ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) <= 0)
		return n;
	c = CMSG_FIRSTHDR(&m);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

/* ---- the waker ---- */

struct waker {
	struct room	*room;
	int		 memfd, epfd;
	int		 sock[MEMBERS_MAX];	/* -1: free */
	int		 efd[MEMBERS_MAX];
	uint32_t	 nmembers;		/* highest index in use + 1 */
};

static void
waker_admit(struct waker *w, int listener)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint32_t i;
	char hello;
	int s, efd;

	if ((s = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	if (recv_fd(s, &hello, 1, &efd) != 1 || efd == -1)
		goto refuse;
	for (i = 0; i < MEMBERS_MAX && w->sock[i] != -1; i++)
		;
	if (i == MEMBERS_MAX || send_fd(s, &i, sizeof(i), w->memfd) == -1) {
		close(efd);
		goto refuse;
	}
	w->sock[i] = s;
	w->efd[i] = efd;
	atomic_store(&w->room->flag[i], 0);
	if (i >= w->nmembers)
		w->nmembers = i + 1;
	ev.data.u32 = i;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s, &ev) == -1)
		err(1, "epoll_ctl");
	return;
refuse:
	close(s);
}

static void
waker_forget(struct waker *w, uint32_t i)
{
	close(w->sock[i]);
	close(w->efd[i]);
	w->sock[i] = w->efd[i] = -1;
}

/* Every member but the one that said it, unless a wake-up is on its way. */
static void
waker_wake(struct waker *w, uint32_t except)
{
	uint64_t one = 1;

	for (uint32_t i = 0; i < w->nmembers; i++) {
		if (i == except || w->sock[i] == -1 ||
		    atomic_exchange(&w->room->flag[i], 1) != 0)
			continue;
		if (write(w->efd[i], &one, sizeof(one)) == -1 && errno != EAGAIN)
			err(1, "eventfd write");
	}
}

static int
waker_main(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX },
	    events[64];
	struct waker w;
	uint32_t said;
	char buf[64];
	int listener, n, said_by;

	memset(&w, 0, sizeof(w));
	for (int i = 0; i < MEMBERS_MAX; i++)
		w.sock[i] = w.efd[i] = -1;
	if ((w.memfd = memfd_create("null-room", MFD_CLOEXEC)) == -1 ||
	    ftruncate(w.memfd, sizeof(struct room)) == -1)
		err(1, "memfd");
	w.room = mmap(NULL, sizeof(struct room), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_POPULATE, w.memfd, 0);
	if (w.room == MAP_FAILED)
		err(1, "mmap");
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/waker",
	    dir) >= sizeof(sun.sun_path))
		errx(1, "%s: too long", dir);
	unlink(sun.sun_path);
	if ((listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(listener, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(listener, 4096) == -1)
		err(1, "%s", sun.sun_path);
	if ((w.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(w.epfd, EPOLL_CTL_ADD, listener, &ev) == -1)
		err(1, "epoll");
	for (;;) {
		if ((n = epoll_wait(w.epfd, events, 64, -1)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		/* One pass of wake-ups for all the lines of this batch. */
		said = 0;
		said_by = -1;
		for (int k = 0; k < n; k++) {
			uint32_t i = events[k].data.u32;

			if (i == UINT32_MAX) {
				waker_admit(&w, listener);
				continue;
			}
			if (w.sock[i] == -1)
				continue;
			if (recv(w.sock[i], buf, sizeof(buf), MSG_DONTWAIT) <= 0) {
				waker_forget(&w, i);
				continue;
			}
			said++;
			said_by = (int)i;
		}
		if (said > 0)
			waker_wake(&w, said == 1 ? (uint32_t)said_by : UINT32_MAX);
	}
}

/* ---- a member ---- */

struct member {
	struct room	*room;
	uint32_t	 index;
	uint64_t	 cursor;
	int		 in_fd, out_fd, waker, efd;
	char		 name[NAME_MAX_LEN + 1];
	int		 epfd, out_watched;
	int		 wake_owed;		/* the waker's queue was full */
	char		 in[8192];
	size_t		 in_used;
	char		 out[1024 * 1024];	/* full: the member quits */
	size_t		 out_used;
};

/* Login lines, before the socket is made non-blocking. */
static void
put(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Write what is queued, as far as the socket takes it; the rest waits
 * for EPOLLOUT, so that a member never stops reading its client (as
 * chat-session's output queue does).
 */
static void
member_flush(struct member *m)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = m->in_fd };
	ssize_t n = 0;

	while (m->out_used > 0) {
		n = write(m->out_fd, m->out, m->out_used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			_exit(0);
		m->out_used -= (size_t)n;
		memmove(m->out, m->out + n, m->out_used);
	}
	if ((m->out_used > 0) != m->out_watched) {
		m->out_watched = m->out_used > 0;
		ev.events |= m->out_watched ? EPOLLOUT : 0;
		if (epoll_ctl(m->epfd, EPOLL_CTL_MOD, m->in_fd, &ev) == -1)
			err(1, "epoll_ctl");
	}
}

static void
member_join(struct member *m, const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int memfd;

	if ((m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		err(1, "eventfd");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/waker", dir);
	if ((m->waker = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(m->waker, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    send_fd(m->waker, "h", 1, m->efd) == -1 ||
	    recv_fd(m->waker, &m->index, sizeof(m->index), &memfd) !=
	    sizeof(m->index) || memfd == -1 || m->index >= MEMBERS_MAX)
		err(1, "%s: no waker", sun.sun_path);
	/* Populated at once: no page faults on the delivery path. */
	m->room = mmap(NULL, sizeof(struct room), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_POPULATE, memfd, 0);
	if (m->room == MAP_FAILED)
		err(1, "mmap");
	close(memfd);
	m->cursor = atomic_load(&m->room->head);
}

/* Add one line to the ring as "<name> text\n". */
static void
member_say(struct member *m, const char *text, size_t len)
{
	uint64_t i = atomic_fetch_add(&m->room->head, 1);
	struct room_line *l = &m->room->ring[i % RING_LINES];
	int n;

	if (len > LINE_MAX_LEN)
		len = LINE_MAX_LEN;
	n = snprintf(l->text, sizeof(l->text), "<%s> %.*s\n", m->name,
	    (int)len, text);
	l->len = (uint32_t)n;
	l->from = m->index;
	atomic_store_explicit(&l->seq, i + 1, memory_order_release);
}

/* What the others said since the cursor, in one write. */
static void
member_drain(struct member *m)
{
	struct room_line *l;
	uint64_t seq;

	atomic_store(&m->room->flag[m->index], 0);
	for (;;) {
		l = &m->room->ring[m->cursor % RING_LINES];
		seq = atomic_load_explicit(&l->seq, memory_order_acquire);
		if (seq <= m->cursor)
			break;			/* not written yet */
		if (seq > m->cursor + 1)
			errx(1, "fell a ring behind");
		if (l->from != m->index) {
			if (m->out_used + l->len > sizeof(m->out))
				errx(1, "client too slow");
			memcpy(m->out + m->out_used, l->text, l->len);
			m->out_used += l->len;
		}
		m->cursor++;
	}
	member_flush(m);
}

/*
 * Tell the waker there are new lines.  Its queue full (it has not run
 * for a while), the word is owed until the socket takes it, as
 * chat-session owes the hub its wake-ups: never blocks the member.
 */
static void
member_tell_waker(struct member *m)
{
	struct epoll_event ev = { .data.fd = m->waker };

	if (send(m->waker, "w", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
		if (m->wake_owed) {
			m->wake_owed = 0;
			ev.events = 0;
			if (epoll_ctl(m->epfd, EPOLL_CTL_MOD, m->waker, &ev) == -1)
				err(1, "epoll_ctl");
		}
		return;
	}
	if (errno != EAGAIN)
		err(1, "waker");
	if (!m->wake_owed) {
		m->wake_owed = 1;
		ev.events = EPOLLOUT;
		if (epoll_ctl(m->epfd, EPOLL_CTL_MOD, m->waker, &ev) == -1)
			err(1, "epoll_ctl");
	}
}

/* Lines from the client: the name first, then what it says. */
static int
member_read(struct member *m)
{
	char *nl, *line;
	ssize_t n;
	size_t len;
	int said = 0;

	n = read(m->in_fd, m->in + m->in_used, sizeof(m->in) - m->in_used);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		_exit(0);
	m->in_used += (size_t)n;
	line = m->in;
	while ((nl = memchr(line, '\n', m->in_used - (size_t)(line - m->in)))) {
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (m->name[0] == '\0' && len > 0) {
			char welcome[NAME_MAX_LEN + 40];

			snprintf(m->name, sizeof(m->name), "%.*s", (int)len, line);
			n = snprintf(welcome, sizeof(welcome),
			    "* welcome, %s (null room)\n", m->name);
			memcpy(m->out + m->out_used, welcome, (size_t)n);
			m->out_used += (size_t)n;
			member_flush(m);
		} else if (len > 0 && m->name[0] != '\0') {
			member_say(m, line, len);
			said = 1;
		}
		line = nl + 1;
	}
	m->in_used -= (size_t)(line - m->in);
	memmove(m->in, line, m->in_used);
	if (m->in_used == sizeof(m->in))
		m->in_used = 0;			/* an overlong line: dropped */
	return said;
}

static int
member_main(const char *dir)
{
	static struct member m;
	struct epoll_event ev = { .events = EPOLLIN }, events[4];
	int n;

	m.in_fd = STDIN_FILENO;
	m.out_fd = STDOUT_FILENO;
	if (listen_fds() == 1)
		m.in_fd = m.out_fd = 3;		/* SD_LISTEN_FDS_START */
	/* As chat-session does (lib/client.c): no Nagle wait on a second line. */
	(void)setsockopt(m.out_fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
	    sizeof(int));
	member_join(&m, dir);
	put(m.out_fd, "? name:\n", 8);
	if (fcntl(m.out_fd, F_SETFL, fcntl(m.out_fd, F_GETFL) | O_NONBLOCK) == -1)
		err(1, "fcntl");
	if ((m.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	ev.data.fd = m.in_fd;
	if (epoll_ctl(m.epfd, EPOLL_CTL_ADD, m.in_fd, &ev) == -1)
		err(1, "epoll_ctl");
	ev.events = EPOLLIN | EPOLLET;		/* the count is never read */
	ev.data.fd = m.efd;
	if (epoll_ctl(m.epfd, EPOLL_CTL_ADD, m.efd, &ev) == -1)
		err(1, "epoll_ctl");
	ev.events = 0;				/* EPOLLOUT while a word is owed */
	ev.data.fd = m.waker;
	if (epoll_ctl(m.epfd, EPOLL_CTL_ADD, m.waker, &ev) == -1)
		err(1, "epoll_ctl");
	for (;;) {
		if ((n = epoll_wait(m.epfd, events, 4, -1)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "epoll_wait");
		}
		for (int k = 0; k < n; k++) {
			int fd = events[k].data.fd;

			if (fd == m.efd)
				member_drain(&m);
			else if (fd == m.waker)
				member_tell_waker(&m);
			else if (events[k].events & EPOLLOUT)
				member_flush(&m);
			if (fd == m.in_fd && (events[k].events &
			    (EPOLLIN | EPOLLHUP | EPOLLERR)) && member_read(&m))
				member_tell_waker(&m);
		}
	}
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "-w") == 0)
		return waker_main(argv[2]);
	if (argc == 2)
		return member_main(argv[1]);
	fprintf(stderr, "usage: null-room -w DIR | null-room DIR\n");
	return 2;
}
