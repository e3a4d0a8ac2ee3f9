/*
 * testfile.c -- write a unit test's file as an editor would (testfile.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "testfile.h"

void
testfile_write(const char *path, const char *text)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) == -1 ||
	    rename(tmp, path) == -1)
		bail("cannot write %s", path);
}
