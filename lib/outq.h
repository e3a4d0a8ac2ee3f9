/*
 * outq.h -- a front door's output queue: bytes formatted for the client and
 * not yet written.  Bounded by max_sendq; a client that lets it fill is
 * disconnected ("SendQ exceeded"), so it never slows anyone else.
 */
#ifndef CHAT_OUTQ_H
#define CHAT_OUTQ_H

#include <stdarg.h>
#include <stddef.h>

struct outq {
	char	*buf;
	size_t	 size;		/* allocated */
	size_t	 head;		/* first unwritten byte */
	size_t	 len;		/* end of data */
	size_t	 limit;		/* max_sendq */
};

void	outq_init(struct outq *q, size_t limit);
void	outq_free(struct outq *q);
/* Append; -1 if the queue would pass its limit (nothing appended). */
int	outq_append(struct outq *q, const char *data, size_t n);
/* A piece of a line, for outq_append_pieces. */
struct outq_piece {
	const char	*data;
	size_t		 len;
};
/*
 * Append the concatenation of n pieces, all or nothing: the delivery
 * path, where vsnprintf's twice-parsed format cost more than the rest of
 * a delivery put together.
 */
int	outq_append_pieces(struct outq *q, const struct outq_piece *p, size_t n);
int	outq_vappendf(struct outq *q, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
int	outq_appendf(struct outq *q, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
size_t	outq_pending(const struct outq *q);
/*
 * A drain of the log writes to the socket once this much is queued, not
 * only at its end: a burst (a storm of join notices held off by the hub)
 * would otherwise grow the queue, and its pages would stay with the
 * process for good.  The system calls saved by larger writes are few: a
 * 3 KiB write carries some 150 lines.
 */
#define OUTQ_WRITE_BATCH	3072
/* Bytes that may still be appended before the queue reaches its limit. */
size_t	outq_room(const struct outq *q);
/*
 * Drop every line not yet started on the wire; a line partly written is
 * kept whole, so the client never sees half a line.
 */
void	outq_drop_unsent(struct outq *q);
/* Write what the socket takes: 0 all written, 1 some left, -1 error. */
int	outq_flush(struct outq *q, int fd);

#endif
