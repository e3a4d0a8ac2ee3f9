/*
 * fd.c -- file-descriptor helpers: flags, epoll, timers.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <fcntl.h>
#include <unistd.h>

#include "fd.h"

int
fd_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int
fd_watch(int epfd, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int
fd_new_timer(int epfd)
{
	int fd;

	if ((fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		return -1;
	if (fd_watch(epfd, fd, EPOLLIN) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}
