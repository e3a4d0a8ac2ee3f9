/*
 * listen_fds.c -- find the socket systemd (or systemd-socket-activate)
 * passed to this process (a session, or bench/null-session).
 *
 * The protocol of sd_listen_fds(3): $LISTEN_PID names this process and
 * $LISTEN_FDS counts descriptors starting at 3.  chat-session implements
 * these few lines itself instead of linking libsystemd so that it can be
 * linked statically: a session process is then about 5x smaller in
 * memory and starts faster (doc/architecture.md, "Session footprint").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "listen_fds.h"

#define LISTEN_FDS_START 3

int
listen_fds(void)
{
	const char *pid_env = getenv("LISTEN_PID"), *fds_env = getenv("LISTEN_FDS");
	const char *errstr;
	long long pid, n;

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (pid_env == NULL || fds_env == NULL)
		return 0;
	pid = strtonum(pid_env, 1, INT32_MAX, &errstr);
	if (errstr != NULL || pid != getpid())
		return 0;
	n = strtonum(fds_env, 0, 64, &errstr);
	if (errstr != NULL) {
		errno = EINVAL;
		return -1;
	}
	for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++)
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
			return -1;
	return (int)n;
}
