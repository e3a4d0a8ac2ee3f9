/*
 * wsframe.c -- sending on a WebSocket: text messages and the close.
 *
 * Owns what goes out through wslay (ws.c made the context): a JSON text
 * message queued, and failing the connection with a close code and
 * reason, after which nothing more is queued and the user leaves.  The
 * frames reach the output queue when the loop calls wslay_event_send.
 *
 * wslay 1.1.1 answers some protocol errors (a control frame over 125
 * bytes or fragmented, a 64-bit length with its top bit set, a close
 * body of one byte) with an empty close instead of 1002 (RFC 6455,
 * 7.4.1).  For those ws_abort writes the close itself -- FIN and opcode
 * 8, the length, the code and the reason, unmasked as a server's frames
 * are -- and wslay's queue is never sent again.
 */
#include <string.h>

#include "log.h"
#include "text.h"
#include "web.h"

int
ws_send_text(struct web *w, const char *json, size_t len)
{
	struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)json, len };

	if (w->ws == NULL || w->state == WEB_CLOSING || w->ws_aborted)
		return -1;
	if (wslay_event_queue_msg(w->ws, &m) != 0) {
		web_close(w, DISC_ERROR, "could not queue a frame");
		return -1;
	}
	/* Frames reach the output queue now, so SendQ counts them. */
	if (wslay_event_send(w->ws) != 0) {
		web_close(w, DISC_SENDQ, "SendQ exceeded");
		return -1;
	}
	return w->state == WEB_CLOSING ? -1 : 0;
}

void
ws_abort(struct web *w, uint16_t code, const char *reason)
{
	unsigned char frame[4 + 123];
	size_t len = utf8_prefix(reason, strlen(reason), 123);

	if (w->ws == NULL || w->state == WEB_CLOSING)
		return;
	log_info("%s: %s%sclosed with %u: %s", w->client.peer, w->name,
	    w->name[0] ? " " : "", code, reason);
	frame[0] = 0x80 | WSLAY_CONNECTION_CLOSE;	/* FIN, close */
	frame[1] = (unsigned char)(2 + len);		/* unmasked */
	frame[2] = (unsigned char)(code >> 8);
	frame[3] = (unsigned char)(code & 0xff);
	memcpy(frame + 4, reason, len);
	w->ws_aborted = 1;	/* wslay's own close is never sent */
	if (web_write(w, (const char *)frame, 4 + len) == 0)
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
