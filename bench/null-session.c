/*
 * null-session.c -- the smallest session that speaks chat's login.
 *
 * The floor for the login and memory benchmarks: it finds its socket with
 * chat-session's own code (lib/listen_fds.c: fd 3 by the sd_listen_fds
 * protocol, else fd 0 and 1 as under inetd), sends the name prompt,
 * answers the first line with a welcome, then reads until EOF or
 * "/quit".  It touches no shared memory, talks to no hub and relays
 * nothing; bench/bench.am builds it with chat-session's compiler and
 * linker flags (static or not) so that the difference between the two is
 * what chat-session does, not how it is built.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen_fds.h"

#define PROMPT	"? name:\n"
#define BYE	"* bye\n"


static int in_fd = STDIN_FILENO, out_fd = STDOUT_FILENO;

static void
put(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(out_fd, s, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		s += n;
		len -= (size_t)n;
	}
}

/* One line without its "\n" or "\r\n"; 0 at EOF. */
static int
get_line(char *buf, size_t size, size_t *used, char *line, size_t linesize)
{
	char *nl;
	ssize_t n;
	size_t len;

	while ((nl = memchr(buf, '\n', *used)) == NULL) {
		if (*used == size)
			*used = 0;	/* an overlong line: drop it */
		n = read(in_fd, buf + *used, size - *used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		*used += (size_t)n;
	}
	len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len >= linesize)
		len = linesize - 1;
	memcpy(line, buf, len);
	line[len] = '\0';
	*used -= (size_t)(nl + 1 - buf);
	memmove(buf, nl + 1, *used);
	return 1;
}

int
main(void)
{
	char buf[2048], line[1100], welcome[1200];
	size_t used = 0;
	int n;

	if (listen_fds() == 1)
		in_fd = out_fd = 3;	/* SD_LISTEN_FDS_START */
	put(PROMPT, sizeof(PROMPT) - 1);
	do {
		if (!get_line(buf, sizeof(buf), &used, line, 33))
			return 0;
	} while (line[0] == '\0');
	n = snprintf(welcome, sizeof(welcome),
	    "* welcome, %s (null session)\n", line);
	put(welcome, (size_t)n);
	while (get_line(buf, sizeof(buf), &used, line, sizeof(line))) {
		if (strncmp(line, "/quit", 5) == 0) {
			put(BYE, sizeof(BYE) - 1);
			return 0;
		}
	}
	return 0;
}
