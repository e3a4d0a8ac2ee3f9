/*
 * fd.c -- file-descriptor flag helpers.
 */
#include <fcntl.h>

#include "fd.h"

int
fd_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}
