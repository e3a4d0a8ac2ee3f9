/*
 * wsframe.c -- sending on a WebSocket: messages, control frames, the close.
 *
 * Owns the frames the server sends (RFC 6455, 5.2): each one whole and
 * unfragmented, unmasked as a server's are -- FIN and the opcode, the
 * 7-, 16- or 64-bit length, the payload -- written straight into the
 * output queue in one all-or-nothing append, so frames never
 * interleave and SendQ counts them.  Every delivery passes here.  After
 * the close nothing more is sent and the user leaves.
 */
#include <string.h>

#include "log.h"
#include "text.h"
#include "web.h"
#include "wsread.h"

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
ws_send_frame(struct web *w, uint8_t opcode, const char *payload, size_t len)
{
	unsigned char head[10];
	struct outq_piece frame[2] = {
		{ (const char *)head, frame_head(head, opcode, len) },
		{ payload, len },
	};

	if (!w->upgraded || w->state == WEB_CLOSING)
		return -1;
	return web_write_pieces(w, frame, 2);
}

int
ws_send_text(struct web *w, const char *json, size_t len)
{
	return ws_send_frame(w, WS_OP_TEXT, json, len);
}

void
ws_fail(struct web *w, uint16_t code, const char *reason, int disc_reason)
{
	char body[2 + WS_CONTROL_MAX - 2];
	size_t len = utf8_prefix(reason, strlen(reason), sizeof(body) - 2);

	if (!w->upgraded || w->state == WEB_CLOSING)
		return;
	log_info("%s: %s%sclosed with %u: %s", w->client.peer, w->name,
	    w->name[0] ? " " : "", code, reason);
	body[0] = (char)(code >> 8);
	body[1] = (char)(code & 0xff);
	memcpy(body + 2, reason, len);
	if (ws_send_frame(w, WS_OP_CLOSE, body, 2 + len) == 0)
		web_close(w, disc_reason, reason);
}
