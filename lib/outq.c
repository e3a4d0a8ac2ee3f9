/*
 * outq.c -- the bounded output buffer of one client connection.
 *
 * Everything formatted during one wake-up goes out with as few write(2)
 * calls as the socket allows: one, unless the socket buffer is full.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outq.h"

void
outq_init(struct outq *q, size_t limit)
{
	memset(q, 0, sizeof(*q));
	q->limit = limit;
}

void
outq_free(struct outq *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

size_t
outq_pending(const struct outq *q)
{
	return q->len - q->head;
}

size_t
outq_room(const struct outq *q)
{
	return outq_pending(q) < q->limit ? q->limit - outq_pending(q) : 0;
}

void
outq_drop_unsent(struct outq *q)
{
	char *nl;

	if (q->head == 0 || q->buf[q->head - 1] == '\n') {
		q->len = q->head;
		return;
	}
	nl = memchr(q->buf + q->head, '\n', q->len - q->head);
	if (nl != NULL)
		q->len = (size_t)(nl - q->buf) + 1;
}

static int
make_room(struct outq *q, size_t n)
{
	size_t want;
	char *p;

	if (outq_pending(q) + n > q->limit)
		return -1;
	if (q->head > 0 && q->len + n > q->size) {
		memmove(q->buf, q->buf + q->head, q->len - q->head);
		q->len -= q->head;
		q->head = 0;
	}
	if (q->len + n <= q->size)
		return 0;
	want = q->size == 0 ? 1024 : q->size;
	while (want < q->len + n)
		want *= 2;
	if ((p = realloc(q->buf, want)) == NULL)
		return -1;
	q->buf = p;
	q->size = want;
	return 0;
}

int
outq_append(struct outq *q, const char *data, size_t n)
{
	if (make_room(q, n) == -1)
		return -1;
	memcpy(q->buf + q->len, data, n);
	q->len += n;
	return 0;
}

int
outq_append_pieces(struct outq *q, const struct outq_piece *p, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += p[i].len;
	if (make_room(q, total) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		memcpy(q->buf + q->len, p[i].data, p[i].len);
		q->len += p[i].len;
	}
	return 0;
}

int
outq_vappendf(struct outq *q, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	/* +1: vsnprintf writes a NUL, which is not queued. */
	if (n < 0 || make_room(q, (size_t)n + 1) == -1)
		return -1;
	vsnprintf(q->buf + q->len, (size_t)n + 1, fmt, ap);
	q->len += (size_t)n;
	return 0;
}

int
outq_appendf(struct outq *q, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = outq_vappendf(q, fmt, ap);
	va_end(ap);
	return rc;
}

int
outq_flush(struct outq *q, int fd)
{
	ssize_t n;

	while (q->head < q->len) {
		n = write(fd, q->buf + q->head, q->len - q->head);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 1;
			return -1;
		}
		q->head += (size_t)n;
	}
	q->head = q->len = 0;
	/* Give back a buffer a burst grew, so idle sessions stay small. */
	if (q->size > 65536) {
		free(q->buf);
		q->buf = NULL;
		q->size = 0;
	}
	return 0;
}
