/*
 * null-http.c -- the smallest HTTP server for one connection.
 *
 * The floor for chat-web's `GET /health` benchmark: started the same way
 * (systemd-socket-activate --accept, one process per connection), it
 * finds its socket with chat-session's own code (lib/listen_fds.c), reads
 * one request head up to its blank line, answers it with a fixed 200
 * with a Content-Length and closes.  No parsing, no keep-alive, no
 * shared memory.  bench/bench.am builds it like bench/null-session, with
 * chat-session's compiler and linker flags (static or not).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "listen_fds.h"

#define BODY	"{\"status\":\"ok\"}\n"
#define ANSWER	"HTTP/1.1 200 OK\r\n" \
		"Content-Type: application/json\r\n" \
		"Content-Length: 16\r\n" \
		"Connection: close\r\n" \
		"\r\n" BODY

_Static_assert(sizeof(BODY) - 1 == 16, "Content-Length must match the body");

static int in_fd = STDIN_FILENO, out_fd = STDOUT_FILENO;

/* Read until the blank line that ends the head; 0 at EOF first. */
static int
read_head(void)
{
	char buf[8192];
	size_t used = 0;
	ssize_t n;

	for (;;) {
		if (used == sizeof(buf))
			used = 0;	/* an overlong head: keep looking */
		n = read(in_fd, buf + used, sizeof(buf) - used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		used += (size_t)n;
		if (memmem(buf, used, "\r\n\r\n", 4) != NULL ||
		    memmem(buf, used, "\n\n", 2) != NULL)
			return 1;
	}
}

static void
put(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(out_fd, s, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

int
main(void)
{
	if (listen_fds() == 1)
		in_fd = out_fd = 3;	/* SD_LISTEN_FDS_START */
	if (read_head())
		put(ANSWER, sizeof(ANSWER) - 1);
	return 0;
}
