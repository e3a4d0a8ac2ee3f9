/*
 * fd.h -- small file-descriptor helpers used by every program.
 */
#ifndef CHAT_FD_H
#define CHAT_FD_H

#include <stdint.h>

/* Set O_NONBLOCK on fd; -1 and errno on error. */
int	fd_nonblock(int fd);
/* Add fd to epoll set epfd for events, with data.fd = fd; -1 (errno). */
int	fd_watch(int epfd, int fd, uint32_t events);
/* A new non-blocking monotonic timerfd, watched in epfd; -1 if none. */
int	fd_new_timer(int epfd);

#endif
