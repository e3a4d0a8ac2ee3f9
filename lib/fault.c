/*
 * fault.c -- stop inside a critical section, or fail a call, when a test
 * asks for it.
 *
 * Built only with --enable-fault-injection; see fault.h.
 */
#include "config.h"

#ifdef FAULT_INJECTION
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

/* Whether $CHAT_FAULT_DIR/KIND-NAME was there, and this process took it. */
static int
take(const char *kind, const char *name)
{
	const char *dir = getenv("CHAT_FAULT_DIR");
	char path[4096];

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s-%s", dir, kind, name);
	return unlink(path) == 0;
}

int
fault_fail(const char *name)
{
	return take("fail", name);
}

void
fault_point(const char *name)
{
	const char *dir = getenv("CHAT_FAULT_DIR");
	char path[4096], pid[32];
	int fd, n;

	if (!take("fault", name))
		return;
	snprintf(path, sizeof(path), "%s/stopped-%s.tmp", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return;
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, (size_t)n) != n) {
		close(fd);
		return;
	}
	close(fd);
	{
		char final[4096];

		snprintf(final, sizeof(final), "%s/stopped-%s", dir, name);
		rename(path, final);
	}
	raise(SIGSTOP);
}
#endif
