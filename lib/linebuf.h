/*
 * linebuf.h -- split a byte stream into lines of at most max_line bytes.
 *
 * Owns the input buffer of one connection.  Lines end with "\n" or
 * "\r\n" (the terminator is not part of the line).  A line longer than
 * max_line is reported once as LINE_TOOLONG and the rest of it, up to
 * its newline, is discarded.
 */
#ifndef CHAT_LINEBUF_H
#define CHAT_LINEBUF_H

#include <stddef.h>

struct linebuf {
	char	*buf;
	size_t	 cap;		/* max_line + 2: room for "\r\n" */
	size_t	 max_line;
	size_t	 start;		/* first unconsumed byte */
	size_t	 len;		/* bytes held, from 0 */
	int	 discarding;	/* inside an overlong line */
};

enum line_result {
	LINE_NONE,		/* no complete line yet */
	LINE_OK,		/* *line, *len hold one line */
	LINE_TOOLONG,		/* a line passed max_line; its rest is skipped */
};

int	linebuf_init(struct linebuf *lb, size_t max_line);
void	linebuf_free(struct linebuf *lb);
/*
 * Free space to read into; commit what was read with linebuf_commit.
 * One byte past it may be written and committed too (by a filter that
 * grows a read by one byte, lib/telnet.c).
 */
size_t	linebuf_room(struct linebuf *lb, char **where);
void	linebuf_commit(struct linebuf *lb, size_t n);
/* Next line; valid until the next call. */
enum line_result linebuf_next(struct linebuf *lb, char **line, size_t *len);
/* At end of input: the unterminated last line, if any (LINE_NONE else). */
enum line_result linebuf_finish(struct linebuf *lb, char **line, size_t *len);
/* Bytes held that are not yet returned as lines. */
size_t	linebuf_pending(const struct linebuf *lb);
/*
 * Forget every byte held (zeroed: it may be a password); 1 if they ended
 * inside a line (no newline after the last line returned).
 */
int	linebuf_drop(struct linebuf *lb);
/* Skip the input up to and including the next newline, silently. */
void	linebuf_skip_line(struct linebuf *lb);

#endif
