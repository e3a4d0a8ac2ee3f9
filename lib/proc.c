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

/*
 * Read /proc/PID/stat into buf: "pid (comm) S ...", where comm may hold
 * spaces and ')'.  Returns the ')' that ends comm (what follows is " S"
 * and the other fields), with *name and *namelen set to comm; NULL if
 * the process is gone or the line is not of that shape.
 */
static char *
read_stat(pid_t pid, char *buf, size_t size, const char **name, size_t *namelen)
{
	char path[64], *open_paren, *end;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, size) <= 0)
		return NULL;
	if ((open_paren = strchr(buf, '(')) == NULL ||
	    (end = strrchr(buf, ')')) == NULL || end < open_paren ||
	    end[1] != ' ' || end[2] == '\0')
		return NULL;
	*name = open_paren + 1;
	*namelen = (size_t)(end - *name);
	return end;
}

uint64_t
proc_start_time(pid_t pid)
{
	char buf[1024], *p;
	const char *name;
	size_t namelen;
	int field;

	if ((p = read_stat(pid, buf, sizeof(buf), &name, &namelen)) == NULL)
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
	char buf[1024], *end;
	const char *name;
	size_t namelen;

	if ((end = read_stat(pid, buf, sizeof(buf), &name, &namelen)) == NULL)
		return 0;
	/* Z: a zombie; X: dead.  Neither holds anything any more. */
	if (end[2] == 'Z' || end[2] == 'X')
		return 0;
	return strlen(comm) == namelen && memcmp(name, comm, namelen) == 0;
}
