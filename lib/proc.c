/*
 * proc.c -- read a process's start time and command name from /proc.
 *
 * The start time tells a live session from an unrelated process that
 * reuses its pid after a crash.
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
	char path[64], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((n = read_small(path, buf, sizeof(buf))) <= 0)
		return 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return strcmp(buf, comm) == 0;
}
