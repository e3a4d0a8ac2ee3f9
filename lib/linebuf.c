/*
 * linebuf.c -- line framing for client input.
 *
 * The buffer holds at most one maximal line plus its terminator; when it
 * fills without a newline the line is too long, reported once, and
 * discarded up to the next newline.
 */
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

int
linebuf_init(struct linebuf *lb, size_t max_line)
{
	memset(lb, 0, sizeof(*lb));
	lb->max_line = max_line;
	lb->cap = max_line + 2;
	/*
	 * +1: a filter in front of the framer may grow what was read by one
	 * byte (telnet.c puts back an IAC that ended the last read);
	 * +1: callers may NUL-end a line.
	 */
	lb->buf = malloc(lb->cap + 2);
	return lb->buf == NULL ? -1 : 0;
}

void
linebuf_free(struct linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
}

static void
compact(struct linebuf *lb)
{
	if (lb->start == 0)
		return;
	memmove(lb->buf, lb->buf + lb->start, lb->len - lb->start);
	lb->len -= lb->start;
	lb->start = 0;
}

size_t
linebuf_room(struct linebuf *lb, char **where)
{
	compact(lb);
	*where = lb->buf + lb->len;
	/* Overfilled by that one byte and not framed yet: no room. */
	return lb->len < lb->cap ? lb->cap - lb->len : 0;
}

void
linebuf_commit(struct linebuf *lb, size_t n)
{
	lb->len += n;
}

size_t
linebuf_pending(const struct linebuf *lb)
{
	return lb->len - lb->start;
}

enum line_result
linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char *p, *nl;
	size_t n;

	for (;;) {
		p = lb->buf + lb->start;
		n = lb->len - lb->start;
		nl = memchr(p, '\n', n);
		if (nl == NULL) {
			if (n < lb->cap)	/* room left once compacted */
				return LINE_NONE;
			/* Full with no newline: an overlong line. */
			lb->start = lb->len = 0;
			if (lb->discarding)
				return LINE_NONE;
			lb->discarding = 1;
			return LINE_TOOLONG;
		}
		lb->start += (size_t)(nl - p) + 1;
		if (lb->discarding) {
			lb->discarding = 0;
			continue;
		}
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > lb->max_line)
			return LINE_TOOLONG;
		*line = p;
		*len = n;
		return LINE_OK;
	}
}

enum line_result
linebuf_finish(struct linebuf *lb, char **line, size_t *len)
{
	char *p = lb->buf + lb->start;
	size_t n = lb->len - lb->start;

	lb->start = lb->len = 0;
	if (n == 0 || lb->discarding) {
		lb->discarding = 0;
		return LINE_NONE;
	}
	if (p[n - 1] == '\r')
		n--;
	if (n > lb->max_line)
		return LINE_TOOLONG;
	*line = p;
	*len = n;
	return LINE_OK;
}

int
linebuf_drop(struct linebuf *lb)
{
	int inside = lb->discarding;

	if (lb->len > lb->start)
		inside = lb->buf[lb->len - 1] != '\n';
	/* All of it: compact() leaves copies of moved bytes past len. */
	explicit_bzero(lb->buf, lb->cap + 2);
	lb->start = lb->len = 0;
	lb->discarding = 0;
	return inside;
}

void
linebuf_skip_line(struct linebuf *lb)
{
	lb->discarding = 1;
}
