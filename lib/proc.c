/*
 * proc.c -- read a process's start time, name and state from /proc.
 *
 * The start time tells a live session from an unrelated process that
 * reuses its pid after a crash; the state tells a live hub from a
 * killed one whose parent has not reaped it yet.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

static ssize_t
read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

uint64_t
proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	/* The command name may hold spaces and ')': start after the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	/* After ")" comes field 3 (state); the start time is field 22. */
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return 0;
	return strtoull(p + 1, NULL, 10);
}

int
proc_is(pid_t pid, const char *comm)
{
	char path[64], buf[1024], *name, *end;
	size_t len;

	/* "pid (comm) S ...": the name may hold spaces and ')'. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	if ((name = strchr(buf, '(')) == NULL || (end = strrchr(buf, ')')) == NULL ||
	    end < name || end[1] != ' ' || end[2] == '\0')
		return 0;
	/* Z: a zombie; X: dead.  Neither holds anything any more. */
	if (end[2] == 'Z' || end[2] == 'X')
		return 0;
	name++;
	len = (size_t)(end - name);
	return strlen(comm) == len && memcmp(name, comm, len) == 0;
}
