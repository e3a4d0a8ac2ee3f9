/*
 * input.c -- reading the client.
 *
 * Owns the line framer of the connection: it reads what the socket has
 * (receive.c), splits it into lines, reports overlong lines once, and
 * hands each line to commands.c, as far as flood control allows.  End
 * of input ends the session after the last (unterminated) line is
 * handled.
 */
#include <errno.h>
#include <stdatomic.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

#define READS_PER_WAKE	16	/* then let other events run */

/* Handle the complete lines held, as far as flood control allows. */
void
input_lines(struct session *s)
{
	char *line;
	size_t len;
	enum line_result r;

	int took;

	while (s->state != SESSION_CLOSING) {
		took = 0;
		if (s->state == SESSION_CHAT && linebuf_pending(&s->in) > 0) {
			if (!flood_take(s))
				return;
			took = 1;
		}
		if ((r = linebuf_next(&s->in, &line, &len)) == LINE_NONE) {
			if (took)
				flood_refund(s);
			return;
		}
		if (r == LINE_TOOLONG)
			reply_status(s, CR_LINE_TOO_LONG, s->shm.geo.max_line);
		else
			commands_line(s, line, len);
	}
}

/*
 * After end of input: once every held line is handled (a throttle may
 * delay that), handle the unterminated last line and close.
 */
void
input_finish(struct session *s)
{
	char *line;
	size_t len;

	if (!s->in_eof || s->throttled || s->state == SESSION_CLOSING)
		return;
	/* An overlong last line needs no reply: nobody reads it. */
	if (linebuf_finish(&s->in, &line, &len) == LINE_OK)
		commands_line(s, line, len);
	if (s->state != SESSION_CLOSING)
		session_close(s, s->state == SESSION_CHAT ? DISC_QUIT : DISC_EOF,
		    "connection closed");
}

void
input_read(struct session *s)
{
	ssize_t n;

	for (int i = 0; i < READS_PER_WAKE && s->state != SESSION_CLOSING &&
	    !s->throttled; i++) {
		n = receive_some(s, SIZE_MAX);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			session_close(s, DISC_ERROR, errno == ECONNRESET ?
			    "connection reset by peer" : errno == ETIMEDOUT ?
			    "connection timed out" : "read error");
			return;
		}
		if (n == 0) {
			s->in_eof = 1;
			input_lines(s);
			input_finish(s);
			return;
		}
		input_lines(s);
	}
}
