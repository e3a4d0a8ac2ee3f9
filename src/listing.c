/*
 * listing.c -- the budget of answers that grow with the server.
 *
 * /users and /groups list what the segment holds, which can be more than
 * a client's output queue (max_sendq) takes.  Such an answer is written
 * only while it fits in what the queue has left, less a quarter of
 * max_sendq kept for ordinary traffic and for the notice that says what
 * was left out; so asking never gets a client disconnected for "SendQ
 * exceeded".  The first piece (the header) goes in whatever the budget.
 * What is listed, and the notices, are the commands' own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "session.h"

void
listing_start(struct listing *l, struct session *s)
{
	size_t room = outq_room(&s->out), reserve = s->out.limit / 4;

	l->s = s;
	l->left = room > reserve ? room - reserve : 0;
	l->started = 0;
	l->in_line = 0;
	l->cut = 0;
	l->no_memory = 0;
}

/* Queue n bytes, room checked: a refusal is the allocator's, for listing_finish. */
static int
queue(struct listing *l, const char *data, size_t n)
{
	if (l->no_memory || outq_append(&l->s->out, data, n) == -1) {
		l->no_memory = 1;
		return -1;
	}
	return 0;
}

int
listing_add(struct listing *l, const char *fmt, ...)
{
	char piece[LISTING_PIECE_MAX];
	va_list ap;
	int n;

	if (l->cut)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	/* + 1: the line's newline must still fit after this piece. */
	if (n < 0 || (size_t)n >= sizeof(piece) ||
	    (size_t)n + 1 > (l->started ? l->left : outq_room(&l->s->out)) ||
	    queue(l, piece, (size_t)n) == -1) {
		l->cut = 1;
		l->left = 0;
		return -1;
	}
	l->left -= (size_t)n < l->left ? (size_t)n : l->left;
	l->started = 1;
	l->in_line = 1;
	return 0;
}

void
listing_end_line(struct listing *l)
{
	if (!l->in_line)
		return;
	l->in_line = 0;
	if (l->left > 0)
		l->left--;
	/* Room was kept for it; only a failed allocation can refuse it. */
	queue(l, "\n", 1);
}

int
listing_finish(struct listing *l)
{
	if (!l->no_memory)
		return 0;
	session_close(l->s, DISC_ERROR, "out of memory");
	return -1;
}
