/*
 * frame_model.h -- the line-framing rule written apart from lib/linebuf.c,
 * for the fuzz targets that check the framer against it (fuzz_linebuf,
 * and fuzz_telnet on what the telnet filter leaves).
 */
#ifndef CHAT_FRAME_MODEL_H
#define CHAT_FRAME_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "linebuf.h"

struct event {
	enum line_result	 kind;
	const uint8_t		*text;	/* LINE_OK: the line in the stream */
	size_t			 len;
};

/*
 * Split s (len bytes) into lines by the documented rule: a line ends at
 * '\n', a '\r' before it is dropped, a line over max_line bytes is
 * LINE_TOOLONG.  ev has room for len + 1 events; returns how many.
 */
size_t	frame_model(const uint8_t *s, size_t len, size_t max_line,
	    struct event *ev);

#endif
