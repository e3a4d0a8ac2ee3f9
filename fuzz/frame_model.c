/*
 * frame_model.c -- the line-framing rule written apart from lib/linebuf.c
 * (see frame_model.h).
 */
#include <string.h>

#include "frame_model.h"

size_t
frame_model(const uint8_t *s, size_t len, size_t max_line, struct event *ev)
{
	size_t nev = 0, start = 0, n;

	while (start < len) {
		const uint8_t *nl = memchr(s + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - s) : len;

		n = end - start;
		if (n > 0 && s[end - 1] == '\r')
			n--;
		if (n > max_line)
			ev[nev++] = (struct event){ LINE_TOOLONG, NULL, 0 };
		else
			ev[nev++] = (struct event){ LINE_OK, s + start, n };
		start = end + 1;
	}
	return nev;
}
