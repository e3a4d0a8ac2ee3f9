/*
 * client.c -- finding a front door's connection and setting it up
 * (client.h).
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "fd.h"
#include "listen_fds.h"
#include "log.h"

/*
 * Many inetds pass the connection as fd 2 too: logging there would write
 * to the client.  Then the log goes to /dev/null (use systemd for logs).
 */
static void
quiet_stderr_if_client(const struct client *c)
{
	struct stat in, err;
	int null;

	if (fstat(c->in_fd, &in) == -1 || fstat(STDERR_FILENO, &err) == -1 ||
	    in.st_dev != err.st_dev || in.st_ino != err.st_ino)
		return;
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		return;
	dup2(null, STDERR_FILENO);
	close(null);
}

static void
describe_peer(struct client *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	if (getpeername(c->in_fd, (struct sockaddr *)&ss, &len) == -1) {
		/* UCSPI (tcpserver and friends) name the peer in the environment. */
		const char *ip = getenv("TCPREMOTEIP"), *port = getenv("TCPREMOTEPORT");

		if (ip != NULL && port != NULL)
			snprintf(c->peer, sizeof(c->peer), "%s:%s", ip, port);
		else
			strlcpy(c->peer, errno == ENOTSOCK ? "stdio" : "unknown",
			    sizeof(c->peer));
		return;
	}
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host, ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		/* An IPv4 client on a dual-stack socket: show it as IPv4. */
		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host, ntohs(sin6->sin6_port));
	} else if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else
		strlcpy(c->peer, "local", sizeof(c->peer));
}

static void
find_connection(struct client *c)
{
	int n = listen_fds();

	if (n < 0)
		fatal("LISTEN_FDS");
	if (n > 1)
		fatalx("started with %d sockets; expected one connection", n);
	if (n == 1)
		c->in_fd = c->out_fd = 3;
	else {
		c->in_fd = STDIN_FILENO;	/* inetd */
		c->out_fd = STDOUT_FILENO;
		quiet_stderr_if_client(c);
	}
	describe_peer(c);
}

const char *
client_start(struct client *c, const char *program, int argc, char *argv[])
{
	const char *conf_path = NULL;
	int ch;

	log_init(program, LOG_LEVEL_INFO);
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			break;
		conf_path = optarg;
	}
	if (ch != -1 || optind != argc) {
		fprintf(stderr, "usage: %s [-c file]\n", program);
		exit(EXIT_USAGE);
	}
	signal(SIGPIPE, SIG_IGN);
	find_connection(c);
	return conf_path;
}

static void
set_option(const struct client *c, int level, int name, int value,
    const char *what)
{
	if (setsockopt(c->in_fd, level, name, &value, sizeof(value)) == -1)
		log_warn("%s: setsockopt %s %d", c->peer, what, value);
}

/*
 * Keepalive and the user timeout make a client that vanished without a
 * FIN (suspend, a Wi-Fi change, a NAT timeout) an error within
 * keepalive_idle + keepalive_interval * keepalive_count seconds of
 * silence, or tcp_user_timeout seconds of unacknowledged output, instead
 * of the kernel's 2 h 11 min: until then a registered user's name stays
 * taken.  If TCP_NODELAY does not apply, nothing else does either.  A
 * few system calls per connection.
 */
static void
setup_tcp_options(const struct client *c, const struct chat_conf *conf)
{
	int one = 1;

	if (setsockopt(c->in_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1) {
		if (errno != ENOTSOCK && errno != EOPNOTSUPP && errno != ENOPROTOOPT)
			log_warn("%s: setsockopt TCP_NODELAY", c->peer);
		return;
	}
	if (conf->keepalive_idle > 0) {
		set_option(c, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
		set_option(c, IPPROTO_TCP, TCP_KEEPIDLE, (int)conf->keepalive_idle,
		    "TCP_KEEPIDLE");
		set_option(c, IPPROTO_TCP, TCP_KEEPINTVL,
		    (int)conf->keepalive_interval, "TCP_KEEPINTVL");
		set_option(c, IPPROTO_TCP, TCP_KEEPCNT, (int)conf->keepalive_count,
		    "TCP_KEEPCNT");
	}
	if (conf->tcp_user_timeout > 0)
		set_option(c, IPPROTO_TCP, TCP_USER_TIMEOUT,
		    (int)(conf->tcp_user_timeout * 1000), "TCP_USER_TIMEOUT");
}

void
client_setup_socket(struct client *c, const struct chat_conf *conf)
{
	if (fd_nonblock(c->in_fd) == -1 || fd_nonblock(c->out_fd) == -1)
		fatal("client socket");
	setup_tcp_options(c, conf);
	client_watch(c, c->in_fd, EPOLLIN);
	c->in_events = EPOLLIN;
}

void
client_update_events(struct client *c, int reading, int writing)
{
	struct epoll_event ev = { .data.fd = c->in_fd };

	if (c->in_fd != c->out_fd) {
		if (writing != c->out_watched) {
			struct epoll_event out = { .events = EPOLLOUT,
			    .data.fd = c->out_fd };

			if (epoll_ctl(c->epfd, writing ? EPOLL_CTL_ADD :
			    EPOLL_CTL_DEL, c->out_fd, &out) == -1)
				log_warn("epoll_ctl output");
			c->out_watched = writing;
		}
		writing = 0;
	}
	ev.events = (reading ? EPOLLIN : 0) | (writing ? EPOLLOUT : 0);
	if (ev.events == c->in_events)
		return;
	if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, c->in_fd, &ev) == -1)
		log_warn("epoll_ctl client");
	c->in_events = ev.events;
}

void
client_watch(const struct client *c, int fd, uint32_t events)
{
	if (fd_watch(c->epfd, fd, events) == -1)
		fatal("epoll_ctl add");
}

int
client_timer(const struct client *c, int *fd)
{
	if (*fd == -1 && (*fd = fd_new_timer(c->epfd)) == -1)
		fatal("timerfd_create");
	return *fd;
}

void
client_arm(int fd, unsigned seconds)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = seconds;
	if (fd != -1 && timerfd_settime(fd, 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

void
client_arm_ns(int fd, long long ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ns / 1000000000LL;
	its.it_value.tv_nsec = ns % 1000000000LL;
	if (fd != -1 && timerfd_settime(fd, 0, &its, NULL) == -1)
		fatal("timerfd_settime");
}

#define CLIENT_LINGER_MS	1000

void
client_run(const struct client *c, enum client_next (*before_wait)(void *),
    void (*dispatch)(void *, int, uint32_t), void *arg)
{
	struct epoll_event events[8];
	enum client_next next;
	int n;

	for (;;) {
		if ((next = before_wait(arg)) == CLIENT_DONE)
			return;
		n = epoll_wait(c->epfd, events, 8,
		    next == CLIENT_LINGER ? CLIENT_LINGER_MS : -1);
		if (n == 0)
			return;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (int i = 0; i < n; i++)
			dispatch(arg, events[i].data.fd, events[i].events);
	}
}
