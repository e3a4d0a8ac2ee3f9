/*
 * fd.h -- small file-descriptor helpers used by every program.
 */
#ifndef CHAT_FD_H
#define CHAT_FD_H

/* Set O_NONBLOCK on fd; -1 and errno on error. */
int	fd_nonblock(int fd);

#endif
