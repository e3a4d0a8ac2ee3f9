/*
 * wsframe.c -- sending on a WebSocket: text messages and the close.
 *
 * Owns what the server sends.  A text message (every event, every
 * delivery) is one unfragmented, unmasked frame written straight into
 * the output queue: a header of 2 to 10 bytes (FIN and the opcode, the
 * 7-, 16- or 64-bit length; RFC 6455, 5.2) and the JSON, in one
 * all-or-nothing append.  Giving it to wslay instead cost a malloc, a
 * copy and a free per delivery, and was the limit of the fan-out at 2000
 * messages a second (doc/benchmarks.md).  Control frames go through
 * wslay (ws.c made the context): the pongs it answers, the pings and the
 * close sent with ws_fail; wslay's frames reach the same queue whole
 * when the loop calls wslay_event_send, so frames never interleave.
 *
 * wslay 1.1.1 answers some protocol errors (a control frame over 125
 * bytes or fragmented, a 64-bit length with its top bit set, a close
 * body of one byte) with an empty close instead of 1002 (RFC 6455,
 * 7.4.1).  For those ws_abort writes the close itself, and wslay's queue
 * is never sent again.
 */
#include <string.h>

#include "log.h"
#include "text.h"
#include "web.h"

/* A server frame's header for len bytes of payload; its length. */
static size_t
frame_head(unsigned char head[10], uint8_t opcode, size_t len)
{
	head[0] = 0x80 | opcode;		/* FIN */
	if (len < 126) {
		head[1] = (unsigned char)len;	/* unmasked */
		return 2;
	}
	if (len <= 0xffff) {
		head[1] = 126;
		head[2] = (unsigned char)(len >> 8);
		head[3] = (unsigned char)len;
		return 4;
	}
	head[1] = 127;
	for (int i = 0; i < 8; i++)
		head[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	return 10;
}

int
ws_send_text(struct web *w, const char *json, size_t len)
{
	unsigned char head[10];
	struct outq_piece frame[2] = {
		{ (const char *)head, frame_head(head, WSLAY_TEXT_FRAME, len) },
		{ json, len },
	};

	if (w->ws == NULL || w->state == WEB_CLOSING || w->ws_aborted)
		return -1;
	/* wslay's pongs first: frames leave in the order they arose. */
	if (wslay_event_want_write(w->ws))
		wslay_event_send(w->ws);
	return web_write_pieces(w, frame, 2);
}

void
ws_abort(struct web *w, uint16_t code, const char *reason)
{
	unsigned char head[10], body[2 + 123];
	size_t len = utf8_prefix(reason, strlen(reason), 123);
	struct outq_piece frame[2] = {
		{ (const char *)head, frame_head(head, WSLAY_CONNECTION_CLOSE,
		    2 + len) },
		{ (const char *)body, 2 + len },
	};

	if (w->ws == NULL || w->state == WEB_CLOSING)
		return;
	log_info("%s: %s%sclosed with %u: %s", w->client.peer, w->name,
	    w->name[0] ? " " : "", code, reason);
	body[0] = (unsigned char)(code >> 8);
	body[1] = (unsigned char)(code & 0xff);
	memcpy(body + 2, reason, len);
	w->ws_aborted = 1;	/* wslay's own close is never sent */
	if (web_write_pieces(w, frame, 2) == 0)
		web_close(w, DISC_ERROR, reason);
}

void
ws_fail(struct web *w, uint16_t code, const char *reason, int disc_reason)
{
	size_t len = utf8_prefix(reason, strlen(reason), 123);

	if (w->ws == NULL || w->state == WEB_CLOSING)
		return;
	log_info("%s: %s%sclosed with %u: %s", w->client.peer, w->name,
	    w->name[0] ? " " : "", code, reason);
	wslay_event_queue_close(w->ws, code, (const uint8_t *)reason, len);
	wslay_event_send(w->ws);
	web_close(w, disc_reason, reason);
}
