/*
 * input.c -- reading the client.
 *
 * Owns the line framer of the connection: it reads what the socket has,
 * splits it into lines, reports overlong lines once, and hands each line
 * to commands.c.  End of input ends the session after the last
 * (unterminated) line is handled.
 */
#include <errno.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

#define READS_PER_WAKE	16	/* then let other events run */

static void
handle_lines(struct session *s)
{
	char *line;
	size_t len;
	enum line_result r;

	while (s->state != SESSION_CLOSING &&
	    (r = linebuf_next(&s->in, &line, &len)) != LINE_NONE) {
		if (r == LINE_TOOLONG)
			reply(s, "! line-too-long: lines are limited to %u bytes; "
			    "the rest of that line was discarded",
			    s->shm.hdr->max_line);
		else
			commands_line(s, line, len);
	}
}

void
input_read(struct session *s)
{
	char *where, *line;
	size_t room, len;
	ssize_t n;

	for (int i = 0; i < READS_PER_WAKE && s->state != SESSION_CLOSING; i++) {
		room = linebuf_room(&s->in, &where);
		n = read(s->in_fd, where, room);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			session_close(s, DISC_ERROR, "read error");
			return;
		}
		if (n == 0) {
			s->in_eof = 1;
			if (linebuf_finish(&s->in, &line, &len) == LINE_OK)
				commands_line(s, line, len);
			/* An overlong last line needs no reply: nobody reads it. */
			if (s->state != SESSION_CLOSING)
				session_close(s, s->state == SESSION_CHAT ?
				    DISC_QUIT : DISC_EOF, "connection closed");
			return;
		}
		linebuf_commit(&s->in, (size_t)n);
		handle_lines(s);
	}
}
