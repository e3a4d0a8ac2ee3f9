/*
 * unit_proc.c -- facts about processes from /proc (lib/proc.c).
 *
 * proc_is names a live process by its command name, and counts a zombie
 * (killed, not yet reaped by its parent) as gone: a killed hub its parent
 * has not reaped must not block the next hub (issue 17).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "tap.h"

/* This process's command name, as /proc/self/comm has it. */
static void
own_comm(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/comm", O_RDONLY)) == -1)
		skip_all("no /proc: %s", strerror(errno));
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		bail("read /proc/self/comm");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

int
main(void)
{
	char comm[64];
	siginfo_t si;
	pid_t child;

	own_comm(comm, sizeof(comm));
	plan(6);
	ok(proc_is(getpid(), comm), "proc_is names this process by its command name");
	ok(!proc_is(getpid(), "chat-hubd-not"), "... and not by another name");
	ok(proc_start_time(getpid()) > 0, "proc_start_time of this process is known");

	fflush(NULL);
	if ((child = fork()) == -1)
		bail("fork: %s", strerror(errno));
	if (child == 0) {
		for (;;)
			pause();
	}
	ok(proc_is(child, comm), "a live child is itself");
	kill(child, SIGKILL);
	/* Wait for it to die without reaping it: it stays a zombie. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT) == -1)
		bail("waitid: %s", strerror(errno));
	ok(!proc_is(child, comm), "a killed child not yet reaped (a zombie) is gone");
	waitpid(child, NULL, 0);
	ok(!proc_is(child, comm), "... and so it is once reaped");
	return 0;
}
